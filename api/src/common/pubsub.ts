import { createHash } from 'node:crypto';
import { createPubSub } from '@graphql-yoga/subscription';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import type { PubSub } from 'type-graphql';
import type { Logger } from './logger';

/**
 * Kaihu's event bus for subscriptions: `publish(topic, id, payload)` and `subscribe(topic, id)`.
 * Payloads are small JSON values (ids), so that a cross-node transport can carry them;
 * subscribers reload what they show. Three transports, chosen by configuration:
 * - Redis pub/sub when `REDIS_URL` is set;
 * - PostgreSQL LISTEN/NOTIFY when `DATABASE_URL` is set;
 * - in-process for the embedded PGlite (one process by construction).
 * Every node delivers what any node publishes, itself included, exactly once.
 */
export interface EventBus extends PubSub {
  readonly transport: 'in-process' | 'postgresql' | 'redis';
  publish(topic: string, id: string, payload: Record<string, unknown>): void;
  subscribe(topic: string, id: string): AsyncIterable<Record<string, unknown>>;
  /** Resolves once the transport listens (subscribers on other nodes then see our events). */
  ready(): Promise<void>;
  close(): Promise<void>;
}

export const TOPICS = {
  /** id = ticket id; payload { id } */
  TICKET_UPDATED: 'TICKET_UPDATED',
  /** id = branch id; payload { branchId, tickets }: a witness queue changed (join, leave, claim, end, (dis)connect) and whose entries */
  QUEUE_CHANGED: 'QUEUE_CHANGED',
  /** id = witness session id; payload { id }: the session changed (ended, a party (dis)connected) */
  WITNESS_SESSION: 'WITNESS_SESSION',
  /** id = 'all'; a node started and marked every witness party disconnected: the others heal theirs */
  WITNESS_PRESENCE: 'WITNESS_PRESENCE',
  /** id = 'all'; payload { id }: a witness session ended; every node closes its router for it */
  WITNESS_ENDED: 'WITNESS_ENDED',
  /** id = witness session id; payload { type, producer }: the call's media changed (delivered on the node that hears it from the SFU) */
  WITNESS_MEDIA: 'WITNESS_MEDIA',
  /** id = witness session id; payload { type: PARTY_LEFT | PARTY_RETURNED | ENDED, party?, endReason? }: across nodes */
  WITNESS_PARTY: 'WITNESS_PARTY',
  /** id = 'all'; payload { sessionId }: a session ended (logout, revoked by an admin): every node closes its sockets of it */
  SESSION_ENDED: 'SESSION_ENDED',
  /** id = broker id; payload { seq }: partner events up to seq were committed (subscribers read them from the database) */
  PARTNER_EVENT: 'PARTNER_EVENT',
} as const;

interface Envelope {
  t: string;
  i: string;
  p: Record<string, unknown>;
}

type Local = ReturnType<typeof createPubSub>;

function localBus(): Local {
  return createPubSub();
}

function deliver(local: Local, raw: string, log: Logger): void {
  try {
    const e = JSON.parse(raw) as Envelope;
    (local.publish as (topic: string, id: string, payload: unknown) => void)(e.t, e.i, e.p);
  } catch (err) {
    log.warn({ err }, 'event bus: unreadable message dropped');
  }
}

export function createInProcessBus(): EventBus {
  const local = localBus();
  return {
    transport: 'in-process',
    publish: (topic, id, payload) => (local.publish as (t: string, i: string, p: unknown) => void)(topic, id, payload),
    subscribe: (topic, id) =>
      (local.subscribe as (t: string, i: string) => AsyncIterable<Record<string, unknown>>)(topic, id),
    ready: async () => {},
    close: async () => {},
  };
}

/** The channel of a deployment: every node on the same database shares it. */
export function channelFor(databaseUrl: string): string {
  const u = new URL(databaseUrl);
  return `kaihu_events_${createHash('sha256').update(`${u.host}${u.pathname}`).digest('hex').slice(0, 12)}`;
}

const RECONNECT_MS = [100, 500, 1000, 2000, 5000];

/**
 * PostgreSQL LISTEN/NOTIFY: one dedicated connection listens (and reconnects with backoff when it
 * drops); NOTIFY goes out on a short-lived query of the same connection.
 */
export function createPostgresBus(databaseUrl: string, log: Logger): EventBus {
  const local = localBus();
  const channel = channelFor(databaseUrl);
  let client: Client | null = null;
  let closed = false;
  let attempt = 0;
  let readyResolve: () => void;
  let listening = new Promise<void>((r) => (readyResolve = r));

  const connect = async (): Promise<void> => {
    const c = new Client({ connectionString: databaseUrl, application_name: 'kaihu-events' });
    c.on('notification', (msg) => {
      if (msg.channel === channel && msg.payload) deliver(local, msg.payload, log);
    });
    c.on('error', (err) => log.warn({ err }, 'event bus: PostgreSQL listener error'));
    c.on('end', () => {
      if (closed) return;
      client = null;
      listening = new Promise<void>((r) => (readyResolve = r));
      const wait = RECONNECT_MS[Math.min(attempt++, RECONNECT_MS.length - 1)]!;
      log.warn({ wait }, 'event bus: PostgreSQL listener lost, reconnecting');
      setTimeout(() => void connect().catch(() => c.emit('end')), wait).unref();
    });
    await c.connect();
    await c.query(`listen ${channel}`);
    client = c;
    attempt = 0;
    readyResolve();
  };
  const started = connect();

  return {
    transport: 'postgresql',
    publish(topic, id, payload) {
      const body = JSON.stringify({ t: topic, i: id, p: payload } satisfies Envelope);
      void listening
        .then(() => client!.query('select pg_notify($1, $2)', [channel, body]))
        .catch((err) => log.error({ err, topic }, 'event bus: NOTIFY failed'));
    },
    subscribe: (topic, id) =>
      (local.subscribe as (t: string, i: string) => AsyncIterable<Record<string, unknown>>)(topic, id),
    ready: () => started.then(() => listening),
    async close() {
      closed = true;
      await client?.end().catch(() => {});
    },
  };
}

/** Redis pub/sub: one subscriber connection and one publisher connection. */
export function createRedisBus(redisUrl: string, channelKey: string, log: Logger): EventBus {
  const local = localBus();
  const channel = `kaihu:events:${channelKey}`;
  const sub = new Redis(redisUrl, { lazyConnect: false, maxRetriesPerRequest: null });
  const pub = new Redis(redisUrl, { lazyConnect: false });
  sub.on('error', (err) => log.warn({ err }, 'event bus: Redis subscriber error'));
  pub.on('error', (err) => log.warn({ err }, 'event bus: Redis publisher error'));
  sub.on('message', (ch: string, raw: string) => {
    if (ch === channel) deliver(local, raw, log);
  });
  const subscribed = sub.subscribe(channel);
  return {
    transport: 'redis',
    publish(topic, id, payload) {
      pub
        .publish(channel, JSON.stringify({ t: topic, i: id, p: payload } satisfies Envelope))
        .catch((err) => log.error({ err, topic }, 'event bus: PUBLISH failed'));
    },
    subscribe: (topic, id) =>
      (local.subscribe as (t: string, i: string) => AsyncIterable<Record<string, unknown>>)(topic, id),
    ready: async () => {
      await subscribed;
    },
    async close() {
      sub.disconnect();
      await pub.quit().catch(() => pub.disconnect());
    },
  };
}

/** The bus a deployment uses: Redis if configured, else PostgreSQL, else in-process. */
export function createEventBus(config: { redisUrl: string | null; databaseUrl: string | null }, log: Logger): EventBus {
  if (config.redisUrl)
    return createRedisBus(config.redisUrl, config.databaseUrl ? channelFor(config.databaseUrl) : 'embedded', log);
  if (config.databaseUrl) return createPostgresBus(config.databaseUrl, log);
  return createInProcessBus();
}
