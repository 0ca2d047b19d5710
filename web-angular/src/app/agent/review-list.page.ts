import { Component, DestroyRef, OnInit, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { RouterLink } from '@angular/router';
import { Api } from '../core/api';
import { ApiError } from '../core/errors';
import { ReviewQueueGQL, type BusinessType, type ReviewQueueQuery } from '../graphql/generated';
import { BUSINESS_LIST as BUSINESSES } from '@kaihu/domain';
import { formatDuration, formatTime } from './labels';
import { StaffContext } from './staff';

type Row = ReviewQueueQuery['reviewQueue']['edges'][number]['node'];

const AGES: readonly { value: number; label: string }[] = [
  { value: 0, label: '全部' },
  { value: 3600, label: '超过 1 小时' },
  { value: 4 * 3600, label: '超过 4 小时' },
  { value: 86400, label: '超过 1 天' },
  { value: 3 * 86400, label: '超过 3 天' },
];

/** 待复核业务: submitted tickets, oldest first, filtered by business, branch and waiting time (the API's filters). */
@Component({
  selector: 'kh-review-list',
  imports: [FormsModule, RouterLink],
  template: `
    <header class="bar">
      <h1>待复核业务</h1>
      <span class="muted" data-testid="review-total">共 {{ total() }} 笔</span>
      <span class="spacer"></span>
      <button type="button" class="secondary slim" (click)="load()" [disabled]="busy()">刷新</button>
    </header>
    <form class="filters card" (ngSubmit)="load()" aria-label="筛选">
      <label>业务类型
        <select name="business" [(ngModel)]="business" (ngModelChange)="load()">
          <option value="">全部业务</option>
          @for (b of businesses; track b.type) { <option [value]="b.type">{{ b.name }}</option> }
        </select>
      </label>
      <label>营业部
        <select name="branch" [(ngModel)]="branchId" (ngModelChange)="load()">
          <option value="">全部营业部</option>
          @for (b of staff.branches(); track b.id) { <option [value]="b.id">{{ b.name }}</option> }
        </select>
      </label>
      <label>等待时间
        <select name="age" [(ngModel)]="age" (ngModelChange)="load()">
          @for (a of ages; track a.value) { <option [ngValue]="a.value">{{ a.label }}</option> }
        </select>
      </label>
    </form>
    @if (error()) { <div class="banner error" role="alert">{{ error() }}</div> }
    <section class="card flush">
      <table aria-label="待复核业务">
        <thead><tr><th scope="col">受理单号</th><th scope="col">客户</th><th scope="col">业务</th><th scope="col">营业部</th><th scope="col">见证坐席</th><th scope="col">提交时间</th><th scope="col" class="num">已等待</th><th scope="col"><span class="sr-only">操作</span></th></tr></thead>
        <tbody>
          @for (r of shown(); track r.id) {
            <tr data-testid="review-row">
              <td class="mono">{{ r.acceptanceNo }}</td>
              <td>{{ r.customerName }}</td>
              <td>{{ r.businessName }}</td>
              <td>{{ r.branch?.name }}</td>
              <td>{{ r.witnessAgentName ?? '—' }}</td>
              <td class="mono">{{ time(r.submittedAt) }}</td>
              <td class="num mono">{{ waited(r.submittedAt) }}</td>
              <td class="num"><a [routerLink]="['/agent/review', r.id]">复核</a></td>
            </tr>
          } @empty {
            <tr><td colspan="8" class="muted empty">{{ busy() ? '加载中…' : '没有待复核的业务' }}</td></tr>
          }
        </tbody>
      </table>
      @if (hasMore()) { <div class="more"><button type="button" class="secondary slim" (click)="more()" [disabled]="busy()">加载更多</button></div> }
    </section>
  `,
  styles: `
    .bar { display: flex; align-items: baseline; gap: 14px; margin-bottom: 10px; }
    .bar h1 { margin: 0; }
    .slim { min-height: 34px; padding: 4px 14px; }
    .filters { display: flex; gap: 24px; padding: 12px 16px; }
    .filters label { display: flex; align-items: center; gap: 8px; margin: 0; font-weight: normal; }
    .filters select { width: auto; min-height: 36px; padding: 4px 8px; }
    .flush { padding: 4px 0; }
    .flush table td:first-child, .flush table th:first-child { padding-left: 16px; }
    .flush table td:last-child, .flush table th:last-child { padding-right: 16px; }
    .num { text-align: right; }
    .mono { font-variant-numeric: tabular-nums; }
    tbody tr:hover td { background: #fafafa; }
    .empty { text-align: center; padding: 28px; }
    .more { text-align: center; padding: 10px; }
  `,
})
export class ReviewListPage implements OnInit {
  private readonly api = inject(Api);
  protected readonly staff = inject(StaffContext);
  private readonly queueQuery = inject(ReviewQueueGQL);
  protected readonly businesses = BUSINESSES;
  protected readonly ages = AGES;
  business: BusinessType | '' = '';
  branchId = '';
  age = 0;
  protected readonly rows = signal<Row[]>([]);
  protected readonly total = signal(0);
  protected readonly hasMore = signal(false);
  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);
  private readonly now = signal(Date.now());
  private cursor: string | null = null;
  /** more pages were loaded: the auto-refresh would drop them, so it waits for 刷新 */
  private cursorUsed = false;
  protected readonly shown = this.rows.asReadonly();

  constructor() {
    const tick = setInterval(() => this.now.set(Date.now()), 1000);
    // the API has no push for this list: it refreshes itself every 20 s (first page, same filters)
    const refresh = setInterval(() => {
      if (!this.busy() && !this.cursorUsed && document.visibilityState === 'visible') void this.fetch(false, true);
    }, 20_000);
    inject(DestroyRef).onDestroy(() => {
      clearInterval(tick);
      clearInterval(refresh);
    });
  }

  ngOnInit(): void {
    void this.staff.load();
    void this.load();
  }

  protected time(iso: string | null): string {
    return formatTime(iso);
  }

  protected waited(iso: string | null): string {
    return iso ? formatDuration((this.staff.serverNow(this.now()) - new Date(iso).getTime()) / 1000) : '';
  }

  async load(): Promise<void> {
    this.cursor = null;
    this.cursorUsed = false;
    await this.fetch(false);
  }

  async more(): Promise<void> {
    this.cursorUsed = true;
    await this.fetch(true);
  }

  private async fetch(append: boolean, quiet = false): Promise<void> {
    if (!quiet) this.busy.set(true);
    this.error.set(null);
    try {
      const { reviewQueue } = await this.api.query(this.queueQuery, {
        first: 50,
        after: append ? this.cursor : null,
        status: ['SUBMITTED'],
        business: this.business || null,
        branchId: this.branchId || null,
        submittedBefore: this.age ? new Date(this.staff.serverNow() - this.age * 1000).toISOString() : null,
      });
      const nodes = reviewQueue.edges.map((e) => e.node);
      this.rows.set(append ? [...this.rows(), ...nodes] : nodes);
      this.total.set(reviewQueue.totalCount);
      this.cursor = reviewQueue.pageInfo.endCursor;
      this.hasMore.set(reviewQueue.pageInfo.hasNextPage);
    } catch (e) {
      this.error.set((e as ApiError).message);
    } finally {
      this.busy.set(false);
    }
  }
}
