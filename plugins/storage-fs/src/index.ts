/**
 * `@kaihu/storage-fs` — Kaihu's default document store.
 *
 * Photos, recordings and signed PDFs are kept as content-addressed files on the local disk:
 *
 * ```
 * <root>/<first 2 hex>/<sha256>        the bytes
 * <root>/<first 2 hex>/<sha256>.json   {"contentType": "...", "size": n}
 * <root>/tmp/<uuid>.part               uploads in progress
 * ```
 *
 * `<root>` is `<KAIHU_DATA_DIR>/objects` unless the plugin options name another directory
 * (`{"root": "/srv/kaihu/objects"}`; a relative path is taken from the data directory).
 *
 * Writes go to a temporary file in the same filesystem while the SHA-256 is computed, and are then
 * renamed into place, so an object file is always complete. Streams are never held in memory as a
 * whole. The same bytes stored twice are one object: the second `put` deletes its temporary file
 * and reports `created: false`. Two concurrent `put`s of the same new bytes may both report
 * `created: true`; the rename is atomic and the bytes identical, so one object results either way.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';

import type { DocumentStore, KaihuPlugin, StoredObject } from '@kaihu/plugin-api';

/** The content type served when an object's sidecar is missing (objects written before it). */
const FALLBACK_CONTENT_TYPE = 'application/octet-stream';
/** Temporary files older than this are left over from a crash and removed at start. */
const STALE_TEMP_AGE_MS = 24 * 60 * 60 * 1000;

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** What the sidecar file holds. */
interface ObjectMeta {
  contentType: string;
  size: number;
}

/**
 * Throws unless `sha256` is 64 lower-case hex characters. Every path this store builds comes from a
 * checked hash, so no caller-supplied string can reach outside the root directory.
 */
export function assertSha256(sha256: unknown): asserts sha256 is string {
  if (typeof sha256 !== 'string' || !SHA256_HEX.test(sha256)) {
    throw new Error('Invalid document hash: expected 64 lower-case hexadecimal characters');
  }
}

function isNotFound(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | null)?.code === 'ENOENT';
}

/** The content-addressed store. Create it with {@link FsDocumentStore.open}, which makes the directories. */
export class FsDocumentStore implements DocumentStore {
  private readonly tempDir: string;

  private constructor(readonly root: string) {
    this.tempDir = path.join(root, 'tmp');
  }

  /** Opens (creating if needed) a store under `root` and removes temporary files a crash left behind. */
  static async open(root: string): Promise<FsDocumentStore> {
    const store = new FsDocumentStore(path.resolve(root));
    await mkdir(store.tempDir, { recursive: true });
    await store.removeStaleTempFiles(STALE_TEMP_AGE_MS);
    return store;
  }

  /**
   * Stores the bytes of a Buffer or a readable stream under their SHA-256. For a stream, the bytes
   * go to a temporary file while they are hashed; if the stream fails, the temporary file is
   * removed and the stream's error is thrown. When the object exists already nothing new is kept,
   * and the result carries `created: false` and the content type recorded the first time.
   */
  async put(data: Buffer | NodeJS.ReadableStream, contentType: string): Promise<StoredObject> {
    if (typeof contentType !== 'string' || !contentType.trim()) {
      throw new Error('A content type is required to store a document');
    }
    const type = contentType.trim();

    if (Buffer.isBuffer(data)) {
      const sha256 = createHash('sha256').update(data).digest('hex');
      // Known bytes: no need to write them anywhere.
      const existing = await this.existing(sha256, type);
      if (existing) return existing;
      const temp = this.newTempPath();
      try {
        await writeFile(temp, data, { flag: 'wx', flush: true });
        return await this.commit(temp, sha256, data.length, type);
      } finally {
        await rm(temp, { force: true });
      }
    }

    if (!data || typeof (data as NodeJS.ReadableStream).pipe !== 'function') {
      throw new TypeError('A document must be a Buffer or a readable stream');
    }
    const temp = this.newTempPath();
    // Opened before streaming, so the file surely exists when the cleanup below runs.
    const file = await open(temp, 'wx');
    try {
      const hash = createHash('sha256');
      let size = 0;
      await pipeline(
        data,
        async function* hashChunks(source: AsyncIterable<Buffer | string>) {
          for await (const chunk of source) {
            const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
            hash.update(bytes);
            size += bytes.length;
            yield bytes;
          }
        },
        file.createWriteStream({ flush: true }),
      );
      return await this.commit(temp, hash.digest('hex'), size, type);
    } finally {
      // Gone already when committed; this removes it after a failure.
      await rm(temp, { force: true });
    }
  }

  /**
   * A read stream of the object with its size and content type, or `null` when there is none.
   * The stream holds the file open: read it to the end or destroy it.
   */
  async get(sha256: string): Promise<{ stream: NodeJS.ReadableStream; size: number; contentType: string } | null> {
    assertSha256(sha256);
    let handle;
    try {
      handle = await open(this.objectPath(sha256), 'r');
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
    // The open handle keeps the bytes readable even if the object is deleted meanwhile.
    try {
      const { size } = await handle.stat();
      const meta = await this.readMeta(sha256);
      return { stream: handle.createReadStream(), size, contentType: meta?.contentType ?? FALLBACK_CONTENT_TYPE };
    } catch (err) {
      await handle.close();
      throw err;
    }
  }

  async has(sha256: string): Promise<boolean> {
    assertSha256(sha256);
    try {
      return (await stat(this.objectPath(sha256))).isFile();
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  /** Removes the object and its sidecar. Returns false when the object did not exist. */
  async delete(sha256: string): Promise<boolean> {
    assertSha256(sha256);
    let existed = true;
    try {
      await unlink(this.objectPath(sha256));
    } catch (err) {
      if (!isNotFound(err)) throw err;
      existed = false;
    }
    await rm(this.metaPath(sha256), { force: true });
    return existed;
  }

  /** Moves a complete temporary file into place, unless the object exists already. */
  private async commit(temp: string, sha256: string, size: number, contentType: string): Promise<StoredObject> {
    const existing = await this.existing(sha256, contentType);
    if (existing) return existing;
    await mkdir(path.dirname(this.objectPath(sha256)), { recursive: true });
    // The sidecar first: an object file never exists without its content type.
    await this.writeMeta(sha256, { contentType, size });
    await rename(temp, this.objectPath(sha256));
    return { sha256, size, contentType, created: true };
  }

  /** The stored object as a `created: false` result, or null when there is none. */
  private async existing(sha256: string, contentType: string): Promise<StoredObject | null> {
    let size: number;
    try {
      size = (await stat(this.objectPath(sha256))).size;
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
    const meta = await this.readMeta(sha256);
    if (!meta) await this.writeMeta(sha256, { contentType, size });
    return { sha256, size, contentType: meta?.contentType ?? contentType, created: false };
  }

  private async readMeta(sha256: string): Promise<ObjectMeta | null> {
    try {
      return JSON.parse(await readFile(this.metaPath(sha256), 'utf8')) as ObjectMeta;
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  /** Writes the sidecar through a temporary file, so a reader never sees half of it. */
  private async writeMeta(sha256: string, meta: ObjectMeta): Promise<void> {
    const temp = this.newTempPath();
    try {
      await writeFile(temp, JSON.stringify(meta), { flag: 'wx', flush: true });
      await rename(temp, this.metaPath(sha256));
    } finally {
      await rm(temp, { force: true });
    }
  }

  /**
   * Age is judged by the file system's own clock (the mtime of a file written now), not this
   * process's: on network storage, or a process whose clock is shifted, the two differ.
   */
  private async removeStaleTempFiles(olderThanMs: number): Promise<void> {
    const marker = this.newTempPath();
    await writeFile(marker, '', { flag: 'wx' });
    const cutoff = (await stat(marker)).mtimeMs - olderThanMs;
    await rm(marker, { force: true });
    for (const name of await readdir(this.tempDir)) {
      const file = path.join(this.tempDir, name);
      try {
        if ((await stat(file)).mtimeMs < cutoff) await rm(file, { force: true });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
  }

  private objectPath(sha256: string): string {
    return path.join(this.root, sha256.slice(0, 2), sha256);
  }

  private metaPath(sha256: string): string {
    return `${this.objectPath(sha256)}.json`;
  }

  private newTempPath(): string {
    return path.join(this.tempDir, `${randomUUID()}.part`);
  }
}

/** The store's root directory from the plugin context: `options.root` or `<dataDir>/objects`. */
export function resolveRoot(dataDir: string, options: Record<string, unknown>): string {
  const root = options.root;
  if (root === undefined) return path.resolve(dataDir, 'objects');
  if (typeof root !== 'string' || !root.trim()) {
    throw new Error('@kaihu/storage-fs: option "root" must be a non-empty directory path');
  }
  return path.resolve(dataDir, root);
}

/** The default `documents` plugin: {@link FsDocumentStore} under the data directory. */
export const plugin: KaihuPlugin<'documents'> = {
  kind: 'documents',
  name: '@kaihu/storage-fs',
  create: (ctx) => FsDocumentStore.open(resolveRoot(ctx.dataDir, ctx.options)),
};

export default plugin;
