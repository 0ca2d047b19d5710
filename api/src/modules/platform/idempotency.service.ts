import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from '../../common/clock';

export interface StoredResponse {
  status: number;
  contentType: string | null;
  body: Buffer;
}

export type IdempotencyClaim =
  /** this request is the first (or the key expired, or its first request died): run it */
  | { kind: 'OWNER' }
  /** the first request finished: answer with its response */
  | ({ kind: 'REPLAY' } & StoredResponse)
  /** the key was used for another operation or other variables */
  | { kind: 'REUSED' }
  /** the first request is still running */
  | { kind: 'IN_USE' };

/** Identifies one key of one caller: `id` names the row, `bodyKey` (32 bytes) encrypts its response. */
export interface IdempotencyHandle {
  id: string;
  bodyKey: Buffer;
}

/**
 * Idempotency keys in PostgreSQL (`idempotency_keys`): the primary key makes the first writer win
 * across API nodes; the row carries the fingerprint of the operation and, once done, its response
 * (encrypted). Times come from the app clock.
 */
export class IdempotencyService {
  constructor(
    private readonly clock: Clock,
    /** how long a key's first result is kept */
    private readonly ttlMs: number,
    /** how long an IN_FLIGHT row is honoured before another request may take the key over */
    private readonly leaseMs = 10 * 60_000,
  ) {}

  async claim(em: EntityManager, handle: IdempotencyHandle, fingerprint: string): Promise<IdempotencyClaim> {
    const conn = em.getConnection();
    for (let attempt = 0; attempt < 3; attempt++) {
      const now = this.clock.now();
      const lockedUntil = new Date(now.getTime() + this.leaseMs);
      const expiresAt = new Date(now.getTime() + this.ttlMs);
      const inserted = await conn.execute<{ id: string }[]>(
        `insert into idempotency_keys (id, fingerprint, state, created_at, locked_until, expires_at) values (?, ?, 'IN_FLIGHT', ?, ?, ?)
         on conflict (id) do nothing returning id`,
        [handle.id, fingerprint, now, lockedUntil, expiresAt],
        'all',
      );
      if (inserted.length) return { kind: 'OWNER' };
      // an expired key is fresh again; an IN_FLIGHT row past its lease belongs to a request that died
      const taken = await conn.execute<{ id: string }[]>(
        `update idempotency_keys set fingerprint = ?, state = 'IN_FLIGHT', status = null, content_type = null, body = null,
           created_at = ?, locked_until = ?, expires_at = ?
         where id = ? and (expires_at <= ? or (state = 'IN_FLIGHT' and locked_until <= ? and fingerprint = ?)) returning id`,
        [fingerprint, now, lockedUntil, expiresAt, handle.id, now, now, fingerprint],
        'all',
      );
      if (taken.length) return { kind: 'OWNER' };
      const [row] = await conn.execute<
        {
          fingerprint: string;
          state: string;
          status: number | null;
          content_type: string | null;
          body: string | null;
        }[]
      >('select fingerprint, state, status, content_type, body from idempotency_keys where id = ?', [handle.id], 'all');
      if (!row) continue; // released in between: try again
      if (row.fingerprint !== fingerprint) return { kind: 'REUSED' };
      if (row.state !== 'DONE' || row.body === null || row.status === null) return { kind: 'IN_USE' };
      return {
        kind: 'REPLAY',
        status: Number(row.status),
        contentType: row.content_type,
        body: decrypt(handle.bodyKey, row.body),
      };
    }
    return { kind: 'IN_USE' };
  }

  /** Stores the first request's response. */
  async complete(em: EntityManager, handle: IdempotencyHandle, response: StoredResponse): Promise<void> {
    await em
      .getConnection()
      .execute(
        `update idempotency_keys set state = 'DONE', status = ?, content_type = ?, body = ? where id = ? and state = 'IN_FLIGHT'`,
        [response.status, response.contentType, encrypt(handle.bodyKey, response.body), handle.id],
      );
  }

  /** Forgets a key whose request failed in a way worth retrying (5xx, rate limited): the next request runs. */
  async release(em: EntityManager, handle: IdempotencyHandle): Promise<void> {
    await em.getConnection().execute(`delete from idempotency_keys where id = ? and state = 'IN_FLIGHT'`, [handle.id]);
  }

  /** Deletes expired keys. */
  async purge(em: EntityManager): Promise<number> {
    const rows = await em
      .getConnection()
      .execute<{ id: string }[]>(
        'delete from idempotency_keys where expires_at <= ? returning id',
        [this.clock.now()],
        'all',
      );
    return rows.length;
  }
}

function encrypt(key: Buffer, plain: Buffer): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const ct = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), ct]).toString('base64url');
}

function decrypt(key: Buffer, stored: string): Buffer {
  const raw = Buffer.from(stored, 'base64url');
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
  decipher.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]);
}
