import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * The first result of a mutation sent with an `Idempotency-Key`. The key itself is not stored: the
 * row's id is an HMAC of the caller's scope and the key, and the response body is encrypted under
 * a key derived from both, so the table alone reveals no tokens or codes.
 */
@Entity({ tableName: 'idempotency_keys' })
@Index({ properties: ['expiresAt'] })
export class IdempotencyKey {
  @PrimaryKey({ type: 'text' })
  id!: string;

  /** SHA-256 of the operation (printed document, operation name) and its variables. */
  @Property({ type: 'text' })
  fingerprint!: string;

  /** IN_FLIGHT while the first request runs, DONE once its response is stored. */
  @Property({ type: 'text' })
  state!: 'IN_FLIGHT' | 'DONE';

  @Property({ type: 'integer', nullable: true })
  status: number | null = null;

  @Property({ type: 'text', nullable: true })
  contentType: string | null = null;

  /** AES-256-GCM of the response body (base64url of iv, tag, ciphertext). */
  @Property({ type: 'text', nullable: true })
  body: string | null = null;

  @Property({ type: 'timestamptz' })
  createdAt!: Date;

  /** An IN_FLIGHT row older than this belongs to a request that died with its node: the key may be taken over. */
  @Property({ type: 'timestamptz' })
  lockedUntil!: Date;

  @Property({ type: 'timestamptz' })
  expiresAt!: Date;
}

/** One fixed window of one rate-limit bucket (e.g. `code:ip:203.0.113.7`). */
@Entity({ tableName: 'rate_limits' })
@Index({ properties: ['windowStart'] })
export class RateLimit {
  @PrimaryKey({ type: 'text' })
  bucket!: string;

  @PrimaryKey({ type: 'timestamptz' })
  windowStart!: Date;

  @Property({ type: 'integer' })
  count!: number;
}
