import { Component, DestroyRef, inject, input, output, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { Api } from '../../core/api';
import { ApiError } from '../../core/errors';
import { CreateCaptchaGQL } from '../../graphql/generated';

/**
 * The image captcha and the SMS code of a login form (客户登录 and 我要开户 alike): the captcha with
 * 换一张 (one image per try), the code with its resend countdown. The form owns the sending.
 */
export class CodeState {
  /** what a refused captcha says here: the page has already shown a new image */
  static readonly CAPTCHA_REFUSED = '图形验证码错误或已过期，已换一张新图片，请重新输入';

  readonly captchaId = signal<string | null>(null);
  readonly captchaImage = signal<string | null>(null);
  readonly countdown = signal(0);
  readonly sent = signal(false);
  readonly sending = signal(false);
  readonly sentTo = signal<string | null>(null);
  captchaAnswer = '';
  code = '';
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly api: Api,
    private readonly captcha: CreateCaptchaGQL,
    destroyRef: DestroyRef,
  ) {
    destroyRef.onDestroy(() => this.timer && clearInterval(this.timer));
  }

  /** A new captcha image; the problem's message when the server could not make one. */
  async refreshCaptcha(): Promise<string | null> {
    try {
      const { createCaptcha } = await this.api.mutate(this.captcha);
      this.captchaId.set(createCaptcha.id);
      this.captchaImage.set(createCaptcha.image);
      this.captchaAnswer = '';
      return null;
    } catch (e) {
      return (e as ApiError).message;
    }
  }

  /** The code went out: where to, and when it may be asked for again. */
  delivered(d: { maskedPhone: string; resendAfter: string }, focus: string): void {
    this.sent.set(true);
    this.sentTo.set(d.maskedPhone);
    this.startCountdown(d.resendAfter);
    setTimeout(() => document.getElementById(focus)?.focus());
  }

  /** The code was refused: a captcha is good for one try, and a resend too soon says when it may. */
  refused(err: ApiError): void {
    if (err.code === 'RESEND_TOO_SOON' && typeof err.extensions['resendAfter'] === 'string')
      this.startCountdown(err.extensions['resendAfter'] as string);
    void this.refreshCaptcha();
  }

  private startCountdown(until: string): void {
    if (this.timer) clearInterval(this.timer);
    const end = new Date(until).getTime();
    const update = () => {
      const s = Math.max(0, Math.ceil((end - Date.now()) / 1000));
      this.countdown.set(s);
      if (s === 0 && this.timer) clearInterval(this.timer);
    };
    update();
    this.timer = setInterval(update, 1000);
  }
}

/** A {@link CodeState} for a component (its captcha service and its lifetime). */
export function codeState(): CodeState {
  return new CodeState(inject(Api), inject(CreateCaptchaGQL), inject(DestroyRef));
}

/** The 图形验证码 and 短信验证码 rows of a login form. `prefix` keeps ids unique when two forms share a page. */
@Component({
  selector: 'kh-captcha-code',
  imports: [FormsModule],
  template: `
    <div class="field">
      <label [for]="prefix() + 'captcha'">图形验证码</label>
      <div class="row nowrap">
        <input [id]="prefix() + 'captcha'" name="captcha" autocomplete="off" maxlength="8" placeholder="图形验证码" [(ngModel)]="state().captchaAnswer" [attr.aria-describedby]="prefix() + 'captcha-error'" />
        @if (state().captchaImage()) {
          <img class="captcha" [src]="state().captchaImage()" [attr.data-captcha-id]="state().captchaId()" alt="图形验证码图片" width="120" height="44" />
        }
        <button type="button" class="secondary refresh" (click)="state().refreshCaptcha()" aria-label="换一张图形验证码">换一张</button>
      </div>
      <div [id]="prefix() + 'captcha-error'" class="field-error" aria-live="polite">{{ captchaError() }}</div>
    </div>
    <div class="field">
      <label [for]="prefix() + 'code'">短信验证码</label>
      <div class="row nowrap">
        <input [id]="prefix() + 'code'" name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="6" placeholder="请输入验证码" [(ngModel)]="state().code" [attr.aria-describedby]="prefix() + 'code-error ' + prefix() + 'code-hint'" />
        <button type="button" class="secondary send" (click)="send.emit()" [disabled]="state().countdown() > 0 || state().sending()">
          {{ state().countdown() > 0 ? state().countdown() + ' 秒后重新获取' : state().sent() ? '重新获取' : '获取短信验证码' }}
        </button>
      </div>
      <div [id]="prefix() + 'code-hint'" class="muted small" aria-live="polite">@if (state().sentTo()) { 验证码已发送至 {{ state().sentTo() }} }</div>
      <div [id]="prefix() + 'code-error'" class="field-error" aria-live="polite">{{ codeError() }}</div>
    </div>
  `,
  styles: `
    .nowrap { flex-wrap: nowrap; }
    .nowrap input { flex: 1; min-width: 0; }
    .captcha { height: 44px; width: 120px; border: 1px solid var(--line); border-radius: 6px; background: #fff; }
    .refresh { padding: 8px 10px; flex: none; }
    .send { flex: none; white-space: nowrap; padding: 8px 10px; font-size: .9rem; }
  `,
})
export class CaptchaCodeFields {
  readonly state = input.required<CodeState>();
  readonly prefix = input('');
  readonly captchaError = input<string | null>(null);
  readonly codeError = input<string | null>(null);
  readonly send = output<void>();
}
