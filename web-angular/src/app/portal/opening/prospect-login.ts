import { Component, OnInit, computed, inject, input, signal, viewChild } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { Router } from '@angular/router';
import { Api } from '../../core/api';
import { ApiError } from '../../core/errors';
import { PortalInfo } from '../../core/portal-info';
import { SessionStore } from '../../core/session';
import {
  OpeningHomeGQL,
  ProspectLoginGQL,
  RequestProspectCodeGQL,
  type OpeningHomeQuery,
} from '../../graphql/generated';
import { AgreementReader } from '../cert/agreement-reader';
import { CaptchaCodeFields, CodeState, codeState } from '../login/captcha-code';

/** A mainland mobile: 11 digits starting 13–19 (the server checks it again). */
const MOBILE = /^1[3-9]\d{9}$/;

/**
 * 开户登录 (登陆界面 2): 手机号 + 图形验证码 + 短信验证码 + 我已阅读并同意《隐私政策》 + 马上登录.
 * The consent is to the broker's current 《隐私政策》, readable here before logging in.
 */
@Component({
  selector: 'kh-prospect-login',
  imports: [FormsModule, AgreementReader, CaptchaCodeFields],
  template: `
    <form class="card" (ngSubmit)="login()" novalidate aria-labelledby="open-title">
      <h2 id="open-title">手机号登录开户</h2>
      <p class="muted small">尚未在本公司开户的客户，请使用本人手机号登录，办理开立期货账户。</p>
      <div class="field">
        <label for="mobile">手机号</label>
        <input id="mobile" name="mobile" type="tel" inputmode="numeric" autocomplete="tel-national" maxlength="11" placeholder="请输入本人手机号" [(ngModel)]="mobile"
               [attr.aria-invalid]="!!fieldError('mobile')" aria-describedby="mobile-error" />
        <div id="mobile-error" class="field-error" aria-live="polite">{{ fieldError('mobile') }}</div>
      </div>
      <kh-captcha-code [state]="codes" prefix="open-" [captchaError]="fieldError('captcha')" [codeError]="fieldError('code')" (send)="sendCode()" />
      <div class="field consent">
        <label class="choice"><input id="consent" type="checkbox" name="consent" [(ngModel)]="agreed" aria-describedby="consent-error" />
          我已阅读并同意</label><button type="button" class="link inline" (click)="readPolicy()">《{{ policy()?.title ?? '隐私政策' }}》</button>
        <div id="consent-error" class="field-error" aria-live="polite">{{ fieldError('consent') }}</div>
      </div>
      @if (error()) { <div class="banner error" role="alert">{{ error() }}</div> }
      <button type="submit" class="block" [disabled]="busy()">马上登录</button>
    </form>
    @if (policy(); as p) {
      <kh-agreement-reader #reader [title]="p.title" [version]="p.version" [content]="p.content" />
    }
  `,
  styles: `
    .consent { display: flex; flex-wrap: wrap; align-items: center; }
    .consent .choice { margin-right: 0; }
    .inline { padding: 0; min-height: 44px; }
    .consent .field-error { flex-basis: 100%; }
  `,
})
export class ProspectLogin implements OnInit {
  readonly next = input<string | undefined>();
  private readonly info = inject(PortalInfo);
  private readonly api = inject(Api);
  private readonly session = inject(SessionStore);
  private readonly router = inject(Router);
  private readonly codeMutation = inject(RequestProspectCodeGQL);
  private readonly loginMutation = inject(ProspectLoginGQL);
  private readonly home = inject(OpeningHomeGQL);
  private readonly reader = viewChild<AgreementReader>('reader');

  mobile = '';
  agreed = false;
  protected readonly codes = codeState();
  protected readonly policy = signal<OpeningHomeQuery['privacyPolicy'] | null>(null);
  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);
  private readonly fieldErrors = signal<Record<string, string>>({});
  private readonly brokerCode = computed(() => this.info.broker()?.code ?? null);

  async ngOnInit(): Promise<void> {
    void this.codes.refreshCaptcha().then((e) => e && this.error.set(e));
    const broker = await this.info.load();
    if (!broker) return this.error.set('本站未配置期货公司，暂不能网上开户');
    try {
      this.policy.set((await this.api.query(this.home, { brokerCode: broker.code })).privacyPolicy);
    } catch (e) {
      this.error.set((e as ApiError).message);
    }
  }

  fieldError(name: string): string | null {
    return this.fieldErrors()[name] ?? null;
  }

  readPolicy(): void {
    this.reader()?.open();
  }

  private checkMobile(): boolean {
    const m = this.mobile.trim();
    const problem = !m ? '请输入手机号' : MOBILE.test(m) ? null : '请输入11位中国大陆手机号码';
    this.fieldErrors.set(problem ? { mobile: problem } : {});
    if (problem) setTimeout(() => document.getElementById('mobile')?.focus());
    return !problem;
  }

  async sendCode(): Promise<void> {
    this.error.set(null);
    if (!this.checkMobile()) return;
    const c = this.codes;
    if (!c.captchaAnswer.trim()) return this.fieldErrors.set({ captcha: '请输入图形验证码' });
    const brokerCode = this.brokerCode();
    if (!brokerCode) return;
    c.sending.set(true);
    try {
      const { requestProspectCode } = await this.api.mutate(this.codeMutation, {
        input: {
          brokerCode,
          mobile: this.mobile.trim(),
          captchaId: c.captchaId() ?? '',
          captchaAnswer: c.captchaAnswer.trim(),
        },
      });
      c.delivered(requestProspectCode, 'open-code');
    } catch (e) {
      const err = e as ApiError;
      if (err.code === 'CAPTCHA_INVALID') this.fieldErrors.set({ captcha: CodeState.CAPTCHA_REFUSED });
      else if (err.code === 'INVALID_PHONE') this.fieldErrors.set({ mobile: err.message });
      else this.error.set(err.message);
      c.refused(err);
    } finally {
      c.sending.set(false);
    }
  }

  async login(): Promise<void> {
    this.error.set(null);
    if (!this.checkMobile()) return;
    const code = this.codes.code.trim();
    if (!/^\d{6}$/.test(code))
      return this.fieldErrors.set({ code: this.codes.sent() ? '请输入6位短信验证码' : '请先获取短信验证码' });
    if (!this.agreed) return this.fieldErrors.set({ consent: '请阅读并勾选同意《隐私政策》' });
    const brokerCode = this.brokerCode();
    const policy = this.policy();
    if (!brokerCode || !policy) return;
    this.busy.set(true);
    try {
      const { prospectLogin } = await this.api.mutate(this.loginMutation, {
        input: { brokerCode, mobile: this.mobile.trim(), code, privacyPolicyVersion: policy.version },
      });
      this.session.set({
        token: prospectLogin.token,
        expiresAt: prospectLogin.expiresAt,
        roles: prospectLogin.viewer.roles,
      });
      const next = this.next();
      void this.router.navigateByUrl(next && next.startsWith('/') && !next.startsWith('//') ? next : '/open', {
        replaceUrl: true,
      });
    } catch (e) {
      const err = e as ApiError;
      if (['CODE_INVALID', 'CODE_EXPIRED', 'TOO_MANY_ATTEMPTS'].includes(err.code))
        this.fieldErrors.set({ code: err.message });
      else if (err.code === 'PRIVACY_POLICY_OUTDATED') {
        // the broker published a new version while the page was open: show it, ask again
        this.agreed = false;
        this.fieldErrors.set({ consent: err.message });
        void this.reloadPolicy();
      } else this.error.set(err.message);
    } finally {
      this.busy.set(false);
    }
  }

  private async reloadPolicy(): Promise<void> {
    const brokerCode = this.brokerCode();
    if (brokerCode) this.policy.set((await this.api.query(this.home, { brokerCode })).privacyPolicy);
  }
}
