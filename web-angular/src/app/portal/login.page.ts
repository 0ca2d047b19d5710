import { Component, OnInit, computed, effect, inject, input, signal, untracked } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { Router, RouterLink } from '@angular/router';
import { CaptchaCodeFields, CodeState, codeState } from './login/captcha-code';
import { OpeningInfo } from './opening/opening-info';
import { ProspectLogin } from './opening/prospect-login';
import { Api } from '../core/api';
import { ApiError } from '../core/errors';
import { PortalInfo } from '../core/portal-info';
import { SessionStore } from '../core/session';
import { LoginGQL, RequestLoginCodeGQL, type AccountType } from '../graphql/generated';
import { idNumberProblem } from '@kaihu/domain';

/**
 * 登录, two ways in: 客户登录 (登陆界面 1) and 我要开户 (登陆界面 2, a mobile number, for 开立期货账户).
 * 客户登录: ID number, account type (期货经纪 / 非期货经纪), image captcha with refresh, SMS code with
 * a countdown, and 温馨提示 with the broker's service hours and what to prepare.
 */
@Component({
  selector: 'kh-login-page',
  imports: [FormsModule, RouterLink, CaptchaCodeFields, ProspectLogin, OpeningInfo],
  template: `
    <main class="page" [class.narrow]="!opening()" [class.open]="opening()">
      <h1>{{ opening() ? '开立期货账户' : '登录' }}</h1>
      @if (expired()) { <div class="banner warn" role="status">登录已超时，请重新登录。</div> }
      <nav class="tabs" aria-label="登录方式">
        <a routerLink="/login" [queryParams]="{ next: customerNext() }" [attr.aria-current]="opening() ? null : 'page'">客户登录<span class="small">（身份证号）</span></a>
        <a routerLink="/login" [queryParams]="{ mode: 'open', next: openNext() }" [attr.aria-current]="opening() ? 'page' : null">我要开户<span class="small">（手机号）</span></a>
      </nav>
      @if (opening()) {
        <!-- loaded when shown: the customer's login page does not carry the QR code and the readers -->
        @defer {
          <div class="open-grid">
            <kh-prospect-login [next]="openNext()" />
            <div><kh-opening-info /></div>
          </div>
        } @placeholder {
          <p class="muted">加载中…</p>
        }
      } @else {
      <form class="card" (ngSubmit)="login()" novalidate>
        <p class="muted small">输入身份证号码、图形验证码及短信验证码（验证码将发送至您在我司预留的手机号码上）</p>
        <div class="field">
          <label for="idNumber">身份证号码</label>
          <input id="idNumber" name="idNumber" inputmode="text" autocomplete="off" maxlength="18" placeholder="请输入身份证" [(ngModel)]="idNumber"
                 [attr.aria-invalid]="!!idError()" aria-describedby="idNumber-error" (blur)="touchedId.set(true)" />
          <div id="idNumber-error" class="field-error" aria-live="polite">{{ idError() }}</div>
        </div>
        <fieldset>
          <legend>账户类型</legend>
          <div class="choices">
            <label class="choice"><input type="radio" name="accountType" value="FUTURES_BROKERAGE" [(ngModel)]="accountType" /> 期货经纪</label>
            <label class="choice"><input type="radio" name="accountType" value="ASSET_MANAGEMENT" [(ngModel)]="accountType" /> 非期货经纪</label>
          </div>
          <div class="muted small">期货经纪为期货账户，非期货经纪为资管账户。</div>
          @if (fieldError('accountType')) { <div class="field-error">{{ fieldError('accountType') }}</div> }
        </fieldset>
        <kh-captcha-code [state]="codes" [captchaError]="fieldError('captcha')" [codeError]="fieldError('code')" (send)="sendCode()" />
        @if (error()) { <div class="banner error" role="alert">{{ error() }}</div> }
        <button type="submit" class="block" [disabled]="busy()">登录</button>
      </form>

      <section class="card tips" aria-labelledby="tips-title">
        <h2 id="tips-title">温馨提示</h2>
        <ol>
          <li>网上开户服务时间：{{ info.broker()?.serviceHoursText ?? '以期货公司公布为准' }}。@if (info.broker() && !info.broker()!.inServiceHours) { <strong class="warn">当前不在服务时间内。</strong> }</li>
          <li>网上开户暂仅限年满18周岁、具有有效期内的中华人民共和国居民二代身份证的中国大陆个人客户申请。</li>
          <li>请输入本人身份证号后获取短信验证码并登录。</li>
        </ol>
        <h3>请准备好</h3>
        <ul class="prepare">
          <li>二代身份证</li>
          <li>银行卡</li>
          <li>网络环境</li>
          <li>摄像头、麦克风、扬声器（视频见证时使用）</li>
        </ul>
        <p class="small">还不是本公司客户？<a routerLink="/login" [queryParams]="{ mode: 'open' }">使用手机号开立期货账户</a></p>
      </section>
      }
    </main>
  `,
  styles: `
    .tabs { display: flex; gap: 0; margin: 0 0 12px; border-bottom: 2px solid var(--line); }
    .tabs a { flex: 1; text-align: center; padding: 10px 6px; text-decoration: none; color: var(--ink-2, #444); font-weight: 600; border-bottom: 3px solid transparent; margin-bottom: -2px; }
    .tabs a[aria-current=page] { color: var(--accent-dark); border-bottom-color: var(--accent); }
    .open { max-width: 1080px; }
    .open-grid { display: grid; gap: 0 16px; }
    @media (min-width: 900px) { .open-grid { grid-template-columns: minmax(340px, 5fr) 7fr; align-items: start; } .open .tabs { max-width: 460px; } }
    .tips ol { padding-left: 1.3em; margin: 0 0 10px; }
    .prepare { list-style: none; padding: 0; margin: 0; display: grid; grid-template-columns: 1fr 1fr; gap: 6px; }
    .prepare li { padding-left: 14px; position: relative; }
    .prepare li::before { content: ''; position: absolute; left: 0; top: .6em; width: 6px; height: 6px; border-radius: 50%; background: var(--accent); }
  `,
})
export class LoginPage implements OnInit {
  readonly next = input<string | undefined>();
  readonly expired = input<string | undefined>();
  /** `open`: 开户登录 (a person who is not a customer yet logs in with a mobile number) */
  readonly mode = input<string | undefined>();
  protected readonly opening = computed(() => this.mode() === 'open');
  /** where each way in leads afterwards: a customer's page to 客户登录, 开立期货账户's to 我要开户 */
  protected readonly customerNext = computed(() => (this.opening() ? undefined : this.next()));
  protected readonly openNext = computed(() => (this.opening() ? this.next() : undefined));
  protected readonly info = inject(PortalInfo);
  private readonly api = inject(Api);
  private readonly session = inject(SessionStore);
  private readonly router = inject(Router);
  private readonly codeMutation = inject(RequestLoginCodeGQL);
  private readonly loginMutation = inject(LoginGQL);

  idNumber = '';
  accountType: AccountType | '' = 'FUTURES_BROKERAGE';
  protected readonly codes = codeState();
  protected readonly touchedId = signal(false);
  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);
  private readonly fieldErrors = signal<Record<string, string>>({});
  private readonly tick = signal(0);
  protected readonly idError = computed(() => {
    this.tick();
    return this.fieldErrors()['idNumber'] ?? (this.touchedId() ? idNumberProblem(this.idNumber, new Date()) : null);
  });

  constructor() {
    // the ID-number form's captcha, once that form is shown (the mobile form has its own)
    effect(() => {
      if (!this.opening() && !untracked(this.codes.captchaId))
        void this.codes.refreshCaptcha().then((e) => e && this.error.set(e));
    });
  }

  ngOnInit(): void {
    void this.info.load();
  }

  fieldError(name: string): string | null {
    return this.fieldErrors()[name] ?? null;
  }

  private checkId(): boolean {
    this.touchedId.set(true);
    this.tick.update((n) => n + 1);
    const problem = idNumberProblem(this.idNumber, new Date());
    this.fieldErrors.set(problem ? { idNumber: problem } : {});
    return !problem;
  }

  async sendCode(): Promise<void> {
    this.error.set(null);
    if (!this.checkId()) return;
    if (!this.accountType) return this.fieldErrors.set({ accountType: '请选择账户类型' });
    const c = this.codes;
    if (!c.captchaAnswer.trim()) return this.fieldErrors.set({ captcha: '请输入图形验证码' });
    c.sending.set(true);
    try {
      const { requestLoginCode } = await this.api.mutate(this.codeMutation, {
        input: {
          idNumber: this.idNumber.trim(),
          accountType: this.accountType,
          captchaId: c.captchaId() ?? '',
          captchaAnswer: c.captchaAnswer.trim(),
        },
      });
      c.delivered(requestLoginCode, 'code');
    } catch (e) {
      const err = e as ApiError;
      const where: Record<string, string> = {
        CAPTCHA_INVALID: 'captcha',
        INVALID_ID_NUMBER: 'idNumber',
        UNDERAGE: 'idNumber',
        INVALID_ACCOUNT_TYPE: 'accountType',
      };
      if (where[err.code])
        this.fieldErrors.set({
          [where[err.code]!]: err.code === 'CAPTCHA_INVALID' ? CodeState.CAPTCHA_REFUSED : err.message,
        });
      else this.error.set(err.message);
      c.refused(err);
    } finally {
      c.sending.set(false);
    }
  }

  async login(): Promise<void> {
    this.error.set(null);
    if (!this.checkId()) return;
    if (!this.accountType) return this.fieldErrors.set({ accountType: '请选择账户类型' });
    const code = this.codes.code.trim();
    if (!/^\d{6}$/.test(code))
      return this.fieldErrors.set({ code: this.codes.sent() ? '请输入6位短信验证码' : '请先获取短信验证码' });
    this.busy.set(true);
    try {
      const { login } = await this.api.mutate(this.loginMutation, {
        input: { idNumber: this.idNumber.trim(), accountType: this.accountType, code },
      });
      this.session.set({ token: login.token, expiresAt: login.expiresAt, roles: login.viewer.roles });
      const next = this.next();
      void this.router.navigateByUrl(next && next.startsWith('/') && !next.startsWith('//') ? next : '/profile', {
        replaceUrl: true,
      });
    } catch (e) {
      const err = e as ApiError;
      if (['CODE_INVALID', 'CODE_EXPIRED', 'TOO_MANY_ATTEMPTS'].includes(err.code))
        this.fieldErrors.set({ code: err.message });
      else this.error.set(err.message);
    } finally {
      this.busy.set(false);
    }
  }
}
