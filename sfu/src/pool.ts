import { EventEmitter } from 'node:events';
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';

import { createWorker } from 'mediasoup';
import type { types } from 'mediasoup';

import { DEFAULT_MEDIA_CODECS } from './codecs';
import { resolveWorkerBin } from './worker-bin';

/** The subset of a pino logger the pool writes to. */
export interface PoolLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** Options of {@link createWorkerPool}. Everything is optional. */
export interface WorkerPoolOptions {
  /** How many mediasoup workers (processes) to run; default one per CPU core. */
  workers?: number;
  /** The worker binary; default: see {@link resolveWorkerBin}. */
  workerBin?: string;
  /** Lowest UDP/TCP port for media (mediasoup's default 10000). */
  rtcMinPort?: number;
  /** Highest UDP/TCP port for media (mediasoup's default 59999). */
  rtcMaxPort?: number;
  /** The workers' own log level (written through mediasoup's `debug` logger); default `warn`. */
  logLevel?: types.WorkerLogLevel;
  /** Where the pool logs worker starts, deaths and restarts; default nowhere. */
  logger?: PoolLogger;
  /** The routers' codecs; default {@link DEFAULT_MEDIA_CODECS} (opus, VP8, H264). */
  mediaCodecs?: types.RouterRtpCodecCapability[];
  /** Called when a router is lost because its worker died or was closed (same as the `routerLost` event). */
  onRouterLost?: (key: string, error: Error) => void;
  /** Delay before the second and later attempts to restart a dead worker, doubled up to 30 s; default 1000 ms. */
  restartDelayMs?: number;
}

/** One live worker in {@link WorkerPool.stats}. */
export interface WorkerStats {
  /** The worker's slot in the pool (0 … workers − 1); a restarted worker keeps its slot. */
  index: number;
  pid: number;
  /** Routers on this worker (including ones being created). */
  routers: number;
  /** Transports on those routers. */
  transports: number;
  /** `getrusage` of the worker process (CPU times in ms, max RSS in KiB). */
  resourceUsage: types.WorkerResourceUsage;
}

/** Events of a {@link WorkerPool}. */
export interface WorkerPoolEvents {
  /**
   * The router for `key` is gone because its worker died (or was closed outside the pool): tell
   * the parties of that call; a later `routerFor(key)` creates a new router on a live worker.
   */
  routerLost: [key: string, error: Error];
  /** A dead worker was replaced by a new process in the same slot. */
  workerRestarted: [info: { index: number; pid: number; previousPid: number }];
}

/**
 * A fixed number of mediasoup workers and one router per key (e.g. per witness session), placed
 * on the least-loaded worker. Create it with {@link createWorkerPool}.
 */
export interface WorkerPool extends EventEmitter<WorkerPoolEvents> {
  /** The number of worker slots. */
  readonly size: number;
  /** The worker binary in use. */
  readonly workerBin: string;
  /**
   * The router for `key`: the existing one, or a new one on the least-loaded live worker (load =
   * routers + transports). Concurrent calls for one key share one router.
   *
   * @throws when the pool is closed, or no worker is alive (all are being restarted).
   */
  routerFor(key: string): Promise<types.Router>;
  /** Closes the router for `key` (its transports, producers and consumers too); `false` if there was none. */
  closeRouter(key: string): boolean;
  /** The pid of the worker holding the router for `key`, if there is one. */
  pidOf(key: string): number | undefined;
  /** Keys that currently have a router (or one being created). */
  keys(): string[];
  /** Load and resource usage of every live worker (a worker being restarted is left out). */
  stats(): Promise<WorkerStats[]>;
  /** Closes every router and worker and waits until the worker processes have exited. */
  close(): Promise<void>;
}

interface Slot {
  readonly index: number;
  readonly worker: types.Worker;
  routers: number;
  transports: number;
}

interface Entry {
  readonly key: string;
  readonly slot: Slot;
  readonly promise: Promise<types.Router>;
  router?: types.Router;
  /** `closeRouter()` or `close()` asked for it to go: not a loss. */
  closing: boolean;
}

const noopLogger: PoolLogger = { info() {}, warn() {}, error() {} };

/** How long {@link WorkerPool.close} waits for a worker process to exit before SIGKILL. */
const EXIT_TIMEOUT_MS = 3000;

class MediasoupWorkerPool extends EventEmitter<WorkerPoolEvents> implements WorkerPool {
  readonly size: number;
  readonly workerBin: string;
  private readonly slots: (Slot | undefined)[];
  private readonly entries = new Map<string, Entry>();
  private readonly spawning = new Set<Promise<Slot>>();
  private readonly logger: PoolLogger;
  private readonly mediaCodecs: types.RouterRtpCodecCapability[];
  private readonly restartDelayMs: number;
  private readonly stopRestarts = new AbortController();
  private closed = false;
  private closing?: Promise<void>;

  constructor(
    private readonly options: WorkerPoolOptions,
    workerBin: string,
    size: number,
  ) {
    super();
    this.size = size;
    this.workerBin = workerBin;
    this.slots = new Array<Slot | undefined>(size).fill(undefined);
    this.logger = options.logger ?? noopLogger;
    this.mediaCodecs = options.mediaCodecs ?? DEFAULT_MEDIA_CODECS;
    this.restartDelayMs = options.restartDelayMs ?? 1000;
    if (options.onRouterLost) this.on('routerLost', options.onRouterLost);
  }

  async start(): Promise<void> {
    const started = await Promise.allSettled(this.slots.map((_, index) => this.spawn(index)));
    const failure = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure) {
      await this.close();
      throw failure.reason;
    }
    for (const r of started) if (r.status === 'fulfilled') this.slots[r.value.index] = r.value;
  }

  private spawn(index: number): Promise<Slot> {
    const spawned = (async (): Promise<Slot> => {
      const worker = await createWorker({
        workerBin: this.workerBin,
        logLevel: this.options.logLevel ?? 'warn',
        rtcMinPort: this.options.rtcMinPort,
        rtcMaxPort: this.options.rtcMaxPort,
        appData: { index },
      });
      const slot: Slot = { index, worker, routers: 0, transports: 0 };
      worker.once('died', (error) => this.onWorkerDied(slot, error));
      worker.observer.once('close', () => {
        if (!worker.died && !this.closed) {
          // Closed outside the pool (mediasoup closes its workers on SIGINT/SIGTERM): the process
          // is going away, so don't restart.
          this.logger.warn({ index, pid: worker.pid }, 'mediasoup worker closed outside the pool');
          if (this.slots[index] === slot) this.slots[index] = undefined;
        }
      });
      this.logger.info({ index, pid: worker.pid }, 'mediasoup worker started');
      return slot;
    })();
    this.spawning.add(spawned);
    const forget = () => this.spawning.delete(spawned);
    spawned.then(forget, forget);
    return spawned;
  }

  private onWorkerDied(slot: Slot, error: Error): void {
    this.logger.error({ index: slot.index, pid: slot.worker.pid, err: error }, 'mediasoup worker died');
    if (this.slots[slot.index] === slot) this.slots[slot.index] = undefined;
    if (!this.closed) void this.restart(slot);
  }

  private async restart(dead: Slot): Promise<void> {
    for (let attempt = 0; !this.closed; attempt++) {
      if (attempt > 0) {
        const delay = Math.min(this.restartDelayMs * 2 ** (attempt - 1), 30_000);
        try {
          await sleep(delay, undefined, { signal: this.stopRestarts.signal, ref: false });
        } catch {
          return; // the pool was closed
        }
      }
      try {
        const slot = await this.spawn(dead.index);
        if (this.closed) {
          await closeWorker(slot.worker);
          return;
        }
        this.slots[dead.index] = slot;
        this.logger.info(
          { index: dead.index, pid: slot.worker.pid, previousPid: dead.worker.pid },
          'mediasoup worker restarted',
        );
        this.emit('workerRestarted', { index: dead.index, pid: slot.worker.pid, previousPid: dead.worker.pid });
        return;
      } catch (err) {
        this.logger.error({ index: dead.index, attempt, err }, 'mediasoup worker restart failed');
      }
    }
  }

  private leastLoaded(): Slot | undefined {
    let best: Slot | undefined;
    for (const slot of this.slots) {
      if (!slot || slot.worker.closed) continue;
      if (
        !best ||
        slot.routers + slot.transports < best.routers + best.transports ||
        (slot.routers + slot.transports === best.routers + best.transports && slot.routers < best.routers)
      ) {
        best = slot;
      }
    }
    return best;
  }

  routerFor(key: string): Promise<types.Router> {
    if (this.closed) return Promise.reject(new Error('the mediasoup worker pool is closed'));
    const existing = this.entries.get(key);
    if (existing) return existing.promise;
    const slot = this.leastLoaded();
    if (!slot) return Promise.reject(new Error('no mediasoup worker is alive (restarting)'));
    slot.routers++; // counted at once, so that concurrent calls spread over the workers
    const entry: Entry = {
      key,
      slot,
      closing: false,
      promise: this.createRouter(key, slot, () => entry),
    };
    this.entries.set(key, entry);
    return entry.promise;
  }

  private async createRouter(key: string, slot: Slot, entryOf: () => Entry): Promise<types.Router> {
    let router: types.Router;
    try {
      router = await slot.worker.createRouter({ mediaCodecs: this.mediaCodecs, appData: { key } });
    } catch (err) {
      slot.routers--;
      if (this.entries.get(key) === entryOf()) this.entries.delete(key);
      throw err;
    }
    const entry = entryOf();
    entry.router = router;
    router.observer.on('newtransport', (transport) => {
      slot.transports++;
      transport.observer.once('close', () => slot.transports--);
    });
    router.observer.once('close', () => {
      slot.routers--;
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    router.once('workerclose', () => {
      if (entry.closing || this.closed) return;
      const error = new Error(`mediasoup worker ${slot.worker.pid} ${slot.worker.died ? 'died' : 'was closed'}`);
      this.logger.warn({ key, pid: slot.worker.pid }, 'mediasoup router lost with its worker');
      this.emit('routerLost', key, error);
    });
    if (entry.closing) {
      router.close();
      throw new Error(`the router for ${key} was closed before it was ready`);
    }
    return router;
  }

  closeRouter(key: string): boolean {
    const entry = this.entries.get(key);
    if (!entry) return false;
    entry.closing = true;
    this.entries.delete(key);
    entry.router?.close();
    return true;
  }

  pidOf(key: string): number | undefined {
    return this.entries.get(key)?.slot.worker.pid;
  }

  keys(): string[] {
    return [...this.entries.keys()];
  }

  async stats(): Promise<WorkerStats[]> {
    const live = this.slots.filter((s): s is Slot => !!s && !s.worker.closed);
    const stats = await Promise.allSettled(
      live.map(async (slot) => ({
        index: slot.index,
        pid: slot.worker.pid,
        routers: slot.routers,
        transports: slot.transports,
        resourceUsage: await slot.worker.getResourceUsage(),
      })),
    );
    // A worker that dies while answering is left out, as if it had died just before.
    return stats.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  }

  close(): Promise<void> {
    this.closing ??= this.doClose();
    return this.closing;
  }

  private async doClose(): Promise<void> {
    this.closed = true;
    this.stopRestarts.abort();
    for (const entry of this.entries.values()) entry.closing = true;
    this.entries.clear();
    const spawned = await Promise.allSettled([...this.spawning]);
    const workers = new Set<types.Worker>();
    for (const slot of this.slots) if (slot) workers.add(slot.worker);
    for (const r of spawned) if (r.status === 'fulfilled') workers.add(r.value.worker);
    this.slots.fill(undefined);
    await Promise.all([...workers].map(closeWorker));
    this.logger.info({ workers: workers.size }, 'mediasoup worker pool closed');
  }
}

/** Closes a worker and waits for its process to exit (SIGKILL after {@link EXIT_TIMEOUT_MS}). */
async function closeWorker(worker: types.Worker): Promise<void> {
  if (worker.subprocessClosed) return;
  const exited = new Promise<void>((resolve) => worker.once('subprocessclose', resolve));
  worker.close();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(true), EXIT_TIMEOUT_MS);
  });
  const late = await Promise.race([exited.then(() => false), timedOut]);
  clearTimeout(timer);
  if (late) {
    try {
      process.kill(worker.pid, 'SIGKILL');
    } catch {
      // already gone
    }
    await exited;
  }
}

/**
 * Starts `workers` mediasoup workers (default: one per CPU core) and returns the pool once all
 * are running. A worker that dies is restarted in its slot; the routers it held are reported
 * through `routerLost` / `onRouterLost`.
 *
 * @throws {@link WorkerBinaryMissingError} when the worker binary is not built, or the error of
 *   the first worker that failed to start (the others are closed again).
 */
export async function createWorkerPool(options: WorkerPoolOptions = {}): Promise<WorkerPool> {
  const size = options.workers ?? os.cpus().length;
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`workers must be a positive integer, got ${size}`);
  const pool = new MediasoupWorkerPool(options, resolveWorkerBin(options.workerBin), size);
  await pool.start();
  return pool;
}
