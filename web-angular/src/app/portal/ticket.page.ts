import { Component, DestroyRef, OnInit, Type, computed, effect, inject, input, signal } from '@angular/core';
import { NgComponentOutlet } from '@angular/common';
import { Router, RouterLink } from '@angular/router';
import { Subscription } from 'rxjs';
import { Api } from '../core/api';
import { ApiError } from '../core/errors';
import { CancelTicketGQL, GoBackGQL, TicketGQL, TicketUpdatedGQL, type Exchange } from '../graphql/generated';
import { EXCHANGE_NAMES, STATUS_NAMES } from '@kaihu/domain';
import { Stepper } from './stepper';
import { TicketContext } from './ticket-context';
import { STEP_VIEWS } from './steps/registry';

/**
 * One business (受理单) from its first step to 审核中 and the outcome. The server decides the
 * current step; this page shows the view of that step and follows `ticketUpdated` live.
 */
@Component({
  selector: 'kh-ticket-page',
  imports: [NgComponentOutlet, RouterLink, Stepper],
  providers: [TicketContext],
  template: `
    <main class="page">
      @if (error()) {
        <div class="banner error" role="alert">{{ error() }} <a routerLink="/">返回首页</a></div>
      }
      @if (ticket(); as t) {
        <header class="head">
          <h1>{{ t.businessName }}</h1>
          <p class="muted small">受理单号 <span data-testid="acceptance-no">{{ t.acceptanceNo }}</span> · <span data-testid="ticket-status">{{ statusName() }}</span></p>
        </header>
        <kh-stepper [ticket]="t" [current]="ctx.shown()" />
        @if (ctx.returnedHere(); as reason) {
          <div class="banner warn" role="alert" data-testid="returned-banner">
            <strong>您的申请已被打回，请重新办理“{{ stepTitle(t.returnedToStep) }}”。</strong><br />打回原因：{{ reason }}
          </div>
        }
        @if (final(); as f) {
          <section class="card final" [attr.data-status]="t.status">
            <h2>{{ f.title }}</h2>
            <p>{{ f.text }}</p>
            @if (t.accountNo) {
              <dl class="kv account" aria-live="polite">
                <dt>资金账号</dt><dd data-testid="account-no">{{ t.accountNo }}</dd>
                @for (c of t.tradingCodes; track c.exchange) {
                  <dt>{{ exchangeName(c.exchange) }}</dt>
                  <dd [attr.data-exchange]="c.exchange" [attr.data-status]="c.status">
                    @switch (c.status) {
                      @case ('ASSIGNED') { 交易编码 <strong>{{ c.code }}</strong> }
                      @case ('REFUSED') { <span class="warn">未通过{{ c.reason ? '：' + c.reason : '' }}</span> }
                      @default { <span class="muted">交易编码申请中，交易所答复后将短信通知您</span> }
                    }
                  </dd>
                }
              </dl>
              <p class="small">现在可以使用身份证号码登录“我的基本资料”。请携带本人银行卡到银行办理<strong>银期转账签约</strong>后入金交易。</p>
            }
            @if (t.reason && t.status === 'REJECTED') { <p>原因：{{ t.reason }}</p> }
            <a class="button" routerLink="/">返回首页</a>
          </section>
        } @else if (view(); as v) {
          <ng-container *ngComponentOutlet="v" />
        } @else {
          <p class="muted">加载中…</p>
        }
        @if ((t.status === 'IN_PROGRESS' || t.status === 'RETURNED') && !ctx.holding()) {
          <div class="footer-actions">
            @if (canGoBack()) { <button type="button" class="link" (click)="goBack()" [disabled]="busy()">上一步</button> }
            <span class="spacer"></span>
            <button type="button" class="link" (click)="cancel()" [disabled]="busy()">取消办理</button>
          </div>
        }
      } @else if (!error()) {
        <p class="muted">加载中…</p>
      }
    </main>
  `,
  styles: `
    .head h1 { margin-bottom: 2px; }
    .footer-actions { display: flex; margin-top: 8px; }
    .final[data-status=APPROVED] h2 { color: var(--ok); }
    .account { margin: 10px 0; }
  `,
})
export class TicketPage implements OnInit {
  readonly id = input.required<string>();
  protected readonly ctx = inject(TicketContext);
  private readonly api = inject(Api);
  private readonly ticketQuery = inject(TicketGQL);
  private readonly updates = inject(TicketUpdatedGQL);
  private readonly goBackMutation = inject(GoBackGQL);
  private readonly cancelMutation = inject(CancelTicketGQL);
  private readonly router = inject(Router);
  private readonly destroyRef = inject(DestroyRef);

  protected readonly ticket = this.ctx.ticket;
  protected readonly error = signal<string | null>(null);
  protected readonly busy = signal(false);
  protected readonly view = signal<Type<unknown> | null>(null);
  protected readonly statusName = computed(() => STATUS_NAMES[this.ticket()?.status ?? 'IN_PROGRESS']);
  protected readonly canGoBack = computed(() => {
    const t = this.ticket();
    if (!t) return false;
    const i = t.steps.findIndex((s) => s.kind === t.currentStep);
    // the witness and the certificate cannot be undone from the portal
    return (
      i > 0 && !['VIDEO_WITNESS', 'CERTIFICATE'].includes(t.steps[i - 1]!.kind) && t.currentStep !== 'VIDEO_WITNESS'
    );
  });
  protected readonly final = computed(() => {
    const t = this.ticket();
    if (!t) return null;
    if (t.status === 'APPROVED' && t.accountNo)
      return { title: '期货账户已开立', text: `您的“${t.businessName}”申请已审核通过，期货公司已为您开立期货账户。` };
    if (t.status === 'APPROVED')
      return { title: '业务已办理完成', text: `您的“${t.businessName}”申请已审核通过，结果将以短信通知您。` };
    if (t.status === 'REJECTED')
      return { title: '申请未通过', text: `很抱歉，您的“${t.businessName}”申请未通过审核。如有疑问请联系客服。` };
    if (t.status === 'CANCELLED') return { title: '业务已取消', text: '该业务已取消办理，如需办理请重新发起。' };
    return null;
  });
  private live: Subscription | null = null;
  private loadedStep: string | null = null;

  constructor() {
    // show the view of whatever step the server says is current
    effect(() => {
      const step = this.ctx.shown();
      if (!step || step === this.loadedStep) return;
      this.loadedStep = step;
      const load = STEP_VIEWS[step];
      this.view.set(null);
      if (!load) {
        this.error.set('该步骤暂不支持在网页办理，请联系客服。');
        return;
      }
      void load().then((c) => {
        if (this.ctx.shown() === step) this.view.set(c);
      });
    });
    this.destroyRef.onDestroy(() => this.live?.unsubscribe());
  }

  async ngOnInit(): Promise<void> {
    try {
      const { ticket } = await this.api.query(this.ticketQuery, { id: this.id() });
      if (!ticket) {
        this.error.set('没有找到该业务。');
        return;
      }
      this.ctx.update(ticket);
      this.follow();
    } catch (e) {
      this.error.set((e as ApiError).message);
    }
  }

  /** ticketUpdated for as long as the page is open; it reconnects after a dropped network. */
  private follow(): void {
    this.live?.unsubscribe();
    this.live = this.api.live(this.updates, { ticketId: this.id() }).subscribe((d) => this.ctx.update(d.ticketUpdated));
  }

  exchangeName(e: Exchange): string {
    return EXCHANGE_NAMES[e];
  }

  stepTitle(kind: string | null | undefined): string {
    return this.ticket()?.steps.find((s) => s.kind === kind)?.title ?? '';
  }

  async goBack(): Promise<void> {
    await this.run(async () =>
      this.ctx.update((await this.api.mutate(this.goBackMutation, { ticketId: this.id() })).goBack),
    );
  }

  async cancel(): Promise<void> {
    if (!confirm('确定取消办理该业务吗？已填写的资料不会生效。')) return;
    await this.run(async () => {
      this.ctx.update((await this.api.mutate(this.cancelMutation, { ticketId: this.id() })).cancelTicket);
      void this.router.navigate(['/']);
    });
  }

  private async run(f: () => Promise<void>): Promise<void> {
    this.busy.set(true);
    this.error.set(null);
    try {
      await f();
    } catch (e) {
      this.error.set((e as ApiError).message);
    } finally {
      this.busy.set(false);
    }
  }
}
