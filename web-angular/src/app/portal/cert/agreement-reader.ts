import { Component, ElementRef, computed, input, output, signal, viewChild } from '@angular/core';
import { parseMarkdown } from './markdown';

/**
 * One agreement in a modal reader (native <dialog>: focus kept inside, Esc closes). With
 * `requireEnd` the text counts as read only once it has been scrolled to its end (or fits
 * without scrolling); `read` fires then.
 */
@Component({
  selector: 'kh-agreement-reader',
  template: `
    <dialog #dialog class="reader" [attr.aria-labelledby]="uid + '-title'" [attr.aria-describedby]="uid + '-state'" (close)="onClose()">
      <div class="head">
        <h2 [id]="uid + '-title'">《{{ title() }}》</h2>
        <span class="muted small">第 {{ version() }} 版</span>
        <button type="button" class="link close-x" (click)="close()" aria-label="关闭协议">✕</button>
      </div>
      <div #body class="body" tabindex="0" role="document" [attr.aria-label]="'协议正文：' + title()" (scroll)="check()" data-testid="reader-body">
        @for (b of blocks(); track $index) {
          @switch (b.kind) {
            @case ('heading') {
              @if (b.level === 1) {
                <h3>@for (i of b.inlines; track $index) { @if (i.strong) { <strong>{{ i.text }}</strong> } @else { {{ i.text }} } }</h3>
              } @else {
                <h4>@for (i of b.inlines; track $index) { @if (i.strong) { <strong>{{ i.text }}</strong> } @else { {{ i.text }} } }</h4>
              }
            }
            @case ('paragraph') {
              <p>@for (i of b.inlines; track $index) { @if (i.strong) { <strong>{{ i.text }}</strong> } @else { {{ i.text }} } }</p>
            }
            @case ('quote') {
              <blockquote>@for (i of b.inlines; track $index) { @if (i.strong) { <strong>{{ i.text }}</strong> } @else { {{ i.text }} } }</blockquote>
            }
            @case ('list') {
              @if (b.ordered) {
                <ol [start]="b.start">
                  @for (item of b.items; track $index) {
                    <li>@for (i of item; track $index) { @if (i.strong) { <strong>{{ i.text }}</strong> } @else { {{ i.text }} } }</li>
                  }
                </ol>
              } @else {
                <ul>
                  @for (item of b.items; track $index) {
                    <li>@for (i of item; track $index) { @if (i.strong) { <strong>{{ i.text }}</strong> } @else { {{ i.text }} } }</li>
                  }
                </ul>
              }
            }
          }
        }
        <p class="end muted small">— 全文完 —</p>
      </div>
      <div class="foot">
        <span [id]="uid + '-state'" class="small" [class.ok]="atEnd()" [class.muted]="!atEnd()" aria-live="polite" data-testid="reader-state">
          @if (!requireEnd()) { 共 {{ blocks().length }} 段 } @else if (atEnd()) { 已阅读至末尾 } @else { 请滑动阅读至协议末尾 }
        </span>
        <span class="spacer"></span>
        <button type="button" (click)="close()">{{ requireEnd() && atEnd() ? '我已阅读' : '关闭' }}</button>
      </div>
    </dialog>
  `,
  styles: `
    .reader { width: min(760px, calc(100vw - 16px)); max-width: none; height: min(88vh, 900px); max-height: none; padding: 0; border: none; border-radius: var(--radius); box-shadow: 0 10px 40px rgba(0,0,0,.3); }
    .reader[open] { display: flex; flex-direction: column; }
    .reader::backdrop { background: rgba(0,0,0,.45); }
    .head { display: flex; align-items: baseline; gap: 8px; padding: 14px 16px 10px; border-bottom: 1px solid var(--line); }
    .head h2 { margin: 0; font-size: 1.05rem; flex: 1; }
    .close-x { font-size: 1.1rem; text-decoration: none; min-width: 44px; min-height: 44px; }
    .body { flex: 1; overflow-y: auto; padding: 12px 18px; line-height: 1.75; overscroll-behavior: contain; }
    .body h3 { font-size: 1.1rem; text-align: center; margin: 12px 0; }
    .body h4 { font-size: 1rem; margin: 14px 0 6px; }
    .body p { margin: 0 0 10px; }
    .body ol, .body ul { padding-left: 1.5em; margin: 0 0 10px; }
    .body blockquote { margin: 0 0 12px; padding: 8px 12px; background: #fff8e6; border-left: 4px solid #e0a800; color: #4d3800; }
    .end { text-align: center; }
    .foot { display: flex; align-items: center; gap: 10px; padding: 10px 16px; border-top: 1px solid var(--line); }
  `,
})
export class AgreementReader {
  private static next = 0;
  readonly title = input.required<string>();
  readonly version = input<number>(1);
  readonly content = input.required<string>();
  readonly requireEnd = input(false);
  /** the text was scrolled to its end (once per opening) */
  readonly read = output<void>();
  readonly closed = output<void>();
  protected readonly uid = `reader-${AgreementReader.next++}`;
  protected readonly blocks = computed(() => parseMarkdown(this.content()));
  protected readonly atEnd = signal(false);
  private readonly dialog = viewChild.required<ElementRef<HTMLDialogElement>>('dialog');
  private readonly body = viewChild.required<ElementRef<HTMLElement>>('body');

  open(): void {
    this.atEnd.set(false);
    const d = this.dialog().nativeElement;
    if (!d.open) d.showModal();
    this.body().nativeElement.scrollTop = 0;
    this.body().nativeElement.focus();
    // a text short enough to fit is read as soon as it is shown
    requestAnimationFrame(() => this.check());
  }

  close(): void {
    const d = this.dialog().nativeElement;
    if (d.open) d.close();
  }

  protected check(): void {
    if (this.atEnd()) return;
    const el = this.body().nativeElement;
    if (el.clientHeight > 0 && el.scrollTop + el.clientHeight >= el.scrollHeight - 8) {
      this.atEnd.set(true);
      this.read.emit();
    }
  }

  protected onClose(): void {
    this.closed.emit();
  }
}
