import { Component, DestroyRef, computed, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { Api } from '../../core/api';
import { ApiError } from '../../core/errors';
import { DocumentUploader } from '../../core/upload';
import {
  CompleteDocumentsGQL,
  ReuseDocumentsGQL,
  type DocumentFieldsFragment,
  type DocumentKind,
} from '../../graphql/generated';
import { TicketContext } from '../ticket-context';

interface Slot {
  kind: DocumentKind;
  title: string;
  hint: string;
}

/** What to do about each refusal of the photo pipeline (the message itself comes from the server). */
const RETAKE: Record<string, string> = {
  PHOTO_TOO_DARK: '请到光线充足的地方，关闭闪光灯后重新拍摄。',
  PHOTO_GLARE: '请避开灯光直射，稍微倾斜证件以消除反光后重新拍摄。',
  PHOTO_BLURRY: '请保持手机稳定，点击屏幕对焦后重新拍摄。',
  CARD_NOT_FOUND: '请把证件放在深色背景上，让证件尽量充满取景框（不低于80%）后重新拍摄。',
  IMAGE_TOO_SMALL: '请靠近证件拍摄，或提高相机分辨率。',
  IMAGE_TOO_LARGE: '请降低相机分辨率后重新拍摄。',
  FILE_TOO_LARGE: '照片不能超过10M，请压缩后上传或重新拍摄。',
  UNSUPPORTED_FILE_TYPE: '请上传 JPG 格式的照片。',
  IMAGE_CORRUPT: '照片文件不完整，请重新拍摄。',
};

const ADJUSTMENTS: Record<string, string> = {
  AUTO_ORIENTED: '已按拍摄方向自动摆正',
  ROTATED: '已自动旋转',
  CROPPED: '已自动切边（去除证件外的背景）',
};

const MAX_BYTES = 10 * 1024 * 1024;

/** 上传照片: 身份证正面、反面、手写签名照, with preview, progress, the server's adjustments and advice. */
@Component({
  selector: 'kh-documents-step',
  imports: [FormsModule],
  template: `
    <section class="card">
      <h2>上传证件照/签名照</h2>
      @if (t().hasPhotosOnFile && !usedFile()) {
        <div class="banner info">
          您已有审核通过的证件照留存，可直接使用，无需重新拍摄。
          <div class="actions"><button type="button" (click)="reuse()" [disabled]="busy()">使用已留存的照片</button></div>
        </div>
      }
      @if (!t().hasPhotosOnFile || showGuide()) {
        <div class="guide" id="guide">
          <h3>拍照规范</h3>
          <ol class="small">
            <li>上传证件照完成后，请您在下一步仔细核对信息是否与身份证信息一致。</li>
            <li>图片要求清晰可见，大小不要超过10M，支持JPG格式。</li>
            <li>上传身份证及手写签名照片，您可以通过扫描仪或者相机拍摄的方式获取，请确认图像清晰度和照片角度符合认证要求。</li>
            <li>上传身份证需完整、清晰、无反光；手写签名照请用黑色或蓝色签字笔书写。</li>
            <li>请让身份证区域尽量充满整个拍摄预览区域，最好不低于80%的面积。</li>
            <li>请横屏拍摄；尽量拍摄背景为深色，与证件的颜色不要太接近。</li>
          </ol>
          <p class="muted small">系统会自动切边和旋转。若切边过于严重，可能是证件与背景颜色反差小，请在背景颜色与证件反差较大的位置重新拍照。</p>
        </div>
      } @else {
        <button type="button" class="link" (click)="showGuide.set(true)" aria-controls="guide">查看示例与拍照规范</button>
      }
    </section>

    <div class="slots">
      @for (s of slots; track s.kind) {
        <section class="card slot" [attr.data-kind]="s.kind" [attr.aria-labelledby]="s.kind + '-title'">
          <h3 [id]="s.kind + '-title'">{{ s.title }}</h3>
          <div class="preview">
            @if (preview()[s.kind]; as src) {
              <img [src]="src" [alt]="s.title + '预览'" />
            } @else if (doc(s.kind); as d) {
              <img [src]="d.thumbnailUrl" [alt]="s.title + '（已上传）'" />
            } @else {
              <span class="muted small">{{ s.hint }}</span>
            }
          </div>
          @if (progress()[s.kind] !== undefined && progress()[s.kind]! < 100 && !doc(s.kind)) {
            <div class="progress" role="progressbar" [attr.aria-valuenow]="progress()[s.kind]" aria-valuemin="0" aria-valuemax="100" [attr.aria-label]="s.title + '上传进度'"><span [style.width.%]="progress()[s.kind]"></span></div>
          }
          @if (errors()[s.kind]; as e) {
            <div class="field-error" role="alert">{{ e.message }} {{ e.advice }}</div>
          } @else if (doc(s.kind); as d) {
            <p class="ok small" role="status">✓ 已上传{{ d.reused ? '（使用留存照片）' : '' }}@for (a of d.adjustments; track a) {；{{ adjustment(a) }}}</p>
          }
          <div class="picks">
            <label class="button secondary pick">
              {{ doc(s.kind) ? '重新拍照' : '拍照' }}
              <input type="file" accept="image/jpeg,.jpg,.jpeg" capture="environment" class="sr-only" data-pick="camera" [attr.aria-label]="'拍摄' + s.title" (change)="pick(s, $event)" [disabled]="busy()" />
            </label>
            <label class="button secondary pick">
              从相册选择
              <input type="file" accept="image/jpeg,.jpg,.jpeg" class="sr-only" data-pick="choose" [attr.aria-label]="'从相册选择' + s.title" (change)="pick(s, $event)" [disabled]="busy()" />
            </label>
          </div>
        </section>
      }
    </div>

    <section class="card">
      <label class="choice"><input type="checkbox" name="duty" [(ngModel)]="agreed" /> 我已阅读并同意《个人数字证书申请责任书》</label>
      <details class="small muted"><summary>阅读《个人数字证书申请责任书》</summary>
        <p>本人申请个人数字证书用于网上业务办理及电子协议签署。本人承诺妥善保管数字证书及其密码，不转借他人使用；因本人保管不善造成的损失由本人承担。证书存放于本人当前使用的浏览器中，更换设备需重新视频见证并申请证书。</p>
      </details>
      @if (error()) { <div class="banner error" role="alert">{{ error() }}</div> }
      <div class="actions"><button type="button" (click)="next()" [disabled]="busy() || !allUploaded() || !agreed">下一步</button></div>
      @if (!allUploaded()) { <p class="muted small">请上传身份证正面、反面和手写签名照片后进入下一步。</p> }
    </section>
  `,
  styles: `
    .slots { display: grid; gap: 0 14px; }
    .preview { height: 150px; border: 1px dashed #bbb; border-radius: 8px; display: grid; place-items: center; overflow: hidden; background: #fafafa; margin-bottom: 8px; text-align: center; padding: 6px; }
    .preview img { max-width: 100%; max-height: 100%; object-fit: contain; }
    .picks { display: flex; gap: 8px; margin-top: 8px; } .pick { flex: 1; position: relative; padding: 10px 8px; }
    .guide ol { padding-left: 1.3em; }
    @media (min-width: 760px) { .slots { grid-template-columns: repeat(3, 1fr); } }
  `,
})
export class DocumentsStep {
  private readonly ctx = inject(TicketContext);
  private readonly api = inject(Api);
  private readonly uploader = inject(DocumentUploader);
  private readonly completeMutation = inject(CompleteDocumentsGQL);
  private readonly reuseMutation = inject(ReuseDocumentsGQL);
  protected readonly t = computed(() => this.ctx.ticket()!);
  protected readonly slots: Slot[] = [
    { kind: 'ID_CARD_FRONT', title: '身份证正面（人像面）', hint: '请横屏拍摄身份证人像面' },
    { kind: 'ID_CARD_BACK', title: '身份证反面（国徽面）', hint: '请横屏拍摄身份证国徽面' },
    { kind: 'SIGNATURE', title: '手写签名照', hint: '白纸上用黑色或蓝色签字笔签名后拍摄' },
  ];
  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly showGuide = signal(false);
  protected readonly usedFile = computed(() => this.t().documents.some((d) => d.reused));
  protected readonly preview = signal<Partial<Record<DocumentKind, string>>>({});
  protected readonly progress = signal<Partial<Record<DocumentKind, number>>>({});
  protected readonly errors = signal<Partial<Record<DocumentKind, { message: string; advice: string }>>>({});
  private readonly uploaded = signal<Partial<Record<DocumentKind, DocumentFieldsFragment>>>({});
  protected readonly allUploaded = computed(() => this.slots.every((s) => this.doc(s.kind)));
  protected agreed = false;
  private readonly urls: string[] = [];

  constructor() {
    inject(DestroyRef).onDestroy(() => this.urls.forEach((u) => URL.revokeObjectURL(u)));
  }

  doc(kind: DocumentKind): DocumentFieldsFragment | null {
    return this.uploaded()[kind] ?? this.t().documents.find((d) => d.kind === kind) ?? null;
  }

  adjustment(a: string): string {
    return ADJUSTMENTS[a] ?? a;
  }

  pick(slot: Slot, event: Event): void {
    const input = event.target as HTMLInputElement;
    const file = input.files?.[0];
    input.value = '';
    if (!file) return;
    const refuse = (code: string, message: string) =>
      this.errors.update((e) => ({ ...e, [slot.kind]: { message, advice: RETAKE[code] ?? '' } }));
    this.errors.update((e) => ({ ...e, [slot.kind]: undefined }));
    // the server's first checks, here before the upload
    if (!/\.jpe?g$/i.test(file.name) && file.type !== 'image/jpeg')
      return refuse('UNSUPPORTED_FILE_TYPE', '仅支持 JPG 格式的照片，请重新选择');
    if (file.size > MAX_BYTES) return refuse('FILE_TOO_LARGE', '照片大小不能超过10M，请压缩或重新拍摄后上传');
    const url = URL.createObjectURL(file);
    this.urls.push(url);
    this.preview.update((p) => ({ ...p, [slot.kind]: url }));
    this.uploaded.update((u) => ({ ...u, [slot.kind]: undefined }));
    this.progress.update((p) => ({ ...p, [slot.kind]: 0 }));
    this.busy.set(true);
    this.uploader.upload(this.ctx.id(), slot.kind, file, file.name).subscribe({
      next: (e) => {
        if (e.type === 'progress') this.progress.update((p) => ({ ...p, [slot.kind]: e.percent }));
        else {
          this.uploaded.update((u) => ({ ...u, [slot.kind]: e.document }));
          // show what the server kept (cropped, rotated), not the raw photo
          this.preview.update((p) => ({ ...p, [slot.kind]: e.document.thumbnailUrl }));
          this.busy.set(false);
        }
      },
      error: (err: ApiError) => {
        refuse(err.code, err.message);
        this.preview.update((p) => ({ ...p, [slot.kind]: undefined }));
        this.progress.update((p) => ({ ...p, [slot.kind]: undefined }));
        this.busy.set(false);
      },
    });
  }

  async reuse(): Promise<void> {
    await this.run(async () =>
      this.ctx.update((await this.api.mutate(this.reuseMutation, { ticketId: this.ctx.id() })).reuseDocuments),
    );
  }

  async next(): Promise<void> {
    await this.run(async () =>
      this.ctx.update((await this.api.mutate(this.completeMutation, { ticketId: this.ctx.id() })).completeDocuments),
    );
  }

  private async run(f: () => Promise<void>): Promise<void> {
    this.busy.set(true);
    this.error.set(null);
    try {
      await f();
    } catch (e) {
      this.error.set((e as ApiError).message);
    } finally {
      this.busy.set(false);
    }
  }
}
