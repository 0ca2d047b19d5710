import { Component, OnInit, inject, signal, viewChild } from '@angular/core';
import qrcode from 'qrcode-generator';
import { Api } from '../../core/api';
import { PortalInfo } from '../../core/portal-info';
import { OpeningHomeGQL, type OpeningHomeQuery } from '../../graphql/generated';
import { AgreementReader } from '../cert/agreement-reader';

/** The 手机开户 QR code of a URL, as a data URL (an <img> the browser can show without scripts). */
export function qrDataUrl(url: string): string {
  const qr = qrcode(0, 'M');
  qr.addData(url);
  qr.make();
  return qr.createDataURL(4, 8);
}

/**
 * What the reference's 登陆界面 2 lists beside the login form: what to prepare (身份证, 银行卡, a
 * camera, microphone and speaker), the 手机开户 QR code of this portal, 投资者教育 and 开户帮助 (the
 * broker pack's texts), the supported banks and the 温馨提示 (hours, ages).
 */
@Component({
  selector: 'kh-opening-info',
  imports: [AgreementReader],
  template: `
    <section class="card" aria-labelledby="know-title">
      <h2 id="know-title">开户须知</h2>
      <p class="small">开立期货账户需要准备本人<strong>二代身份证</strong>和<strong>银行卡</strong>。开户过程中需要与工作人员进行视频见证，所使用的手机或电脑须具备<strong>摄像头、麦克风、扬声器</strong>并能正常使用；系统会自动检测这些设备，检测不通过将不能继续开户。</p>
      <div class="links">
        <button type="button" class="secondary" (click)="read('edu')" [disabled]="!home()">投资者教育</button>
        <button type="button" class="secondary" (click)="read('help')" [disabled]="!home()">开户帮助</button>
      </div>
    </section>
    <section class="card qr-card" aria-labelledby="qr-title">
      <h2 id="qr-title">手机开户</h2>
      <div class="qr-row">
        <img class="qr" [src]="qr" width="148" height="148" [alt]="'手机开户二维码，链接：' + url" />
        <p class="small">用手机扫描二维码，在手机上打开本页面办理开户。<br /><span class="muted url">{{ url }}</span></p>
      </div>
    </section>
    <section class="card" aria-labelledby="banks-title">
      <h2 id="banks-title">支持的银行</h2>
      <p class="muted small">结算账户须为以下银行的本人借记卡：</p>
      <ul class="banks" data-testid="banks">
        @for (b of home()?.openingInfo?.banks ?? []; track b.code) { <li>{{ b.name }}</li> }
      </ul>
    </section>
    <section class="card" aria-labelledby="open-tips-title">
      <h2 id="open-tips-title">温馨提示</h2>
      <ol class="small">
        <li>网上开户服务时间：{{ info.broker()?.serviceHoursText ?? '以期货公司公布为准' }}。@if (info.broker() && !info.broker()!.inServiceHours) { <strong class="warn">当前不在服务时间内。</strong> }</li>
        <li>网上开户仅限年满{{ home()?.openingInfo?.minAge ?? 18 }}周岁、{{ home()?.openingInfo?.maxAge ?? 70 }}周岁及以下、持有效期内的中华人民共和国第二代居民身份证的中国大陆个人客户申请。</li>
        <li>已在本公司开户的客户，请使用“客户登录”办理其他业务。</li>
        <li>支持 Chrome、Edge、Safari、Firefox 等浏览器的最新版本，手机与电脑均可办理。</li>
      </ol>
    </section>
    @if (home(); as h) {
      <kh-agreement-reader #edu title="投资者教育" [content]="h.openingInfo.investorEducation" />
      <kh-agreement-reader #help title="开户帮助" [content]="h.openingInfo.openingHelp" />
    }
  `,
  styles: `
    .links { display: flex; gap: 8px; flex-wrap: wrap; }
    .qr-row { display: flex; gap: 14px; align-items: center; }
    .qr { flex: none; border: 1px solid var(--line); border-radius: 6px; image-rendering: pixelated; }
    .url { word-break: break-all; }
    .banks { list-style: none; padding: 0; margin: 0; display: grid; grid-template-columns: 1fr 1fr; gap: 4px 12px; font-size: .92rem; }
    ol { padding-left: 1.3em; margin: 0; }
    @media (min-width: 760px) { .banks { grid-template-columns: 1fr 1fr 1fr; } }
  `,
})
export class OpeningInfo implements OnInit {
  protected readonly info = inject(PortalInfo);
  private readonly api = inject(Api);
  private readonly homeQuery = inject(OpeningHomeGQL);
  protected readonly home = signal<OpeningHomeQuery | null>(null);
  protected readonly url = `${location.origin}/login?mode=open`;
  protected readonly qr = qrDataUrl(this.url);
  private readonly edu = viewChild<AgreementReader>('edu');
  private readonly help = viewChild<AgreementReader>('help');

  async ngOnInit(): Promise<void> {
    const broker = await this.info.load();
    if (!broker) return;
    try {
      this.home.set(await this.api.query(this.homeQuery, { brokerCode: broker.code }));
    } catch {
      /* the login form works without these texts */
    }
  }

  read(which: 'edu' | 'help'): void {
    (which === 'edu' ? this.edu() : this.help())?.open();
  }
}
