import { Component, DestroyRef, OnInit, computed, effect, inject, signal } from '@angular/core';
import { Router } from '@angular/router';
import { Subscription } from 'rxjs';
import { Api } from '../core/api';
import { ApiError } from '../core/errors';
import {
  AgentBranchQueueGQL,
  AgentBranchQueueUpdatesGQL,
  AgentClaimNextGQL,
  type AgentQueueFieldsFragment,
} from '../graphql/generated';
import { formatDuration } from './labels';
import { StaffContext } from './staff';

/**
 * 视频见证队列: the branch's waiting customers, live (branchQueue subscription), waiting times
 * ticking every second from enqueuedAt; 接通下一位 (key N) claims the head and opens the call.
 */
@Component({
  selector: 'kh-queue-page',
  host: { '(document:keydown)': 'onKey($event)' },
  template: `
    <header class="bar">
      <h1>视频见证队列</h1>
      @if (staff.fixedBranch(); as b) {
        <span class="branch-name" data-testid="queue-branch">{{ b.name }}</span>
      } @else {
        <label class="branch-pick">营业部
          <select [value]="staff.branchId() ?? ''" (change)="pick($event)">
            @for (b of staff.branches(); track b.id) { <option [value]="b.id" [selected]="b.id === staff.branchId()">{{ b.name }}</option> }
          </select>
        </label>
      }
      <span class="spacer"></span>
      <span class="live" [class.off]="!live()" role="status">{{ live() ? '实时' : '连接中…' }}</span>
    </header>
    <section class="card next">
      <div class="count"><strong data-testid="queue-waiting">{{ queue()?.waiting ?? 0 }}</strong><span class="muted">人排队</span></div>
      <div class="count"><strong>{{ longest() }}</strong><span class="muted">最长等待</span></div>
      <span class="spacer"></span>
      @if (error()) { <div class="banner error inline" role="alert">{{ error() }}</div> }
      <button type="button" class="claim" (click)="claim()" [disabled]="busy() || !queue()?.waiting" aria-keyshortcuts="N">接通下一位 <kbd>N</kbd></button>
    </section>
    <section class="card">
      <table aria-label="排队客户">
        <thead><tr><th scope="col">序号</th><th scope="col">客户</th><th scope="col">业务</th><th scope="col">受理单号</th><th scope="col">状态</th><th scope="col" class="num">已等待</th></tr></thead>
        <tbody>
          @for (item of queue()?.items ?? []; track item.entry.id; let i = $index) {
            <tr [class.head]="i === 0" data-testid="queue-row">
              <td>{{ item.entry.position }}</td>
              <td>{{ item.customerName }}</td>
              <td>{{ item.ticket.businessName }}</td>
              <td class="mono">{{ item.ticket.acceptanceNo }}</td>
              <td>{{ item.entry.keptUntil ? '暂时离线（保留位置）' : '排队中' }}</td>
              <td class="num mono" data-testid="waiting-time">{{ waited(item.enqueuedAt) }}</td>
            </tr>
          } @empty {
            <tr><td colspan="6" class="muted empty">当前没有客户排队。有客户排队时此处会自动更新。</td></tr>
          }
        </tbody>
      </table>
    </section>
    <p class="muted small">快捷键：N 接通下一位。通话中关闭页面或断网时，客户会自动回到队首。</p>
  `,
  styles: `
    .bar { display: flex; align-items: center; gap: 18px; margin-bottom: 12px; }
    .bar h1 { margin: 0; }
    .branch-pick { display: flex; align-items: center; gap: 8px; margin: 0; font-weight: normal; }
    .branch-pick select { width: auto; min-height: 36px; padding: 4px 8px; }
    .branch-name { font-size: 1.05rem; color: var(--ink-2); }
    .live { font-size: .85rem; color: var(--ok); }
    .live::before { content: '●'; margin-right: 4px; }
    .live.off { color: var(--warn); }
    .next { display: flex; align-items: center; gap: 32px; }
    .count { display: flex; flex-direction: column; }
    .count strong { font-size: 1.8rem; line-height: 1.1; font-variant-numeric: tabular-nums; }
    .claim { font-size: 1.05rem; padding: 10px 26px; }
    kbd { font: inherit; font-size: .75rem; border: 1px solid rgba(255,255,255,.7); border-radius: 4px; padding: 0 5px; }
    .inline { margin: 0; }
    .num { text-align: right; }
    .mono { font-variant-numeric: tabular-nums; }
    tr.head td { background: #fff8e6; font-weight: 600; }
    .empty { text-align: center; padding: 28px; }
  `,
})
export class QueuePage implements OnInit {
  protected readonly staff = inject(StaffContext);
  private readonly api = inject(Api);
  private readonly router = inject(Router);
  private readonly queueQuery = inject(AgentBranchQueueGQL);
  private readonly queueUpdates = inject(AgentBranchQueueUpdatesGQL);
  private readonly claimMutation = inject(AgentClaimNextGQL);
  protected readonly queue = signal<AgentQueueFieldsFragment | null>(null);
  protected readonly live = signal(false);
  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);
  private readonly now = signal(Date.now());
  protected readonly longest = computed(() => {
    const first = this.queue()?.items[0];
    return first ? this.waited(first.enqueuedAt) : '—';
  });
  private sub: Subscription | null = null;
  private following: string | null = null;

  constructor() {
    const tick = setInterval(() => this.now.set(Date.now()), 1000);
    inject(DestroyRef).onDestroy(() => {
      clearInterval(tick);
      this.sub?.unsubscribe();
    });
    effect(() => {
      const id = this.staff.branchId();
      if (id && this.staff.branch() && id !== this.following) this.follow(id);
    });
  }

  ngOnInit(): void {
    void this.staff.load();
  }

  protected waited(enqueuedAt: string): string {
    return formatDuration((this.staff.serverNow(this.now()) - new Date(enqueuedAt).getTime()) / 1000);
  }

  protected pick(e: Event): void {
    this.staff.chooseBranch((e.target as HTMLSelectElement).value);
  }

  /** The query at once, then the subscription (which also sends the current queue first). */
  private follow(branchId: string): void {
    this.following = branchId;
    this.sub?.unsubscribe();
    this.live.set(false);
    this.api.query(this.queueQuery, { branchId }).then(
      (d) => this.following === branchId && this.show(d.branchQueue),
      (e: ApiError) => this.error.set(e.message),
    );
    const retryIf = () => {
      this.live.set(false);
      return this.following === branchId;
    };
    this.sub = this.api.live(this.queueUpdates, { branchId }, { retryIf }).subscribe((d) => {
      this.live.set(true);
      this.error.set(null);
      this.show(d.branchQueue);
    });
  }

  private show(q: AgentQueueFieldsFragment): void {
    const head = q.items[0];
    if (head) this.staff.learnSkew(head.enqueuedAt, head.waitingSeconds);
    this.queue.set(q);
  }

  protected onKey(e: KeyboardEvent): void {
    if (e.key !== 'n' && e.key !== 'N') return;
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const t = e.target as HTMLElement | null;
    if (t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT' || t.isContentEditable))
      return;
    e.preventDefault();
    void this.claim();
  }

  async claim(): Promise<void> {
    const branchId = this.staff.branchId();
    if (!branchId || this.busy()) return;
    this.busy.set(true);
    this.error.set(null);
    try {
      const { claimNextCustomer } = await this.api.mutate(this.claimMutation, { branchId });
      if (!claimNextCustomer) this.error.set('当前没有客户排队');
      else void this.router.navigate(['/agent/witness', claimNextCustomer.id]);
    } catch (e) {
      this.error.set((e as ApiError).message);
    } finally {
      this.busy.set(false);
    }
  }
}
