import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from '../../common/clock';
import { ErrorCode, KaihuError } from '../../common/errors';
import type { Logger } from '../../common/logger';
import { TOPICS, type EventBus } from '../../common/pubsub';
import { requireScope } from '../auth';
import type { Viewer } from '../auth';
import type { TicketListener } from '../tickets';
import type { Secrets } from '../platform';
import type { DeliveryJob, DeliveryQueue } from './delivery-queue';
import { partnerEventsFor } from './mapping';
import { PartnerEvent, WebhookDelivery, WebhookEndpoint } from './partner.entity';

/** What the partners module needs to know of a ticket (handed over by the tickets module's hook). */
export interface TicketRef {
  id: string;
  brokerId: string;
  business: string;
  status: string;
}

export interface TicketChangeRef {
  action: string;
  step: string | null;
  before: unknown;
  after: unknown;
  actorKind: string;
}

export interface PartnerEventPage {
  events: PartnerEvent[];
  hasNextPage: boolean;
}

export interface WebhookConfig {
  /** KAIHU_WEBHOOK_RETRY_LIMIT */
  retryLimit: number;
  /** KAIHU_WEBHOOK_RETRY_DELAY_S */
  retryDelaySeconds: number;
}

export const MAX_EVENTS_PAGE = 500;
export const DEFAULT_EVENTS_PAGE = 100;
const MAX_ENDPOINTS = 10;
const DELIVERY_TIMEOUT_MS = 5000;
const SWEEP_MS = 5000;
const DISPATCH_BATCH = 100;

/** The body a webhook receives (and `Kaihu-Event-Id` = `id`). */
export function eventBody(e: PartnerEvent): Record<string, unknown> {
  return {
    id: e.id,
    seq: Number(e.seq),
    type: e.type,
    ticketId: e.ticketId,
    business: e.business,
    status: e.status,
    payload: e.payload,
    createdAt: e.createdAt.toISOString(),
  };
}

/** `Kaihu-Signature`: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" under the endpoint's secret>`. */
export function signatureHeader(secret: string, t: number, body: string): string {
  return `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;
}

/**
 * Partner events and webhooks. Every ticket status change, witness outcome and review outcome
 * (see mapping.ts) becomes a PartnerEvent in the same flush as the ticket's own trail event, with
 * a gap-free `seq` per broker. Partners replay them (`events(after:)`), follow them live (the
 * `events` subscription) and receive them on their webhook endpoints, signed, retried with
 * exponential backoff by a job queue (pg-boss on PostgreSQL).
 */
export class PartnerService implements TicketListener {
  /** Events created in a unit of work, by ticket object, until the change is committed. */
  private readonly pending = new WeakMap<object, PartnerEvent[]>();
  private queue: DeliveryQueue | null = null;
  private forkEm: (() => EntityManager) | null = null;
  private log: Logger | null = null;
  private sweep: NodeJS.Timeout | null = null;
  private dispatching: Promise<void> | null = null;
  private dispatchAgain = false;

  constructor(
    private readonly clock: Clock,
    private readonly bus: EventBus,
    private readonly secrets: () => Secrets,
    readonly config: { demo: boolean; webhooks: WebhookConfig },
  ) {}

  // --- events ----------------------------------------------------------------------------------

  /** The tickets module's hook: adds the partner events of a trail event to the same unit of work. */
  eventAppended(em: EntityManager, ticket: TicketRef, change: TicketChangeRef): void {
    const mapped = partnerEventsFor({ ...change, status: ticket.status });
    if (!mapped.length) return;
    const now = this.clock.now();
    const list = this.pending.get(ticket) ?? [];
    for (const m of mapped) {
      list.push(
        em.create(PartnerEvent, {
          brokerId: ticket.brokerId,
          type: m.type,
          ticketId: ticket.id,
          business: ticket.business,
          status: ticket.status,
          payload: m.payload,
          createdAt: now,
        }),
      );
    }
    this.pending.set(ticket, list);
  }

  /** After the ticket's change is committed: tell live subscribers and queue the webhooks. */
  committed(ticket: TicketRef): void {
    const list = this.pending.get(ticket);
    if (!list?.length) return;
    this.pending.delete(ticket);
    const seqs = list.map((e) => Number(e.seq)).filter((n) => Number.isFinite(n) && n > 0);
    this.bus.publish(TOPICS.PARTNER_EVENT, ticket.brokerId, { seq: seqs.length ? Math.max(...seqs) : null });
    this.kick();
  }

  /** Partners (an API key with the scope) and broker admins; everything is scoped to their broker. */
  assertViewer(viewer: Viewer | null, scope: 'EVENTS' | 'WEBHOOKS'): Viewer {
    return requireScope(viewer, scope);
  }

  /** A cursor (`seq` as a string) → the seq after which to read; null/empty → from the start. */
  parseCursor(after: string | null | undefined): number {
    if (after === null || after === undefined || after === '') return 0;
    if (!/^\d{1,15}$/.test(after))
      throw new KaihuError(ErrorCode.BAD_USER_INPUT, '分页游标无效（应为事件序号）', {
        fields: [{ field: 'after', message: '分页游标无效' }],
      });
    return Number(after);
  }

  pageSize(first: number | null | undefined): number {
    if (first === null || first === undefined) return DEFAULT_EVENTS_PAGE;
    if (!Number.isInteger(first) || first < 1 || first > MAX_EVENTS_PAGE) {
      throw new KaihuError(ErrorCode.BAD_USER_INPUT, `first 应在 1 到 ${MAX_EVENTS_PAGE} 之间`, {
        fields: [{ field: 'first', message: `应在 1 到 ${MAX_EVENTS_PAGE} 之间` }],
      });
    }
    return first;
  }

  /** The broker's events after `afterSeq`, oldest first. */
  async page(em: EntityManager, brokerId: string, afterSeq: number, first: number): Promise<PartnerEventPage> {
    const rows = await em.find(
      PartnerEvent,
      { brokerId, seq: { $gt: String(afterSeq) } },
      { orderBy: { seq: 'asc' }, limit: first + 1, disableIdentityMap: true },
    );
    return { events: rows.slice(0, first), hasNextPage: rows.length > first };
  }

  // --- webhooks --------------------------------------------------------------------------------

  private key(): Buffer {
    return Buffer.from(this.secrets().mac('partners.webhook-secret'), 'hex');
  }

  private encrypt(secret: string): string {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.key(), iv);
    const body = Buffer.concat([c.update(secret, 'utf8'), c.final()]);
    return ['v1', iv.toString('base64url'), c.getAuthTag().toString('base64url'), body.toString('base64url')].join(':');
  }

  private decrypt(stored: string): string {
    const [v, iv, tag, body] = stored.split(':');
    if (v !== 'v1' || !iv || !tag || !body) throw new Error('webhook secret: unknown format');
    const d = createDecipheriv('aes-256-gcm', this.key(), Buffer.from(iv, 'base64url'));
    d.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([d.update(Buffer.from(body, 'base64url')), d.final()]).toString('utf8');
  }

  /** HTTPS only; `http://127.0.0.1` and `http://localhost` in demo mode. */
  validateUrl(raw: string): string {
    const bad = (message: string) =>
      new KaihuError(ErrorCode.BAD_USER_INPUT, message, { fields: [{ field: 'url', message }] });
    const text = (raw ?? '').trim();
    let u: URL;
    try {
      u = new URL(text);
    } catch {
      throw bad('回调地址格式不正确，请填写完整的 https:// 地址');
    }
    if (text.length > 2048) throw bad('回调地址过长（最多 2048 个字符）');
    if (u.username || u.password) throw bad('回调地址不能包含用户名或密码');
    const loopback = u.protocol === 'http:' && (u.hostname === '127.0.0.1' || u.hostname === 'localhost');
    if (u.protocol !== 'https:' && !(loopback && this.config.demo)) {
      throw bad(
        this.config.demo
          ? '回调地址必须使用 HTTPS（演示模式下也允许 http://127.0.0.1 或 http://localhost）'
          : '回调地址必须使用 HTTPS',
      );
    }
    return u.toString();
  }

  /** Registers an endpoint; the signing secret is returned here only. */
  async createWebhook(
    em: EntityManager,
    viewer: Viewer,
    url: string,
    description: string | null,
  ): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
    const href = this.validateUrl(url);
    const text = description?.trim() || null;
    if (text && text.length > 200)
      throw new KaihuError(ErrorCode.BAD_USER_INPUT, '说明最多 200 个字符', {
        fields: [{ field: 'description', message: '最多 200 个字符' }],
      });
    if ((await em.count(WebhookEndpoint, { brokerId: viewer.brokerId, deletedAt: null })) >= MAX_ENDPOINTS) {
      throw new KaihuError(
        ErrorCode.BAD_USER_INPUT,
        `每家期货公司最多登记 ${MAX_ENDPOINTS} 个回调地址，请先删除不用的地址`,
      );
    }
    const secret = `whsec_${randomBytes(32).toString('base64url')}`;
    const endpoint = em.create(WebhookEndpoint, {
      brokerId: viewer.brokerId,
      url: href,
      description: text,
      secretEnc: this.encrypt(secret),
      createdByKind: viewer.kind,
      createdById: viewer.id,
      createdAt: this.clock.now(),
    });
    await em.flush();
    return { endpoint, secret };
  }

  async webhooks(em: EntityManager, viewer: Viewer): Promise<WebhookEndpoint[]> {
    return em.find(
      WebhookEndpoint,
      { brokerId: viewer.brokerId, deletedAt: null },
      { orderBy: { createdAt: 'asc', id: 'asc' } },
    );
  }

  private async endpoint(em: EntityManager, viewer: Viewer, id: string): Promise<WebhookEndpoint> {
    const e = /^[0-9a-f-]{36}$/i.test(id)
      ? await em.findOne(WebhookEndpoint, { id, brokerId: viewer.brokerId, deletedAt: null })
      : null;
    if (!e) throw new KaihuError(ErrorCode.NOT_FOUND, '回调地址不存在');
    return e;
  }

  /** Stops deliveries to the endpoint (its delivery log is kept). */
  async deleteWebhook(em: EntityManager, viewer: Viewer, id: string): Promise<boolean> {
    const e = await this.endpoint(em, viewer, id);
    e.deletedAt = this.clock.now();
    await em.flush();
    return true;
  }

  /** The endpoint's delivery attempts, newest first. */
  async deliveries(em: EntityManager, viewer: Viewer, webhookId: string, first: number): Promise<WebhookDelivery[]> {
    const e = /^[0-9a-f-]{36}$/i.test(webhookId)
      ? await em.findOne(WebhookEndpoint, { id: webhookId, brokerId: viewer.brokerId })
      : null;
    if (!e) throw new KaihuError(ErrorCode.NOT_FOUND, '回调地址不存在');
    return em.find(WebhookDelivery, { endpointId: e.id }, { orderBy: { id: 'desc' }, limit: first });
  }

  // --- delivery --------------------------------------------------------------------------------

  /** Starts the delivery queue's workers and the dispatcher (queues what is not queued yet). */
  async start(forkEm: () => EntityManager, queue: DeliveryQueue, log: Logger): Promise<void> {
    this.forkEm = forkEm;
    this.log = log;
    this.queue = queue;
    await queue.start((job) => this.deliver(job));
    this.sweep = setInterval(() => this.kick(), SWEEP_MS);
    this.sweep.unref();
    this.kick();
    log.info({ queue: queue.kind }, 'webhook delivery started');
  }

  async stop(): Promise<void> {
    if (this.sweep) clearInterval(this.sweep);
    this.sweep = null;
    await this.dispatching?.catch(() => {});
    const q = this.queue;
    this.queue = null;
    await q?.stop();
  }

  /** Runs the dispatcher now (again, if it is running). */
  kick(): void {
    if (!this.queue) return;
    if (this.dispatching) {
      this.dispatchAgain = true;
      return;
    }
    this.dispatching = (async () => {
      try {
        do {
          this.dispatchAgain = false;
          while (this.queue && (await this.dispatchBatch()) === DISPATCH_BATCH);
        } while (this.dispatchAgain && this.queue);
      } catch (err) {
        this.log?.error({ err }, 'webhook dispatch failed (retried by the next sweep)');
      } finally {
        this.dispatching = null;
      }
    })();
  }

  /**
   * Outbox: takes undispatched events (SKIP LOCKED, so several nodes share the work), queues one
   * job per (event, endpoint that existed when the event happened), marks them dispatched. Job ids
   * are derived from the pair, so a dispatch repeated after a crash queues nothing twice.
   */
  private async dispatchBatch(): Promise<number> {
    const queue = this.queue!;
    return this.forkEm!().transactional(async (tx) => {
      const conn = tx.getConnection();
      const ctx = tx.getTransactionContext();
      const rows = (await conn.execute(
        `select id, broker_id, created_at from partner_events where dispatched_at is null order by created_at, broker_id, seq limit ${DISPATCH_BATCH} for update skip locked`,
        [],
        'all',
        ctx,
      )) as { id: string; broker_id: string; created_at: Date | string }[];
      if (!rows.length) return 0;
      const brokers = [...new Set(rows.map((r) => r.broker_id))];
      const endpoints = await tx.find(WebhookEndpoint, { brokerId: { $in: brokers }, deletedAt: null });
      const jobs: DeliveryJob[] = rows.flatMap((r) =>
        endpoints
          .filter((e) => e.brokerId === r.broker_id && e.createdAt.getTime() <= new Date(r.created_at).getTime())
          .map((e) => ({ eventId: r.id, endpointId: e.id })),
      );
      await queue.enqueue(jobs);
      await conn.execute(
        `update partner_events set dispatched_at = ? where id in (${rows.map(() => '?').join(', ')})`,
        [this.clock.now(), ...rows.map((r) => r.id)],
        'run',
        ctx,
      );
      return rows.length;
    });
  }

  /** One attempt: POSTs the signed event; logs it; throws on anything but 2xx so the queue retries. */
  async deliver(job: DeliveryJob): Promise<void> {
    const em = this.forkEm!();
    const endpoint = await em.findOne(WebhookEndpoint, { id: job.endpointId });
    const event = await em.findOne(PartnerEvent, { id: job.eventId });
    if (!endpoint || endpoint.deletedAt || !event) return; // deleted since: nothing to deliver
    const attempt = (await em.count(WebhookDelivery, { endpointId: endpoint.id, eventId: event.id })) + 1;
    const body = JSON.stringify(eventBody(event));
    // real time, not the injectable clock: receivers check the signature's age against theirs
    const t = Math.floor(Date.now() / 1000);
    const started = performance.now();
    let statusCode: number | null = null;
    let error: string | null = null;
    try {
      const res = await fetch(endpoint.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Kaihu-Webhooks/1',
          'kaihu-event-id': event.id,
          'kaihu-event-seq': String(event.seq),
          'kaihu-signature': signatureHeader(this.decrypt(endpoint.secretEnc), t, body),
        },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
      });
      statusCode = res.status;
      await res.arrayBuffer().catch(() => undefined);
      if (res.status < 200 || res.status >= 300) error = `HTTP ${res.status}`;
    } catch (e) {
      const err = e as Error & { cause?: { code?: string } };
      error =
        err.name === 'TimeoutError'
          ? `timeout after ${DELIVERY_TIMEOUT_MS / 1000} s`
          : (err.cause?.code ?? err.message ?? 'network error').slice(0, 200);
    }
    em.create(WebhookDelivery, {
      endpointId: endpoint.id,
      eventId: event.id,
      attempt,
      statusCode,
      error,
      durationMs: Math.round(performance.now() - started),
      ok: error === null,
      at: new Date(),
    });
    await em.flush();
    if (error) {
      this.log?.info(
        { endpointId: endpoint.id, eventId: event.id, attempt, statusCode, error },
        'webhook delivery failed, will retry',
      );
      throw new Error(error);
    }
  }
}
