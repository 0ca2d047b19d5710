import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { buffer as readAll } from 'node:stream/consumers';

import type { PluginContext } from '@kaihu/plugin-api';
import { asPlugin } from '@kaihu/plugin-api';

import * as pluginModule from './index';
import defaultExport, { FsDocumentStore, assertSha256, plugin, resolveRoot } from './index';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** Every file under `dir`, as paths relative to it. */
async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

describe('@kaihu/storage-fs', () => {
  let dataDir: string;
  let root: string;
  let store: FsDocumentStore;

  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'kaihu-storage-fs-'));
    root = path.join(dataDir, 'objects');
    store = await FsDocumentStore.open(root);
  });

  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  describe('plugin', () => {
    const ctx = (options: Record<string, unknown>): PluginContext => ({
      db: { query: async () => [] },
      dataDir,
      clock: { now: () => new Date() },
      logger: { debug() {}, info() {}, warn() {}, error() {} },
      options,
    });

    it('is a documents plugin exported as default and as `plugin`, storing under <dataDir>/objects', async () => {
      expect(defaultExport).toBe(plugin);
      const loaded = asPlugin(pluginModule, 'documents', '@kaihu/storage-fs');
      expect(loaded.name).toBe('@kaihu/storage-fs');
      const documents = await loaded.create(ctx({}));
      const stored = await documents.put(Buffer.from('hello'), 'text/plain');
      expect(existsSync(path.join(dataDir, 'objects', stored.sha256.slice(0, 2), stored.sha256))).toBe(true);
    });

    it('takes the root directory from options.root, relative to the data directory', async () => {
      const documents = await plugin.create(ctx({ root: 'elsewhere' }));
      const stored = await documents.put(Buffer.from('hello'), 'text/plain');
      expect(existsSync(path.join(dataDir, 'elsewhere', stored.sha256.slice(0, 2), stored.sha256))).toBe(true);
      expect(resolveRoot('/data', { root: '/srv/objects' })).toBe('/srv/objects');
      expect(resolveRoot('/data', {})).toBe('/data/objects');
      expect(() => resolveRoot('/data', { root: 42 })).toThrow('option "root"');
    });
  });

  describe('put', () => {
    it('stores a Buffer at objects/<first 2 hex>/<sha256> with a content-type sidecar', async () => {
      const bytes = Buffer.from('\xff\xd8\xff 身份证人像面', 'latin1');
      const stored = await store.put(bytes, 'image/jpeg');
      const hash = sha256(bytes);
      expect(stored).toEqual({ sha256: hash, size: bytes.length, contentType: 'image/jpeg', created: true });
      expect(await listFiles(root)).toEqual([`${hash.slice(0, 2)}/${hash}`, `${hash.slice(0, 2)}/${hash}.json`]);
      expect(await readFile(path.join(root, hash.slice(0, 2), hash))).toEqual(bytes);
      expect(JSON.parse(await readFile(path.join(root, hash.slice(0, 2), `${hash}.json`), 'utf8'))).toEqual({
        contentType: 'image/jpeg',
        size: bytes.length,
      });
    });

    it('keeps the same bytes once: the second put reports created false and writes nothing', async () => {
      const bytes = randomBytes(4096);
      const first = await store.put(bytes, 'image/jpeg');
      const objectFile = path.join(root, first.sha256.slice(0, 2), first.sha256);
      const writtenAt = statSync(objectFile).mtimeMs;

      const again = await store.put(Buffer.from(bytes), 'application/pdf');
      const viaStream = await store.put(Readable.from([bytes.subarray(0, 100), bytes.subarray(100)]), 'image/jpeg');

      // The content type recorded first stays the object's content type.
      expect(again).toEqual({ ...first, created: false });
      expect(viaStream).toEqual({ ...first, created: false });
      expect(statSync(objectFile).mtimeMs).toBe(writtenAt);
      expect(await listFiles(root)).toEqual([
        path.join(first.sha256.slice(0, 2), first.sha256),
        path.join(first.sha256.slice(0, 2), `${first.sha256}.json`),
      ]);
      expect(readdirSync(path.join(root, 'tmp'))).toEqual([]);
    });

    it('streams several megabytes to disk while hashing, without holding them in memory', async () => {
      const chunkSize = 64 * 1024;
      const chunks = Array.from({ length: 96 }, (_, i) => createHash('sha512').update(String(i)).digest()).map((seed) =>
        Buffer.alloc(chunkSize, seed),
      ); // 6 MiB
      const whole = Buffer.concat(chunks);
      const tempDir = path.join(root, 'tmp');
      let bytesOnDiskMidway = 0;
      async function* source() {
        for (const [i, chunk] of chunks.entries()) {
          if (i === 64) {
            // Four MiB in: what was streamed so far is already in the temporary file.
            bytesOnDiskMidway = readdirSync(tempDir).reduce((sum, f) => sum + statSync(path.join(tempDir, f)).size, 0);
          }
          yield chunk;
        }
      }

      const stored = await store.put(Readable.from(source()), 'video/webm');

      expect(stored).toEqual({ sha256: sha256(whole), size: whole.length, contentType: 'video/webm', created: true });
      expect(bytesOnDiskMidway).toBeGreaterThan(2 * 1024 * 1024);
      // Compared by hash: a byte-wise toEqual over megabytes is slow.
      expect(sha256(await readFile(path.join(root, stored.sha256.slice(0, 2), stored.sha256)))).toBe(sha256(whole));
      expect(readdirSync(tempDir)).toEqual([]);
    });

    it('accepts a stream of strings and an empty stream', async () => {
      const text = await store.put(
        Readable.from(['签名', '确认书'], { objectMode: true }),
        'text/plain; charset=utf-8',
      );
      expect(text.sha256).toBe(sha256(Buffer.from('签名确认书')));
      expect(text.size).toBe(Buffer.byteLength('签名确认书'));
      const empty = await store.put(Readable.from([]), 'application/octet-stream');
      expect(empty).toMatchObject({ sha256: sha256(Buffer.alloc(0)), size: 0, created: true });
    });

    it('removes the temporary file and stores nothing when the source stream fails', async () => {
      async function* failing() {
        yield randomBytes(1024 * 1024);
        yield randomBytes(1024 * 1024);
        throw new Error('connection reset by client');
      }
      await expect(store.put(Readable.from(failing()), 'image/jpeg')).rejects.toThrow('connection reset by client');

      const immediately = new Readable({
        read() {
          this.destroy(new Error('aborted before the first byte'));
        },
      });
      await expect(store.put(immediately, 'image/jpeg')).rejects.toThrow('aborted before the first byte');

      expect(await listFiles(root)).toEqual([]);
    });

    it('refuses a missing content type and data that is neither a Buffer nor a stream', async () => {
      await expect(store.put(Buffer.from('x'), ' ')).rejects.toThrow('content type is required');
      await expect(store.put('not bytes' as never, 'text/plain')).rejects.toThrow('Buffer or a readable stream');
      expect(await listFiles(root)).toEqual([]);
    });
  });

  describe('get', () => {
    it('returns a read stream of the bytes with size and content type', async () => {
      const bytes = randomBytes(300_000);
      const { sha256: hash } = await store.put(bytes, 'application/pdf');
      const object = await store.get(hash);
      expect(object).not.toBeNull();
      expect(object!.size).toBe(bytes.length);
      expect(object!.contentType).toBe('application/pdf');
      expect(sha256(await readAll(object!.stream))).toBe(hash);
    });

    it('returns null for an unknown hash', async () => {
      expect(await store.get('0'.repeat(64))).toBeNull();
    });

    it('keeps serving an object opened before it was deleted', async () => {
      const bytes = randomBytes(1000);
      const { sha256: hash } = await store.put(bytes, 'image/jpeg');
      const object = await store.get(hash);
      await store.delete(hash);
      expect(await readAll(object!.stream)).toEqual(bytes);
    });

    it('falls back to application/octet-stream when the sidecar is missing, and put restores it', async () => {
      const bytes = Buffer.from('legacy object');
      const { sha256: hash } = await store.put(bytes, 'text/plain');
      await rm(path.join(root, hash.slice(0, 2), `${hash}.json`));
      const before = await store.get(hash);
      before?.stream.resume(); // drain, so the file is closed
      expect(before?.contentType).toBe('application/octet-stream');
      expect(await store.put(bytes, 'text/plain')).toMatchObject({ created: false, contentType: 'text/plain' });
      const after = await store.get(hash);
      after?.stream.resume();
      expect(after?.contentType).toBe('text/plain');
    });
  });

  describe('has and delete', () => {
    it('removes the object and its sidecar, and says whether it existed', async () => {
      const { sha256: hash } = await store.put(Buffer.from('recording'), 'video/webm');
      expect(await store.has(hash)).toBe(true);
      expect(await store.delete(hash)).toBe(true);
      expect(await store.has(hash)).toBe(false);
      expect(await store.get(hash)).toBeNull();
      expect(await listFiles(root)).toEqual([]);
      expect(await store.delete(hash)).toBe(false);
    });

    it('can store the same bytes again after a delete', async () => {
      const bytes = Buffer.from('photo');
      await store.put(bytes, 'image/jpeg');
      await store.delete(sha256(bytes));
      expect(await store.put(bytes, 'image/jpeg')).toMatchObject({ created: true });
    });
  });

  describe('hash validation', () => {
    const invalid = [
      '../../../../etc/passwd',
      '..',
      `${'a'.repeat(62)}/..`,
      `..${path.sep}${'a'.repeat(62)}`,
      'A'.repeat(64),
      'a'.repeat(63),
      'a'.repeat(65),
      `${'a'.repeat(64)}.json`,
      `${'a'.repeat(64)}\n`,
      '/etc/passwd',
      '',
    ];

    it.each(invalid)('refuses %j in get, has and delete', async (hash) => {
      await expect(store.get(hash)).rejects.toThrow('Invalid document hash');
      await expect(store.has(hash)).rejects.toThrow('Invalid document hash');
      await expect(store.delete(hash)).rejects.toThrow('Invalid document hash');
    });

    it('does not reach files outside the root through a crafted hash', async () => {
      // A file one level above the root, named like the tail of a traversal attempt.
      await writeFile(path.join(dataDir, 'passwd'), 'root:x:0:0');
      await expect(store.get('../passwd')).rejects.toThrow('Invalid document hash');
      await expect(store.delete('../passwd')).rejects.toThrow('Invalid document hash');
      expect(existsSync(path.join(dataDir, 'passwd'))).toBe(true);
      expect(() => assertSha256(42)).toThrow('Invalid document hash');
      expect(() => assertSha256('f'.repeat(64))).not.toThrow();
    });
  });

  describe('start-up', () => {
    it('removes temporary files left over from a crash a day ago, keeping recent ones', async () => {
      const tempDir = path.join(root, 'tmp');
      await mkdir(tempDir, { recursive: true });
      await writeFile(path.join(tempDir, 'stale.part'), 'half an upload');
      await writeFile(path.join(tempDir, 'recent.part'), 'an upload in progress');
      // two days before the file system's now (its clock, not this process's, dates the files)
      const twoDaysAgo = new Date((await stat(path.join(tempDir, 'recent.part'))).mtimeMs - 2 * 24 * 60 * 60 * 1000);
      await utimes(path.join(tempDir, 'stale.part'), twoDaysAgo, twoDaysAgo);

      await FsDocumentStore.open(root);

      expect(readdirSync(tempDir)).toEqual(['recent.part']);
    });
  });
});
