import { ChangeDetectorRef, Component, OnInit, computed, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { Api } from '../../core/api';
import { ApiError } from '../../core/errors';
import {
  ExchangesOfTicketGQL,
  SelectExchangesGQL,
  type Exchange,
  type ExchangesOfTicketQuery,
} from '../../graphql/generated';
import { TicketContext } from '../ticket-context';

/**
 * 交易所选择: the broker's exchanges with their products' risk; one that cannot be chosen here says
 * why. A product above the investor's tolerance needs the 风险不匹配警示 read and confirmed, and
 * is refused to the 最低风险承受能力类别.
 */
@Component({
  selector: 'kh-exchanges-step',
  imports: [FormsModule],
  template: `
    <form class="card" (submit)="$event.preventDefault(); save()" novalidate>
      <h2>交易所选择</h2>
      @if (suitability(); as s) {
        <p class="small">您的风险承受能力等级：<strong>{{ s.tolerance }}（{{ s.toleranceName }}）</strong>，评估得分 {{ s.score }} 分。@if (s.lowestCategory) { <strong class="warn">您属于最低风险承受能力类别。</strong> }</p>
      }
      <p class="muted small">请选择需要开通交易编码的交易所（至少一个）。开户后交易所将分别答复，结果以短信通知。</p>
      <fieldset id="exchanges" tabindex="-1">
        <legend class="sr-only">交易所</legend>
        <ul class="list">
          @for (o of options(); track o.exchange) {
            <li [class.off]="!!o.unavailableReason">
              <label class="choice">
                <input type="checkbox" [name]="'ex-' + o.exchange" [disabled]="!!o.unavailableReason" [checked]="selected().includes(o.exchange)" (change)="toggle(o.exchange)" />
                <span><strong>{{ o.name }}</strong> <span class="risk" [class.high]="!matched(o.exchange)">产品风险等级 {{ o.risk }}{{ matched(o.exchange) ? '' : '（高于您的风险承受能力）' }}</span></span>
              </label>
              @if (o.unavailableReason) { <p class="small muted reason">{{ o.unavailableReason }}</p> }
            </li>
          }
        </ul>
      </fieldset>
      @if (mismatched().length && !refused()) {
        <section class="banner warn" role="alert" aria-labelledby="mismatch-title" data-testid="mismatch-warning">
          <h3 id="mismatch-title">风险不匹配警示</h3>
          <p>您申请开通的{{ mismatchedNames() }}的产品风险等级高于您的风险承受能力等级（{{ suitability()?.tolerance }}）。期货交易实行保证金制度，具有杠杆效应，行情不利时您可能在短时间内损失全部保证金甚至超过保证金的资金。本公司提醒您审慎考虑是否申请；如坚持申请，由此产生的风险由您自行承担，本公司将据此出具《适当性匹配意见告知书》，与其他协议一并签署。</p>
          <label class="choice"><input type="checkbox" name="accept" [(ngModel)]="accept" /> 我已阅读并理解上述风险不匹配警示，坚持申请</label>
        </section>
      }
      @if (refused()) {
        <div class="banner error" role="alert">您属于最低风险承受能力类别，不能开通风险等级高于R1的产品（{{ mismatchedNames() }}）。如您的情况已发生变化，请点“上一步”重新进行适当性评估。</div>
      }
      @if (error()) { <div class="banner error" role="alert">{{ error() }}</div> }
      <div class="actions"><button type="submit" [disabled]="busy()">下一步</button></div>
    </form>
  `,
  styles: `
    .list { list-style: none; padding: 0; margin: 0; }
    .list li { padding: 8px 0; border-bottom: 1px solid var(--line); }
    .list li.off strong { color: var(--ink-3); }
    .risk { font-size: .85rem; color: var(--ink-3); margin-left: 4px; }
    .risk.high { color: #8a4b00; }
    .reason { margin: 2px 0 0 30px; }
    .banner h3 { margin: 0 0 6px; }
  `,
})
export class ExchangesStep implements OnInit {
  private readonly ctx = inject(TicketContext);
  private readonly api = inject(Api);
  private readonly load = inject(ExchangesOfTicketGQL);
  private readonly select = inject(SelectExchangesGQL);
  private readonly cdr = inject(ChangeDetectorRef);
  protected readonly options = signal<ExchangesOfTicketQuery['exchangeOptions']>([]);
  protected readonly suitability = signal<NonNullable<ExchangesOfTicketQuery['ticket']>['suitability']>(null);
  protected readonly selected = signal<Exchange[]>([]);
  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);
  protected accept = false;
  protected readonly mismatched = computed(() => this.selected().filter((e) => !this.matched(e)));
  protected readonly mismatchedNames = computed(() =>
    this.mismatched()
      .map((e) => this.options().find((o) => o.exchange === e)?.name ?? e)
      .join('、'),
  );
  protected readonly refused = computed(() => !!this.suitability()?.lowestCategory && this.mismatched().length > 0);

  async ngOnInit(): Promise<void> {
    const { exchangeOptions, ticket } = await this.api.query(this.load, { id: this.ctx.id() });
    this.options.set(exchangeOptions);
    this.suitability.set(ticket?.suitability ?? null);
    this.selected.set(
      ticket?.exchanges.length
        ? ticket.exchanges
        : exchangeOptions.filter((o) => !o.unavailableReason).map((o) => o.exchange),
    );
    this.cdr.markForCheck();
  }

  matched(e: Exchange): boolean {
    return this.suitability()?.matches.find((m) => m.exchange === e)?.matched ?? true;
  }

  toggle(e: Exchange): void {
    this.selected.update((s) => (s.includes(e) ? s.filter((x) => x !== e) : [...s, e]));
  }

  async save(): Promise<void> {
    this.error.set(null);
    if (!this.selected().length) return this.error.set('请至少选择一个交易所');
    if (this.refused()) return;
    if (this.mismatched().length && !this.accept) return this.error.set('请阅读风险不匹配警示，并勾选确认后再继续');
    this.busy.set(true);
    try {
      const { selectExchanges } = await this.api.mutate(this.select, {
        ticketId: this.ctx.id(),
        exchanges: this.selected(),
        acceptMismatch: this.mismatched().length > 0 && this.accept,
      });
      this.ctx.update(selectExchanges);
    } catch (e) {
      this.error.set((e as ApiError).message);
    } finally {
      this.busy.set(false);
    }
  }
}
