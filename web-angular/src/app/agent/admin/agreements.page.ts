import { Component, OnInit, computed, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { Api } from '../../core/api';
import { ApiError } from '../../core/errors';
import {
  AdminAgreementTextsGQL,
  AdminAgreementVersionsGQL,
  AdminUpdateAgreementGQL,
  type AdminAgreementFieldsFragment,
} from '../../graphql/generated';
import { parseMarkdown } from '../../portal/cert/markdown';

/**
 * 协议: the agreement texts; editing one saves a new version (signed versions never change), with a
 * live preview as customers will read it and the list of earlier versions.
 */
@Component({
  selector: 'kh-admin-agreements',
  imports: [FormsModule],
  template: `
    <header class="bar"><h1>协议</h1><span class="muted">每次保存生成新版本；已签署的版本保持不变，此后签署的业务使用新版本。</span></header>
    @if (error()) { <div class="banner error" role="alert">{{ error() }}</div> }
    @if (notice()) { <div class="banner success" role="status">{{ notice() }}</div> }
    <div class="cols">
      <nav class="card list" aria-label="协议列表">
        <ul>
          @for (a of texts(); track a.code) {
            <li><button type="button" class="item" [class.on]="a.code === current()?.code" [attr.aria-current]="a.code === current()?.code ? 'true' : null" (click)="open(a)">
              <span>{{ a.title }}</span><span class="muted small">v{{ a.version }}</span></button></li>
          }
        </ul>
      </nav>
      @if (current(); as a) {
        <section class="card edit" aria-labelledby="a-edit">
          <h2 id="a-edit">编辑 <span class="muted small">{{ a.code }} · 当前版本 v{{ a.version }}</span></h2>
          <div class="field"><label for="a-title">标题</label><input id="a-title" [(ngModel)]="title" /></div>
          <div class="panes">
            <div class="field"><label for="a-content">正文（Markdown）</label><textarea id="a-content" [ngModel]="content()" (ngModelChange)="content.set($event)" rows="22" (scroll)="follow($event, preview)"></textarea></div>
            <div #preview class="preview" aria-label="预览" role="region" tabindex="0" data-testid="agreement-preview">
              <div class="muted small">预览</div>
              <h3>{{ title }}</h3>
              @for (b of blocks(); track $index) {
                @switch (b.kind) {
                  @case ('heading') { <h4>@for (i of b.inlines; track $index) { @if (i.strong) { <strong>{{ i.text }}</strong> } @else { {{ i.text }} } }</h4> }
                  @case ('paragraph') { <p>@for (i of b.inlines; track $index) { @if (i.strong) { <strong>{{ i.text }}</strong> } @else { {{ i.text }} } }</p> }
                  @case ('quote') { <blockquote>@for (i of b.inlines; track $index) { @if (i.strong) { <strong>{{ i.text }}</strong> } @else { {{ i.text }} } }</blockquote> }
                  @case ('list') {
                    @if (b.ordered) {
                      <ol [attr.start]="b.start">@for (item of b.items; track $index) { <li>@for (i of item; track $index) { @if (i.strong) { <strong>{{ i.text }}</strong> } @else { {{ i.text }} } }</li> }</ol>
                    } @else {
                      <ul>@for (item of b.items; track $index) { <li>@for (i of item; track $index) { @if (i.strong) { <strong>{{ i.text }}</strong> } @else { {{ i.text }} } }</li> }</ul>
                    }
                  }
                }
              }
            </div>
          </div>
          <div class="row"><span class="spacer"></span>
            <button type="button" class="secondary" (click)="reset()" [disabled]="busy()">放弃修改</button>
            <button type="button" (click)="save()" [disabled]="busy() || !dirty()">保存为新版本</button>
          </div>
          <h3 class="vh">历史版本</h3>
          <table>
            <thead><tr><th scope="col">版本</th><th scope="col">标题</th><th scope="col">SHA-256</th></tr></thead>
            <tbody>
              @for (v of versions(); track v.id) {
                <tr data-testid="agreement-version"><td>v{{ v.version }}</td><td>{{ v.title }}</td><td class="mono small">{{ v.sha256.slice(0, 16) }}…</td></tr>
              }
            </tbody>
          </table>
        </section>
      }
    </div>
  `,
  styles: `
    .bar { display: flex; align-items: baseline; gap: 14px; margin-bottom: 10px; }
    .bar h1 { margin: 0; }
    .cols { display: grid; grid-template-columns: 260px minmax(0, 1fr); gap: 16px; align-items: start; }
    .list { padding: 8px; }
    .list ul { list-style: none; margin: 0; padding: 0; }
    .item { width: 100%; justify-content: space-between; background: none; color: var(--ink); border: none; min-height: 40px; padding: 6px 10px; text-align: left; }
    .item:hover:not(:disabled) { background: var(--accent-soft); }
    .item.on { background: var(--accent-soft); color: var(--accent-dark); font-weight: 600; }
    .panes { display: grid; grid-template-columns: 1fr 1fr; gap: 14px; }
    textarea { font: inherit; font-size: .9rem; width: 100%; padding: 8px 10px; border: 1px solid #bdbdbd; border-radius: 8px; }
    .preview { border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; max-height: 520px; overflow: auto; font-size: .92rem; background: #fcfcfc; }
    .vh { margin-top: 18px; }
    .mono { font-family: ui-monospace, monospace; }
  `,
})
export class AgreementsPage implements OnInit {
  private readonly api = inject(Api);
  private readonly textsQuery = inject(AdminAgreementTextsGQL);
  private readonly versionsQuery = inject(AdminAgreementVersionsGQL);
  private readonly updateMutation = inject(AdminUpdateAgreementGQL);
  protected readonly texts = signal<AdminAgreementFieldsFragment[]>([]);
  protected readonly current = signal<AdminAgreementFieldsFragment | null>(null);
  protected readonly versions = signal<AdminAgreementFieldsFragment[]>([]);
  protected readonly content = signal('');
  protected readonly blocks = computed(() => parseMarkdown(this.content()));
  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly notice = signal<string | null>(null);
  title = '';

  async ngOnInit(): Promise<void> {
    try {
      const { agreementTexts } = await this.api.query(this.textsQuery);
      this.texts.set(agreementTexts);
      if (agreementTexts[0]) await this.open(agreementTexts[0]);
    } catch (e) {
      this.error.set((e as ApiError).message);
    }
  }

  protected dirty(): boolean {
    const a = this.current();
    return !!a && (a.title !== this.title || a.content !== this.content());
  }

  async open(a: AdminAgreementFieldsFragment): Promise<void> {
    if (this.dirty() && !confirm('当前协议有未保存的修改，确定放弃吗？')) return;
    this.current.set(a);
    this.notice.set(null);
    this.reset();
    const { agreementVersions } = await this.api.query(this.versionsQuery, { code: a.code });
    this.versions.set(agreementVersions);
  }

  /** the preview follows the editor's scroll position */
  protected follow(e: Event, preview: HTMLElement): void {
    const t = e.target as HTMLTextAreaElement;
    const ratio = t.scrollTop / Math.max(1, t.scrollHeight - t.clientHeight);
    preview.scrollTop = ratio * (preview.scrollHeight - preview.clientHeight);
  }

  protected reset(): void {
    const a = this.current();
    this.title = a?.title ?? '';
    this.content.set(a?.content ?? '');
  }

  async save(): Promise<void> {
    const a = this.current();
    if (!a) return;
    this.busy.set(true);
    this.error.set(null);
    try {
      const { updateAgreement } = await this.api.mutate(this.updateMutation, {
        code: a.code,
        title: this.title.trim(),
        content: this.content(),
      });
      this.texts.update((ts) => ts.map((t) => (t.code === a.code ? updateAgreement : t)));
      this.current.set(updateAgreement);
      this.reset();
      this.versions.set((await this.api.query(this.versionsQuery, { code: a.code })).agreementVersions);
      this.notice.set(`已保存为 v${updateAgreement.version}`);
    } catch (e) {
      this.error.set((e as ApiError).message);
    } finally {
      this.busy.set(false);
    }
  }
}
