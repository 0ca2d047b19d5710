import sharp from 'sharp';
import { createHash, createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { DocumentStore } from '@kaihu/plugin-api';
import type { Clock } from '../../common/clock';
import { ErrorCode, KaihuError } from '../../common/errors';
import type { Applicant, Viewer } from '../auth';
import type { Secrets } from '../platform';
import { actorOf, type TicketService } from '../tickets';
import { Document, type DocumentKind } from './document.entity';
import type { TicketStepKind } from '@kaihu/domain';
import { PhotoProblem, isJpegMagic, processPhoto, type PhotoKind } from './image-pipeline';

/** The reference: photos up to 10 MB. */
export const MAX_PHOTO_BYTES = 10 * 1024 * 1024;
/** Signed file URLs live this long. */
export const URL_TTL_MS = 10 * 60_000;
/** What the DOCUMENTS step needs: ID card front and back, and the handwritten signature. */
export const REQUIRED_KINDS: readonly PhotoKind[] = ['ID_CARD_FRONT', 'ID_CARD_BACK', 'SIGNATURE'];
export const KIND_NAMES: Record<DocumentKind, string> = {
  ID_CARD_FRONT: '身份证正面（人像面）',
  ID_CARD_BACK: '身份证反面（国徽面）',
  SIGNATURE: '手写签名照',
  WITNESS_SNAPSHOT: '视频见证截图',
  BANK_CARD: '银行卡 (结算账户设置)',
};

/** Which photos the customer uploads at which step. */
export const UPLOADS_AT: Partial<Record<TicketStepKind, readonly PhotoKind[]>> = {
  DOCUMENTS: REQUIRED_KINDS,
  SETTLEMENT_ACCOUNT: ['BANK_CARD'],
};

export type FileVariant = 'processed' | 'thumbnail' | 'original';
const VARIANTS: readonly FileVariant[] = ['processed', 'thumbnail', 'original'];

/** What graphql-upload hands a resolver for an `Upload` argument. */
export interface FileUpload {
  filename: string;
  mimetype: string;
  createReadStream(): Readable;
}

/**
 * ID photos and signature: streamed upload with early refusal, the photo pipeline, storage by
 * content hash, reuse of photos on file, and short-lived signed URLs bound to the viewer.
 */
export class DocumentService {
  private readonly tmpDir: string;

  constructor(
    private readonly clock: Clock,
    private readonly secrets: () => Secrets,
    private readonly store: DocumentStore,
    private readonly tickets: TicketService,
    dataDir: string,
  ) {
    this.tmpDir = path.join(dataDir, 'tmp', 'uploads');
    fs.mkdirSync(this.tmpDir, { recursive: true });
  }

  async upload(
    em: EntityManager,
    viewer: Applicant,
    ticketId: string,
    kind: DocumentKind,
    upload: Promise<FileUpload> | FileUpload,
  ): Promise<Document> {
    const step = (Object.keys(UPLOADS_AT) as TicketStepKind[]).find((s) => UPLOADS_AT[s]!.includes(kind as PhotoKind));
    if (!step) {
      throw new KaihuError(
        ErrorCode.BAD_USER_INPUT,
        `客户只能上传${Object.values(UPLOADS_AT)
          .flat()
          .map((k) => KIND_NAMES[k])
          .join('、')}`,
      );
    }
    const ticket = await this.tickets.getOwn(em, viewer, ticketId);
    this.tickets.assertAtStep(ticket, step);
    const file = await upload;
    const received = await this.receive(file.createReadStream());
    try {
      let photo;
      try {
        photo = await processPhoto(received.path, kind as PhotoKind);
      } catch (e) {
        if (e instanceof PhotoProblem) throw new KaihuError(ErrorCode[e.code], e.message, { ...(e.details ?? {}) });
        throw e;
      }
      const original = await this.store.put(fs.createReadStream(received.path), 'image/jpeg');
      const processed = await this.store.put(photo.processed, 'image/jpeg');
      const thumbnail = await this.store.put(photo.thumbnail, 'image/jpeg');
      const now = this.clock.now();
      await em.nativeUpdate(Document, { ticketId, kind, supersededAt: null }, { supersededAt: now });
      const doc = em.create(Document, {
        ticketId,
        customerId: ticket.customerId,
        brokerId: ticket.brokerId,
        kind,
        originalSha256: original.sha256,
        sha256: processed.sha256,
        thumbnailSha256: thumbnail.sha256,
        width: photo.width,
        height: photo.height,
        size: received.size,
        adjustments: photo.adjustments,
        quality: photo.quality,
        createdAt: now,
      });
      this.tickets.event(em, ticket, actorOf(viewer), 'DOCUMENT_UPLOADED', 'DOCUMENTS', null, {
        kind,
        sha256: processed.sha256,
        adjustments: photo.adjustments,
      });
      await em.flush();
      return doc;
    } finally {
      await fs.promises.rm(received.path, { force: true });
    }
  }

  /**
   * Streams the upload to a temporary file while hashing it: refuses at the first bytes when it
   * is not a JPEG, and cuts it off past 10 MB. Nothing is held in memory whole.
   */
  private async receive(stream: Readable): Promise<{ path: string; size: number; sha256: string }> {
    const file = path.join(this.tmpDir, randomUUID());
    const out = fs.createWriteStream(file, { flags: 'wx' });
    const hash = createHash('sha256');
    let size = 0;
    let head = Buffer.alloc(0);
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        if (head.length < 3) {
          head = Buffer.concat([head, chunk]).subarray(0, 3);
          if (head.length >= 3 && !isJpegMagic(head)) throw new KaihuError(ErrorCode.UNSUPPORTED_FILE_TYPE);
        }
        size += chunk.length;
        if (size > MAX_PHOTO_BYTES) throw new KaihuError(ErrorCode.FILE_TOO_LARGE);
        hash.update(chunk);
        if (!out.write(chunk)) await once(out, 'drain');
      }
      if (head.length < 3)
        throw new KaihuError(ErrorCode.UNSUPPORTED_FILE_TYPE, '照片文件为空或不是 JPG 格式，请重新选择');
      out.end();
      await once(out, 'close');
      return { path: file, size, sha256: hash.digest('hex') };
    } catch (e) {
      stream.destroy();
      out.destroy();
      await fs.promises.rm(file, { force: true });
      // graphql-upload cuts a file off at its maxFileSize and fails the stream
      if (!(e instanceof KaihuError) && /exceeds the \d+ byte size limit/.test((e as Error).message))
        throw new KaihuError(ErrorCode.FILE_TOO_LARGE);
      throw e;
    }
  }

  /**
   * A still of the customer taken by the witnessing agent (截图): kept as a WITNESS_SNAPSHOT
   * document of the ticket (every snapshot is kept; none supersedes another), with a thumbnail.
   */
  async storeWitnessSnapshot(
    em: EntityManager,
    agent: Viewer,
    ticketId: string,
    jpeg: Buffer,
    meta: { sessionId: string },
  ): Promise<Document> {
    if (!isJpegMagic(jpeg)) throw new KaihuError(ErrorCode.UNSUPPORTED_FILE_TYPE, '截图不是 JPG 图像');
    const ticket = await this.tickets.getForSystem(em, ticketId);
    const image = sharp(jpeg);
    const { width = 0, height = 0 } = await image.metadata();
    const thumbnail = await sharp(jpeg)
      .resize({ width: 320, withoutEnlargement: true })
      .jpeg({ quality: 80 })
      .toBuffer();
    const original = await this.store.put(jpeg, 'image/jpeg');
    const thumb = await this.store.put(thumbnail, 'image/jpeg');
    const doc = em.create(Document, {
      ticketId,
      customerId: ticket.customerId,
      brokerId: ticket.brokerId,
      kind: 'WITNESS_SNAPSHOT',
      originalSha256: original.sha256,
      sha256: original.sha256,
      thumbnailSha256: thumb.sha256,
      width,
      height,
      size: jpeg.length,
      adjustments: [],
      quality: {},
      createdAt: this.clock.now(),
    });
    this.tickets.event(em, ticket, actorOf(agent), 'WITNESS_SNAPSHOT', 'VIDEO_WITNESS', null, {
      sha256: original.sha256,
      sessionId: meta.sessionId,
      width,
      height,
    });
    await em.flush();
    return doc;
  }

  /** The ticket's current photos (latest of each kind). */
  listForTicket(em: EntityManager, ticketId: string): Promise<Document[]> {
    return em.find(Document, { ticketId, supersededAt: null }, { orderBy: { kind: 'asc' } });
  }

  /** The current photos of the customer's most recent approved ticket that has all three. */
  async photosOnFile(em: EntityManager, customerId: string, exceptTicketId?: string): Promise<Document[]> {
    const docs = await em.find(
      Document,
      {
        customerId,
        supersededAt: null,
        kind: { $in: [...REQUIRED_KINDS] },
        ticketId: exceptTicketId ? { $ne: exceptTicketId } : undefined,
      },
      { orderBy: { createdAt: 'desc' } },
    );
    const approved = new Set(
      await this.tickets.approvedTicketIds(em, customerId, [...new Set(docs.map((d) => d.ticketId))]),
    );
    const byTicket = new Map<string, Document[]>();
    for (const d of docs)
      if (approved.has(d.ticketId)) byTicket.set(d.ticketId, [...(byTicket.get(d.ticketId) ?? []), d]);
    for (const d of docs) {
      const set = byTicket.get(d.ticketId);
      if (set && REQUIRED_KINDS.every((k) => set.some((x) => x.kind === k))) return set;
    }
    return [];
  }

  /** 若有证件照则不会提示: keeps the photos of an approved earlier ticket for this ticket. */
  async reuse(em: EntityManager, viewer: Applicant, ticketId: string): Promise<void> {
    const ticket = await this.tickets.getOwn(em, viewer, ticketId);
    this.tickets.assertAtStep(ticket, 'DOCUMENTS');
    const onFile = await this.photosOnFile(em, ticket.customerId, ticket.id);
    if (!onFile.length) throw new KaihuError(ErrorCode.NOTHING_TO_REUSE);
    const now = this.clock.now();
    await em.nativeUpdate(
      Document,
      { ticketId, kind: { $in: onFile.map((d) => d.kind) }, supersededAt: null },
      { supersededAt: now },
    );
    for (const d of onFile) {
      em.create(Document, {
        ticketId,
        customerId: d.customerId,
        brokerId: d.brokerId,
        kind: d.kind,
        originalSha256: d.originalSha256,
        sha256: d.sha256,
        thumbnailSha256: d.thumbnailSha256,
        width: d.width,
        height: d.height,
        size: d.size,
        adjustments: d.adjustments,
        quality: d.quality,
        reusedFromId: d.id,
        createdAt: now,
      });
    }
    this.tickets.event(em, ticket, actorOf(viewer), 'DOCUMENTS_REUSED', 'DOCUMENTS', null, {
      from: onFile.map((d) => d.id),
    });
    await em.flush();
  }

  // --- signed URLs ---------------------------------------------------------------------------

  /**
   * `/files/documents/<id>/<variant>?v=<viewer>&exp=<ms>&sig=<hmac>`: valid 10 minutes, for the
   * viewer it was made for (so it works in an <img> without headers and is useless to others).
   */
  signedUrl(doc: Document, variant: FileVariant, viewer: Viewer): string {
    const v = `${viewer.kind}.${viewer.id}.${viewer.brokerId}`;
    const exp = this.clock.now().getTime() + URL_TTL_MS;
    const sig = this.sign(doc.id, variant, v, exp);
    return `/files/documents/${doc.id}/${variant}?v=${encodeURIComponent(v)}&exp=${exp}&sig=${sig}`;
  }

  /**
   * Checks a signed URL and returns the file, or a status: 403 for a bad, altered or expired
   * signature or a viewer who may not see the document, 404 when it does not exist.
   */
  async open(
    em: EntityManager,
    params: { id: string; variant: string; v?: unknown; exp?: unknown; sig?: unknown },
  ): Promise<
    { status: 200; stream: NodeJS.ReadableStream; size: number; contentType: string } | { status: 403 | 404 }
  > {
    const { id, variant, v, exp, sig } = params;
    if (
      !VARIANTS.includes(variant as FileVariant) ||
      typeof v !== 'string' ||
      typeof exp !== 'string' ||
      typeof sig !== 'string'
    )
      return { status: 403 };
    const expected = Buffer.from(this.sign(id, variant, v, Number(exp)), 'hex');
    const given = Buffer.from(sig, 'hex');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { status: 403 };
    if (!/^\d+$/.test(exp) || Number(exp) < this.clock.now().getTime()) return { status: 403 };
    const doc = /^[0-9a-f-]{36}$/i.test(id) ? await em.findOne(Document, { id }) : null;
    if (!doc) return { status: 404 };
    const [kind, viewerId, brokerId] = v.split('.');
    const allowed =
      kind === 'CUSTOMER'
        ? doc.customerId === viewerId
        : (kind === 'STAFF' || kind === 'PARTNER') && doc.brokerId === brokerId;
    if (!allowed) return { status: 403 };
    const hash =
      variant === 'processed' ? doc.sha256 : variant === 'thumbnail' ? doc.thumbnailSha256 : doc.originalSha256;
    const file = await this.store.get(hash);
    return file ? { status: 200, ...file } : { status: 404 };
  }

  private sign(id: string, variant: string, v: string, exp: number): string {
    const key = this.secrets().mac('file-url-key');
    return createHmac('sha256', key).update(`${id}\0${variant}\0${v}\0${exp}`).digest('hex');
  }
}
