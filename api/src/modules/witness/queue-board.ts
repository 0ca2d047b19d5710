import type { Logger } from '../../common/logger';
import { TOPICS, type EventBus } from '../../common/pubsub';

/** One branch's queue as every subscriber on this node sees it, loaded once per change. */
export interface BranchSnapshot {
  branchId: string;
  /** ticket id → place among the WAITING entries (0 = head) */
  order: ReadonlyMap<string, number>;
  waiting: number;
  /** mean length of the branch's recent witnesses */
  secondsPerWitness: number;
  /** agents of the branch online now (at least 1 for the estimate) */
  agents: number;
}

const SLICE = 1000;

/** Called with each new snapshot and the tickets whose entries changed state since the last one. */
export type BoardListener = (snapshot: BranchSnapshot, touched: ReadonlySet<string>) => void;

interface Watch {
  listeners: Set<BoardListener>;
  snapshot: BranchSnapshot | null;
  first: Promise<BranchSnapshot>;
  touched: Set<string>;
  running: boolean;
  dirty: boolean;
  lastRunAt: number;
  /** how long the last round took, loading and telling every subscriber */
  lastRoundMs: number;
  events: AsyncIterator<Record<string, unknown>>;
}

/**
 * The queue board of one node: for each branch that has subscribers here, it loads the queue once
 * per change (one query for the order, whatever the number of subscribers) and hands the snapshot
 * to every subscriber, which derives its own position in memory. Changes that arrive while a load
 * runs, or within `minIntervalMs` of the last one (or 1.5 times the last round's length, for very large
 * queues), are coalesced into the next load, so a burst of claims costs one load and one push per
 * subscriber, not one per claim.
 */
export class QueueBoard {
  private readonly watches = new Map<string, Watch>();
  private closed = false;

  constructor(
    private readonly bus: EventBus,
    private readonly load: (branchId: string) => Promise<BranchSnapshot>,
    private readonly log: Logger,
    private readonly minIntervalMs: number,
  ) {}

  /** Starts receiving snapshots of the branch; resolves with the current one. */
  async watch(branchId: string, listener: BoardListener): Promise<{ snapshot: BranchSnapshot; unwatch: () => void }> {
    let w = this.watches.get(branchId);
    if (!w) w = this.open(branchId);
    w.listeners.add(listener);
    const watch = w;
    const unwatch = () => {
      watch.listeners.delete(listener);
      if (watch.listeners.size === 0 && this.watches.get(branchId) === watch) {
        this.watches.delete(branchId);
        void watch.events.return?.();
      }
    };
    try {
      return { snapshot: w.snapshot ?? (await w.first), unwatch };
    } catch (e) {
      unwatch();
      throw e;
    }
  }

  /** Branches watched on this node and their subscriber counts (for stats and tests). */
  stats(): Record<string, number> {
    return Object.fromEntries([...this.watches].map(([id, w]) => [id, w.listeners.size]));
  }

  close(): void {
    this.closed = true;
    for (const w of this.watches.values()) void w.events.return?.();
    this.watches.clear();
  }

  private open(branchId: string): Watch {
    const events = this.bus.subscribe(TOPICS.QUEUE_CHANGED, branchId)[Symbol.asyncIterator]();
    const w: Watch = {
      listeners: new Set(),
      snapshot: null,
      first: Promise.resolve(null as never),
      touched: new Set(),
      running: false,
      dirty: false,
      lastRunAt: 0,
      lastRoundMs: 0,
      events,
    };
    this.watches.set(branchId, w);
    // listen before the first load, so that no change falls between the two
    void (async () => {
      for (;;) {
        const next = await events.next();
        if (next.done || this.closed) return;
        for (const t of (next.value.tickets as string[] | undefined) ?? []) w.touched.add(t);
        this.kick(branchId, w);
      }
    })().catch((err: unknown) => this.log.warn({ err, branchId }, 'queue board: event stream failed'));
    w.first = this.load(branchId).then((s) => {
      w.snapshot ??= s;
      return s;
    });
    w.first.catch(() => {
      if (this.watches.get(branchId) === w && !w.snapshot) {
        this.watches.delete(branchId);
        void events.return?.();
      }
    });
    return w;
  }

  private kick(branchId: string, w: Watch): void {
    if (w.running) {
      w.dirty = true;
      return;
    }
    w.running = true;
    void (async () => {
      try {
        do {
          // rounds start at least minIntervalMs apart, and at least 1.5 times the last round's length
          // apart, so that telling a very large queue never takes more than about two thirds of a core
          const wait = w.lastRunAt + Math.max(this.minIntervalMs, 1.5 * w.lastRoundMs) - Date.now();
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
          w.dirty = false;
          const touched = w.touched;
          w.touched = new Set();
          w.lastRunAt = Date.now();
          const snapshot = await this.load(branchId);
          if (this.closed || this.watches.get(branchId) !== w) return;
          w.snapshot = snapshot;
          // in slices, so that other requests are served while thousands of subscribers are told
          const listeners = [...w.listeners];
          for (let i = 0; i < listeners.length; i += SLICE) {
            if (i) await new Promise((r) => setImmediate(r));
            for (const l of listeners.slice(i, i + SLICE)) {
              if (!w.listeners.has(l)) continue;
              try {
                l(snapshot, touched);
              } catch (err) {
                this.log.warn({ err, branchId }, 'queue board: a subscriber failed');
              }
            }
          }
          w.lastRoundMs = Date.now() - w.lastRunAt;
          this.log.debug({ branchId, ms: w.lastRoundMs, subscribers: listeners.length }, 'queue round');
        } while (w.dirty);
      } catch (err) {
        this.log.warn({ err, branchId }, 'queue board: loading the queue failed');
      } finally {
        w.running = false;
      }
    })();
  }
}

/**
 * Keeps only the newest snapshot for a subscriber that is still busy sending the previous one,
 * and the union of the tickets touched meanwhile.
 */
export class SnapshotMailbox {
  private snapshot: BranchSnapshot | null = null;
  private touched = new Set<string>();
  private wake: (() => void) | null = null;
  private ended = false;

  readonly listener: BoardListener = (snapshot, touched) => {
    this.snapshot = snapshot;
    for (const t of touched) this.touched.add(t);
    this.wake?.();
  };

  end(): void {
    this.ended = true;
    this.wake?.();
  }

  /** The next snapshot, or null once ended. */
  async take(): Promise<{ snapshot: BranchSnapshot; touched: ReadonlySet<string> } | null> {
    while (!this.snapshot && !this.ended) await new Promise<void>((r) => (this.wake = r));
    this.wake = null;
    if (this.ended || !this.snapshot) return null;
    const out = { snapshot: this.snapshot, touched: this.touched };
    this.snapshot = null;
    this.touched = new Set();
    return out;
  }
}
