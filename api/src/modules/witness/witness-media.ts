import { createWorkerPool, WorkerBinaryMissingError, type WorkerPool } from '@kaihu/sfu';
import type { mediasoupTypes as types } from '@kaihu/sfu';
import { ErrorCode, KaihuError } from '../../common/errors';
import type { Logger } from '../../common/logger';
import { TOPICS, type EventBus } from '../../common/pubsub';

/**
 * The witness call's media side in the API process (the embedded SFU): one mediasoup router per
 * witness session, on the least-loaded worker of a pool that starts on first use. When a session
 * ends anywhere, every node closes its router for it. Until the SFU runs as its own service,
 * both parties of a call must reach the same API node.
 */
/** Who of the call a transport, producer or consumer belongs to. */
export type Party = 'CUSTOMER' | 'AGENT';

interface Room {
  transports: Map<string, { transport: types.WebRtcTransport; party: Party }>;
  producers: Map<string, { producer: types.Producer; party: Party }>;
  consumers: Map<string, { consumer: types.Consumer; party: Party }>;
}

export interface MediaProducer {
  id: string;
  kind: 'audio' | 'video';
  party: Party;
}

const bad = (message: string) => new KaihuError(ErrorCode.BAD_USER_INPUT, message);

export class WitnessMedia {
  private pool: Promise<WorkerPool> | null = null;
  private readonly rooms = new Map<string, Room>();
  private events: AsyncIterator<Record<string, unknown>> | null = null;

  constructor(
    private readonly bus: EventBus,
    private readonly options: { workers: number | null; log: Logger; onRouterLost: (sessionId: string) => void; listenIp: string; announcedAddress: string | null },
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

  private async router(sessionId: string): Promise<types.Router> {
    try {
      return await (await this.get()).routerFor(sessionId);
    } catch (e) {
      this.options.log.error({ err: e, missingWorker: e instanceof WorkerBinaryMissingError }, 'witness media unavailable');
      throw new KaihuError(ErrorCode.MEDIA_UNAVAILABLE);
    }
  }

  private room(sessionId: string): Room {
    let room = this.rooms.get(sessionId);
    if (!room) {
      room = { transports: new Map(), producers: new Map(), consumers: new Map() };
      this.rooms.set(sessionId, room);
    }
    return room;
  }

  /** The router's RTP capabilities for the session's client devices (creates the router). */
  async rtpCapabilities(sessionId: string): Promise<Record<string, unknown>> {
    return (await this.router(sessionId)).rtpCapabilities as unknown as Record<string, unknown>;
  }

  /** A WebRTC transport of one party (send or receive; the client decides), on the session's router. */
  async createTransport(sessionId: string, party: Party): Promise<{ id: string; iceParameters: unknown; iceCandidates: unknown[]; dtlsParameters: unknown }> {
    const router = await this.router(sessionId);
    const { listenIp, announcedAddress } = this.options;
    const listenInfos = (['udp', 'tcp'] as const).map((protocol) => ({ protocol, ip: listenIp, ...(announcedAddress ? { announcedAddress } : {}) }));
    const transport = await router.createWebRtcTransport({ listenInfos, enableUdp: true, enableTcp: true, preferUdp: true });
    this.room(sessionId).transports.set(transport.id, { transport, party });
    transport.observer.once('close', () => this.rooms.get(sessionId)?.transports.delete(transport.id));
    return { id: transport.id, iceParameters: transport.iceParameters, iceCandidates: transport.iceCandidates, dtlsParameters: transport.dtlsParameters };
  }

  private transportOf(sessionId: string, party: Party, transportId: string): types.WebRtcTransport {
    const t = this.rooms.get(sessionId)?.transports.get(transportId);
    if (!t || t.party !== party) throw new KaihuError(ErrorCode.NOT_FOUND, '媒体通道不存在（请在同一服务节点上重新建立）');
    return t.transport;
  }

  async connectTransport(sessionId: string, party: Party, transportId: string, dtlsParameters: Record<string, unknown>): Promise<void> {
    try {
      await this.transportOf(sessionId, party, transportId).connect({ dtlsParameters: dtlsParameters as unknown as types.DtlsParameters });
    } catch (e) {
      if (e instanceof KaihuError) throw e;
      throw bad(`DTLS 参数无效：${(e as Error).message}`);
    }
  }

  async produce(sessionId: string, party: Party, transportId: string, kind: string, rtpParameters: Record<string, unknown>): Promise<MediaProducer> {
    if (kind !== 'audio' && kind !== 'video') throw bad('kind 只能是 audio 或 video');
    const transport = this.transportOf(sessionId, party, transportId);
    let producer: types.Producer;
    try {
      producer = await transport.produce({ kind, rtpParameters: rtpParameters as unknown as types.RtpParameters, appData: { party } });
    } catch (e) {
      throw bad(`RTP 参数无效：${(e as Error).message}`);
    }
    this.room(sessionId).producers.set(producer.id, { producer, party });
    producer.observer.once('close', () => {
      this.rooms.get(sessionId)?.producers.delete(producer.id);
      this.bus.publish(TOPICS.WITNESS_MEDIA, sessionId, { type: 'PRODUCER_CLOSED', producerId: producer.id, kind, party });
    });
    this.bus.publish(TOPICS.WITNESS_MEDIA, sessionId, { type: 'NEW_PRODUCER', producerId: producer.id, kind, party });
    return { id: producer.id, kind, party };
  }

  /** The session's producers on this node (both parties'). */
  producers(sessionId: string): MediaProducer[] {
    return [...(this.rooms.get(sessionId)?.producers.values() ?? [])].map(({ producer, party }) => ({ id: producer.id, kind: producer.kind, party }));
  }

  /** A consumer of the other party's producer, created paused: the client resumes it once ready. */
  async consume(sessionId: string, party: Party, transportId: string, producerId: string, rtpCapabilities: Record<string, unknown>): Promise<{ id: string; producerId: string; kind: string; rtpParameters: unknown }> {
    const router = await this.router(sessionId);
    const transport = this.transportOf(sessionId, party, transportId);
    const source = this.rooms.get(sessionId)?.producers.get(producerId);
    if (!source) throw new KaihuError(ErrorCode.NOT_FOUND, '对方的音视频不存在');
    const caps = rtpCapabilities as unknown as types.RtpCapabilities;
    if (!router.canConsume({ producerId, rtpCapabilities: caps })) throw bad('终端不支持对方的音视频编码');
    const consumer = await transport.consume({ producerId, rtpCapabilities: caps, paused: true });
    this.room(sessionId).consumers.set(consumer.id, { consumer, party });
    consumer.observer.once('close', () => this.rooms.get(sessionId)?.consumers.delete(consumer.id));
    return { id: consumer.id, producerId, kind: consumer.kind, rtpParameters: consumer.rtpParameters };
  }

  async resumeConsumer(sessionId: string, party: Party, consumerId: string): Promise<void> {
    const c = this.rooms.get(sessionId)?.consumers.get(consumerId);
    if (!c || c.party !== party) throw new KaihuError(ErrorCode.NOT_FOUND, '媒体接收不存在');
    await c.consumer.resume();
  }

  /** The workers' load and resource usage (none before the first call). */
  async workerStats(): Promise<Awaited<ReturnType<WorkerPool['stats']>>> {
    return this.pool ? ((await this.pool.catch(() => null))?.stats() ?? []) : [];
  }

  /** Open transports of this node (leak checks, stats). */
  openTransports(): number {
    let n = 0;
    for (const room of this.rooms.values()) n += room.transports.size;
    return n;
  }

  /** The session ended: every node drops its router for it. */
  ended(sessionId: string): void {
    this.bus.publish(TOPICS.WITNESS_ENDED, 'all', { id: sessionId });
  }

  private async closeLocal(sessionId: string): Promise<void> {
    this.rooms.delete(sessionId);
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
