import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from '../../common/clock';

export type RateDecision = { ok: true; count: number } | { ok: false; count: number; retryAfterSeconds: number };

/**
 * Fixed-window counters in PostgreSQL (`rate_limits`), shared by every API node: one
 * `insert … on conflict do update … returning count` per hit, so concurrent hits never lose a count.
 */
export class RateLimitService {
  constructor(private readonly clock: Clock) {}

  /** Counts one hit on `bucket` in the current window of `windowSeconds`; refused past `limit`. */
  async hit(em: EntityManager, bucket: string, limit: number, windowSeconds: number): Promise<RateDecision> {
    const now = this.clock.now().getTime();
    const windowMs = windowSeconds * 1000;
    const start = Math.floor(now / windowMs) * windowMs;
    const rows = await em
      .getConnection()
      .execute<{ count: number | string }[]>(
        'insert into rate_limits (bucket, window_start, count) values (?, ?, 1) on conflict (bucket, window_start) do update set count = rate_limits.count + 1 returning count',
        [bucket, new Date(start)],
        'all',
      );
    const count = Number(rows[0]!.count);
    if (count <= limit) return { ok: true, count };
    return { ok: false, count, retryAfterSeconds: Math.max(1, Math.ceil((start + windowMs - now) / 1000)) };
  }

  /** Deletes windows that ended before now. */
  async purge(em: EntityManager, windowSeconds: number): Promise<number> {
    const before = new Date(this.clock.now().getTime() - windowSeconds * 1000);
    const rows = await em
      .getConnection()
      .execute<{ bucket: string }[]>(
        'delete from rate_limits where window_start < ? returning bucket',
        [before],
        'all',
      );
    return rows.length;
  }
}
