import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';

import type { types } from 'mediasoup';

import { createWorkerPool, type PoolLogger, type WorkerPool, type WorkerPoolOptions, type WorkerStats } from './pool';
import { SessionRecorder, type RecordingResult } from './recorder';
import { SnapshotTimeoutError, captureSnapshot } from './snapshot';

/**
 * Rooms: the media of calls, one mediasoup router per room (a witness session), with its two
 * parties' WebRTC transports, producers and consumers, a recording of everything the parties
 * send, and stills of a party's video. {@link LocalRooms} runs them on a worker pool in this
 * process (the API's embedded SFU, or the SFU service of `sfu/src/server.ts`); the
 * `RemoteRooms` client of `remote.ts` offers the same {@link MediaRooms} over the network.
 */

/** Who of the call a transport, producer or consumer belongs to (e.g. `CUSTOMER`, `AGENT`). */
export type Party = string;

export interface TransportInfo {
  id: string;
  iceParameters: unknown;
  iceCandidates: unknown[];
  dtlsParameters: unknown;
}

export interface ProducerInfo {
  id: string;
  kind: 'audio' | 'video';
  party: Party;
  paused: boolean;
}

export interface ConsumerInfo {
  id: string;
  producerId: string;
  kind: 'audio' | 'video';
  rtpParameters: unknown;
}

/** A finished recording: a file of this SFU, read with {@link MediaRooms.readRecording}. */
export type RecordingInfo = Omit<RecordingResult, 'path'> & { name: string };

/** What happens in a room, for the parties' clients. */
export type MediaEvent =
  | {
      roomId: string;
      type: 'NEW_PRODUCER' | 'PRODUCER_CLOSED' | 'PRODUCER_PAUSED' | 'PRODUCER_RESUMED';
      producer: ProducerInfo;
    }
  /** The room's router is gone with its worker (the worker died); the call must end. `recording` is what was saved until then. */
  | { roomId: string; type: 'ROOM_LOST'; reason: string; recording: RecordingInfo | null };

/** Errors of a room operation, with a stable code and a message for people (Chinese). */
export class MediaError extends Error {
  constructor(
    readonly code: 'NOT_FOUND' | 'BAD_INPUT' | 'UNAVAILABLE',
    message: string,
  ) {
    super(message);
    this.name = 'MediaError';
  }
}

export interface RoomStats {
  rooms: number;
  transports: number;
  recordings: number;
  workers: WorkerStats[];
}

/** The operations of rooms, the same in-process and over the network. */
export interface MediaRooms {
  /** The router's RTP capabilities (opens the room). */
  rtpCapabilities(roomId: string): Promise<Record<string, unknown>>;
  createTransport(roomId: string, party: Party): Promise<TransportInfo>;
  connectTransport(
    roomId: string,
    party: Party,
    transportId: string,
    dtlsParameters: Record<string, unknown>,
  ): Promise<void>;
  /**
   * A track the party sends. A party sends one of each kind: a new one replaces the party's earlier
   * one of that kind (the party reloaded, came back to the call, or made new transports), which
   * closes (PRODUCER_CLOSED) before NEW_PRODUCER of the new one; see {@link consume} for what
   * else goes.
   */
  produce(
    roomId: string,
    party: Party,
    transportId: string,
    kind: string,
    rtpParameters: Record<string, unknown>,
  ): Promise<ProducerInfo>;
  producers(roomId: string): Promise<ProducerInfo[]>;
  /**
   * A consumer of another party's producer, created paused: resume it once the client is ready.
   * A party receives each producer once: a new consumer of it replaces the party's earlier one.
   * A transport left with nothing to carry once its tracks were replaced (the transports of a
   * page that was reloaded or left) closes.
   */
  consume(
    roomId: string,
    party: Party,
    transportId: string,
    producerId: string,
    rtpCapabilities: Record<string, unknown>,
  ): Promise<ConsumerInfo>;
  /** Pauses or resumes one of the party's own producers (camera or microphone off/on) or consumers. */
  pause(roomId: string, party: Party, id: string, paused: boolean): Promise<'producer' | 'consumer'>;
  /**
   * A JPEG of the party's video (a keyframe decoded by ffmpeg). Refused at once, saying why, when
   * the party's video is not there, is paused, or sends nothing just now (the party is reconnecting).
   */
  snapshot(roomId: string, ofParty: Party): Promise<{ jpeg: Buffer; width: number; height: number }>;
  /** Finishes the room's recording now (the room stays open; {@link startRecording} records on). */
  stopRecording(roomId: string): Promise<RecordingInfo | null>;
  startRecording(roomId: string): Promise<void>;
  /** Closes the room (transports, router) and returns its recording, finished. */
  close(roomId: string): Promise<RecordingInfo | null>;
  readRecording(name: string): Promise<NodeJS.ReadableStream>;
  removeRecording(name: string): Promise<void>;
  stats(): Promise<RoomStats>;
  /** Room ids open here. */
  roomIds(): Promise<string[]>;
  on(event: 'event', listener: (e: MediaEvent) => void): unknown;
  off(event: 'event', listener: (e: MediaEvent) => void): unknown;
  shutdown(): Promise<void>;
}

interface Room {
  transports: Map<string, { transport: types.WebRtcTransport; party: Party }>;
  producers: Map<string, { producer: types.Producer; party: Party; transportId: string }>;
  consumers: Map<string, { consumer: types.Consumer; party: Party; transportId: string }>;
  recorder: SessionRecorder | null;
  /** recordings made so far in this room (the name of the next one counts on) */
  recordings: number;
  /** serialises recorder updates */
  recorderQueue: Promise<unknown>;
}

export interface LocalRoomsOptions {
  pool?: WorkerPoolOptions;
  logger?: PoolLogger;
  /** The address transports listen on; default `127.0.0.1`. */
  listenIp?: string;
  /** The address clients are told to send media to, when it differs (NAT, containers). */
  announcedAddress?: string | null;
  /** Where recordings are written; none (no recording) when unset. */
  recordingDir?: string | null;
  ffmpegPath?: string;
  ffprobePath?: string;
}

const NAME = /^[A-Za-z0-9_.-]{1,128}$/;
const NO_TRACK = '该音视频不存在或不属于您';

/**
 * A pause or resume that the worker refuses because the track closed meanwhile (its producer was
 * replaced a moment ago: the party came back) is NOT_FOUND, as when it was gone before.
 */
async function gone(op: Promise<void>): Promise<void> {
  try {
    await op;
  } catch (e) {
    if ((e as Error).name === 'NotFoundError') throw new MediaError('NOT_FOUND', NO_TRACK);
    throw e;
  }
}
/** The UDP/TCP ports of the parties' WebRTC transports. */
export const WEBRTC_PORTS = { min: 40000, max: 49999 };

/** Rooms on a worker pool in this process; the pool starts on first use. */
export class LocalRooms extends EventEmitter implements MediaRooms {
  private pool: Promise<WorkerPool> | null = null;
  private readonly rooms = new Map<string, Room>();
  private closed = false;

  constructor(private readonly options: LocalRoomsOptions = {}) {
    super();
    if (options.recordingDir) fs.mkdirSync(options.recordingDir, { recursive: true });
  }

  private get log(): PoolLogger | undefined {
    return this.options.logger;
  }

  private getPool(): Promise<WorkerPool> {
    if (this.closed) return Promise.reject(new MediaError('UNAVAILABLE', '媒体服务已关闭'));
    this.pool ??= createWorkerPool({
      logger: this.options.logger,
      ...this.options.pool,
      onRouterLost: (key, error) => void this.lost(key, error),
    }).catch((e: unknown) => {
      this.pool = null;
      this.log?.error({ err: e }, 'sfu: no worker pool');
      throw new MediaError('UNAVAILABLE', `视频服务暂不可用：${(e as Error).message}`);
    });
    return this.pool;
  }

  private async router(roomId: string): Promise<types.Router> {
    const pool = await this.getPool();
    try {
      return await pool.routerFor(roomId);
    } catch (e) {
      throw new MediaError('UNAVAILABLE', `视频服务暂不可用：${(e as Error).message}`);
    }
  }

  private room(roomId: string): Room {
    let room = this.rooms.get(roomId);
    if (!room) {
      room = {
        transports: new Map(),
        producers: new Map(),
        consumers: new Map(),
        recorder: null,
        recordings: 0,
        recorderQueue: Promise.resolve(),
      };
      this.rooms.set(roomId, room);
    }
    return room;
  }

  private info(producer: types.Producer, party: Party): ProducerInfo {
    return { id: producer.id, kind: producer.kind, party, paused: producer.paused };
  }

  private emitEvent(e: MediaEvent): void {
    this.emit('event', e);
  }

  async rtpCapabilities(roomId: string): Promise<Record<string, unknown>> {
    const router = await this.router(roomId);
    this.room(roomId);
    return router.rtpCapabilities as unknown as Record<string, unknown>;
  }

  async createTransport(roomId: string, party: Party): Promise<TransportInfo> {
    const router = await this.router(roomId);
    const { listenIp = '127.0.0.1', announcedAddress } = this.options;
    // WebRTC ports apart from the recorders' ffmpeg ports (20000–29999)
    const listenInfos = (['udp', 'tcp'] as const).map((protocol) => ({
      protocol,
      ip: listenIp,
      portRange: WEBRTC_PORTS,
      ...(announcedAddress ? { announcedAddress } : {}),
    }));
    const transport = await router.createWebRtcTransport({
      listenInfos,
      enableUdp: true,
      enableTcp: true,
      preferUdp: true,
      appData: { party },
    });
    const room = this.room(roomId);
    room.transports.set(transport.id, { transport, party });
    transport.observer.once('close', () => this.rooms.get(roomId)?.transports.delete(transport.id));
    return {
      id: transport.id,
      iceParameters: transport.iceParameters,
      iceCandidates: transport.iceCandidates,
      dtlsParameters: transport.dtlsParameters,
    };
  }

  private transportOf(roomId: string, party: Party, transportId: string): types.WebRtcTransport {
    const t = this.rooms.get(roomId)?.transports.get(transportId);
    if (!t || t.party !== party) throw new MediaError('NOT_FOUND', '媒体通道不存在（请重新建立连接）');
    return t.transport;
  }

  async connectTransport(
    roomId: string,
    party: Party,
    transportId: string,
    dtlsParameters: Record<string, unknown>,
  ): Promise<void> {
    const transport = this.transportOf(roomId, party, transportId);
    try {
      await transport.connect({ dtlsParameters: dtlsParameters as unknown as types.DtlsParameters });
    } catch (e) {
      throw new MediaError('BAD_INPUT', `DTLS 参数无效：${(e as Error).message}`);
    }
  }

  async produce(
    roomId: string,
    party: Party,
    transportId: string,
    kind: string,
    rtpParameters: Record<string, unknown>,
  ): Promise<ProducerInfo> {
    if (kind !== 'audio' && kind !== 'video') throw new MediaError('BAD_INPUT', 'kind 只能是 audio 或 video');
    const transport = this.transportOf(roomId, party, transportId);
    const replaced = [...(this.rooms.get(roomId)?.producers.values() ?? [])].filter(
      (p) => p.party === party && p.producer.kind === kind,
    );
    let producer: types.Producer;
    try {
      producer = await transport.produce({
        kind,
        rtpParameters: rtpParameters as unknown as types.RtpParameters,
        appData: { party },
      });
    } catch (e) {
      throw new MediaError('BAD_INPUT', `RTP 参数无效：${(e as Error).message}`);
    }
    const room = this.room(roomId);
    room.producers.set(producer.id, { producer, party, transportId });
    producer.observer.once('close', () => {
      const r = this.rooms.get(roomId);
      r?.producers.delete(producer.id);
      this.emitEvent({
        roomId,
        type: 'PRODUCER_CLOSED',
        producer: { id: producer.id, kind, party, paused: producer.paused },
      });
      if (r) this.updateRecorder(roomId, r);
    });
    this.replace(
      room,
      replaced.map((p) => ({ closable: p.producer, transportId: p.transportId })),
    );
    this.emitEvent({ roomId, type: 'NEW_PRODUCER', producer: this.info(producer, party) });
    this.updateRecorder(roomId, room, true);
    return this.info(producer, party);
  }

  async producers(roomId: string): Promise<ProducerInfo[]> {
    return [...(this.rooms.get(roomId)?.producers.values() ?? [])].map(({ producer, party }) =>
      this.info(producer, party),
    );
  }

  async consume(
    roomId: string,
    party: Party,
    transportId: string,
    producerId: string,
    rtpCapabilities: Record<string, unknown>,
  ): Promise<ConsumerInfo> {
    const router = await this.router(roomId);
    const transport = this.transportOf(roomId, party, transportId);
    const source = this.rooms.get(roomId)?.producers.get(producerId);
    if (!source) throw new MediaError('NOT_FOUND', '对方的音视频不存在');
    const caps = rtpCapabilities as unknown as types.RtpCapabilities;
    if (!router.canConsume({ producerId, rtpCapabilities: caps }))
      throw new MediaError('BAD_INPUT', '终端不支持对方的音视频编码');
    const replaced = [...(this.rooms.get(roomId)?.consumers.values() ?? [])].filter(
      (c) => c.party === party && c.consumer.producerId === producerId,
    );
    const consumer = await transport.consume({ producerId, rtpCapabilities: caps, paused: true });
    const room = this.room(roomId);
    room.consumers.set(consumer.id, { consumer, party, transportId });
    consumer.observer.once('close', () => this.rooms.get(roomId)?.consumers.delete(consumer.id));
    this.replace(
      room,
      replaced.map((c) => ({ closable: c.consumer, transportId: c.transportId })),
    );
    return { id: consumer.id, producerId, kind: consumer.kind, rtpParameters: consumer.rtpParameters };
  }

  /**
   * A party's new producer or consumer replaces `old` ones: they close, and so does each transport
   * they were on that carries nothing now (the transports of a page that was reloaded or left).
   */
  private replace(room: Room, old: readonly { closable: { close(): void }; transportId: string }[]): void {
    for (const o of old) o.closable.close();
    const used = new Set([...room.producers.values(), ...room.consumers.values()].map((x) => x.transportId));
    for (const id of new Set(old.map((o) => o.transportId)))
      if (!used.has(id)) room.transports.get(id)?.transport.close();
  }

  async pause(roomId: string, party: Party, id: string, paused: boolean): Promise<'producer' | 'consumer'> {
    const room = this.rooms.get(roomId);
    const p = room?.producers.get(id);
    if (p && p.party === party) {
      if (paused === p.producer.paused) return 'producer';
      await gone(paused ? p.producer.pause() : p.producer.resume());
      this.emitEvent({
        roomId,
        type: paused ? 'PRODUCER_PAUSED' : 'PRODUCER_RESUMED',
        producer: this.info(p.producer, party),
      });
      return 'producer';
    }
    const c = room?.consumers.get(id);
    if (c && c.party === party) {
      await gone(paused ? c.consumer.pause() : c.consumer.resume());
      return 'consumer';
    }
    throw new MediaError('NOT_FOUND', NO_TRACK);
  }

  async snapshot(roomId: string, ofParty: Party): Promise<{ jpeg: Buffer; width: number; height: number }> {
    const room = this.rooms.get(roomId);
    const video = [...(room?.producers.values() ?? [])].find(
      (p) => p.party === ofParty && p.producer.kind === 'video' && !p.producer.closed,
    );
    if (!video) throw new MediaError('NOT_FOUND', '对方的视频尚未接通，无法截图');
    if (video.producer.paused) throw new MediaError('BAD_INPUT', '对方已关闭摄像头，无法截图');
    // no RTP in the last second: the party's page is gone or reconnecting, ffmpeg would wait in vain
    const stats = await video.producer.getStats().catch(() => []);
    if (!stats.some((s) => s.bitrate > 0))
      throw new MediaError('UNAVAILABLE', '对方的视频暂时没有画面（对方可能正在重新连接），请等画面恢复后再截图');
    const router = await this.router(roomId);
    try {
      return await captureSnapshot(router, video.producer, {
        ffmpegPath: this.options.ffmpegPath,
        listenIp: '127.0.0.1',
      });
    } catch (e) {
      this.log?.warn({ err: e, roomId }, 'sfu: snapshot failed');
      throw new MediaError(
        'UNAVAILABLE',
        e instanceof SnapshotTimeoutError
          ? `截图失败：${Math.round(e.timeoutMs / 1000)} 秒内没有收到对方视频的完整画面，请稍后重试`
          : '截图失败，请稍后重试',
      );
    }
  }

  /** Starts the recorder when there is something to record, or tells it the new set of producers. */
  private updateRecorder(roomId: string, room: Room, start = false): void {
    const dir = this.options.recordingDir;
    if (!dir || this.closed) return;
    room.recorderQueue = room.recorderQueue
      .then(async () => {
        if (this.rooms.get(roomId) !== room) return;
        const tracks = [...room.producers.values()]
          .filter((p) => !p.producer.closed)
          .map((p) => ({ producer: p.producer, label: p.party }));
        if (!room.recorder) {
          if (!start || tracks.length === 0) return;
          const router = await this.router(roomId);
          room.recordings += 1;
          room.recorder = new SessionRecorder({
            router,
            dir,
            name: room.recordings === 1 ? roomId : `${roomId}.${room.recordings}`,
            ffmpegPath: this.options.ffmpegPath,
            ffprobePath: this.options.ffprobePath,
            listenIp: '127.0.0.1',
            logger: this.options.logger,
          });
        }
        // not awaited: update() applies the change in its own time (debounced), and never rejects
        void room.recorder.update(tracks);
      })
      .catch((err: unknown) => this.log?.error({ err, roomId }, 'sfu: recorder update failed'));
  }

  private async finishRecorder(roomId: string, room: Room): Promise<RecordingInfo | null> {
    const done = room.recorderQueue.then(async () => {
      const recorder = room.recorder;
      room.recorder = null;
      if (!recorder) return null;
      const result = await recorder.stop();
      if (!result) return null;
      const { path: file, ...rest } = result;
      return { ...rest, name: path.basename(file) };
    });
    room.recorderQueue = done.catch(() => null);
    try {
      return await done;
    } catch (e) {
      this.log?.error({ err: e, roomId }, 'sfu: recording could not be finished');
      return null;
    }
  }

  async stopRecording(roomId: string): Promise<RecordingInfo | null> {
    const room = this.rooms.get(roomId);
    return room ? this.finishRecorder(roomId, room) : null;
  }

  async startRecording(roomId: string): Promise<void> {
    const room = this.rooms.get(roomId);
    if (room) this.updateRecorder(roomId, room, true);
    await room?.recorderQueue;
  }

  async close(roomId: string): Promise<RecordingInfo | null> {
    const room = this.rooms.get(roomId);
    if (!room) return null;
    // the recording first: its consumers need the router until ffmpeg has finished the file
    const recording = await this.finishRecorder(roomId, room);
    this.rooms.delete(roomId);
    if (this.pool) (await this.pool.catch(() => null))?.closeRouter(roomId);
    return recording;
  }

  private async lost(roomId: string, error: Error): Promise<void> {
    const room = this.rooms.get(roomId);
    const recording = room ? await this.finishRecorder(roomId, room) : null;
    this.rooms.delete(roomId);
    this.log?.warn({ roomId, err: error }, 'sfu: a room was lost with its worker');
    this.emitEvent({ roomId, type: 'ROOM_LOST', reason: error.message, recording });
  }

  private recordingPath(name: string): string {
    if (!this.options.recordingDir || !NAME.test(name)) throw new MediaError('NOT_FOUND', '录像不存在');
    return path.join(this.options.recordingDir, name);
  }

  async readRecording(name: string): Promise<NodeJS.ReadableStream> {
    const file = this.recordingPath(name);
    try {
      await fs.promises.access(file);
    } catch {
      throw new MediaError('NOT_FOUND', '录像不存在');
    }
    return fs.createReadStream(file);
  }

  async removeRecording(name: string): Promise<void> {
    await fs.promises.rm(this.recordingPath(name), { force: true });
  }

  async stats(): Promise<RoomStats> {
    let transports = 0;
    let recordings = 0;
    for (const room of this.rooms.values()) {
      transports += room.transports.size;
      if (room.recorder) recordings += 1;
    }
    const workers = this.pool ? ((await this.pool.catch(() => null))?.stats() ?? []) : [];
    return { rooms: this.rooms.size, transports, recordings, workers: await workers };
  }

  async roomIds(): Promise<string[]> {
    return this.pool ? ((await this.pool.catch(() => null))?.keys() ?? []) : [];
  }

  async shutdown(): Promise<void> {
    for (const id of [...this.rooms.keys()]) await this.close(id).catch(() => null);
    this.closed = true;
    const pool = this.pool;
    this.pool = null;
    if (pool) await (await pool.catch(() => null))?.close();
  }
}
