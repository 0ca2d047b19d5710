import { Component, ElementRef, input, signal, viewChild } from '@angular/core';
import { DOCUMENT_KIND_NAMES as DOCUMENT_KINDS } from '@kaihu/domain';

export interface Photo {
  id: string;
  kind: string;
  url: string;
  thumbnailUrl: string;
}

/** Thumbnails of a ticket's photos; one click (or Enter) opens it full size in a dialog. */
@Component({
  selector: 'kh-photos',
  template: `
    <ul class="thumbs">
      @for (p of photos(); track p.id) {
        <li>
          <button type="button" class="thumb" (click)="open(p)" [attr.aria-label]="'查看大图：' + kindName(p.kind)">
            <img [src]="p.thumbnailUrl" [alt]="kindName(p.kind)" loading="lazy" />
          </button>
          <span class="small muted">{{ kindName(p.kind) }}</span>
        </li>
      } @empty {
        <li class="muted small">暂无照片</li>
      }
    </ul>
    <dialog #dlg class="viewer" (close)="current.set(null)" aria-label="照片大图">
      @if (current(); as p) {
        <div class="viewer-bar"><strong>{{ kindName(p.kind) }}</strong><span class="spacer"></span>
          <button type="button" class="secondary" (click)="zoom.set(!zoom())">{{ zoom() ? '适应窗口' : '原始大小' }}</button>
          <button type="button" (click)="dlg.close()">关闭</button></div>
        <div class="viewer-body" [class.zoom]="zoom()"><img [src]="p.url" [alt]="kindName(p.kind) + '（大图）'" data-testid="photo-full" /></div>
      }
    </dialog>
  `,
  styles: `
    .thumbs { list-style: none; padding: 0; margin: 0; display: flex; flex-wrap: wrap; gap: 10px; }
    .thumbs li { display: flex; flex-direction: column; align-items: center; gap: 2px; }
    .thumb { padding: 0; min-height: 0; background: #fff; border: 1px solid var(--line); border-radius: 6px; overflow: hidden; }
    .thumb:hover:not(:disabled) { background: #fff; border-color: var(--accent); }
    .thumb img { display: block; width: 120px; height: 80px; object-fit: cover; }
    .viewer { width: min(92vw, 1400px); height: 90vh; padding: 0; border: none; border-radius: 10px; }
    .viewer::backdrop { background: rgba(0,0,0,.6); }
    .viewer-bar { display: flex; gap: 8px; align-items: center; padding: 8px 12px; border-bottom: 1px solid var(--line); }
    .viewer-bar button { min-height: 34px; padding: 4px 12px; }
    .viewer-body { height: calc(100% - 52px); overflow: auto; display: grid; place-items: center; background: #111; }
    .viewer-body img { max-width: 100%; max-height: 100%; }
    .viewer-body.zoom { place-items: start; }
    .viewer-body.zoom img { max-width: none; max-height: none; }
  `,
})
export class Photos {
  readonly photos = input.required<readonly Photo[]>();
  protected readonly current = signal<Photo | null>(null);
  protected readonly zoom = signal(false);
  protected readonly dialog = viewChild.required<ElementRef<HTMLDialogElement>>('dlg');

  protected kindName(kind: string): string {
    return DOCUMENT_KINDS[kind] ?? kind;
  }

  protected open(p: Photo): void {
    this.current.set(p);
    this.zoom.set(false);
    this.dialog().nativeElement.showModal();
  }
}
