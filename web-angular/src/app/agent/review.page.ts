import { Component, DestroyRef, OnInit, computed, inject, input, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { RouterLink } from '@angular/router';
import { Subscription } from 'rxjs';
import { Api } from '../core/api';
import { ApiError } from '../core/errors';
import {
  ReviewApproveGQL,
  ReviewRejectGQL,
  ReviewReturnGQL,
  ReviewTicketGQL,
  TicketUpdatedGQL,
  type Exchange,
  type ReviewTicketFieldsFragment,
  type TicketStepKind,
} from '../graphql/generated';
import { ACTION_NAMES, ACTOR_KIND_NAMES as ACTOR_KINDS, EXCHANGE_NAMES, STATUS_NAMES, STEP_NAMES } from '@kaihu/domain';
import { detailSections } from './detail-sections';
import { formatDuration, formatTime, showValue } from './labels';
import { Photos } from './photos';

type Decision = 'approve' | 'return' | 'reject';

/**
 * 复核 of one ticket: 修改前 → 修改后 with the changed rows highlighted, the photos (zoomable),
 * each signature's verification, the witness recording, the event trail; 通过 / 打回 / 拒绝.
 */
@Component({
  selector: 'kh-review-page',
  imports: [FormsModule, RouterLink, Photos],
  template: `
    <nav class="crumbs small"><a routerLink="/agent/review">待复核业务</a> / 复核</nav>
    @if (ticket(); as t) {
      <header class="bar">
        <h1>{{ t.businessName }} · {{ t.customerName ?? t.proposedProfile?.name }}</h1>
        <span class="muted">受理单号 <span class="mono">{{ t.acceptanceNo }}</span> · {{ t.branch?.name }} · 提交于 {{ time(t.submittedAt) }} · 见证坐席 {{ t.witnessAgentName ?? '—' }}</span>
        <span class="spacer"></span>
        <span class="status" [attr.data-status]="t.status" data-testid="review-status">{{ statusName(t.status) }}</span>
      </header>
      @if (error()) { <div class="banner error" role="alert">{{ error() }}</div> }
      @if (done()) { <div class="banner success" role="status">{{ done() }}</div> }
      @for (f of t.flags; track f.code) {
        <div class="banner warn" role="note" data-testid="ticket-flag"><strong>{{ f.title }}</strong>：{{ f.reasons.join('；') }}</div>
      }
      <div class="grid">
        <div class="main">
          @if (sections().length) {
            <section class="card" aria-labelledby="h-app">
              <h2 id="h-app">申请内容</h2>
              @for (sec of sections(); track sec.step) {
                <h3 class="sec">{{ stepName(sec.step) }}</h3>
                <dl class="kv" [attr.data-step]="sec.step">
                  @for (d of sec.rows; track $index) { <dt>{{ d.label }}</dt><dd>{{ d.value }}</dd> }
                </dl>
              }
              @if (t.accountNo) {
                <h3 class="sec">开户结果</h3>
                <dl class="kv">
                  <dt>资金账号</dt><dd class="mono">{{ t.accountNo }}</dd>
                  @for (c of t.tradingCodes; track c.exchange) {
                    <dt>{{ exchangeName(c.exchange) }}</dt><dd>{{ c.status === 'ASSIGNED' ? '交易编码 ' + c.code : c.status === 'REFUSED' ? '未通过：' + (c.reason ?? '') : '申请中' }}</dd>
                  }
                </dl>
              }
            </section>
          }
          @if (t.changes.length || !sections().length) {
          <section class="card" aria-labelledby="h-diff">
            <h2 id="h-diff">资料变更</h2>
            <table class="diff" aria-describedby="h-diff">
              <thead><tr><th scope="col">字段</th><th scope="col">修改前</th><th scope="col">修改后</th></tr></thead>
              <tbody>
                @for (c of t.changes; track c.field) {
                  <tr [class.changed]="c.changed" [attr.data-changed]="c.changed" data-testid="diff-row">
                    <th scope="row">{{ c.label }}@if (c.changed) { <span class="sr-only">（已修改）</span> }</th>
                    <td class="before">{{ show(c.before) }}</td>
                    <td class="after">{{ show(c.after) }}</td>
                  </tr>
                } @empty {
                  <tr><td colspan="3" class="muted">本业务没有资料变更</td></tr>
                }
              </tbody>
            </table>
          </section>
          }
          <section class="card" aria-labelledby="h-photos">
            <h2 id="h-photos">照片</h2>
            <kh-photos [photos]="t.documents" />
          </section>
          <section class="card" aria-labelledby="h-rec">
            <h2 id="h-rec">见证录像</h2>
            @for (r of t.witnessRecordings; track r.id) {
              <figure class="rec">
                <video controls preload="metadata" [src]="r.url" [attr.type]="r.mimeType" data-testid="witness-recording" [attr.aria-label]="'见证录像 ' + time(r.createdAt)"></video>
                <figcaption class="muted small">{{ time(r.createdAt) }} · 时长 {{ duration(r.durationSeconds) }}</figcaption>
              </figure>
            } @empty {
              <p class="muted">没有见证录像</p>
            }
          </section>
          <section class="card" aria-labelledby="h-sig">
            <h2 id="h-sig">协议签署</h2>
            <table class="sig">
              <thead><tr><th scope="col">协议</th><th scope="col">版本</th><th scope="col">签署时间</th><th scope="col">证书序列号</th><th scope="col">验签结果</th></tr></thead>
              <tbody>
                @for (s of t.signatures; track s.agreementCode) {
                  <tr data-testid="signature-row">
                    <td>{{ s.agreementTitle }}</td>
                    <td>v{{ s.agreementVersion }}</td>
                    <td class="mono when">{{ time(s.signedAt) }}</td>
                    <td class="mono small serial">{{ s.signerSerial }}</td>
                    <td>
                      <span [class.ok]="s.verified" [class.error]="!s.verified">{{ s.verified ? '✔ 验证通过' : '✘ 验证未通过' }}</span>
                      <div class="muted small">{{ s.checks.join(' · ') }}</div>
                    </td>
                  </tr>
                } @empty {
                  <tr><td colspan="5" class="muted">本业务没有需要签署的协议</td></tr>
                }
              </tbody>
            </table>
          </section>
          <section class="card" aria-labelledby="h-events">
            <h2 id="h-events">办理记录</h2>
            <ol class="trail">
              @for (e of t.events; track e.id) {
                <li>
                  <span class="mono when">{{ time(e.at) }}</span>
                  <span class="who">{{ actor(e.actorKind) }}</span>
                  <span class="what">{{ action(e.action) }}@if (e.step) { · {{ stepName(e.step) }} }</span>
                  @if (e.before || e.after) {
                    <details class="muted small vals"><summary>详情</summary>{{ show(e.before) }} → {{ show(e.after) }}</details>
                  }
                </li>
              }
            </ol>
          </section>
        </div>
        <aside class="side">
          <section class="card sticky" aria-labelledby="h-decide">
            <h2 id="h-decide">复核结论</h2>
            @if (t.status !== 'SUBMITTED') {
              <p class="muted">该业务当前状态为“{{ statusName(t.status) }}”，无需复核。</p>
            } @else if (!t.reviewableByMe) {
              <p class="banner warn" data-testid="not-reviewable">您是本业务的见证坐席，不能复核本人见证的业务，请由其他复核人员处理。</p>
            } @else {
              <fieldset>
                <legend>结论</legend>
                <div class="choices col">
                  <label class="choice"><input type="radio" name="decision" value="approve" [(ngModel)]="decision" /> 通过</label>
                  <label class="choice"><input type="radio" name="decision" value="return" [(ngModel)]="decision" /> 打回到某一步</label>
                  <label class="choice"><input type="radio" name="decision" value="reject" [(ngModel)]="decision" /> 拒绝</label>
                </div>
              </fieldset>
              @if (decision === 'return') {
                <div class="field">
                  <label for="step">需要重新办理的步骤</label>
                  <select id="step" [(ngModel)]="step">
                    <option value="">请选择</option>
                    @for (st of returnSteps(); track st.kind) { <option [value]="st.kind">{{ st.title }}</option> }
                  </select>
                </div>
              }
              <div class="field">
                <label for="reason">{{ decision === 'approve' ? '备注（可选）' : '原因（客户可见）' }}</label>
                <textarea id="reason" rows="3" [(ngModel)]="reason"></textarea>
              </div>
              <button type="button" class="block" (click)="decide()" [disabled]="busy()">{{ decision === 'approve' ? '确认通过' : decision === 'return' ? '确认打回' : '确认拒绝' }}</button>
            }
          </section>
        </aside>
      </div>
    } @else if (error()) {
      <div class="banner error" role="alert">{{ error() }}</div>
    } @else {
      <p class="muted">加载中…</p>
    }
  `,
  styles: `
    .sec { font-size: .95rem; margin: 14px 0 6px; color: var(--accent-dark); }
    .crumbs { margin-bottom: 6px; }
    .bar { display: flex; align-items: baseline; gap: 14px; margin-bottom: 10px; }
    .bar h1 { margin: 0; font-size: 1.3rem; }
    .mono { font-variant-numeric: tabular-nums; }
    .status { padding: 2px 10px; border-radius: 12px; background: #eef4fd; color: #123d73; font-size: .9rem; }
    .status[data-status=APPROVED] { background: #e8f5ec; color: var(--ok); }
    .status[data-status=REJECTED], .status[data-status=RETURNED] { background: #fff4e0; color: #6b3f00; }
    .grid { display: grid; grid-template-columns: minmax(0, 1fr) 320px; gap: 16px; align-items: start; }
    .card { padding: 14px 18px; margin-bottom: 12px; }
    .card h2 { font-size: 1rem; }
    .diff th[scope=row] { color: var(--ink); font-weight: 600; width: 22%; }
    .diff tr.changed td, .diff tr.changed th { background: #fff4d6; }
    .diff tr.changed td.after { font-weight: 600; color: #7a2e00; }
    .diff tr.changed td.before { text-decoration: line-through; color: var(--ink-3); }
    table { font-size: .92rem; }
    th, td { padding: 6px 8px; }
    .sig td:first-child { min-width: 10em; }
    .sig td.when { white-space: nowrap; }
    .sig td.serial { word-break: break-all; max-width: 12em; }
    .sig td:last-child { min-width: 9em; }
    .rec { margin: 0 0 10px; }
    .rec video { width: 100%; max-width: 640px; background: #000; border-radius: 6px; display: block; }
    .trail { list-style: none; margin: 0; padding: 0; font-size: .9rem; }
    .trail li { display: grid; grid-template-columns: 9.5em 5em 1fr; gap: 4px 10px; padding: 5px 0; border-bottom: 1px solid var(--line); }
    .trail .vals { grid-column: 3; word-break: break-all; }
    .sticky { position: sticky; top: 12px; }
    .col { flex-direction: column; }
    textarea { font: inherit; width: 100%; padding: 8px 10px; border: 1px solid #bdbdbd; border-radius: 8px; }
  `,
})
export class ReviewPage implements OnInit {
  readonly id = input.required<string>();
  private readonly api = inject(Api);
  private readonly ticketQuery = inject(ReviewTicketGQL);
  private readonly updates = inject(TicketUpdatedGQL);
  private readonly approveMutation = inject(ReviewApproveGQL);
  private readonly returnMutation = inject(ReviewReturnGQL);
  private readonly rejectMutation = inject(ReviewRejectGQL);
  protected readonly ticket = signal<ReviewTicketFieldsFragment | null>(null);
  protected readonly error = signal<string | null>(null);
  protected readonly done = signal<string | null>(null);
  protected readonly busy = signal(false);
  decision: Decision = 'approve';
  step: TicketStepKind | '' = '';
  reason = '';
  protected readonly returnSteps = computed(() => (this.ticket()?.steps ?? []).filter((s) => s.kind !== 'SUBMITTED'));
  private live: Subscription | null = null;

  constructor() {
    inject(DestroyRef).onDestroy(() => this.live?.unsubscribe());
  }

  async ngOnInit(): Promise<void> {
    await this.reload();
    if (this.ticket()) this.follow();
  }

  private async reload(): Promise<void> {
    try {
      const { ticket } = await this.api.query(this.ticketQuery, { id: this.id() });
      if (!ticket) this.error.set('没有找到该业务');
      else this.ticket.set(ticket);
    } catch (e) {
      this.error.set((e as ApiError).message);
    }
  }

  /** Another reviewer decides, the customer cancels: the page follows. */
  private follow(): void {
    this.live?.unsubscribe();
    this.live = this.api.live(this.updates, { ticketId: this.id() }).subscribe((d) => {
      const t = this.ticket();
      if (t && (d.ticketUpdated.status !== t.status || d.ticketUpdated.updatedAt !== t.updatedAt)) void this.reload();
    });
  }

  protected time(iso: string | null | undefined): string {
    return formatTime(iso);
  }
  protected duration(s: number): string {
    return formatDuration(s);
  }
  protected show(v: string | null | undefined): string {
    return showValue(v);
  }
  protected action(a: string): string {
    return ACTION_NAMES[a] ?? a;
  }
  protected actor(kind: string): string {
    return ACTOR_KINDS[kind] ?? kind;
  }
  /** 申请内容 by step, in the business's order */
  protected readonly sections = computed(() => detailSections(this.ticket()?.details));

  protected exchangeName(e: Exchange): string {
    return EXCHANGE_NAMES[e];
  }

  protected stepName(kind: TicketStepKind): string {
    return STEP_NAMES[kind] ?? kind;
  }
  protected statusName(s: keyof typeof STATUS_NAMES): string {
    return STATUS_NAMES[s];
  }

  async decide(): Promise<void> {
    const reason = this.reason.trim();
    if (this.decision !== 'approve' && !reason) return this.error.set('请填写原因');
    if (this.decision === 'return' && !this.step) return this.error.set('请选择需要重新办理的步骤');
    this.busy.set(true);
    this.error.set(null);
    try {
      const ticketId = this.id();
      if (this.decision === 'approve') {
        this.ticket.set(
          (await this.api.mutate(this.approveMutation, { ticketId, note: reason || null })).approveTicket,
        );
        this.done.set('已通过，客户将收到短信通知。');
      } else if (this.decision === 'return') {
        this.ticket.set(
          (await this.api.mutate(this.returnMutation, { ticketId, step: this.step as TicketStepKind, reason }))
            .returnTicket,
        );
        this.done.set(`已打回到“${this.stepName(this.step as TicketStepKind)}”。`);
      } else {
        this.ticket.set((await this.api.mutate(this.rejectMutation, { ticketId, reason })).rejectTicket);
        this.done.set('已拒绝。');
      }
    } catch (e) {
      this.error.set((e as ApiError).message);
    } finally {
      this.busy.set(false);
    }
  }
}
