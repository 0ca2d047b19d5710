/**
 * A still of a party's camera for the agent's witness record: the producer's video through a
 * paused consumer on a PlainTransport into ffmpeg, which decodes the first (key) frame and writes
 * one JPEG to its stdout. The SDP is handed to ffmpeg on its stdin, so nothing is written to disk.
 * A key frame is requested when the consumer resumes and again a few times; the transport and the
 * process are cleaned up whatever happens.
 */
import { performance } from 'node:perf_hooks';

import type { types } from 'mediasoup';

import {
  buildSdp,
  killFfmpeg,
  plainRtpCapabilities,
  reserveUdpPortPair,
  spawnFfmpeg,
  waitExit,
  waitUdpPortsBound,
  type FfmpegProcess,
  type UdpPortPair,
} from './ffmpeg';

/** Options of {@link captureSnapshot}. */
export interface SnapshotOptions {
  /** Default `ffmpeg`. */
  ffmpegPath?: string;
  /** Address of the PlainTransport and of ffmpeg's UDP port; default `127.0.0.1`. */
  listenIp?: string;
  /** Overall time limit; default 8000 ms. */
  timeoutMs?: number;
}

/** No video frame could be decoded within the time limit (the producer sends nothing decodable). */
export class SnapshotTimeoutError extends Error {
  constructor(
    producerId: string,
    readonly timeoutMs: number,
  ) {
    super(`snapshot of producer ${producerId} timed out after ${timeoutMs} ms (no video frame could be decoded)`);
    this.name = 'SnapshotTimeoutError';
  }
}

/** When key frames are requested again after the consumer resumed (mediasoup asks once itself). */
const KEYFRAME_RETRY_MS = [300, 1000, 2500, 5000];

/** Width and height from a JPEG's start-of-frame segment. */
export function jpegSize(jpeg: Buffer): { width: number; height: number } | undefined {
  if (jpeg.length < 4 || jpeg[0] !== 0xff || jpeg[1] !== 0xd8) return undefined;
  let i = 2;
  while (i + 3 < jpeg.length) {
    if (jpeg[i] !== 0xff) {
      i++;
      continue;
    }
    const marker = jpeg[i + 1];
    if (marker === 0xff) {
      i++; // fill byte
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd9)) {
      i += 2; // no length
      continue;
    }
    const length = jpeg.readUInt16BE(i + 2);
    const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isSof && i + 8 < jpeg.length) {
      return { height: jpeg.readUInt16BE(i + 5), width: jpeg.readUInt16BE(i + 7) };
    }
    i += 2 + length;
  }
  return undefined;
}

/**
 * A still of the producer's video: a key frame decoded by ffmpeg to JPEG.
 *
 * @throws when the producer is not video (or is closed or paused), {@link SnapshotTimeoutError} when no
 *   frame could be decoded within `timeoutMs` (default 8 s), or when ffmpeg fails (its error message is
 *   included).
 */
export async function captureSnapshot(
  router: types.Router,
  producer: types.Producer,
  options: SnapshotOptions = {},
): Promise<{ jpeg: Buffer; width: number; height: number }> {
  if (producer.kind !== 'video') {
    throw new Error(`a snapshot needs a video producer; producer ${producer.id} is ${producer.kind}`);
  }
  if (producer.closed) throw new Error(`producer ${producer.id} is closed`);
  if (producer.paused) throw new Error(`producer ${producer.id} is paused: it sends no video`);
  const ffmpegPath = options.ffmpegPath ?? 'ffmpeg';
  const listenIp = options.listenIp ?? '127.0.0.1';
  const timeoutMs = options.timeoutMs ?? 8000;
  const deadline = performance.now() + timeoutMs;
  const remaining = () => Math.max(0, deadline - performance.now());
  const timedOut = () => new SnapshotTimeoutError(producer.id, timeoutMs);

  let ports: UdpPortPair | undefined;
  let transport: types.PlainTransport | undefined;
  let proc: FfmpegProcess | undefined;
  const timers: NodeJS.Timeout[] = [];
  try {
    ports = await reserveUdpPortPair(listenIp);
    transport = await router.createPlainTransport({
      listenInfo: { protocol: 'udp', ip: listenIp },
      rtcpMux: false,
      comedia: false,
      appData: { kaihuSnapshot: producer.id },
    });
    await transport.connect({ ip: listenIp, port: ports.rtp, rtcpPort: ports.rtcp });
    const consumer = await transport.consume({
      producerId: producer.id,
      rtpCapabilities: plainRtpCapabilities(router, producer),
      paused: true,
      enableRtx: false,
    });
    const sdp = buildSdp(listenIp, [{ port: ports.rtp, kind: 'video', codec: consumer.rtpParameters.codecs[0] }]);
    const chunks: Buffer[] = [];
    proc = spawnFfmpeg(
      ffmpegPath,
      [
        ...['-hide_banner', '-nostdin', '-nostats', '-loglevel', 'error', '-threads', '1'],
        // A finite -listen_timeout: ffmpeg goes away by itself should this process die meanwhile.
        ...[
          '-protocol_whitelist',
          'pipe,udp,rtp',
          '-listen_timeout',
          String(Math.ceil(timeoutMs / 1000) + 2),
          '-localaddr',
          listenIp,
        ],
        ...['-analyzeduration', '100000', '-fpsprobesize', '0', '-f', 'sdp', '-i', 'pipe:0'],
        ...['-map', '0:v:0', '-an', '-frames:v', '1', '-pix_fmt', 'yuvj420p', '-c:v', 'mjpeg', '-q:v', '3'],
        ...['-f', 'image2pipe', 'pipe:1'],
      ],
      { stdin: sdp, onStdout: (c) => chunks.push(c) },
    );
    const running = proc;
    if (!(await waitUdpPortsBound([ports.rtp], () => running.running(), remaining()))) {
      if (!running.running())
        throw new Error(`ffmpeg could not receive the video: ${running.stderrTail() || 'it exited'}`);
      throw timedOut();
    }
    await consumer.resume();
    for (const delay of KEYFRAME_RETRY_MS) {
      timers.push(setTimeout(() => void consumer.requestKeyFrame().catch(() => {}), delay));
    }
    if (!(await waitExit(running, remaining()))) throw timedOut();
    const { code } = await running.exited;
    const jpeg = Buffer.concat(chunks);
    if (code !== 0 || jpeg.length === 0) {
      throw new Error(`ffmpeg could not decode a frame (exit ${code}): ${running.stderrTail() || 'no output'}`);
    }
    const size = jpegSize(jpeg);
    if (!size) throw new Error(`ffmpeg wrote ${jpeg.length} bytes that are not a JPEG`);
    return { jpeg, ...size };
  } finally {
    for (const timer of timers) clearTimeout(timer);
    if (proc?.running()) await killFfmpeg(proc);
    try {
      transport?.close();
    } catch {
      // the router is gone
    }
    ports?.release();
  }
}
