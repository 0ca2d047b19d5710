/**
 * Recording of a witness call: every party's audio and video, without transcoding, into ONE file
 * per session (WebM when all codecs are VP8/opus, Matroska when H264 is present).
 *
 * Design — segments:
 * - Media path: producer → a paused consumer on a PlainTransport per track (rtcp-mux off; the
 *   consumer's RTCP goes to a sink socket, see below) → ffmpeg reading RTP from a generated SDP
 *   (`-protocol_whitelist file,udp,rtp`, bound to `listenIp` with `-localaddr`) → `-c copy`.
 *   One ffmpeg per segment for all tracks; it writes each track to its own piece file (Matroska),
 *   so a piece's timestamps start at 0 at that track's first RTP packet. The recorder notes that
 *   moment on a monotonic clock (consumer `trace` event of the first forwarded RTP packet); A/V
 *   sync is thus by arrival at the SFU, and the RTP timestamps carry on from there.
 * - ffmpeg needs every stream in its SDP at start, so a NEW segment starts whenever a track is
 *   added (a party produced, a party reconnected with new producers): `update()` and producer
 *   events are debounced (300 ms), then the new segment is started and, once its ffmpeg reports
 *   progress (all outputs initialised), the previous segment is stopped. The two overlap by about
 *   a second: nothing is lost at the switch. A track that merely goes away (producer closed)
 *   needs no new segment: its stream in the running ffmpeg just stops receiving.
 * - stop(): ends the last segment, probes the pieces and joins them per final stream in one
 *   ffmpeg run (`-c copy`). A final stream is a party's kind + codec, fed by one producer after
 *   the other (a reconnect continues the stream; a producer overlapping the others by more than
 *   3 s gets a stream of its own). Per stream a concat-demuxer list whose `duration`/`outpoint`
 *   put each piece at its wall-clock place (gaps stay gaps, overlaps are cut where the next piece
 *   starts) and `-itsoffset` for the stream's start relative to the session's first packet.
 *   Streams are tagged `title=<label>` (and `label=<label>` in Matroska), ordered by party (as
 *   first given to update()), video first. Then the pieces are deleted.
 *
 * Why it is built this way (Debian ffmpeg 5.1, checked by hand):
 * - A video stream that never got a key frame has no dimensions, and the Matroska muxer refuses
 *   to start ("dimensions not set"), which ends the whole ffmpeg. So a track enters a segment
 *   only while its producer is live (mediasoup score > 0: RTP seen in the last 1.5 s, 5 s with
 *   DTX); a producer that turns live later triggers a new segment. A segment that does not get
 *   ready in time is dropped and retried (backing off to 30 s) while the previous one keeps going;
 *   a producer whose consumer never forwarded a packet in two failed attempts is left out until
 *   it turns live again.
 * - ffmpeg's RTP demuxer uses RTCP sender reports to re-time streams after the first one
 *   arrives, which makes timestamps jump; the recorder times streams itself (first packet, then
 *   RTP timestamps), so mediasoup's RTCP goes to a sink socket instead of to ffmpeg.
 * - ffmpeg ends its SDP input by itself (cleanly) after `-listen_timeout` seconds without any
 *   packet (default 10 s; here 30 s: all producers paused or gone; also what ends an ffmpeg
 *   orphaned by a crash of this process). It ignores a first SIGINT while no packet arrives,
 *   and a second signal cuts its file writes; an RTCP BYE per stream ends it cleanly (see
 *   ./ffmpeg.ts `stopFfmpeg`). Pieces are written in clusters of ≤ 1 s flushed as they close,
 *   so a killed ffmpeg loses about a second.
 * - ffmpeg dying mid-segment is logged (with its stderr tail); what it wrote is kept and the
 *   recorder starts a new segment.
 *
 * Files: pieces live in `<dir>/.<name>.<pid>-<time>.parts/` (left behind only by a crash, or when
 * the final merge failed: then stop() throws and keeps them for a manual merge); the result is
 * `<dir>/<name>.webm` or `.mkv` (`-2`, `-3`, … when that name exists).
 */
import dgram from 'node:dgram';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

import type { types } from 'mediasoup';

import {
  DEFAULT_FFMPEG_PORT_RANGE,
  buildSdp,
  codecName,
  killFfmpeg,
  plainRtpCapabilities,
  reserveUdpPortPair,
  spawnFfmpeg,
  stopFfmpeg,
  waitExit,
  waitUdpPortsBound,
  withTimeout,
  type FfmpegProcess,
  type UdpPortPair,
} from './ffmpeg';
import type { PoolLogger } from './pool';
import { mergeRecording } from './recording-merge';

export { probeMedia } from './recording-merge';

/** Options of {@link SessionRecorder}. */
export interface RecorderOptions {
  router: types.Router;
  /** Where segments and the final file go (created if missing). */
  dir: string;
  /** Base name of the final file, e.g. the witness session id (characters other than `[A-Za-z0-9._-]` become `_`). */
  name: string;
  /** Default `ffmpeg`. */
  ffmpegPath?: string;
  /** Default `ffprobe`. */
  ffprobePath?: string;
  /** Address of the recording PlainTransports and of ffmpeg's UDP ports; default `127.0.0.1`. */
  listenIp?: string;
  logger?: PoolLogger;
  /** ffmpeg's RTP ports are picked in this range (both ends included); default 20000–29999. */
  portRange?: [number, number];
  /** Debounce of track-set changes; default 300 ms. */
  debounceMs?: number;
  /** Time limit of the final merge; default 120 s. */
  mergeTimeoutMs?: number;
}

/** One stream of a recorded file. */
export interface RecordedStream {
  /** The party (`CUSTOMER`, `AGENT`); '' when the file has no label for it. */
  label: string;
  kind: 'audio' | 'video';
  /** ffmpeg's codec name: `vp8`, `opus`, `h264`. */
  codec: string;
  /** From the stream's first to its last timestamp (its start offset in the file not included). */
  durationMs: number;
  /** Where the stream starts in the file. */
  startMs?: number;
}

/** The outcome of {@link SessionRecorder.stop}. */
export interface RecordingResult {
  path: string;
  bytes: number;
  /** `video/webm` or `video/x-matroska`. */
  mimeType: string;
  durationMs: number;
  streams: RecordedStream[];
}

/** A producer to record and its party. */
export interface RecordTrack {
  producer: types.Producer;
  label: string;
}

const noopLogger: PoolLogger = { info() {}, warn() {}, error() {} };

/** How long a new segment may take to report progress (all outputs initialised). */
const READY_TIMEOUT_MS = 8000;
/** `-analyzeduration` of the segments (µs): how long ffmpeg waits for a stream's parameters. */
const ANALYZE_US = 3_000_000;
/**
 * ffmpeg ends a segment by itself (cleanly) after this long without any packet on any stream: the
 * producers are all paused or gone, and an ffmpeg orphaned by a crash of this process goes away.
 * The next live producer starts a new segment.
 */
const SILENCE_TIMEOUT_S = 30;
/** When key frames are requested again after a video consumer was resumed (mediasoup asks once itself). */
const KEYFRAME_RETRY_MS = [250, 600, 1200, 2500];
/** A producer whose consumer forwarded nothing in this many failed segment starts is left out. */
const MAX_SILENT_FAILURES = 2;
/** First delay before a new segment after a failed start or a dead ffmpeg (doubling up to 30 s). */
const FIRST_RETRY_MS = 500;
/** Bound on waiting for an in-flight segment change in stop(). */
const CHAIN_WAIT_MS = 25_000;

interface SegmentTrack {
  readonly producer: types.Producer;
  readonly label: string;
  readonly kind: 'audio' | 'video';
  /** Lower-case codec name (`vp8`, `opus`, `h264`). */
  readonly codec: string;
  readonly file: string;
  ports?: UdpPortPair;
  transport?: types.PlainTransport;
  consumer?: types.Consumer;
  /** performance.now() when mediasoup forwarded this consumer's first RTP packet. */
  firstPacketAt?: number;
  /** performance.now() when its producer closed. */
  closedAt?: number;
}

interface Segment {
  readonly index: number;
  readonly tracks: SegmentTrack[];
  proc?: FfmpegProcess;
  /** ffmpeg reported progress: every output was initialised. */
  ready: boolean;
  /** The recorder is ending it (an exit is expected). */
  stopping: boolean;
  /** It never got ready and was thrown away. */
  discarded: boolean;
  /** performance.now() when it was asked to end or its ffmpeg exited. */
  endedAt?: number;
  timers: NodeJS.Timeout[];
}

function sanitize(name: string): string {
  const s = name.replace(/[^A-Za-z0-9._-]/g, '_');
  return s.length > 0 ? s.slice(0, 120) : 'recording';
}

const trackKey = (t: { producer: types.Producer; label: string }) => `${t.producer.id}\u0000${t.label}`;

/**
 * Records the producers of one witness session (see the file header for the design). Create it
 * with the session's router, call {@link update} with the full set of producers whenever it
 * changes, and {@link stop} at the end of the call.
 */
export class SessionRecorder {
  private readonly router: types.Router;
  private readonly dir: string;
  private readonly name: string;
  private readonly ffmpegPath: string;
  private readonly ffprobePath: string;
  private readonly listenIp: string;
  private readonly logger: PoolLogger;
  private readonly portRange: [number, number];
  private readonly debounceMs: number;
  private readonly mergeTimeoutMs: number;
  private readonly partsDir: string;

  private state: 'recording' | 'stopping' | 'stopped' | 'aborted' = 'recording';
  private desired: RecordTrack[] = [];
  /** Labels in the order update() first named them (the order of the streams in the file). */
  private readonly labels: string[] = [];
  private active?: Segment;
  private readonly segments: Segment[] = [];
  /** Segments being started (not ready yet). */
  private readonly starting = new Set<Segment>();
  private segmentCounter = 0;
  private chain: Promise<void> = Promise.resolve();
  private debounceTimer?: NodeJS.Timeout;
  private waiters: (() => void)[] = [];
  private retryTimer?: NodeJS.Timeout;
  private retryDelayMs = FIRST_RETRY_MS;
  private readonly silentFailures = new Map<string, number>();
  private readonly watched = new Map<string, () => void>();
  private sink?: dgram.Socket;
  private sinkPort?: number;
  private dirReady?: Promise<void>;
  private stopping?: Promise<RecordingResult | null>;
  private mergeProc?: FfmpegProcess;
  /** How long ending the last segment took in stop() (for the log). */
  private endMs = 0;

  constructor(options: RecorderOptions) {
    this.router = options.router;
    this.dir = path.resolve(options.dir);
    this.name = sanitize(options.name);
    this.ffmpegPath = options.ffmpegPath ?? 'ffmpeg';
    this.ffprobePath = options.ffprobePath ?? 'ffprobe';
    this.listenIp = options.listenIp ?? '127.0.0.1';
    this.logger = options.logger ?? noopLogger;
    this.portRange = options.portRange ?? DEFAULT_FFMPEG_PORT_RANGE;
    this.debounceMs = options.debounceMs ?? 300;
    this.mergeTimeoutMs = options.mergeTimeoutMs ?? 120_000;
    this.partsDir = path.join(this.dir, `.${this.name}.${process.pid}-${Date.now().toString(36)}.parts`);
  }

  /** How many segments (ffmpeg runs that got ready) this recording has had so far. */
  get segmentCount(): number {
    return this.segments.filter((s) => s.ready).length;
  }

  /**
   * Sets the full current set of producers to record (label = the party, e.g. `CUSTOMER`). The
   * change is applied after a short debounce; the promise resolves once it has been (a new
   * segment is recording, or the attempt failed and was logged). Never rejects; ignored after
   * stop()/abort().
   */
  update(tracks: RecordTrack[]): Promise<void> {
    if (this.state !== 'recording') return Promise.resolve();
    this.desired = tracks.map((t) => ({ producer: t.producer, label: t.label }));
    for (const t of tracks) if (!this.labels.includes(t.label)) this.labels.push(t.label);
    this.watchProducers();
    return this.schedule(this.debounceMs);
  }

  /**
   * Stops cleanly (ffmpeg finalises its files), joins everything into ONE file for the session,
   * probes it and deletes the intermediate files. Resolves with null when nothing was recorded.
   * Rejects only when the final merge failed (the pieces are then kept; see the file header).
   * Bounded: every ffmpeg wait has a time limit and a SIGKILL fallback.
   */
  stop(): Promise<RecordingResult | null> {
    if (this.state === 'aborted') return Promise.resolve(null);
    this.stopping ??= this.doStop();
    return this.stopping;
  }

  /** Throws everything away (the router died): kills ffmpeg, closes the transports, deletes the files. */
  async abort(): Promise<void> {
    if (this.state === 'aborted') return;
    this.state = 'aborted';
    this.clearTimers();
    this.unwatchProducers();
    if (this.mergeProc) await killFfmpeg(this.mergeProc);
    const all = new Set([...this.segments, ...this.starting, ...(this.active ? [this.active] : [])]);
    await Promise.all([...all].map((s) => this.killSegment(s)));
    this.active = undefined;
    this.closeSink();
    await rm(this.partsDir, { recursive: true, force: true }).catch(() => {});
    this.logger.info({ name: this.name }, 'recording aborted');
  }

  // -------------------------------------------------------------------------------------------
  // Scheduling

  private schedule(delayMs: number): Promise<void> {
    return new Promise((resolve) => {
      this.waiters.push(resolve);
      if (this.debounceTimer) clearTimeout(this.debounceTimer);
      this.debounceTimer = setTimeout(() => this.flush(), delayMs);
    });
  }

  private flush(): void {
    this.debounceTimer = undefined;
    const waiters = this.waiters.splice(0);
    this.chain = this.chain
      .then(() => this.reconcile())
      .catch((err: unknown) => this.logger.error({ err, name: this.name }, 'recording: segment change failed'))
      .finally(() => waiters.forEach((w) => w()));
  }

  private scheduleRetry(): void {
    if (this.state !== 'recording' || this.retryTimer) return;
    const delay = this.retryDelayMs;
    this.retryDelayMs = Math.min(this.retryDelayMs * 2, 30_000);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.schedule(0);
    }, delay);
  }

  private clearTimers(): void {
    if (this.debounceTimer) clearTimeout(this.debounceTimer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.debounceTimer = undefined;
    this.retryTimer = undefined;
    this.waiters.splice(0).forEach((w) => w());
  }

  /** Producer events that change what can be recorded: it closed, paused/resumed, turned live. */
  private watchProducers(): void {
    const ids = new Set(this.desired.map((t) => t.producer.id));
    for (const [id, unwatch] of this.watched) {
      if (!ids.has(id)) {
        unwatch();
        this.watched.delete(id);
      }
    }
    for (const { producer } of this.desired) {
      if (this.watched.has(producer.id) || producer.closed) continue;
      let live = producer.score.some((s) => s.score > 0);
      const onScore = (score: types.ProducerScore[]) => {
        const wasLive = live;
        live = score.some((s) => s.score > 0);
        if (this.state !== 'recording' || !live) return;
        // Sending again after a pause: it gets new chances even if it failed before.
        if (!wasLive) this.silentFailures.delete(producer.id);
        if (!this.active?.tracks.some((t) => t.producer === producer)) void this.schedule(this.debounceMs);
      };
      const onResume = () => void this.schedule(this.debounceMs);
      producer.observer.on('score', onScore);
      producer.observer.on('resume', onResume);
      this.watched.set(producer.id, () => {
        producer.observer.off('score', onScore);
        producer.observer.off('resume', onResume);
      });
    }
  }

  private unwatchProducers(): void {
    for (const unwatch of this.watched.values()) unwatch();
    this.watched.clear();
  }

  /** Whether a producer can enter a new segment now. */
  private recordable(t: RecordTrack): boolean {
    const p = t.producer;
    return (
      !p.closed &&
      !p.paused &&
      p.score.some((s) => s.score > 0) &&
      (this.silentFailures.get(p.id) ?? 0) < MAX_SILENT_FAILURES
    );
  }

  private async reconcile(): Promise<void> {
    if (this.state !== 'recording') return;
    const wanted = this.desired.filter((t) => this.recordable(t));
    const active = this.active && this.active.proc?.running() ? this.active : undefined;
    if (active) {
      const recording = new Set(active.tracks.filter((t) => !t.producer.closed).map(trackKey));
      // Only tracks gone (or nothing changed): the running ffmpeg records what is left.
      if (wanted.every((t) => recording.has(trackKey(t)))) return;
    }
    if (wanted.length === 0) return;
    const started = await this.startSegment(wanted);
    if (!started) {
      this.scheduleRetry();
      return;
    }
    this.retryDelayMs = FIRST_RETRY_MS;
    const previous = this.active;
    this.active = started;
    if (previous) await this.endSegment(previous);
    if (this.state !== 'recording') await this.endSegment(started);
  }

  // -------------------------------------------------------------------------------------------
  // Segments

  private async ensureDir(): Promise<void> {
    this.dirReady ??= mkdir(this.partsDir, { recursive: true }).then(() => undefined);
    await this.dirReady;
  }

  private async ensureSink(): Promise<number> {
    if (this.sinkPort !== undefined) return this.sinkPort;
    const sink = dgram.createSocket(net.isIPv6(this.listenIp) ? 'udp6' : 'udp4');
    sink.on('message', () => {}); // mediasoup's RTCP for the recording consumers: not needed
    sink.on('error', (err) => this.logger.warn({ err }, 'recording: RTCP sink socket error'));
    await new Promise<void>((resolve, reject) => {
      sink.once('error', reject);
      sink.bind(0, this.listenIp, () => {
        sink.off('error', reject);
        resolve();
      });
    });
    sink.unref();
    this.sink = sink;
    this.sinkPort = sink.address().port;
    return this.sinkPort;
  }

  private closeSink(): void {
    try {
      this.sink?.close();
    } catch {
      // already closed
    }
    this.sink = undefined;
    this.sinkPort = undefined;
  }

  /** Starts a segment for `tracks` and waits until it records; retries twice on a port collision. */
  private async startSegment(tracks: RecordTrack[]): Promise<Segment | undefined> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const { segment, retry } = await this.startSegmentOnce(tracks);
      if (segment) return segment;
      if (!retry || this.state !== 'recording') return undefined;
    }
    return undefined;
  }

  private async startSegmentOnce(tracks: RecordTrack[]): Promise<{ segment?: Segment; retry: boolean }> {
    await this.ensureDir();
    const sinkPort = await this.ensureSink();
    const index = this.segmentCounter++;
    const seg: Segment = { index, tracks: [], ready: false, stopping: false, discarded: false, timers: [] };
    this.starting.add(seg);
    try {
      return await this.setUpSegment(seg, tracks, sinkPort);
    } finally {
      this.starting.delete(seg);
    }
  }

  private async setUpSegment(
    seg: Segment,
    tracks: RecordTrack[],
    sinkPort: number,
  ): Promise<{ segment?: Segment; retry: boolean }> {
    const { index } = seg;
    try {
      for (const t of tracks) {
        const kind = t.producer.kind;
        const codec = codecName(t.producer.rtpParameters.codecs[0]?.mimeType ?? 'x/unknown').toLowerCase();
        const file = path.join(
          this.partsDir,
          `s${String(index).padStart(3, '0')}-${seg.tracks.length}-${sanitize(t.label)}-${kind}-${codec}.mkv`,
        );
        const st: SegmentTrack = { producer: t.producer, label: t.label, kind, codec, file };
        seg.tracks.push(st);
        if (seg.stopping) throw new Error('recording aborted');
        st.ports = await reserveUdpPortPair(this.listenIp, this.portRange);
        st.transport = await this.router.createPlainTransport({
          listenInfo: { protocol: 'udp', ip: this.listenIp },
          rtcpMux: false,
          comedia: false,
          appData: { kaihuRecorder: this.name },
        });
        await st.transport.connect({ ip: this.listenIp, port: st.ports.rtp, rtcpPort: sinkPort });
        st.consumer = await st.transport.consume({
          producerId: t.producer.id,
          rtpCapabilities: plainRtpCapabilities(this.router, t.producer),
          paused: true,
          enableRtx: false,
          appData: { kaihuRecorder: this.name },
        });
        const consumer = st.consumer;
        consumer.once('producerclose', () => (st.closedAt = performance.now()));
        const onTrace = (trace: types.ConsumerTraceEventData) => {
          if (trace.type !== 'rtp' || trace.direction !== 'out' || st.firstPacketAt !== undefined) return;
          st.firstPacketAt = performance.now();
          consumer.off('trace', onTrace);
          if (!consumer.closed) void consumer.enableTraceEvent([]).catch(() => {});
        };
        consumer.on('trace', onTrace);
        await consumer.enableTraceEvent(['rtp']);
      }

      const sdpPath = path.join(this.partsDir, `s${String(index).padStart(3, '0')}.sdp`);
      await writeFile(
        sdpPath,
        buildSdp(
          this.listenIp,
          seg.tracks.map((t) => ({ port: t.ports!.rtp, kind: t.kind, codec: t.consumer!.rtpParameters.codecs[0] })),
        ),
      );
      const args = [
        ...['-hide_banner', '-nostdin', '-nostats', '-loglevel', 'error'],
        ...['-progress', 'pipe:1', '-stats_period', '1'],
        ...[
          '-protocol_whitelist',
          'file,udp,rtp',
          '-listen_timeout',
          String(SILENCE_TIMEOUT_S),
          '-localaddr',
          this.listenIp,
        ],
        ...['-analyzeduration', String(ANALYZE_US), '-fpsprobesize', '0', '-f', 'sdp', '-i', sdpPath],
      ];
      seg.tracks.forEach((t, i) => {
        // Clusters of ≤ 1 s, flushed to the file as they close: a killed ffmpeg loses ≤ 1 s.
        args.push(
          '-map',
          `0:${i}`,
          '-c',
          'copy',
          '-f',
          'matroska',
          '-cluster_time_limit',
          '1000',
          '-flush_packets',
          '1',
          '-y',
          t.file,
        );
      });
      if (seg.stopping) throw new Error('recording aborted');
      let onReady!: () => void;
      const readySignal = new Promise<void>((resolve) => (onReady = resolve));
      let progressText = '';
      const proc = spawnFfmpeg(this.ffmpegPath, args, {
        onStdout: (chunk) => {
          if (seg.ready) return;
          progressText = (progressText + chunk.toString('utf8')).slice(-512);
          if (progressText.includes('progress=')) {
            seg.ready = true;
            onReady();
          }
        },
      });
      seg.proc = proc;
      void proc.exited.then((exit) => this.onSegmentExit(seg, exit.code, exit.signal));

      const ports = seg.tracks.flatMap((t) => [t.ports!.rtp, t.ports!.rtcp]);
      const bound = await waitUdpPortsBound(ports, () => proc.running(), 3000);
      if (!bound) {
        const tail = proc.stderrTail();
        const collided = !proc.running() && /bind|in use/i.test(tail);
        this.logger.warn({ name: this.name, segment: index, stderr: tail }, 'recording ffmpeg did not start listening');
        await this.discardSegment(seg);
        return { retry: collided };
      }
      for (const t of seg.tracks) await t.consumer!.resume();
      for (const delay of KEYFRAME_RETRY_MS) {
        seg.timers.push(
          setTimeout(() => {
            for (const t of seg.tracks) {
              if (t.kind === 'video' && t.firstPacketAt === undefined && t.consumer && !t.consumer.closed) {
                void t.consumer.requestKeyFrame().catch(() => {});
              }
            }
          }, delay),
        );
      }
      await withTimeout(Promise.race([readySignal, proc.exited]), READY_TIMEOUT_MS, undefined);
      if (!seg.ready || !proc.running()) {
        const silent = seg.tracks.filter((t) => t.firstPacketAt === undefined);
        for (const t of silent)
          this.silentFailures.set(t.producer.id, (this.silentFailures.get(t.producer.id) ?? 0) + 1);
        this.logger.warn(
          {
            name: this.name,
            segment: index,
            silent: silent.map((t) => `${t.label}/${t.kind}`),
            exited: !proc.running(),
            stderr: proc.stderrTail(),
          },
          'recording segment did not get ready; keeping the previous one',
        );
        await this.discardSegment(seg);
        return { retry: false };
      }
      for (const t of seg.tracks) this.silentFailures.delete(t.producer.id);
      this.segments.push(seg);
      this.logger.info(
        {
          name: this.name,
          segment: index,
          pid: proc.pid,
          tracks: seg.tracks.map((t) => `${t.label}/${t.kind}/${t.codec}`),
        },
        'recording segment started',
      );
      return { segment: seg, retry: false };
    } catch (err) {
      this.logger.error({ err, name: this.name, segment: index }, 'recording segment could not start');
      await this.discardSegment(seg);
      return { retry: false };
    }
  }

  private onSegmentExit(seg: Segment, code: number | null, signal: NodeJS.Signals | null): void {
    seg.endedAt ??= performance.now();
    for (const t of seg.tracks) t.ports?.release();
    // A segment that is still starting is judged (and logged) by setUpSegment.
    if (seg.stopping || seg.discarded || !seg.ready) return;
    const stderr = seg.proc?.stderrTail() ?? '';
    if (code === 0 && /timed out/i.test(stderr)) {
      this.logger.info(
        { name: this.name, segment: seg.index },
        `recording segment ended after ${SILENCE_TIMEOUT_S} s without media`,
      );
    } else {
      this.logger.error(
        { name: this.name, segment: seg.index, code, signal, stderr },
        'recording ffmpeg exited unexpectedly; keeping what it wrote',
      );
    }
    this.closeTransports(seg);
    for (const timer of seg.timers) clearTimeout(timer);
    if (this.active === seg) {
      this.active = undefined;
      this.scheduleRetry();
    }
  }

  private closeTransports(seg: Segment): void {
    for (const t of seg.tracks) {
      try {
        t.transport?.close(); // closes its consumer too
      } catch {
        // router already gone
      }
    }
  }

  /** Ends a segment cleanly (RTCP BYE → ffmpeg finalises its files), then closes its transports. */
  private async endSegment(seg: Segment): Promise<void> {
    if (seg.stopping) return;
    seg.stopping = true;
    seg.endedAt ??= performance.now();
    for (const timer of seg.timers) clearTimeout(timer);
    if (seg.proc) {
      const how = await stopFfmpeg(seg.proc, {
        ip: this.listenIp,
        rtcpPorts: seg.tracks.flatMap((t) => (t.ports ? [t.ports.rtcp] : [])),
      });
      if (how !== 'clean') {
        this.logger.warn(
          { name: this.name, segment: seg.index, how, stderr: seg.proc.stderrTail() },
          'recording ffmpeg did not end cleanly',
        );
      }
    }
    this.closeTransports(seg);
    for (const t of seg.tracks) t.ports?.release();
  }

  /** Throws a segment away that never got ready. */
  private async discardSegment(seg: Segment): Promise<void> {
    seg.discarded = true;
    await this.killSegment(seg);
    await Promise.all(seg.tracks.map((t) => rm(t.file, { force: true }).catch(() => {})));
  }

  private async killSegment(seg: Segment): Promise<void> {
    seg.stopping = true;
    seg.endedAt ??= performance.now();
    for (const timer of seg.timers) clearTimeout(timer);
    if (seg.proc) await killFfmpeg(seg.proc);
    this.closeTransports(seg);
    for (const t of seg.tracks) t.ports?.release();
  }

  // -------------------------------------------------------------------------------------------
  // Stop and merge

  /** A method, so that TypeScript does not narrow `state` across awaits. */
  private isAborted(): boolean {
    return this.state === 'aborted';
  }

  private async doStop(): Promise<RecordingResult | null> {
    this.state = 'stopping';
    this.clearTimers();
    this.unwatchProducers();
    const chainDone = await withTimeout(
      this.chain.then(() => true),
      CHAIN_WAIT_MS,
      false,
    );
    if (!chainDone)
      this.logger.warn({ name: this.name }, 'recording: a segment change did not finish in time; stopping anyway');
    const ending = performance.now();
    if (this.active) await this.endSegment(this.active);
    this.active = undefined;
    this.endMs = Math.round(performance.now() - ending);
    // Anything else still running (only when a segment change did not finish in time).
    await Promise.all([...this.starting].map((s) => this.killSegment(s)));
    await Promise.all(
      this.segments
        .filter((s) => s.proc?.running())
        .map(async (s) => {
          if (!s.stopping) await this.endSegment(s);
          else if (!(await waitExit(s.proc!, 8000))) await this.killSegment(s);
        }),
    );
    this.closeSink();
    if (this.isAborted()) return null;
    try {
      return await mergeRecording({
        name: this.name,
        dir: this.dir,
        partsDir: this.partsDir,
        labels: this.labels,
        segments: this.segments,
        ffmpegPath: this.ffmpegPath,
        ffprobePath: this.ffprobePath,
        timeoutMs: this.mergeTimeoutMs,
        endMs: this.endMs,
        logger: this.logger,
        isAborted: () => this.isAborted(),
        onProcess: (proc) => (this.mergeProc = proc),
      });
    } catch (err) {
      if (this.isAborted()) return null;
      throw err;
    } finally {
      if (this.state === 'stopping') this.state = 'stopped';
    }
  }
}
