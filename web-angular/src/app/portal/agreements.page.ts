import { Component, OnInit, computed, inject, signal, viewChildren } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { RouterLink } from '@angular/router';
import { Api } from '../core/api';
import { ApiError } from '../core/errors';
import { PortalInfo } from '../core/portal-info';
import { AgreementsGQL, type AgreementsQuery, type BusinessType } from '../graphql/generated';
import { AgreementReader } from './cert/agreement-reader';
import { markdownToText } from './cert/markdown';

type AgreementItem = AgreementsQuery['agreements'][number];

/**
 * 协议下载: the agreements each business signs, for anybody (no login): pick a business, read
 * an agreement in the reader or download it as a text file. The portal's broker code comes from
 * /portal-config.json.
 */
@Component({
  selector: 'kh-agreements-page',
  imports: [FormsModule, RouterLink, AgreementReader],
  template: `
    <main class="page narrow">
      <h1>协议下载</h1>
      <p class="muted small">办理业务时需要签署的协议如下，您可以提前阅读或下载保存。@if (info.broker(); as b) { 协议由{{ b.name }}提供。 }</p>
      <div class="card">
        <div class="field">
          <label for="business">业务类型</label>
          <select id="business" name="business" [(ngModel)]="business" (ngModelChange)="load()">
            @for (b of businesses(); track b.type) { <option [value]="b.type">{{ b.name }}</option> }
          </select>
        </div>
        @if (error()) {
          <div class="banner error" role="alert">{{ error() }}</div>
        } @else if (loading()) {
          <p class="muted" role="status">正在加载协议…</p>
        } @else if (items(); as list) {
          @if (!list.length) {
            <p class="muted">该业务暂无需要签署的协议。</p>
          } @else {
            <ul class="list" aria-label="协议列表">
              @for (a of list; track a.id; let i = $index) {
                <li>
                  <div class="title">《{{ a.title }}》<span class="muted small">第 {{ a.version }} 版</span></div>
                  <div class="row">
                    <button type="button" class="secondary" (click)="open(i)" [attr.aria-label]="'阅读《' + a.title + '》'">阅读</button>
                    <button type="button" class="secondary" (click)="download(a)" [attr.aria-label]="'下载《' + a.title + '》'">下载</button>
                  </div>
                </li>
              }
            </ul>
          }
        }
      </div>
      <p><a routerLink="/">返回首页</a></p>
    </main>
    @for (a of items() ?? []; track a.id) {
      <kh-agreement-reader [title]="a.title" [version]="a.version" [content]="a.content" />
    }
  `,
  styles: `
    .list { list-style: none; padding: 0; margin: 0; }
    .list li { display: flex; flex-wrap: wrap; align-items: center; gap: 8px 12px; padding: 12px 0; border-bottom: 1px solid var(--line); }
    .list li:last-child { border-bottom: none; }
    .title { flex: 1 1 220px; font-weight: 600; }
    .title .muted { font-weight: normal; margin-left: 6px; }
    .list button { padding: 6px 14px; }
  `,
})
export class AgreementsPage implements OnInit {
  protected readonly info = inject(PortalInfo);
  private readonly api = inject(Api);
  private readonly query = inject(AgreementsGQL);
  private readonly readers = viewChildren(AgreementReader);
  /** the businesses the broker offers online (from the API) */
  protected readonly businesses = computed(() => (this.info.broker()?.businesses ?? []).filter((b) => b.offered));
  business: BusinessType | null = null;
  protected readonly items = signal<AgreementItem[] | null>(null);
  protected readonly loading = signal(false);
  protected readonly error = signal<string | null>(null);

  ngOnInit(): void {
    void this.load();
  }

  async load(): Promise<void> {
    this.error.set(null);
    this.loading.set(true);
    try {
      const broker = await this.info.load();
      if (!broker) throw new ApiError('NOT_FOUND', '未配置期货公司，暂无法查看协议');
      this.business ??= broker.businesses.find((b) => b.offered)?.type ?? null;
      if (!this.business) return this.items.set([]);
      const { agreements } = await this.api.query(this.query, { business: this.business, brokerCode: broker.code });
      this.items.set(agreements);
    } catch (e) {
      this.items.set(null);
      this.error.set((e as Error).message);
    } finally {
      this.loading.set(false);
    }
  }

  open(i: number): void {
    this.readers()[i]?.open();
  }

  download(a: AgreementItem): void {
    const business = this.businesses().find((b) => b.type === this.business)?.name ?? '';
    const text = `《${a.title}》\n第 ${a.version} 版 · 适用业务：${business}\nSHA-256：${a.sha256}\n\n${markdownToText(a.content)}\n`;
    const url = URL.createObjectURL(new Blob([text], { type: 'text/plain;charset=utf-8' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = `${a.title}（第${a.version}版）.txt`;
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }
}
