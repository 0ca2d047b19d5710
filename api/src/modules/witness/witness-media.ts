import { LocalRooms, MediaError, RemoteRooms, type MediaEvent, type MediaRooms, type RecordingInfo } from '@kaihu/sfu';
import { ErrorCode, KaihuError } from '../../common/errors';
import type { Logger } from '../../common/logger';
import { createInProcessBus, TOPICS, type EventBus } from '../../common/pubsub';

/**
 * The witness call's media, wherever it runs: with `KAIHU_SFU=embedded` (the default) in this
 * process ({@link LocalRooms} on a worker pool that starts on the first call); with
 * `KAIHU_SFU=remote` on the SFU service the session was assigned to (`sfu_nodes`, the least
 * loaded when the call began), reached through {@link RemoteRooms}. Room events (tracks coming,
 * going, paused) reach this node's `witnessMedia` subscriptions; a room lost with its worker is
 * reported through `onLost`.
 */
export type Party = 'CUSTOMER' | 'AGENT';

export interface MediaProducer {
  id: string;
  kind: 'audio' | 'video';
  party: Party;
  paused: boolean;
}

export interface WitnessMediaOptions {
  mode: 'embedded' | 'remote';
  secret: string | null;
  workers: number | null;
  log: Logger;
  listenIp: string;
  announcedAddress: string | null;
  recordingDir: string;
  /** remote: the SFU service of the session (assigning one when it has none); null when none is registered. */
  nodeOf: (sessionId: string) => Promise<{ id: string; url: string } | null>;
  /** A room was lost with its worker: end the call and keep what was recorded. */
  onLost: (sessionId: string, recording: RecordingInfo | null, rooms: MediaRooms) => void;
}

/**
 * One iterator of the values of several. When several have a value ready, the earlier iterator
 * in the list goes first (the room's last PRODUCER_CLOSED before the session's ENDED).
 */
export function merge<T>(its: AsyncIterator<T>[]): AsyncIterator<T> {
  type Slot = { promise: Promise<void>; result: IteratorResult<T> | null } | null;
  const pull = (i: number): Slot => {
    const slot: NonNullable<Slot> = { promise: Promise.resolve(), result: null };
    slot.promise = its[i]!.next().then((r) => {
      slot.result = r;
    });
    return slot;
  };
  const slots: Slot[] = its.map((_, i) => pull(i));
  return {
    async next() {
      for (;;) {
        // a tick for values already waiting in the iterators' buffers to land
        await new Promise<void>((r) => setImmediate(r));
        for (let i = 0; i < slots.length; i++) {
          const slot = slots[i];
          if (!slot?.result) continue;
          if (slot.result.done) {
            slots[i] = null;
            continue;
          }
          slots[i] = pull(i);
          return slot.result;
        }
        const live = slots.filter((x): x is NonNullable<Slot> => x !== null);
        if (!live.length) return { done: true, value: undefined };
        await Promise.race(live.map((x) => x.promise));
      }
    },
    async return() {
      await Promise.all(its.map((it) => it.return?.()));
      return { done: true, value: undefined };
    },
  };
}

const toKaihu = (e: unknown): never => {
  if (e instanceof MediaError) {
    if (e.code === 'NOT_FOUND') throw new KaihuError(ErrorCode.NOT_FOUND, e.message);
    if (e.code === 'BAD_INPUT') throw new KaihuError(ErrorCode.BAD_USER_INPUT, e.message);
    throw new KaihuError(ErrorCode.MEDIA_UNAVAILABLE, e.message);
  }
  throw e;
};

export class WitnessMedia {
  private local: LocalRooms | null = null;
  private readonly remotes = new Map<string, RemoteRooms>();
  /** room events for this node's subscriptions */
  private readonly events: EventBus = createInProcessBus();

  constructor(private readonly options: WitnessMediaOptions) {}

  private readonly onEvent = (rooms: MediaRooms) => (e: MediaEvent) => {
    if (e.type === 'ROOM_LOST') this.options.onLost(e.roomId, e.recording, rooms);
    else this.events.publish(TOPICS.WITNESS_MEDIA, e.roomId, { type: e.type, producer: e.producer });
  };

  private embedded(): LocalRooms {
    if (!this.local) {
      const { workers, log, listenIp, announcedAddress, recordingDir } = this.options;
      this.local = new LocalRooms({
        pool: workers ? { workers } : {},
        logger: log,
        listenIp,
        announcedAddress,
        recordingDir,
      });
      this.local.on('event', this.onEvent(this.local));
    }
    return this.local;
  }

  /** The rooms that carry the session's call. */
  async rooms(sessionId: string): Promise<MediaRooms> {
    if (this.options.mode === 'embedded') return this.embedded();
    const node = await this.options.nodeOf(sessionId);
    if (!node) throw new KaihuError(ErrorCode.MEDIA_UNAVAILABLE, '视频服务暂不可用：没有可用的视频服务节点');
    let remote = this.remotes.get(node.url);
    if (!remote) {
      remote = new RemoteRooms(node.url, this.options.secret ?? '', { logger: this.options.log });
      remote.on('event', this.onEvent(remote));
      this.remotes.set(node.url, remote);
    }
    return remote;
  }

  /** Runs a room operation for the session, with room errors as Kaihu errors. */
  async with<T>(sessionId: string, fn: (rooms: MediaRooms) => Promise<T>): Promise<T> {
    const rooms = await this.rooms(sessionId);
    try {
      return await fn(rooms);
    } catch (e) {
      return toKaihu(e);
    }
  }

  /**
   * The session's events for one subscriber: the room's (tracks, from this node's SFU connection)
   * merged with the parties' (left, returned, ended: from the bus, whichever node saw them).
   * Opens the connection to a remote SFU first.
   */
  async subscribe(sessionId: string, bus: EventBus): Promise<AsyncIterator<Record<string, unknown>>> {
    const rooms = await this.rooms(sessionId);
    if (rooms instanceof RemoteRooms) await rooms.open().catch(toKaihu);
    return merge([
      this.events.subscribe(TOPICS.WITNESS_MEDIA, sessionId)[Symbol.asyncIterator](),
      bus.subscribe(TOPICS.WITNESS_PARTY, sessionId)[Symbol.asyncIterator](),
    ]);
  }

  async producers(sessionId: string): Promise<MediaProducer[]> {
    return (await this.with(sessionId, (r) => r.producers(sessionId))) as MediaProducer[];
  }

  /** The embedded SFU (tests and stats); null before the first call or with remote SFUs. */
  embeddedRooms(): LocalRooms | null {
    return this.local;
  }

  async close(): Promise<void> {
    for (const r of this.remotes.values()) await r.shutdown();
    this.remotes.clear();
    const local = this.local;
    this.local = null;
    await local?.shutdown();
  }
}
