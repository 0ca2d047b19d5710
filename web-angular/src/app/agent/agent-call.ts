import { Injectable, inject, signal } from '@angular/core';
import { Device, type types } from 'mediasoup-client';
import type { Subscription } from 'rxjs';
import { Api } from '../core/api';
import {
  AgentCallMediaGQL,
  AgentCallProducersGQL,
  AgentCallSetupGQL,
  AgentConnectTransportGQL,
  AgentConsumeGQL,
  AgentCreateTransportGQL,
  AgentPauseMediaGQL,
  AgentProduceGQL,
  AgentResumeConsumerGQL,
  type AgentProducerFieldsFragment,
} from '../graphql/generated';

export type CallState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'failed';

type TransportInfo = { id: string; iceParameters: Record<string, unknown>; iceCandidates: Record<string, unknown>[]; dtlsParameters: Record<string, unknown> };

/**
 * The agent's half of the witness call (test/e2e/witness-call.peer.mjs in the browser):
 * mediasoup-client's Device, all signalling through the API, `witnessMedia` for the customer's
 * tracks as they come, pause and go.
 */
@Injectable()
export class AgentCall {
  private readonly api = inject(Api);
  private readonly setupQuery = inject(AgentCallSetupGQL);
  private readonly producersQuery = inject(AgentCallProducersGQL);
  private readonly mediaEvents = inject(AgentCallMediaGQL);
  private readonly createTransport = inject(AgentCreateTransportGQL);
  private readonly connectTransport = inject(AgentConnectTransportGQL);
  private readonly produceMutation = inject(AgentProduceGQL);
  private readonly consumeMutation = inject(AgentConsumeGQL);
  private readonly resumeMutation = inject(AgentResumeConsumerGQL);
  private readonly pauseMutation = inject(AgentPauseMediaGQL);

  /** the customer's tracks as one stream (a new object when a track comes or goes) */
  readonly remote = signal<MediaStream | null>(null);
  readonly local = signal<MediaStream | null>(null);
  readonly state = signal<CallState>('idle');
  readonly customerVideoPaused = signal(false);
  readonly customerAway = signal(false);
  readonly cameraOff = signal(false);
  readonly micOff = signal(false);
  readonly error = signal<string | null>(null);

  private sessionId = '';
  private device: Device | null = null;
  private send: types.Transport | null = null;
  private recv: types.Transport | null = null;
  private readonly producers = new Map<string, types.Producer>();
  private readonly consumers = new Map<string, types.Consumer>();
  private events: Subscription | null = null;
  private chain: Promise<unknown> = Promise.resolve();
  private nudges: ReturnType<typeof setInterval> | null = null;
  private restartTimer: ReturnType<typeof setTimeout> | null = null;
  private generation = 0;
  private restarts = 0;
  private lastError: string | null = null;

  async start(sessionId: string): Promise<void> {
    if (this.sessionId === sessionId && this.state() !== 'idle' && this.state() !== 'failed') return;
    this.stop();
    this.sessionId = sessionId;
    this.restarts = 0;
    this.state.set('connecting');
    this.error.set(null);
    if (!this.local()) {
      try {
        this.local.set(await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 }, audio: true }));
      } catch {
        this.state.set('failed');
        this.error.set('无法打开摄像头或麦克风，请检查浏览器的权限设置。');
        return;
      }
    }
    await this.listen();
    // track events wait behind the set-up (no consume before the receive transport exists)
    this.serial(() => this.connect());
    await this.chain;
  }

  /** Leaves the call and turns the camera off. */
  stop(): void {
    this.generation++;
    this.events?.unsubscribe();
    this.events = null;
    this.teardown();
    this.sessionId = '';
    this.state.set('idle');
    this.customerAway.set(false);
  }

  release(): void {
    this.stop();
    this.local()?.getTracks().forEach((t) => t.stop());
    this.local.set(null);
  }

  async setCamera(on: boolean): Promise<void> {
    await this.setProducer('video', on);
    this.cameraOff.set(!on);
  }

  async setMicrophone(on: boolean): Promise<void> {
    await this.setProducer('audio', on);
    this.micOff.set(!on);
  }

  /** Decoded frames of the customer's video so far (0 while none arrived). */
  async framesDecoded(): Promise<number> {
    const video = [...this.consumers.values()].find((c) => c.kind === 'video');
    if (!video) return 0;
    let decoded = 0;
    (await video.getStats()).forEach((s: { type?: string; framesDecoded?: number }) => {
      if (s.type === 'inbound-rtp') decoded += s.framesDecoded ?? 0;
    });
    return decoded;
  }

  private async setProducer(kind: 'audio' | 'video', on: boolean): Promise<void> {
    const p = [...this.producers.values()].find((x) => x.kind === kind);
    if (!p) return;
    if (on) p.resume();
    else p.pause();
    await this.api.mutate(this.pauseMutation, { sessionId: this.sessionId, id: p.id, paused: !on });
  }

  private listen(): Promise<void> {
    const gen = this.generation;
    return new Promise((resolve) => {
      let first = true;
      this.events = this.api.subscribe(this.mediaEvents, { sessionId: this.sessionId }).subscribe({
        next: ({ witnessMedia: e }) => {
          if (first) {
            first = false;
            resolve();
          }
          if (gen === this.generation) this.onEvent(e.type, e.producer, e.party);
        },
        error: () => {
          if (first) resolve();
          first = false;
        },
      });
    });
  }

  private onEvent(type: string, producer: AgentProducerFieldsFragment | null, party: string | null): void {
    if (type === 'NEW_PRODUCER' && producer?.party === 'CUSTOMER') this.serial(() => this.consume(producer));
    else if (type === 'PRODUCER_CLOSED' && producer) this.dropConsumer(producer.id);
    else if ((type === 'PRODUCER_PAUSED' || type === 'PRODUCER_RESUMED') && producer?.party === 'CUSTOMER' && producer.kind === 'video') {
      this.customerVideoPaused.set(type === 'PRODUCER_PAUSED');
    } else if (type === 'PARTY_LEFT' && party === 'CUSTOMER') this.customerAway.set(true);
    else if (type === 'PARTY_RETURNED' && party === 'CUSTOMER') {
      this.customerAway.set(false);
      this.serial(() => this.consumeAll());
    }
  }

  private serial(f: () => Promise<void>): void {
    const gen = this.generation;
    this.chain = this.chain.then(() => (gen === this.generation ? f() : undefined)).catch((e: unknown) => this.fail(e));
  }

  private async connect(): Promise<void> {
    const gen = this.generation;
    try {
      const { witnessSession } = await this.api.query(this.setupQuery, { id: this.sessionId });
      if (gen !== this.generation) return;
      const device = new Device();
      await device.load({ routerRtpCapabilities: witnessSession.routerRtpCapabilities as unknown as types.RtpCapabilities });
      this.device = device;
      this.send = device.createSendTransport(await this.transport());
      this.wire(this.send);
      this.send.on('produce', ({ kind, rtpParameters }, cb, errb) => {
        this.api
          .mutate(this.produceMutation, { sessionId: this.sessionId, transportId: this.send!.id, kind, rtpParameters: rtpParameters as unknown as Record<string, unknown> })
          .then((d) => cb({ id: d.produceWitnessMedia.id }), errb);
      });
      this.recv = device.createRecvTransport(await this.transport());
      this.wire(this.recv);
      if (gen !== this.generation) return;
      const local = this.local()!;
      for (const track of [...local.getVideoTracks().slice(0, 1), ...local.getAudioTracks().slice(0, 1)]) {
        const p = await this.send.produce({ track, stopTracks: false, disableTrackOnPause: true });
        this.producers.set(p.id, p);
      }
      if (this.cameraOff()) await this.setProducer('video', false);
      if (this.micOff()) await this.setProducer('audio', false);
      // the customer's tracks as they are now (some may have come while this was set up)
      await this.consumeAll();
      this.nudgeKeyframes();
    } catch (e) {
      if (gen === this.generation) this.fail(e);
    }
  }

  private async consumeAll(): Promise<void> {
    const { witnessSession } = await this.api.query(this.producersQuery, { id: this.sessionId });
    for (const p of witnessSession.producers.filter((x) => x.party === 'CUSTOMER')) await this.consume(p);
  }

  private async transport(): Promise<types.TransportOptions> {
    const t = (await this.api.mutate(this.createTransport, { sessionId: this.sessionId })).createWitnessTransport as TransportInfo;
    return {
      id: t.id,
      iceParameters: t.iceParameters as unknown as types.IceParameters,
      iceCandidates: t.iceCandidates as unknown as types.IceCandidate[],
      dtlsParameters: t.dtlsParameters as unknown as types.DtlsParameters,
    };
  }

  private wire(t: types.Transport): void {
    const gen = this.generation;
    t.on('connect', ({ dtlsParameters }, cb, errb) => {
      this.api.mutate(this.connectTransport, { sessionId: this.sessionId, transportId: t.id, dtlsParameters: dtlsParameters as unknown as Record<string, unknown> }).then(() => cb(), errb);
    });
    t.on('connectionstatechange', (s) => {
      if (gen !== this.generation) return;
      if (s === 'connected') {
        this.restarts = 0;
        this.error.set(null);
        if (this.send?.connectionState !== 'failed' && this.recv?.connectionState !== 'failed') this.state.set('connected');
      } else if (s === 'disconnected') this.state.set('reconnecting');
      else if (s === 'failed') this.restartSoon();
    });
  }

  private async consume(p: AgentProducerFieldsFragment): Promise<void> {
    if (!this.recv || !this.device || [...this.consumers.values()].some((c) => c.producerId === p.id)) return;
    const { consumeWitnessMedia: c } = await this.api.mutate(this.consumeMutation, {
      sessionId: this.sessionId,
      transportId: this.recv.id,
      producerId: p.id,
      rtpCapabilities: this.device.rtpCapabilities as unknown as Record<string, unknown>,
    });
    const consumer = await this.recv.consume({ id: c.id, producerId: c.producerId, kind: c.kind as types.MediaKind, rtpParameters: c.rtpParameters as unknown as types.RtpParameters });
    this.consumers.set(consumer.id, consumer);
    if (p.kind === 'video') this.customerVideoPaused.set(p.paused);
    this.publishRemote();
    await this.api.mutate(this.resumeMutation, { sessionId: this.sessionId, consumerId: consumer.id });
  }

  private dropConsumer(producerId: string): void {
    for (const [id, c] of this.consumers) {
      if (c.producerId !== producerId) continue;
      c.close();
      this.consumers.delete(id);
    }
    this.publishRemote();
  }

  private publishRemote(): void {
    const tracks = [...this.consumers.values()].map((c) => c.track);
    this.remote.set(tracks.length ? new MediaStream(tracks) : null);
  }

  /** While the customer's video has no decoded frame, pause and resume it (the SFU asks for a keyframe). */
  private nudgeKeyframes(): void {
    if (this.nudges) clearInterval(this.nudges);
    let rounds = 0;
    this.nudges = setInterval(async () => {
      const video = [...this.consumers.values()].find((c) => c.kind === 'video');
      if (++rounds > 10 || !this.sessionId) return this.nudges && clearInterval(this.nudges);
      if (!video || this.customerVideoPaused()) return;
      if ((await this.framesDecoded()) > 0) return this.nudges && clearInterval(this.nudges);
      for (const paused of [true, false]) await this.api.mutate(this.pauseMutation, { sessionId: this.sessionId, id: video.id, paused }).catch(() => undefined);
    }, 3000);
  }

  private restartSoon(): void {
    if (this.restartTimer) return;
    if (++this.restarts > 5) {
      this.teardown();
      this.state.set('failed');
      this.error.set(`视频连接失败${this.lastError ? `（${this.lastError}）` : ''}，请检查网络后点击“重新连接”。`);
      return;
    }
    this.state.set('reconnecting');
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (!this.sessionId) return;
      this.teardown();
      this.state.set('reconnecting');
      this.serial(() => this.connect());
    }, 2000);
  }

  private teardown(): void {
    if (this.nudges) clearInterval(this.nudges);
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.nudges = null;
    this.restartTimer = null;
    this.consumers.forEach((c) => c.close());
    this.consumers.clear();
    this.producers.forEach((p) => p.close());
    this.producers.clear();
    this.send?.close();
    this.recv?.close();
    this.send = this.recv = null;
    this.device = null;
    this.remote.set(null);
  }

  private fail(e: unknown): void {
    if (!this.sessionId) return;
    const err = e as { code?: string; message?: string };
    if (err.code === 'MEDIA_UNAVAILABLE' || err.code === 'TICKET_CLOSED' || err.code === 'FORBIDDEN') {
      // no new transport will help: say why, and let the agent retry by hand
      this.teardown();
      this.state.set('failed');
      this.error.set(err.message ?? '视频服务暂不可用');
      return;
    }
    this.lastError = err.message ?? null;
    this.restartSoon();
  }
}
