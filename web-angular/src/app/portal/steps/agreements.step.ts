import { Component, ElementRef, OnInit, computed, inject, signal, viewChild, viewChildren } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { Api } from '../../core/api';
import { ApiError } from '../../core/errors';
import {
  CertificateOwnerGQL,
  ReapplyCertificateGQL,
  SignAgreementsGQL,
  TicketAgreementsGQL,
  type TicketAgreementsQuery,
} from '../../graphql/generated';
import { AgreementReader } from '../cert/agreement-reader';
import { WrongPasswordError, base64ToBytes, bytesToBase64, openPkcs12, signDetached } from '../cert/browser-cert';
import { loadCertificate, type StoredCertificate } from '../cert/cert-store';
import { CertInstallNotice } from '../cert/install-notice';
import { PASSWORD_HINT } from '@kaihu/domain';
import { paint } from '../cert/paint';
import { TicketContext } from '../ticket-context';

type ToSign = NonNullable<TicketAgreementsQuery['ticket']>['agreements'][number];

/**
 * 签署协议: every agreement is read to its end in the reader, then "我已阅读并同意…" can be
 * ticked; 签署协议 opens this browser's PKCS#12 with the certificate password and signs each
 * agreement's exact payload (detached CMS). Without a usable certificate here — or when the
 * customer chooses 重新申请 — the ticket goes back through the witness for a new one.
 */
@Component({
  selector: 'kh-agreements-step',
  imports: [FormsModule, AgreementReader],
  template: `
    <section class="card" aria-labelledby="agreements-title">
      <h2 id="agreements-title">签署协议</h2>
      @if (installed()) { <div class="banner success" role="status">数字证书已经安装成功！请阅读并签署以下协议。</div> }
      @if (loadError()) {
        <div class="banner error" role="alert">{{ loadError() }} <button type="button" class="link" (click)="load()">重试</button></div>
      } @else if (!items()) {
        <p class="muted">正在加载协议…</p>
      } @else {
        <p class="muted small">请阅读相关协议（点击协议名称打开，阅读至末尾后视为已阅读）</p>
        <ul class="agreements">
          @for (a of items(); track a.agreement.id; let i = $index) {
            <li>
              <button type="button" class="open" (click)="openReader(i)" [attr.aria-describedby]="'read-' + i" data-testid="open-agreement">
                <span class="name">《{{ a.agreement.title }}》</span>
                <span [id]="'read-' + i" class="state small" [class.ok]="isRead(a.agreement.id)">{{ isRead(a.agreement.id) ? '已阅读' : '未阅读' }}</span>
                <span aria-hidden="true">›</span>
              </button>
            </li>
          }
        </ul>
        <label class="choice agree">
          <input type="checkbox" name="agree" [(ngModel)]="agreed" [disabled]="!allRead() || busy()" aria-describedby="agree-hint" />
          我已阅读并同意以上所有协议和业务规则内容
        </label>
        <div id="agree-hint" class="muted small">@if (!allRead()) { 请先阅读全部协议（已阅读 {{ readCount() }}/{{ items()!.length }}） }</div>
        @if (error()) { <div class="banner error" role="alert">{{ error() }}</div> }
        <button type="button" class="block sign" (click)="startSigning()" [disabled]="!agreed || !allRead() || busy()">签署协议</button>
      }
    </section>

    @for (a of items() ?? []; track a.agreement.id) {
      <kh-agreement-reader [title]="a.agreement.title" [version]="a.agreement.version" [content]="a.agreement.content" [requireEnd]="true" (read)="markRead(a.agreement.id)" />
    }

    <dialog #passwordDialog class="prompt" aria-labelledby="pw-title" (close)="onPasswordClosed()">
      <form (ngSubmit)="sign()" novalidate>
        <h2 id="pw-title">请输入数字证书密码</h2>
        <label class="sr-only" for="sign-password">数字证书密码</label>
        <input id="sign-password" name="signPassword" type="password" inputmode="numeric" autocomplete="current-password" maxlength="8" [placeholder]="hint"
               [(ngModel)]="password" [attr.aria-invalid]="!!passwordError()" aria-describedby="sign-password-error" [disabled]="busy()" />
        <div id="sign-password-error" class="field-error" role="alert">{{ passwordError() }}</div>
        @if (progress()) { <p class="muted small" role="status">{{ progress() }}</p> }
        <p class="muted small">忘记证书密码时，请点击“重新申请”：重新进行视频见证并安装新证书。</p>
        <div class="actions">
          <button type="button" class="secondary" (click)="reapply()" [disabled]="busy()">重新申请</button>
          <button type="submit" [disabled]="busy()">确认</button>
        </div>
        <button type="button" class="link close-x" (click)="closePassword()" aria-label="关闭">✕</button>
      </form>
    </dialog>

    <dialog #missingDialog class="prompt" aria-labelledby="missing-title" aria-describedby="missing-text">
      <h2 id="missing-title">提示</h2>
      <p id="missing-text">{{ missingText() }}</p>
      @if (reapplyError()) { <div class="field-error" role="alert">{{ reapplyError() }}</div> }
      <div class="actions">
        <button type="button" class="secondary" (click)="missingDialog.close()" [disabled]="busy()">取消</button>
        <button type="button" (click)="reapply()" [disabled]="busy()">确认</button>
      </div>
    </dialog>
  `,
  styles: `
    .agreements { list-style: none; padding: 0; margin: 0 0 12px; border-top: 1px solid var(--line); }
    .agreements li { border-bottom: 1px solid var(--line); }
    .open { width: 100%; background: none; border: none; color: var(--ink); justify-content: flex-start; padding: 12px 4px; border-radius: 0; text-align: left; }
    .open:hover:not(:disabled) { background: var(--accent-soft); }
    .open .name { flex: 1; color: var(--accent); }
    .open .state { color: var(--ink-3); }
    .open .state.ok { color: var(--ok); }
    .agree { margin-top: 6px; }
    .sign { margin-top: 12px; }
    .prompt { width: min(420px, calc(100vw - 24px)); border: none; border-radius: var(--radius); padding: 20px; box-shadow: 0 10px 40px rgba(0,0,0,.3); position: fixed; }
    .prompt::backdrop { background: rgba(0,0,0,.45); }
    .prompt h2 { font-size: 1.1rem; text-align: center; }
    .prompt .actions { margin-top: 12px; }
    .close-x { position: absolute; top: 6px; right: 6px; text-decoration: none; min-width: 44px; min-height: 44px; }
  `,
})
export class AgreementsStep implements OnInit {
  private readonly ctx = inject(TicketContext);
  private readonly api = inject(Api);
  private readonly agreementsQuery = inject(TicketAgreementsGQL);
  private readonly ownerQuery = inject(CertificateOwnerGQL);
  private readonly signMutation = inject(SignAgreementsGQL);
  private readonly reapplyMutation = inject(ReapplyCertificateGQL);
  private readonly notice = inject(CertInstallNotice);
  private readonly readers = viewChildren(AgreementReader);
  private readonly passwordDialog = viewChild.required<ElementRef<HTMLDialogElement>>('passwordDialog');
  private readonly missingDialog = viewChild.required<ElementRef<HTMLDialogElement>>('missingDialog');

  protected readonly hint = PASSWORD_HINT;
  protected readonly items = signal<ToSign[] | null>(null);
  protected readonly read = signal<ReadonlySet<string>>(new Set());
  protected readonly readCount = computed(
    () => (this.items() ?? []).filter((a) => this.read().has(a.agreement.id)).length,
  );
  protected readonly allRead = computed(() => !!this.items()?.length && this.readCount() === this.items()!.length);
  protected readonly installed = computed(() => this.notice.installedFor() === this.ctx.id());
  protected readonly loadError = signal<string | null>(null);
  protected readonly error = signal<string | null>(null);
  protected readonly passwordError = signal<string | null>(null);
  protected readonly reapplyError = signal<string | null>(null);
  protected readonly missingText = signal('没有检测到证书,点击确定安装证书');
  protected readonly progress = signal<string | null>(null);
  protected readonly busy = signal(false);
  agreed = false;
  password = '';
  private certificate: StoredCertificate | null = null;

  ngOnInit(): void {
    void this.load();
  }

  async load(): Promise<void> {
    this.loadError.set(null);
    try {
      const { ticket } = await this.api.query(this.agreementsQuery, { id: this.ctx.id() });
      if (!ticket) throw new ApiError('NOT_FOUND', '没有找到该业务');
      this.items.set(ticket.agreements);
    } catch (e) {
      this.loadError.set((e as ApiError).message);
    }
  }

  isRead(id: string): boolean {
    return this.read().has(id);
  }

  openReader(i: number): void {
    this.readers()[i]?.open();
  }

  markRead(id: string): void {
    this.read.update((s) => new Set([...s, id]));
  }

  /** 签署协议: the certificate this browser keeps for the customer, then its password. */
  async startSigning(): Promise<void> {
    this.error.set(null);
    this.busy.set(true);
    try {
      const { viewer } = await this.api.query(this.ownerQuery, { ticketId: this.ctx.id() });
      if (!viewer) throw new ApiError('UNAUTHENTICATED', '登录已超时，请重新登录');
      const stored = await loadCertificate(viewer.id);
      const current = viewer.certificate;
      if (!stored) {
        this.askToInstall('没有检测到证书,点击确定安装证书');
      } else if (
        !current ||
        current.status !== 'VALID' ||
        current.serialNumber.toLowerCase() !== stored.serialNumber.toLowerCase()
      ) {
        this.askToInstall('本机的数字证书已失效或已被新证书替换,点击确定重新安装证书');
      } else {
        this.certificate = stored;
        this.password = '';
        this.passwordError.set(null);
        this.passwordDialog().nativeElement.showModal();
        document.getElementById('sign-password')?.focus();
      }
    } catch (e) {
      this.error.set((e as Error).message);
    } finally {
      this.busy.set(false);
    }
  }

  private askToInstall(text: string): void {
    this.missingText.set(text);
    this.reapplyError.set(null);
    this.missingDialog().nativeElement.showModal();
  }

  closePassword(): void {
    this.passwordDialog().nativeElement.close();
  }

  protected onPasswordClosed(): void {
    this.password = '';
    this.progress.set(null);
  }

  /** 确认: open the PKCS#12 (its MAC tells a wrong password), sign every payload, send the signatures. */
  async sign(): Promise<void> {
    const password = this.password;
    if (!/^\d{6,8}$/.test(password)) {
      this.passwordError.set(PASSWORD_HINT);
      return;
    }
    if (!this.certificate) return;
    this.passwordError.set(null);
    this.busy.set(true);
    try {
      this.progress.set('正在验证证书密码…');
      await paint();
      let opened;
      try {
        opened = openPkcs12(this.certificate.pkcs12, password);
      } catch (e) {
        if (e instanceof WrongPasswordError) {
          this.passwordError.set('证书密码错误，请重新输入；如忘记密码，请点击“重新申请”');
          this.password = '';
          document.getElementById('sign-password')?.focus();
          return;
        }
        throw e;
      }
      // one RSA signature (in JavaScript) at a time, letting the page paint in between
      const items = this.items() ?? [];
      const signatures: { agreementId: string; signature: string }[] = [];
      for (const [i, a] of items.entries()) {
        this.progress.set(`正在签署协议（${i + 1}/${items.length}）…`);
        await paint();
        signatures.push({
          agreementId: a.agreement.id,
          signature: bytesToBase64(signDetached(opened, base64ToBytes(a.signingPayload))),
        });
      }
      this.progress.set('正在提交签名…');
      const { signAgreements } = await this.api.mutate(this.signMutation, { ticketId: this.ctx.id(), signatures });
      this.password = '';
      this.passwordDialog().nativeElement.close();
      this.notice.installedFor.set(null);
      this.ctx.update(signAgreements);
    } catch (e) {
      const err = e as ApiError;
      const check = err instanceof ApiError ? err.extensions['check'] : undefined;
      if (
        err instanceof ApiError &&
        (err.code === 'CERTIFICATE_REQUIRED' ||
          (err.code === 'SIGNATURE_INVALID' && (check === 'REVOKED' || check === 'VALIDITY' || check === 'SIGNER')))
      ) {
        // the certificate kept here is no longer valid on the server: a new one is needed
        this.password = '';
        this.passwordDialog().nativeElement.close();
        this.askToInstall('本机的数字证书已失效,点击确定重新安装证书');
      } else {
        this.passwordError.set(err.message);
      }
    } finally {
      this.progress.set(null);
      this.busy.set(false);
    }
  }

  /** 重新申请 / 确认 (没有检测到证书): back through the witness for a new certificate. */
  async reapply(): Promise<void> {
    this.busy.set(true);
    this.reapplyError.set(null);
    try {
      const { reapplyCertificate } = await this.api.mutate(this.reapplyMutation, { ticketId: this.ctx.id() });
      this.password = '';
      for (const d of [this.passwordDialog(), this.missingDialog()]) if (d.nativeElement.open) d.nativeElement.close();
      this.ctx.update(reapplyCertificate);
    } catch (e) {
      const message = (e as ApiError).message;
      if (this.passwordDialog().nativeElement.open) this.passwordError.set(message);
      else this.reapplyError.set(message);
    } finally {
      this.busy.set(false);
    }
  }
}
