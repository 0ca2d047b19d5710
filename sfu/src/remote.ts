import { EventEmitter } from 'node:events';
import http from 'node:http';
import { Readable } from 'node:stream';

import WebSocket from 'ws';

import type { PoolLogger } from './pool';
import type { RpcMessage, RpcMethod } from './protocol';
import {
  MediaError,
  type ConsumerInfo,
  type MediaEvent,
  type MediaRooms,
  type Party,
  type ProducerInfo,
  type RecordingInfo,
  type RoomStats,
  type TransportInfo,
} from './rooms';

/**
 * {@link MediaRooms} of an SFU service (`server.ts`) reached over its WebSocket: requests wait for
 * their answer (at most `timeoutMs`), pushed room events are re-emitted, and the connection is
 * re-opened when it drops (requests made meanwhile wait for it).
 */
export class RemoteRooms extends EventEmitter implements MediaRooms {
  private ws: WebSocket | null = null;
  private opening: Promise<WebSocket> | null = null;
  private seq = 0;
  private readonly pending = new Map<
    number,
    { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }
  >();
  private closed = false;

  constructor(
    readonly url: string,
    private readonly secret: string,
    private readonly options: { timeoutMs?: number; logger?: PoolLogger } = {},
  ) {
    super();
  }

  private connect(): Promise<WebSocket> {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) return Promise.resolve(this.ws);
    if (this.closed) return Promise.reject(new MediaError('UNAVAILABLE', '视频服务连接已关闭'));
    this.opening ??= new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(`${this.url.replace(/\/$/, '')}/rooms`, {
        headers: { authorization: `Bearer ${this.secret}` },
        handshakeTimeout: 5000,
      });
      ws.once('open', () => {
        this.ws = ws;
        this.opening = null;
        resolve(ws);
      });
      ws.once('error', (e) => {
        this.opening = null;
        reject(new MediaError('UNAVAILABLE', `视频服务无法连接：${e.message}`));
      });
      ws.on('message', (data) => this.receive(String(data)));
      ws.on('close', () => {
        if (this.ws === ws) this.ws = null;
        for (const [id, p] of this.pending) {
          clearTimeout(p.timer);
          p.reject(new MediaError('UNAVAILABLE', '视频服务连接中断'));
          this.pending.delete(id);
        }
        this.emit('disconnected');
      });
    });
    return this.opening;
  }

  private receive(text: string): void {
    let msg: RpcMessage;
    try {
      msg = JSON.parse(text) as RpcMessage;
    } catch {
      return;
    }
    if ('event' in msg) {
      this.emit('event', msg.event as MediaEvent);
      return;
    }
    const p = this.pending.get(msg.id);
    if (!p) return;
    this.pending.delete(msg.id);
    clearTimeout(p.timer);
    if ('error' in msg) {
      const code = msg.error.code as MediaError['code'];
      p.reject(
        new MediaError(
          ['NOT_FOUND', 'BAD_INPUT', 'UNAVAILABLE'].includes(code) ? code : 'UNAVAILABLE',
          msg.error.message,
        ),
      );
    } else p.resolve(msg.result);
  }

  private async call<T>(method: RpcMethod, ...params: unknown[]): Promise<T> {
    const ws = await this.connect();
    const id = ++this.seq;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new MediaError('UNAVAILABLE', '视频服务响应超时'));
      }, this.options.timeoutMs ?? 15_000);
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      ws.send(JSON.stringify({ id, method, params }));
    });
  }

  /** Opens the connection now (so room events arrive from the start). */
  async open(): Promise<void> {
    await this.connect();
  }

  rtpCapabilities(roomId: string): Promise<Record<string, unknown>> {
    return this.call('rtpCapabilities', roomId);
  }
  createTransport(roomId: string, party: Party): Promise<TransportInfo> {
    return this.call('createTransport', roomId, party);
  }
  connectTransport(
    roomId: string,
    party: Party,
    transportId: string,
    dtlsParameters: Record<string, unknown>,
  ): Promise<void> {
    return this.call('connectTransport', roomId, party, transportId, dtlsParameters);
  }
  produce(
    roomId: string,
    party: Party,
    transportId: string,
    kind: string,
    rtpParameters: Record<string, unknown>,
  ): Promise<ProducerInfo> {
    return this.call('produce', roomId, party, transportId, kind, rtpParameters);
  }
  producers(roomId: string): Promise<ProducerInfo[]> {
    return this.call('producers', roomId);
  }
  consume(
    roomId: string,
    party: Party,
    transportId: string,
    producerId: string,
    rtpCapabilities: Record<string, unknown>,
  ): Promise<ConsumerInfo> {
    return this.call('consume', roomId, party, transportId, producerId, rtpCapabilities);
  }
  pause(roomId: string, party: Party, id: string, paused: boolean): Promise<'producer' | 'consumer'> {
    return this.call('pause', roomId, party, id, paused);
  }
  async snapshot(roomId: string, ofParty: Party): Promise<{ jpeg: Buffer; width: number; height: number }> {
    const r = await this.call<{ jpeg: string; width: number; height: number }>('snapshot', roomId, ofParty);
    return { ...r, jpeg: Buffer.from(r.jpeg, 'base64') };
  }
  stopRecording(roomId: string): Promise<RecordingInfo | null> {
    return this.call('stopRecording', roomId);
  }
  startRecording(roomId: string): Promise<void> {
    return this.call('startRecording', roomId);
  }
  close(roomId: string): Promise<RecordingInfo | null> {
    return this.call('close', roomId);
  }
  removeRecording(name: string): Promise<void> {
    return this.call('removeRecording', name);
  }
  stats(): Promise<RoomStats> {
    return this.call('stats');
  }
  roomIds(): Promise<string[]> {
    return this.call('roomIds');
  }

  readRecording(name: string): Promise<NodeJS.ReadableStream> {
    const url = new URL(`/recordings/${encodeURIComponent(name)}`, this.url.replace(/^ws/, 'http'));
    return new Promise((resolve, reject) => {
      const req = http.get(
        url,
        { headers: { authorization: `Bearer ${this.secret}` }, timeout: this.options.timeoutMs ?? 15_000 },
        (res) => {
          if (res.statusCode === 200) resolve(res as Readable);
          else {
            res.resume();
            reject(
              new MediaError(
                res.statusCode === 404 ? 'NOT_FOUND' : 'UNAVAILABLE',
                `录像读取失败（HTTP ${res.statusCode ?? '?'}）`,
              ),
            );
          }
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (e) => reject(new MediaError('UNAVAILABLE', `录像读取失败：${e.message}`)));
    });
  }

  async shutdown(): Promise<void> {
    this.closed = true;
    this.ws?.close();
    this.ws = null;
  }
}
