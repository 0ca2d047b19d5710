import { createHash } from 'node:crypto';
import PgBoss from 'pg-boss';
import type { Logger } from '../../common/logger';

/** One webhook delivery: an event to one endpoint. */
export interface DeliveryJob {
  eventId: string;
  endpointId: string;
}

/** Delivers once; throws to have the job retried (non-2xx, timeout, network error). */
export type DeliveryHandler = (job: DeliveryJob) => Promise<void>;

export interface RetryPolicy {
  /** retries after the first attempt */
  retryLimit: number;
  /** seconds; with backoff the n-th retry waits delay·2^(n-1) to twice that */
  retryDelaySeconds: number;
}

/** Where webhook deliveries wait and are retried. */
export interface DeliveryQueue {
  readonly kind: 'pg-boss' | 'in-process';
  start(handler: DeliveryHandler): Promise<void>;
  /** Idempotent per (event, endpoint): queuing the same pair twice delivers once. */
  enqueue(jobs: DeliveryJob[]): Promise<void>;
  stop(): Promise<void>;
}

export const WEBHOOK_QUEUE = 'kaihu-partner-webhook';
const WORKERS = 4;

/** A stable job id per (event, endpoint), so that a repeated dispatch inserts nothing new. */
export function jobId(job: DeliveryJob): string {
  const h = createHash('sha256').update(`${job.eventId}|${job.endpointId}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** pg-boss's own backoff (retry n ≥ 1): delay·2^(n-1)·(1 + random), in seconds. */
export function backoffSeconds(policy: RetryPolicy, retry: number): number {
  const base = (policy.retryDelaySeconds * 2 ** Math.min(16, retry)) / 2;
  return base + base * Math.random();
}

/**
 * PostgreSQL: pg-boss 10 in its own schema (`pgboss`), with its own small pool. Jobs survive
 * restarts; any API node's workers take them (`SKIP LOCKED`).
 */
export class PgBossQueue implements DeliveryQueue {
  readonly kind = 'pg-boss' as const;
  private boss: PgBoss;
  private workerIds: string[] = [];

  constructor(
    databaseUrl: string,
    private readonly policy: RetryPolicy,
    private readonly log: Logger,
  ) {
    this.boss = new PgBoss({
      connectionString: databaseUrl,
      max: 3,
      application_name: 'kaihu-webhooks',
      schedule: false,
    });
    this.boss.on('error', (err: Error) => this.log.warn({ err }, 'webhook queue (pg-boss) error'));
  }

  async start(handler: DeliveryHandler): Promise<void> {
    await this.boss.start();
    const options = {
      name: WEBHOOK_QUEUE,
      retryLimit: this.policy.retryLimit,
      retryDelay: this.policy.retryDelaySeconds,
      retryBackoff: true,
      expireInSeconds: 60,
    };
    if (await this.boss.getQueue(WEBHOOK_QUEUE)) await this.boss.updateQueue(WEBHOOK_QUEUE, options);
    else
      await this.boss.createQueue(WEBHOOK_QUEUE, options).catch(async (e: unknown) => {
        // another node created it at the same moment
        if (!(await this.boss.getQueue(WEBHOOK_QUEUE))) throw e;
      });
    for (let i = 0; i < WORKERS; i++) {
      this.workerIds.push(
        await this.boss.work<DeliveryJob>(
          WEBHOOK_QUEUE,
          { batchSize: 1, pollingIntervalSeconds: 0.5 },
          async ([job]) => {
            if (job) await handler(job.data);
          },
        ),
      );
    }
  }

  async enqueue(jobs: DeliveryJob[]): Promise<void> {
    if (!jobs.length) return;
    await this.boss.insert(jobs.map((data) => ({ id: jobId(data), name: WEBHOOK_QUEUE, data })));
    for (const id of this.workerIds) this.boss.notifyWorker(id);
  }

  async stop(): Promise<void> {
    await this.boss.stop({ graceful: true, wait: true, timeout: 5000 });
  }
}

/**
 * Embedded PGlite: an in-process retry loop with the same policy. PGlite is one connection shared
 * with the ORM, and pg-boss would run its own BEGIN…COMMIT on it, interleaved with the ORM's
 * transactions; with one process there is nobody to share a queue with anyway. Retries that are
 * pending when the process stops are not resumed (the delivery log shows the last attempt).
 */
export class InProcessQueue implements DeliveryQueue {
  readonly kind = 'in-process' as const;
  private handler: DeliveryHandler | null = null;
  private readonly known = new Set<string>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly running = new Set<Promise<void>>();
  private stopped = false;

  constructor(
    private readonly policy: RetryPolicy,
    private readonly log: Logger,
  ) {}

  async start(handler: DeliveryHandler): Promise<void> {
    this.handler = handler;
  }

  async enqueue(jobs: DeliveryJob[]): Promise<void> {
    for (const job of jobs) {
      const id = jobId(job);
      if (this.known.has(id)) continue;
      this.known.add(id);
      this.schedule(job, id, 0, 0);
    }
  }

  private schedule(job: DeliveryJob, id: string, retry: number, delayMs: number): void {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      const run = (async () => {
        try {
          await this.handler!(job);
          this.known.delete(id);
        } catch (err) {
          if (retry < this.policy.retryLimit)
            this.schedule(job, id, retry + 1, backoffSeconds(this.policy, retry + 1) * 1000);
          else {
            this.known.delete(id);
            this.log.warn(
              { err, eventId: job.eventId, endpointId: job.endpointId },
              'webhook delivery failed for good',
            );
          }
        }
      })();
      this.running.add(run);
      void run.finally(() => this.running.delete(run));
    }, delayMs);
    timer.unref();
    this.timers.add(timer);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await Promise.allSettled([...this.running]);
  }
}

/** pg-boss on PostgreSQL; the in-process loop on the embedded PGlite. */
export function createDeliveryQueue(
  config: { databaseUrl: string | null; webhooks: RetryPolicy },
  log: Logger,
): DeliveryQueue {
  const policy = { retryLimit: config.webhooks.retryLimit, retryDelaySeconds: config.webhooks.retryDelaySeconds };
  return config.databaseUrl ? new PgBossQueue(config.databaseUrl, policy, log) : new InProcessQueue(policy, log);
}
