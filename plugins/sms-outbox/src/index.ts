/**
 * `@kaihu/sms-outbox` — Kaihu's default SMS gateway.
 *
 * Sends nothing to a phone: every message is kept in the `sms_outbox` table of Kaihu's database,
 * where the demo outbox page (`GET /dev/outbox`) and tests read it back through
 * {@link SmsOutboxReader.list}. A broker replaces this package with one that talks to its SMS
 * provider.
 *
 * The message text and the one-time code are stored (so a demo can run without a phone) but never
 * logged: the log gets the purpose, the broker and a masked number only.
 *
 * Portability notes: plain PostgreSQL 15 SQL that PGlite runs too, and only strings cross the
 * {@link SqlClient} — the time comes back as epoch milliseconds in text — so the plugin works with
 * any driver the host adapts.
 */
import { randomUUID } from 'node:crypto';

import type {
  Clock,
  KaihuPlugin,
  PluginLogger,
  PluginMigration,
  SmsGateway,
  SmsMessage,
  SmsOutboxEntry,
  SmsOutboxReader,
  SmsReceipt,
  SqlClient,
} from '@kaihu/plugin-api';

/** Entries {@link SmsOutbox.list} returns when no limit is given. */
export const DEFAULT_LIST_LIMIT = 50;
/** The most entries one {@link SmsOutbox.list} call returns, whatever limit is asked for. */
export const MAX_LIST_LIMIT = 500;

/** The plugin's table. Forward-only: a later change is a new migration, never an edit of this one. */
export const migrations: readonly PluginMigration[] = [
  {
    id: '0001_sms_outbox',
    up: `
CREATE TABLE sms_outbox (
  id          uuid PRIMARY KEY,
  broker_code text,
  to_number   text NOT NULL CHECK (to_number <> ''),
  text        text NOT NULL,
  purpose     text NOT NULL,
  -- The one-time code carried in text, when there is one; shown by the demo outbox page.
  code        text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  -- Orders messages stored within the same instant: newest first means highest seq first.
  seq         bigint GENERATED ALWAYS AS IDENTITY
);
CREATE INDEX sms_outbox_newest_idx ON sms_outbox (created_at DESC, seq DESC);
CREATE INDEX sms_outbox_to_newest_idx ON sms_outbox (to_number, created_at DESC, seq DESC);
`,
  },
];

/**
 * Masks a phone number for logs: the first 3 and last 4 characters stay (`13800138000` →
 * `138****8000`, `010-62345678` → `010****5678`); numbers shorter than 8 characters become `****`.
 */
export function maskNumber(number: string): string {
  const n = number.trim();
  return n.length >= 8 ? `${n.slice(0, 3)}****${n.slice(-4)}` : '****';
}

interface OutboxRow extends Record<string, unknown> {
  id: string;
  to_number: string;
  text: string;
  purpose: string;
  code: string | null;
  created_ms: string;
}

/** The outbox gateway. Needs the table of {@link migrations}. */
export class SmsOutbox implements SmsGateway, SmsOutboxReader {
  constructor(
    private readonly db: SqlClient,
    private readonly logger: PluginLogger,
    private readonly clock: Clock = { now: () => new Date() },
  ) {}

  /**
   * Stores the message in the outbox and returns its id and the time it was accepted.
   * Throws when `to`, `text` or `purpose` is empty; the number is stored trimmed.
   */
  async send(message: SmsMessage): Promise<SmsReceipt> {
    const to = typeof message.to === 'string' ? message.to.trim() : '';
    if (!to) throw new Error('短信接收号码不能为空');
    if (typeof message.text !== 'string' || !message.text) throw new Error('短信内容不能为空');
    if (typeof message.purpose !== 'string' || !message.purpose.trim()) throw new Error('短信用途不能为空');

    const id = randomUUID();
    const acceptedAt = this.clock.now();
    await this.db.query(
      `INSERT INTO sms_outbox (id, broker_code, to_number, text, purpose, code, created_at)
       VALUES ($1::uuid, $2, $3, $4, $5, $6, $7::timestamptz)`,
      [
        id,
        message.brokerCode ?? null,
        to,
        message.text,
        message.purpose,
        message.code ?? null,
        acceptedAt.toISOString(),
      ],
    );
    // Never the text or the code: they may carry a one-time code or a temporary password.
    this.logger.info(
      { smsId: id, purpose: message.purpose, brokerCode: message.brokerCode ?? null, to: maskNumber(to) },
      'sms stored in outbox',
    );
    return { id, acceptedAt };
  }

  /**
   * Stored messages, newest first; only those to `to` when given (compared trimmed, exactly).
   * `limit` defaults to {@link DEFAULT_LIST_LIMIT} and is clamped to 1…{@link MAX_LIST_LIMIT}.
   */
  async list(options: { to?: string; limit?: number } = {}): Promise<SmsOutboxEntry[]> {
    const limit = clampLimit(options.limit);
    const to = options.to?.trim();
    const rows = await this.db.query<OutboxRow>(
      `SELECT id::text AS id, to_number, text, purpose, code,
              (extract(epoch FROM created_at) * 1000)::bigint::text AS created_ms
         FROM sms_outbox
        WHERE $1::text IS NULL OR to_number = $1::text
        ORDER BY created_at DESC, seq DESC
        LIMIT $2::integer`,
      [to || null, limit],
    );
    return rows.map((row) => ({
      id: row.id,
      to: row.to_number,
      text: row.text,
      purpose: row.purpose,
      code: row.code,
      createdAt: new Date(Number(row.created_ms)),
    }));
  }
}

function clampLimit(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit)) return DEFAULT_LIST_LIMIT;
  return Math.min(MAX_LIST_LIMIT, Math.max(1, Math.floor(limit)));
}

/** The default `sms` plugin: {@link SmsOutbox} on Kaihu's database. */
export const plugin: KaihuPlugin<'sms'> = {
  kind: 'sms',
  name: '@kaihu/sms-outbox',
  migrations,
  create: (ctx) => new SmsOutbox(ctx.db, ctx.logger, ctx.clock),
};

export default plugin;
