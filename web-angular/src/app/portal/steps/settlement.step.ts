import { ChangeDetectorRef, Component, DestroyRef, OnInit, computed, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { cardNumberProblem, normalizeCardNumber, type FieldProblem } from '@kaihu/domain';
import { Api } from '../../core/api';
import { ApiError } from '../../core/errors';
import { PortalInfo } from '../../core/portal-info';
import { DocumentUploader } from '../../core/upload';
import {
  SettlementOfTicketGQL,
  UpdateSettlementAccountsGQL,
  type DocumentFieldsFragment,
  type SettlementOfTicketQuery,
} from '../../graphql/generated';
import { FieldErrors } from '../../shared/field-errors';
import { TicketContext } from '../ticket-context';

interface Row {
  bankCode: string;
  cardNumber: string;
}

const MAX_ACCOUNTS = 5;
const MAX_BYTES = 10 * 1024 * 1024;

/**
 * 结算账户设置: the applicant's bank cards at banks of the broker's list, exactly one 主结算账户, the
 * applicant as holder (shown, not typed), and a photo of the main card's number side.
 */
@Component({
  selector: 'kh-settlement-step',
  imports: [FormsModule],
  template: `
    <form class="card" (ngSubmit)="save()" novalidate>
      <h2>结算账户设置</h2>
      <p class="muted small">结算账户用于期货保证金的存取，须为您本人在下列银行开立的借记卡。开户完成后，请携带本人身份证和银行卡到银行柜台或通过网上银行办理<strong>银期转账签约</strong>。</p>
      <p>户名：<strong data-testid="holder">{{ holder() }}</strong> <span class="muted small">（须为申请人本人）</span></p>
      @if (previous().length && !rows.length) {
        <p class="muted small">已设置：@for (a of previous(); track a.cardNumber) { {{ a.bank.name }} {{ a.cardNumber }}{{ a.primary ? '（主）' : '' }}； } 重新保存请再次输入卡号。</p>
      }
      <fieldset id="accounts" tabindex="-1">
        <legend class="sr-only">银行卡</legend>
        @for (r of rows; track $index; let i = $index) {
          <div class="account" [attr.data-row]="i">
            <div class="grid-2">
              <div class="field">
                <label [for]="'accounts.' + i + '.bankCode'">* 开户银行</label>
                <select [id]="'accounts.' + i + '.bankCode'" [name]="'bank-' + i" [(ngModel)]="r.bankCode" [attr.aria-invalid]="!!errors.of('accounts.' + i + '.bankCode')">
                  <option value="">请选择</option>
                  @for (b of banks(); track b.code) { <option [value]="b.code">{{ b.name }}</option> }
                </select>
                <div class="field-error">{{ errors.of('accounts.' + i + '.bankCode') }}</div>
              </div>
              <div class="field">
                <label [for]="'accounts.' + i + '.cardNumber'">* 银行卡号</label>
                <input [id]="'accounts.' + i + '.cardNumber'" [name]="'card-' + i" inputmode="numeric" autocomplete="off" maxlength="23" placeholder="16至19位数字" [(ngModel)]="r.cardNumber" (ngModelChange)="r.cardNumber = grouped($event)" [attr.aria-invalid]="!!errors.of('accounts.' + i + '.cardNumber')" />
                <div class="field-error">{{ errors.of('accounts.' + i + '.cardNumber') }}</div>
              </div>
            </div>
            <div class="row">
              <label class="choice"><input type="radio" name="primary" [value]="i" [(ngModel)]="primary" /> 主结算账户</label>
              @if (rows.length > 1) { <button type="button" class="link" (click)="remove(i)">删除此卡</button> }
            </div>
          </div>
        }
        <div class="field-error">{{ errors.of('primary') ?? errors.of('accounts') }}</div>
        @if (rows.length < maxAccounts) { <button type="button" class="secondary" (click)="add()">添加一张银行卡</button> }
      </fieldset>

      <section class="photo" aria-labelledby="card-photo-title">
        <h3 id="card-photo-title">上传主结算账户银行卡照片（卡号面）</h3>
        <div class="preview">
          @if (photo(); as d) { <img [src]="d.thumbnailUrl" alt="银行卡照片（已上传）" /> } @else { <span class="muted small">请将银行卡放在深色背景上横向拍摄</span> }
        </div>
        @if (progress() !== null && !photo()) {
          <div class="progress" role="progressbar" [attr.aria-valuenow]="progress()" aria-valuemin="0" aria-valuemax="100" aria-label="银行卡照片上传进度"><span [style.width.%]="progress()"></span></div>
        }
        @if (photoError()) { <div class="field-error" role="alert">{{ photoError() }}</div> } @else if (photo()) { <p class="ok small" role="status">✓ 已上传</p> }
        <div class="picks">
          <label class="button secondary pick">{{ photo() ? '重新拍照' : '拍照' }}
            <input type="file" accept="image/jpeg,.jpg,.jpeg" capture="environment" class="sr-only" data-pick="camera" aria-label="拍摄银行卡" (change)="pick($event)" [disabled]="busy()" /></label>
          <label class="button secondary pick">从相册选择
            <input type="file" accept="image/jpeg,.jpg,.jpeg" class="sr-only" data-pick="choose" aria-label="从相册选择银行卡照片" (change)="pick($event)" [disabled]="busy()" /></label>
        </div>
      </section>
      @if (errors.general()) { <div class="banner error" role="alert">{{ errors.general() }}</div> }
      <div class="actions"><button type="submit" [disabled]="busy()">下一步</button></div>
    </form>
  `,
  styles: `
    .account { border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px 4px; margin-bottom: 10px; }
    .photo { border-top: 1px solid var(--line); margin-top: 14px; padding-top: 8px; }
    .preview { height: 150px; max-width: 320px; border: 1px dashed #bbb; border-radius: 8px; display: grid; place-items: center; overflow: hidden; background: #fafafa; margin-bottom: 8px; text-align: center; padding: 6px; }
    .preview img { max-width: 100%; max-height: 100%; object-fit: contain; }
    .picks { display: flex; gap: 8px; max-width: 320px; } .pick { flex: 1; position: relative; padding: 10px 8px; }
  `,
})
export class SettlementStep implements OnInit {
  private readonly ctx = inject(TicketContext);
  private readonly api = inject(Api);
  private readonly info = inject(PortalInfo);
  private readonly uploader = inject(DocumentUploader);
  private readonly load = inject(SettlementOfTicketGQL);
  private readonly update = inject(UpdateSettlementAccountsGQL);
  private readonly cdr = inject(ChangeDetectorRef);
  private readonly destroyRef = inject(DestroyRef);
  protected readonly errors = new FieldErrors();
  protected readonly busy = signal(false);
  protected readonly maxAccounts = MAX_ACCOUNTS;
  protected readonly banks = signal<SettlementOfTicketQuery['banks']>([]);
  protected readonly holder = signal('');
  protected readonly previous = signal<NonNullable<SettlementOfTicketQuery['ticket']>['settlementAccounts']>([]);
  private readonly uploaded = signal<DocumentFieldsFragment | null>(null);
  protected readonly photo = computed(
    () => this.uploaded() ?? this.ctx.ticket()?.documents.find((d) => d.kind === 'BANK_CARD') ?? null,
  );
  protected readonly progress = signal<number | null>(null);
  protected readonly photoError = signal<string | null>(null);
  rows: Row[] = [{ bankCode: '', cardNumber: '' }];
  primary = 0;

  async ngOnInit(): Promise<void> {
    const broker = await this.info.load();
    if (!broker) return;
    const { banks, ticket } = await this.api.query(this.load, { id: this.ctx.id(), brokerCode: broker.code });
    this.banks.set(banks);
    this.holder.set(ticket?.identity?.name ?? '');
    this.previous.set(ticket?.settlementAccounts ?? []);
    this.cdr.markForCheck();
  }

  /** 6222 0210 0112 3456 782: digits in groups of four as the card prints them. */
  grouped(v: string): string {
    return normalizeCardNumber(v).replace(/(.{4})(?=.)/g, '$1 ');
  }

  add(): void {
    this.rows = [...this.rows, { bankCode: '', cardNumber: '' }];
  }

  remove(i: number): void {
    this.rows = this.rows.filter((_, j) => j !== i);
    if (this.primary >= this.rows.length) this.primary = 0;
  }

  pick(event: Event): void {
    const input = event.target as HTMLInputElement;
    const file = input.files?.[0];
    input.value = '';
    if (!file) return;
    this.photoError.set(null);
    if (!/\.jpe?g$/i.test(file.name) && file.type !== 'image/jpeg')
      return this.photoError.set('仅支持 JPG 格式的照片，请重新选择');
    if (file.size > MAX_BYTES) return this.photoError.set('照片大小不能超过10M，请压缩或重新拍摄后上传');
    this.busy.set(true);
    this.uploaded.set(null);
    this.progress.set(0);
    const sub = this.uploader.upload(this.ctx.id(), 'BANK_CARD', file, file.name).subscribe({
      next: (e) => {
        if (e.type === 'progress') this.progress.set(e.percent);
        else {
          this.uploaded.set(e.document);
          this.busy.set(false);
        }
      },
      error: (err: ApiError) => {
        this.photoError.set(err.message);
        this.progress.set(null);
        this.busy.set(false);
      },
    });
    this.destroyRef.onDestroy(() => sub.unsubscribe());
  }

  async save(): Promise<void> {
    const problems: FieldProblem[] = [];
    const bankOf = (code: string) => this.banks().find((b) => b.code === code);
    this.rows.forEach((r, i) => {
      if (!bankOf(r.bankCode)) problems.push({ field: `accounts.${i}.bankCode`, message: '请选择开户银行' });
      // the server knows which banks use the Luhn check; here only the form of the number
      const p = cardNumberProblem(r.cardNumber, { luhn: false });
      if (p) problems.push({ field: `accounts.${i}.cardNumber`, message: p });
    });
    if (!this.photo()) this.photoError.set('请上传主结算账户银行卡的照片（卡号面）');
    if (problems.length || !this.photo()) {
      this.errors.set(problems);
      this.errors.focusFirst();
      return;
    }
    this.busy.set(true);
    this.errors.clear();
    try {
      const accounts = this.rows.map((r, i) => ({
        bankCode: r.bankCode,
        cardNumber: normalizeCardNumber(r.cardNumber),
        primary: i === this.primary,
      }));
      this.ctx.update(
        (await this.api.mutate(this.update, { ticketId: this.ctx.id(), accounts })).updateSettlementAccounts,
      );
    } catch (e) {
      this.errors.fromApi(e as ApiError);
      this.errors.focusFirst();
    } finally {
      this.busy.set(false);
    }
  }
}
