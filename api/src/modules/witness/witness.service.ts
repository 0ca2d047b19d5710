import type { EntityManager } from '@mikro-orm/postgresql';
import type { DocumentStore } from '@kaihu/plugin-api';
import type { RoomStats, SfuNodeRegistry } from '@kaihu/sfu';
import type { Clock } from '../../common/clock';
import type { Logger } from '../../common/logger';
import { TOPICS, type EventBus } from '../../common/pubsub';
import type { WitnessConfig } from '../../config';
import type { AuthService } from '../auth';
import type { BrokerService } from '../brokers';
import type { DocumentService } from '../documents';
import type { Secrets } from '../platform';
import type { TicketService } from '../tickets';
import { WitnessCalls } from './calls';
import { WitnessPresence } from './presence';
import { QueueBoard } from './queue-board';
import { WitnessQueue } from './queue';
import { WitnessRecordings } from './recordings';
import { WitnessSessions } from './sessions';
import { WitnessSignals } from './signals';

/**
 * The video witness (视频见证), one facade over its five parts:
 * - `queue`: each branch's FIFO queue, positions, the agent's claim of the head;
 * - `sessions`: a claimed call until its end (PASSED, 打回, or ended without an outcome);
 * - `presence`: who is connected, grace periods, the periodic sweep;
 * - `recordings`: the call's recordings, stored, served and expired;
 * - `calls`: the media of the call (SFU rooms, tracks, the agent's snapshot).
 * Every change is published on the event bus (signals.ts) for the live queue, positions and call.
 */
export class WitnessService {
  readonly queue: WitnessQueue;
  readonly sessions: WitnessSessions;
  readonly presence: WitnessPresence;
  readonly recordings: WitnessRecordings;
  readonly calls: WitnessCalls;
  /** This node's live view of the queues it has subscribers for; set by {@link start}. */
  board: QueueBoard | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly subscriptions: AsyncIterator<unknown>[] = [];

  constructor(
    clock: Clock,
    private readonly bus: EventBus,
    deps: {
      tickets: TicketService;
      brokers: BrokerService;
      auth: AuthService;
      documents: DocumentService;
      store: DocumentStore;
      secrets: () => Secrets;
      sfuNodes: SfuNodeRegistry;
    },
    readonly config: WitnessConfig,
  ) {
    const signals = new WitnessSignals(bus);
    this.queue = new WitnessQueue(clock, signals, deps);
    this.calls = new WitnessCalls(bus, config, deps);
    this.recordings = new WitnessRecordings(clock, config, this.calls, deps);
    this.sessions = new WitnessSessions(clock, signals, this.recordings, deps);
    this.presence = new WitnessPresence(clock, config, signals, this, deps);
  }

  /**
   * Starts this node's media, queue board and the periodic sweep of grace periods. Parties who were
   * connected to a node that stopped without telling (a crash, a kill) get their grace period from
   * now: whoever is still connected elsewhere is healed by that node at once.
   */
  async start(forkEm: () => EntityManager, log: Logger): Promise<void> {
    this.recordings.log = this.sessions.log = this.presence.log = log;
    this.calls.start(forkEm, log, (sessionId, recording, rooms) => {
      log.warn({ sessionId }, 'witness media: the call was lost with its mediasoup worker');
      void this.sessions
        .mediaLost(forkEm(), sessionId, recording, rooms)
        .catch((err: unknown) => log.error({ err, sessionId }, 'witness media: ending a lost call failed'));
    });
    if (this.config.sfuMode === 'embedded')
      void this.recordings
        .adoptRecordings(forkEm())
        .catch((err: unknown) => log.error({ err }, 'witness media: adopting recordings failed'));
    // with the embedded SFU on several API nodes, the node that has a session's room closes it
    this.listen(TOPICS.WITNESS_ENDED, async (e) => {
      const local = this.calls.media?.embeddedRooms();
      if (local)
        await this.recordings
          .closeRoom(forkEm(), String(e.id), local)
          .catch((err: unknown) => log.warn({ err, sessionId: e.id }, 'witness media: closing a room failed'));
    });
    this.board = new QueueBoard(
      this.bus,
      (branchId) => this.queue.snapshot(forkEm(), branchId),
      log,
      this.config.pushIntervalMs,
    );
    await this.presence.markAllGone(forkEm());
    // …and asks the other nodes to heal their parties now rather than at their next sweep
    this.listen(TOPICS.WITNESS_PRESENCE, () =>
      this.presence.heal(forkEm()).catch((err: unknown) => log.warn({ err }, 'witness presence heal failed')),
    );
    this.bus.publish(TOPICS.WITNESS_PRESENCE, 'all', {});
    this.timer = setInterval(() => {
      this.sweep(forkEm()).catch((err: unknown) => log.warn({ err }, 'witness sweep failed'));
    }, this.config.sweepMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const s of this.subscriptions.splice(0)) void s.return?.();
    this.board?.close();
    await this.calls.stop();
  }

  /** Applies the grace periods now (the timer does it every `sweepMs`). */
  sweep(em: EntityManager): Promise<{ left: number; ended: number }> {
    return this.presence.sweep(em);
  }

  /** The media of this node (stats for tests and /healthz): the embedded SFU's rooms, or nothing with remote SFUs. */
  async mediaStats(): Promise<RoomStats & { roomIds: string[] }> {
    const local = this.calls.media?.embeddedRooms();
    if (!local) return { rooms: 0, transports: 0, recordings: 0, workers: [], roomIds: [] };
    return { ...(await local.stats()), roomIds: await local.roomIds() };
  }

  private listen(topic: string, handle: (payload: Record<string, unknown>) => Promise<unknown>): void {
    const events = this.bus.subscribe(topic, 'all')[Symbol.asyncIterator]();
    this.subscriptions.push(events);
    void (async () => {
      for (let e = await events.next(); !e.done; e = await events.next()) await handle(e.value);
    })();
  }
}
