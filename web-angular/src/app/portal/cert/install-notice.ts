import { Injectable, signal } from '@angular/core';

/**
 * "数字证书已经安装成功！": the certificate step sets it once the PKCS#12 is stored; the ticket
 * moves on to 签署协议 at the same moment (the server's live update), so that step shows it.
 */
@Injectable({ providedIn: 'root' })
export class CertInstallNotice {
  /** the ticket whose certificate was just installed in this browser */
  readonly installedFor = signal<string | null>(null);
}
