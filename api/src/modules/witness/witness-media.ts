import { createWorkerPool, WorkerBinaryMissingError, type WorkerPool } from '@kaihu/sfu';
import { ErrorCode, KaihuError } from '../../common/errors';
import type { Logger } from '../../common/logger';
import { TOPICS, type EventBus } from '../../common/pubsub';

/**
 * The witness call's media side in the API process (the embedded SFU): one mediasoup router per
 * witness session, on the least-loaded worker of a pool that starts on first use. When a session
 * ends anywhere, every node closes its router for it. Until the SFU runs as its own service,
 * both parties of a call must reach the same API node.
 */
export class WitnessMedia {
  private pool: Promise<WorkerPool> | null = null;
  private events: AsyncIterator<Record<string, unknown>> | null = null;

  constructor(
    private readonly bus: EventBus,
    private readonly options: { workers: number | null; log: Logger; onRouterLost: (sessionId: string) => void },
  ) {}

  /** Closes this node's router of every session that ends, wherever it ended. */
  start(): void {
    const events = this.bus.subscribe(TOPICS.WITNESS_ENDED, 'all')[Symbol.asyncIterator]();
    this.events = events;
    void (async () => {
      for (let e = await events.next(); !e.done; e = await events.next()) await this.closeLocal(String(e.value.id));
    })().catch((err: unknown) => this.options.log.warn({ err }, 'witness media: end events failed'));
  }

  private get(): Promise<WorkerPool> {
    this.pool ??= (async () =>
      createWorkerPool({
        ...(this.options.workers ? { workers: this.options.workers } : {}),
        logger: this.options.log,
        onRouterLost: (key) => this.options.onRouterLost(key),
      }))().catch((e: unknown) => {
      this.pool = null;
      throw e;
    });
    return this.pool;
  }

  /** The router's RTP capabilities for the session's client devices (creates the router). */
  async rtpCapabilities(sessionId: string): Promise<Record<string, unknown>> {
    try {
      const router = await (await this.get()).routerFor(sessionId);
      return router.rtpCapabilities as unknown as Record<string, unknown>;
    } catch (e) {
      this.options.log.error({ err: e, missingWorker: e instanceof WorkerBinaryMissingError }, 'witness media unavailable');
      throw new KaihuError(ErrorCode.MEDIA_UNAVAILABLE);
    }
  }

  /** The session ended: every node drops its router for it. */
  ended(sessionId: string): void {
    this.bus.publish(TOPICS.WITNESS_ENDED, 'all', { id: sessionId });
  }

  private async closeLocal(sessionId: string): Promise<void> {
    if (this.pool) (await this.pool.catch(() => null))?.closeRouter(sessionId);
  }

  /** Routers of this node (for tests and stats). */
  async routers(): Promise<string[]> {
    return this.pool ? ((await this.pool.catch(() => null))?.keys() ?? []) : [];
  }

  async close(): Promise<void> {
    void this.events?.return?.();
    const pool = this.pool;
    this.pool = null;
    if (pool) await (await pool.catch(() => null))?.close();
  }
}
