import { Component, OnInit, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { Api } from '../../core/api';
import { ApiError } from '../../core/errors';
import { CertificateOwnerGQL, RequestCertificateGQL, TicketGQL } from '../../graphql/generated';
import { generateKeys, makeCsr, makePkcs12 } from '../cert/browser-cert';
import { saveCertificate } from '../cert/cert-store';
import { CertInstallNotice } from '../cert/install-notice';
import { newPasswordProblem } from '@kaihu/domain';
import { paint } from '../cert/paint';
import { TicketContext } from '../ticket-context';

/**
 * 安装数字证书: the customer sets a 6–8 digit certificate password twice; the browser makes the
 * key pair (WebCrypto) and the CSR, the server issues the certificate, and the browser keeps key
 * and certificate as a PKCS#12 under that password in IndexedDB. The password stays here.
 */
@Component({
  selector: 'kh-certificate-step',
  imports: [FormsModule],
  template: `
    <section class="card cert" aria-labelledby="cert-title">
      <h2 id="cert-title">数字证书</h2>
      @if (done()) {
        <div class="banner success" role="status" data-testid="cert-installed">数字证书已经安装成功！</div>
      } @else {
        <p class="muted small">视频见证完成后您需要安装个人数字证书，请先为数字证书设置密码，完成数字证书的安装。</p>
        <form (ngSubmit)="install()" novalidate>
          <div class="field">
            <label for="cert-password">设置证书密码</label>
            <input id="cert-password" name="password" type="password" inputmode="numeric" autocomplete="new-password" maxlength="8" placeholder="请输入6-8位数字"
                   [(ngModel)]="password" [attr.aria-invalid]="!!errors()['password']" aria-describedby="cert-password-error" [disabled]="busy()" />
            <div id="cert-password-error" class="field-error" aria-live="polite">{{ errors()['password'] }}</div>
          </div>
          <div class="field">
            <label for="cert-again">确认证书密码</label>
            <input id="cert-again" name="again" type="password" inputmode="numeric" autocomplete="new-password" maxlength="8" placeholder="请再次输入"
                   [(ngModel)]="again" [attr.aria-invalid]="!!errors()['again']" aria-describedby="cert-again-error" [disabled]="busy()" />
            <div id="cert-again-error" class="field-error" aria-live="polite">{{ errors()['again'] }}</div>
          </div>
          <ol class="notes small">
            <li>您的数字证书不存在，请申请安装数字证书。数字证书是唯一识别的凭证，开立账户需具备完整的验证环节，数字证书类似银行网银验证，提供安全保障。</li>
            <li>申请安装证书需要设置密码，您设置的证书密码在之后流程使用，请牢记证书密码并且不要外传。</li>
          </ol>
          <p class="muted small">证书只保存在本浏览器中；更换设备或浏览器后需要重新申请安装。证书密码不会上传到服务器，忘记后只能重新申请。</p>
          @if (progress()) { <p class="progress-text" role="status" aria-live="polite" data-testid="cert-progress">{{ progress() }}</p> }
          @if (error()) {
            <div class="banner error" role="alert">证书安装失败：{{ error() }}</div>
          }
          <button type="submit" class="block" [disabled]="busy()">{{ error() ? '重新安装' : '申请并安装' }}</button>
        </form>
      }
    </section>
  `,
  styles: `
    .notes { padding-left: 1.3em; color: var(--ink-2); margin: 4px 0 10px; }
    .notes li { margin-bottom: 6px; }
    .progress-text { color: var(--ink-2); }
  `,
})
export class CertificateStep implements OnInit {
  private readonly ctx = inject(TicketContext);
  private readonly api = inject(Api);
  private readonly ownerQuery = inject(CertificateOwnerGQL);
  private readonly requestMutation = inject(RequestCertificateGQL);
  private readonly ticketQuery = inject(TicketGQL);
  private readonly notice = inject(CertInstallNotice);

  password = '';
  again = '';
  protected readonly errors = signal<Record<string, string>>({});
  protected readonly busy = signal(false);
  protected readonly progress = signal<string | null>(null);
  protected readonly error = signal<string | null>(null);
  protected readonly done = signal(false);
  private owner: Promise<{ id: string; name: string }> | null = null;

  ngOnInit(): void {
    this.owner = this.loadOwner();
    this.owner.catch(() => (this.owner = null));
  }

  private async loadOwner(): Promise<{ id: string; name: string }> {
    const { viewer, ticket } = await this.api.query(this.ownerQuery, { ticketId: this.ctx.id() });
    const name = ticket?.proposedProfile?.name;
    if (!viewer || !name) throw new ApiError('UNAUTHENTICATED', '登录已超时，请重新登录');
    return { id: viewer.id, name };
  }

  async install(): Promise<void> {
    this.error.set(null);
    const problem = newPasswordProblem(this.password, this.again);
    this.errors.set(problem ? { [problem.field]: problem.message } : {});
    if (problem) {
      document.getElementById(problem.field === 'password' ? 'cert-password' : 'cert-again')?.focus();
      return;
    }
    const password = this.password;
    const ticketId = this.ctx.id();
    this.busy.set(true);
    try {
      const owner = await (this.owner ??= this.loadOwner());
      this.progress.set('正在生成密钥对（约需数秒）…');
      await paint();
      const keys = await generateKeys();
      this.progress.set('正在生成证书申请…');
      await paint();
      const csrPem = makeCsr(keys, owner.name);
      this.progress.set('正在向期货公司申请数字证书…');
      const { requestCertificate: cert } = await this.api.mutate(this.requestMutation, { ticketId, csrPem });
      this.progress.set('正在加密保存数字证书…');
      await paint();
      const pkcs12 = makePkcs12(keys, cert.pem, cert.chainPem, password);
      await saveCertificate({
        customerId: owner.id,
        pkcs12,
        serialNumber: cert.serialNumber,
        notAfter: String(cert.notAfter),
        savedAt: new Date().toISOString(),
      });
      this.password = this.again = '';
      this.progress.set(null);
      this.done.set(true);
      this.notice.installedFor.set(ticketId);
      // the server has moved the ticket on (requestCertificate returns the certificate, not the ticket)
      const { ticket } = await this.api.query(this.ticketQuery, { id: ticketId });
      if (ticket) this.ctx.update(ticket);
    } catch (e) {
      this.progress.set(null);
      this.error.set(e instanceof ApiError ? e.message : (e as Error).message || '请重试或联系期货公司');
    } finally {
      this.busy.set(false);
    }
  }
}
