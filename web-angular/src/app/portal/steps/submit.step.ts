import { Component, OnInit, computed, inject, signal } from '@angular/core';
import { RouterLink } from '@angular/router';
import { Api } from '../../core/api';
import { ApiError } from '../../core/errors';
import { BUSINESSES } from '@kaihu/domain';
import { MeGQL, SubmitTicketGQL, TicketDetailsGQL, type TicketDetailsQuery } from '../../graphql/generated';
import { TicketContext } from '../ticket-context';

/** 申请提交: submit, then “提交成功，审核中…” with the acceptance number, live until the review ends. */
@Component({
  selector: 'kh-submit-step',
  imports: [RouterLink],
  template: `
    @if (t().status === 'SUBMITTED') {
      <section class="card done" aria-live="polite">
        <div class="icon" aria-hidden="true">✓</div>
        <h2>提交成功，审核中…</h2>
        @if (opening()) {
          <p>尊敬的{{ name() }}，您的开户申请已成功提交，正在等待复核。审核通过后，期货公司将为您开立期货账户，资金账号和各交易所的交易编码将以短信通知您，也会显示在本页面。</p>
        } @else {
          <p>尊敬的{{ name() }}，您的{{ t().businessName }}申请已成功提交，正在等待复核；您可在我的基本资料中查看结果，审核结果也将以短信通知您。</p>
        }
        <dl class="kv"><dt>受理单号</dt><dd data-testid="submitted-acceptance-no">{{ t().acceptanceNo }}</dd><dt>提交时间</dt><dd>{{ t().submittedAt?.slice(0, 16)?.replace('T', ' ') }}</dd></dl>
        <p class="muted small">本页面会自动更新审核结果，无需刷新。若业务办理过程中断，可重新登录进入“我的业务”，选择“待完成业务”，即可继续未完成的业务。</p>
        <div class="actions">
          @if (opening()) { <a class="button secondary" routerLink="/open">我的开户申请</a> } @else { <a class="button secondary" routerLink="/profile">我的基本资料</a> }
          <a class="button secondary" routerLink="/">返回首页</a>
        </div>
      </section>
    } @else {
      <section class="card">
        <h2>申请提交</h2>
        <p>您已完成全部步骤。请确认以下内容后提交申请，提交后由期货公司工作人员复核。</p>
        @if (opening()) {
          <dl class="kv" data-testid="application-summary">
            @for (d of details(); track $index) { <dt>{{ d.label }}</dt><dd>{{ d.value }}</dd> }
          </dl>
        } @else if (t().proposedProfile; as p) {
          <dl class="kv">
            <dt>业务</dt><dd>{{ t().businessName }}</dd>
            @switch (t().business) {
              @case ('UPDATE_ID_VALIDITY') { <dt>身份证有效期</dt><dd>{{ p.idValidFrom }} 至 {{ p.idLongTerm ? '长期' : p.idValidTo }}</dd> }
              @case ('UPDATE_CONTACT_PHONE') { <dt>联系手机</dt><dd>{{ p.mobile }}</dd><dt>联系电话</dt><dd>{{ p.phone || '未填写' }}</dd> }
              @default { <dt>联系地址</dt><dd>{{ p.province }} {{ p.city }} {{ p.address }}</dd><dt>邮政编码</dt><dd>{{ p.postalCode }}</dd> }
            }
          </dl>
        }
        @if (error()) { <div class="banner error" role="alert">{{ error() }}</div> }
        <div class="actions"><button type="button" (click)="submit()" [disabled]="busy()">提交申请</button></div>
      </section>
    }
  `,
  styles: `.done { text-align: center; } .done .kv { text-align: left; max-width: 360px; margin: 0 auto 10px; } .icon { font-size: 2.2rem; color: var(--ok); width: 64px; height: 64px; border-radius: 50%; background: #e8f5ec; display: grid; place-items: center; margin: 0 auto 10px; }`,
})
export class SubmitStep implements OnInit {
  private readonly ctx = inject(TicketContext);
  private readonly api = inject(Api);
  private readonly meQuery = inject(MeGQL);
  private readonly submitMutation = inject(SubmitTicketGQL);
  protected readonly t = computed(() => this.ctx.ticket()!);
  protected readonly name = signal('客户');
  /** 开立期货账户: the applicant is not a customer yet; the summary is the whole application */
  protected readonly opening = computed(() => !!BUSINESSES[this.t().business].prospect);
  protected readonly details = signal<NonNullable<TicketDetailsQuery['ticket']>['details']>([]);
  private readonly detailsQuery = inject(TicketDetailsGQL);
  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);

  async ngOnInit(): Promise<void> {
    try {
      const me = this.opening() ? null : (await this.api.query(this.meQuery)).me;
      const name = me?.profile.name ?? this.t().proposedProfile?.name;
      if (name) this.name.set(name);
      if (this.opening())
        this.details.set((await this.api.query(this.detailsQuery, { id: this.ctx.id() })).ticket?.details ?? []);
    } catch {
      /* the greeting and the summary are optional */
    }
  }

  async submit(): Promise<void> {
    this.busy.set(true);
    this.error.set(null);
    try {
      this.ctx.update((await this.api.mutate(this.submitMutation, { ticketId: this.ctx.id() })).submitTicket);
    } catch (e) {
      this.error.set((e as ApiError).message);
    } finally {
      this.busy.set(false);
    }
  }
}
