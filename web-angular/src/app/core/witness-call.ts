import { Injectable, InjectionToken, inject, signal } from '@angular/core';
import { Device, type types } from 'mediasoup-client';
import type { Subscription } from 'rxjs';
import { Api } from './api';
import type { ApiError } from './errors';
import {
  ConnectWitnessTransportGQL,
  ConsumeWitnessMediaGQL,
  CreateWitnessTransportGQL,
  PauseWitnessMediaGQL,
  ProduceWitnessMediaGQL,
  ResumeWitnessConsumerGQL,
  WitnessCallSetupGQL,
  WitnessMediaEventsGQL,
  WitnessProducersGQL,
  type ConsumeWitnessMediaMutation,
  type WitnessParty,
  type WitnessProducerFieldsFragment,
} from '../graphql/generated';

export type CallState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'failed';

type TransportInfo = {
  id: string;
  iceParameters: Record<string, unknown>;
  iceCandidates: Record<string, unknown>[];
  dtlsParameters: Record<string, unknown>;
};

/** The party whose tracks this side of the call receives: AGENT in the portal, CUSTOMER in the console. */
export const WITNESS_CALL_REMOTE = new InjectionToken<WitnessParty>('the other party of the witness call');

/** `providers` of a page that holds one side of the call. */
export function provideWitnessCall(remote: WitnessParty) {
  return [WitnessCall, { provide: WITNESS_CALL_REMOTE, useValue: remote }];
}

/**
 * One side of the witness call (the customer's in the portal, the agent's in the console), with
 * mediasoup-client in the browser: all the signalling goes through the API (router capabilities,
 * transports, produce, consume, resume) and `witnessMedia` tells when the other party's tracks
 * come, pause or go. The same steps as the Node client of test/e2e/witness-call.peer.mjs.
 *
 * Either party may leave and come back (a reload, Back and 继续办理, new transports after a network
 * failure): the SFU then replaces its earlier tracks with the new ones (PRODUCER_CLOSED of the old,
 * NEW_PRODUCER of the new), and the remote stream here holds the newest track of each kind.
 * `remoteReconnecting` says so on both sides until the other party's video decodes again.
 */
@Injectable()
export class WitnessCall {
  private readonly api = inject(Api);
  private readonly other = inject(WITNESS_CALL_REMOTE);
  private readonly setupQuery = inject(WitnessCallSetupGQL);
  private readonly producersQuery = inject(WitnessProducersGQL);
  private readonly mediaEvents = inject(WitnessMediaEventsGQL);
  private readonly createTransport = inject(CreateWitnessTransportGQL);
  private readonly connectTransport = inject(ConnectWitnessTransportGQL);
  private readonly produceMutation = inject(ProduceWitnessMediaGQL);
  private readonly consumeMutation = inject(ConsumeWitnessMediaGQL);
  private readonly resumeMutation = inject(ResumeWitnessConsumerGQL);
  private readonly pauseMutation = inject(PauseWitnessMediaGQL);

  /** the other party's tracks as one stream, its newest of each kind (a new object whenever a track comes or goes) */
  readonly remote = signal<MediaStream | null>(null);
  /** this side's camera and microphone */
  readonly local = signal<MediaStream | null>(null);
  readonly state = signal<CallState>('idle');
  readonly remoteVideoPaused = signal(false);
  readonly remoteAudioPaused = signal(false);
  /** the other party's connection dropped (PARTY_LEFT) and has not come back yet */
  readonly remoteAway = signal(false);
  /**
   * 对方正在重新连接: from the other party's leaving (PARTY_LEFT, or its track closing), or this side's
   * rejoining the call (after a reload or a return), until the other party's video decodes again
   * and its audio arrives (what is paused is not waited for).
   */
  readonly remoteReconnecting = signal(false);
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
  /** while reconnecting: checks every 500 ms whether the other party's media is back */
  private watch: ReturnType<typeof setInterval> | null = null;
  private watching = false;
  /** decoded video frames / received audio packets of each consumer when the reconnecting last began */
  private marks = new Map<string, number>();
  private marking: Promise<void> = Promise.resolve();

  /**
   * Joins the call: sends the camera and microphone of `local` (or, without it, of the camera and
   * microphone it opens itself), receives the other party's tracks.
   */
  async start(sessionId: string, local?: MediaStream): Promise<void> {
    if (this.sessionId === sessionId && this.state() !== 'idle' && this.state() !== 'failed') return;
    this.stop();
    this.restarts = 0;
    this.sessionId = sessionId;
    this.state.set('connecting');
    this.error.set(null);
    if (local) this.local.set(local);
    else if (!this.local()) {
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

  /** Leaves the call (the session itself is ended by the agent); the local tracks stay on. */
  stop(): void {
    this.generation++;
    this.events?.unsubscribe();
    this.events = null;
    this.teardown();
    this.sessionId = '';
    this.state.set('idle');
    this.remoteAway.set(false);
    this.remoteReconnecting.set(false);
  }

  /** Leaves the call and turns the camera and microphone off. */
  release(): void {
    this.stop();
    this.local()
      ?.getTracks()
      .forEach((t) => t.stop());
    this.local.set(null);
  }

  /** Decoded frames of the other party's video so far (0 while none arrived). */
  async framesDecoded(): Promise<number> {
    const video = [...this.consumers.values()].find((c) => c.kind === 'video');
    return video ? this.received(video) : 0;
  }

  /**
   * A consumer's decoded frames (video) or received packets (audio), from its inbound-rtp by its
   * SSRC: mediasoup's bandwidth probation is another inbound video stream (mid probator) that is
   * never decoded.
   */
  private async received(c: types.Consumer): Promise<number> {
    const ssrc = c.rtpParameters.encodings?.[0]?.ssrc;
    let n = 0;
    try {
      (await c.getStats()).forEach(
        (s: { type?: string; ssrc?: number; framesDecoded?: number; packetsReceived?: number }) => {
          if (s.type === 'inbound-rtp' && s.ssrc === ssrc)
            n = (c.kind === 'video' ? s.framesDecoded : s.packetsReceived) ?? 0;
        },
      );
    } catch {
      // closed meanwhile: nothing more comes from it
    }
    return n;
  }

  async setCamera(on: boolean): Promise<void> {
    await this.setProducer('video', on);
    this.cameraOff.set(!on);
  }

  async setMicrophone(on: boolean): Promise<void> {
    await this.setProducer('audio', on);
    this.micOff.set(!on);
  }

  private async setProducer(kind: 'audio' | 'video', on: boolean): Promise<void> {
    const p = [...this.producers.values()].find((x) => x.kind === kind);
    if (!p) return;
    if (on) p.resume();
    else p.pause();
    await this.api.mutate(this.pauseMutation, { sessionId: this.sessionId, id: p.id, paused: !on });
  }

  /** witnessMedia first (SUBSCRIBED comes at once), so that no track of the other party falls in between. */
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
        // graphql-ws reconnects by itself; an error here means the session is gone or refused us
        error: () => {
          if (first) resolve();
          first = false;
        },
      });
    });
  }

  private onEvent(type: string, producer: WitnessProducerFieldsFragment | null, party: string | null): void {
    if (type === 'NEW_PRODUCER' && producer?.party === this.other) this.serial(() => this.consume(producer));
    else if (type === 'PRODUCER_CLOSED' && producer?.party === this.other) {
      // the other party left, or came back and replaced it: its new track follows (NEW_PRODUCER)
      this.reconnecting();
      this.serial(async () => this.dropConsumer(producer.id));
    } else if (type === 'PRODUCER_CLOSED' && producer && this.producers.has(producer.id)) {
      // one of ours, closed by the SFU: replaced by another page of this party, or the call ended
      this.serial(() => this.checkReplaced());
    } else if ((type === 'PRODUCER_PAUSED' || type === 'PRODUCER_RESUMED') && producer?.party === this.other) {
      (producer.kind === 'video' ? this.remoteVideoPaused : this.remoteAudioPaused).set(type === 'PRODUCER_PAUSED');
    } else if (type === 'PARTY_LEFT' && party === this.other) {
      this.remoteAway.set(true);
      this.reconnecting();
    } else if (type === 'PARTY_RETURNED' && party === this.other) {
      this.remoteAway.set(false);
      // counted anew: what the departed page's consumers decoded until now is not the party coming back
      this.reconnecting();
      // the other party may have come back with new tracks
      this.serial(() => this.consumeAll());
    }
  }

  /** 对方正在重新连接 until the other party's media decodes again (see {@link mediaBack}). */
  private reconnecting(): void {
    if (!this.sessionId) return;
    this.remoteReconnecting.set(true);
    const consumers = [...this.consumers.values()];
    this.marking = Promise.all(consumers.map(async (c) => [c.id, await this.received(c)] as const)).then((m) => {
      this.marks = new Map(m);
    });
    if (this.watch) return;
    const gen = this.generation;
    this.watch = setInterval(() => void this.mediaBack(gen), 500);
  }

  /**
   * Ends the reconnecting once this side is connected, the other party is present, and a video
   * consumer decoded frames and an audio consumer received packets since it began (a paused
   * track is not waited for).
   */
  private async mediaBack(gen: number): Promise<void> {
    if (this.watching) return;
    this.watching = true;
    try {
      await this.marking;
      if (gen !== this.generation || this.state() !== 'connected' || this.remoteAway()) return;
      const flowing = async (kind: 'audio' | 'video'): Promise<boolean> => {
        if ((kind === 'video' ? this.remoteVideoPaused : this.remoteAudioPaused)()) return true;
        for (const c of this.consumers.values())
          if (c.kind === kind && (await this.received(c)) > (this.marks.get(c.id) ?? 0)) return true;
        return false;
      };
      if (!(await flowing('video')) || !(await flowing('audio')) || gen !== this.generation) return;
      this.remoteReconnecting.set(false);
      this.stopWatching();
    } finally {
      this.watching = false;
    }
  }

  private stopWatching(): void {
    if (this.watch) clearInterval(this.watch);
    this.watch = null;
    this.marks.clear();
  }

  /**
   * One of our tracks was closed by the SFU while we still send it: if this party has other tracks
   * now, another page (a tab opened later, another device) took the call over. This page stops,
   * and says so, instead of taking it back (each would replace the other in turn). When the call
   * ended instead, the query is refused and ENDED follows.
   */
  private async checkReplaced(): Promise<void> {
    let producers: WitnessProducerFieldsFragment[];
    try {
      producers = (await this.api.query(this.producersQuery, { id: this.sessionId })).witnessSession.producers;
    } catch {
      return;
    }
    if (!producers.some((p) => p.party !== this.other && !this.producers.has(p.id))) return;
    this.stop();
    this.state.set('failed');
    this.error.set(
      '您已在另一个页面或设备上进入本次视频通话，此页面的通话已断开。如需在此页面继续，请点击“重新连接”。',
    );
  }

  /** One signalling step at a time (consume after consume, never two for one producer). */
  private serial(f: () => Promise<void>): void {
    const gen = this.generation;
    this.chain = this.chain.then(() => (gen === this.generation ? f() : undefined)).catch((e: unknown) => this.fail(e));
  }

  private async connect(): Promise<void> {
    const gen = this.generation;
    try {
      const { witnessSession } = await this.api.query(this.setupQuery, { id: this.sessionId });
      if (gen !== this.generation) return;
      // tracks of ours are there already: this side comes back (a reload, a return, a restart), and
      // the other party has to pick up the new ones as this side picks up theirs
      if (witnessSession.producers.some((x) => x.party !== this.other)) this.reconnecting();
      const device = new Device();
      await device.load({
        routerRtpCapabilities: witnessSession.routerRtpCapabilities as unknown as types.RtpCapabilities,
      });
      this.device = device;
      this.send = device.createSendTransport(await this.transport());
      this.wire(this.send);
      this.send.on('produce', ({ kind, rtpParameters }, cb, errb) => {
        this.api
          .mutate(this.produceMutation, {
            sessionId: this.sessionId,
            transportId: this.send!.id,
            kind,
            rtpParameters: rtpParameters as unknown as Record<string, unknown>,
          })
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
      for (const p of witnessSession.producers.filter((x) => x.party === this.other)) await this.consume(p);
      this.nudgeKeyframes();
    } catch (e) {
      if (gen === this.generation) this.fail(e);
    }
  }

  private async consumeAll(): Promise<void> {
    const { witnessSession } = await this.api.query(this.producersQuery, { id: this.sessionId });
    for (const p of witnessSession.producers.filter((x) => x.party === this.other)) await this.consume(p);
  }

  private async transport(): Promise<types.TransportOptions> {
    const t = (await this.api.mutate(this.createTransport, { sessionId: this.sessionId }))
      .createWitnessTransport as TransportInfo;
    return {
      id: t.id,
      iceParameters: t.iceParameters as unknown as types.IceParameters,
      iceCandidates: t.iceCandidates as unknown as types.IceCandidate[],
      dtlsParameters: t.dtlsParameters as unknown as types.DtlsParameters,
    };
  }

  /** DTLS through the API; the transport's connection state drives ours (and a restart if it fails). */
  private wire(t: types.Transport): void {
    const gen = this.generation;
    t.on('connect', ({ dtlsParameters }, cb, errb) => {
      this.api
        .mutate(this.connectTransport, {
          sessionId: this.sessionId,
          transportId: t.id,
          dtlsParameters: dtlsParameters as unknown as Record<string, unknown>,
        })
        .then(() => cb(), errb);
    });
    t.on('connectionstatechange', (s) => {
      if (gen !== this.generation) return;
      if (s === 'connected') {
        this.restarts = 0;
        this.error.set(null);
        if (this.send?.connectionState !== 'failed' && this.recv?.connectionState !== 'failed')
          this.state.set('connected');
      } else if (s === 'disconnected') this.state.set('reconnecting');
      else if (s === 'failed') this.restartSoon();
    });
  }

  private async consume(p: WitnessProducerFieldsFragment): Promise<void> {
    if (!this.recv || !this.device || [...this.consumers.values()].some((c) => c.producerId === p.id)) return;
    const recv = this.recv;
    let c: ConsumeWitnessMediaMutation['consumeWitnessMedia'];
    try {
      ({ consumeWitnessMedia: c } = await this.api.mutate(this.consumeMutation, {
        sessionId: this.sessionId,
        transportId: recv.id,
        producerId: p.id,
        rtpCapabilities: this.device.rtpCapabilities as unknown as Record<string, unknown>,
      }));
    } catch (e) {
      // the track was replaced or closed meanwhile (its party reloaded once more, or left): its
      // PRODUCER_CLOSED is on its way, and the new track's NEW_PRODUCER
      if ((e as ApiError).code === 'NOT_FOUND' && !(await this.stillThere(p.id))) return;
      throw e;
    }
    const consumer = await recv.consume({
      id: c.id,
      producerId: c.producerId,
      kind: c.kind as types.MediaKind,
      rtpParameters: c.rtpParameters as unknown as types.RtpParameters,
    });
    // one track of each kind from the other party: the new one replaces that of a page it left
    for (const [id, old] of this.consumers) {
      if (old.kind !== consumer.kind) continue;
      old.close();
      this.consumers.delete(id);
    }
    this.consumers.set(consumer.id, consumer);
    (p.kind === 'video' ? this.remoteVideoPaused : this.remoteAudioPaused).set(p.paused);
    this.publishRemote();
    // NOT_FOUND: its producer was replaced meanwhile, and PRODUCER_CLOSED drops it
    await this.api
      .mutate(this.resumeMutation, { sessionId: this.sessionId, consumerId: consumer.id })
      .catch((e: ApiError) => {
        if (e.code !== 'NOT_FOUND') throw e;
      });
    if (consumer.kind === 'video') this.nudgeKeyframes();
  }

  /** Whether the other party still sends the producer. */
  private async stillThere(producerId: string): Promise<boolean> {
    const { witnessSession } = await this.api.query(this.producersQuery, { id: this.sessionId });
    return witnessSession.producers.some((x) => x.id === producerId);
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

  /**
   * The first keyframe can get lost on a busy network: while the other party's video has no decoded
   * frame, pause and resume the consumer (the SFU then asks the sender for a keyframe).
   */
  private nudgeKeyframes(): void {
    if (this.nudges) clearInterval(this.nudges);
    let rounds = 0;
    this.nudges = setInterval(async () => {
      const video = [...this.consumers.values()].find((c) => c.kind === 'video');
      if (++rounds > 10 || !this.sessionId) return this.nudges && clearInterval(this.nudges);
      if (!video || this.remoteVideoPaused()) return;
      if ((await this.framesDecoded()) > 0) return this.nudges && clearInterval(this.nudges);
      for (const paused of [true, false])
        await this.api
          .mutate(this.pauseMutation, { sessionId: this.sessionId, id: video.id, paused })
          .catch(() => undefined);
    }, 3000);
  }

  /** A transport failed (network change, long drop): new transports, same session. */
  private restartSoon(): void {
    if (this.restartTimer) return;
    if (++this.restarts > 5) {
      this.teardown();
      this.state.set('failed');
      this.error.set(
        `视频连接失败${this.lastError ? `（${this.lastError}）` : ''}，请检查网络后点击“重新连接”，或切换网络（如 4G）后重试。`,
      );
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
    this.stopWatching();
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
      // no new transport will help: say why, and let the person retry by hand
      this.teardown();
      this.state.set('failed');
      this.error.set(err.message ?? '视频服务暂不可用');
      return;
    }
    this.lastError = err.message && /[\u4e00-\u9fa5]/.test(err.message) ? err.message : null;
    this.error.set('视频连接失败，正在重试…');
    this.restartSoon();
  }
}
