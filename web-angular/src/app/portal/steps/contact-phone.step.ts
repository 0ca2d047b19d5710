import { Component, DestroyRef, computed, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { Api } from '../../core/api';
import { ApiError } from '../../core/errors';
import { RequestPhoneCodeGQL, UpdateContactPhoneGQL } from '../../graphql/generated';
import { FieldErrors } from '../../shared/field-errors';
import { PHONE_MESSAGE, phoneKind } from '@kaihu/domain';
import { TicketContext } from '../ticket-context';

/** 联系电话信息资料: a new mobile (with an SMS code sent to it) or a landline (no code). */
@Component({
  selector: 'kh-contact-phone-step',
  imports: [FormsModule],
  template: `
    <form class="card" (ngSubmit)="save()" novalidate>
      <h2>联系电话</h2>
      <div class="field">
        <label for="phone">* 联系电话</label>
        <input id="phone" name="phone" type="tel" inputmode="tel" autocomplete="tel" placeholder="手机号或座机号（区号-号码）" [ngModel]="phone()" (ngModelChange)="phone.set($event)"
               [attr.aria-invalid]="!!errors.of('phone')" aria-describedby="phone-error phone-hint" />
        <div id="phone-hint" class="muted small">手机号需符合中国大陆的手机号规则；联系电话是座机时，不输入短信验证码。</div>
        <div id="phone-error" class="field-error">{{ errors.of('phone') }}</div>
      </div>
      @if (isMobile()) {
        <div class="field">
          <label for="code">短信验证码</label>
          <div class="row nowrap">
            <input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="6" placeholder="请输入验证码" [(ngModel)]="code" [attr.aria-invalid]="!!errors.of('code')" aria-describedby="code-error code-sent" />
            <button type="button" class="secondary send" (click)="sendCode()" [disabled]="countdown() > 0 || sending()">
              {{ countdown() > 0 ? countdown() + ' 秒后重新获取' : '获取短信验证码' }}
            </button>
          </div>
          <div id="code-sent" class="muted small" aria-live="polite">@if (sentTo()) { 验证码已发送至 {{ sentTo() }} }</div>
          <div id="code-error" class="field-error">{{ errors.of('code') }}</div>
        </div>
      }
      @if (errors.general()) { <div class="banner error" role="alert">{{ errors.general() }}</div> }
      <div class="actions"><button type="submit" [disabled]="busy()">下一步</button></div>
    </form>
  `,
  styles: `.nowrap { flex-wrap: nowrap; } .nowrap input { flex: 1; min-width: 0; } .send { flex: none; white-space: nowrap; font-size: .9rem; padding: 8px 10px; }`,
})
export class ContactPhoneStep {
  private readonly ctx = inject(TicketContext);
  private readonly api = inject(Api);
  private readonly requestCode = inject(RequestPhoneCodeGQL);
  private readonly update = inject(UpdateContactPhoneGQL);
  protected readonly errors = new FieldErrors();
  protected readonly phone = signal('');
  protected readonly isMobile = computed(() => phoneKind(this.phone())?.kind === 'MOBILE');
  protected readonly busy = signal(false);
  protected readonly sending = signal(false);
  protected readonly sentTo = signal<string | null>(null);
  protected readonly countdown = signal(0);
  code = '';
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor() {
    inject(DestroyRef).onDestroy(() => this.timer && clearInterval(this.timer));
  }

  async sendCode(): Promise<void> {
    const kind = phoneKind(this.phone());
    if (kind?.kind !== 'MOBILE') return this.errors.set([{ field: 'phone', message: '请输入正确的11位手机号码' }]);
    this.sending.set(true);
    this.errors.clear();
    try {
      const { requestPhoneCode } = await this.api.mutate(this.requestCode, {
        ticketId: this.ctx.id(),
        mobile: kind.phone,
      });
      this.sentTo.set(requestPhoneCode.maskedPhone);
      this.countTo(requestPhoneCode.resendAfter);
      setTimeout(() => document.getElementById('code')?.focus());
    } catch (e) {
      const err = e as ApiError;
      if (err.code === 'RESEND_TOO_SOON' && typeof err.extensions['resendAfter'] === 'string')
        this.countTo(err.extensions['resendAfter'] as string);
      this.errors.fromApi(err);
    } finally {
      this.sending.set(false);
    }
  }

  private countTo(until: string): void {
    if (this.timer) clearInterval(this.timer);
    const end = new Date(until).getTime();
    const tick = () => {
      const s = Math.max(0, Math.ceil((end - Date.now()) / 1000));
      this.countdown.set(s);
      if (!s && this.timer) clearInterval(this.timer);
    };
    tick();
    this.timer = setInterval(tick, 1000);
  }

  async save(): Promise<void> {
    const kind = phoneKind(this.phone());
    if (!kind) return (this.errors.set([{ field: 'phone', message: PHONE_MESSAGE }]), this.errors.focusFirst());
    if (kind.kind === 'MOBILE' && !/^\d{6}$/.test(this.code.trim())) {
      return (
        this.errors.set([{ field: 'code', message: this.sentTo() ? '请输入6位短信验证码' : '请先获取短信验证码' }]),
        this.errors.focusFirst()
      );
    }
    this.busy.set(true);
    this.errors.clear();
    try {
      const input = kind.kind === 'MOBILE' ? { phone: kind.phone, code: this.code.trim() } : { phone: kind.phone };
      this.ctx.update((await this.api.mutate(this.update, { ticketId: this.ctx.id(), input })).updateContactPhone);
    } catch (e) {
      const err = e as ApiError;
      if (['CODE_INVALID', 'CODE_EXPIRED', 'TOO_MANY_ATTEMPTS'].includes(err.code))
        this.errors.set([{ field: 'code', message: err.message }]);
      else this.errors.fromApi(err);
    } finally {
      this.busy.set(false);
    }
  }
}
