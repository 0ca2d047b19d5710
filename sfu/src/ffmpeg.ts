/**
 * Helpers shared by the recorder and the snapshot: spawning ffmpeg (stderr tail, bounded stop),
 * free UDP port pairs for ffmpeg's RTP input, an SDP for router consumers on PlainTransports, and
 * RTP capabilities that make a consumer send exactly the producer's codec (no RTX, no header
 * extensions) — what ffmpeg's RTP demuxer understands.
 *
 * Facts about Debian's ffmpeg 5.1 that shaped these helpers (checked by hand, see recorder.ts):
 * - The SDP demuxer ends its input (cleanly, exit 0, "Connection timed out") after
 *   `-listen_timeout` seconds without any packet (default 10; -1 waits for ever).
 * - A first SIGINT/SIGTERM only ends ffmpeg when a packet arrives (its blocking RTP read is not
 *   interrupted by one signal); a second signal interrupts every I/O, trailer writes included, so
 *   the output file is left without its end. What ends an RTP input cleanly is an RTCP BYE on as
 *   many streams as the SDP has (the demuxer then returns EOF and the muxers finish their files):
 *   {@link stopFfmpeg} sends BYEs first, then signals, then SIGKILL.
 * - RTCP packets shorter than 12 bytes are ignored, hence the BYE with two SSRCs.
 * - `-localaddr` makes the SDP demuxer bind its UDP sockets to one address instead of all.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

import type { types } from 'mediasoup';

/** How an ffmpeg process ended. */
export interface FfmpegExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A running (or ended) ffmpeg child process. */
export interface FfmpegProcess {
  readonly pid: number;
  readonly child: ChildProcess;
  /** Resolves when the process has exited (never rejects; a spawn error ends as code -1). */
  readonly exited: Promise<FfmpegExit>;
  /** Whether the process is still running. */
  running(): boolean;
  /** The last few KiB of its stderr (with `-loglevel error`: its error messages). */
  stderrTail(): string;
}

const STDERR_TAIL_BYTES = 4096;

/** ffmpeg processes started through {@link spawnFfmpeg} that have not exited yet. */
const live = new Map<number, FfmpegProcess>();

/** The pids of ffmpeg processes started by this module that are still running (for tests and leak checks). */
export function liveFfmpegPids(): number[] {
  return [...live.keys()];
}

/**
 * Starts ffmpeg (`stdio`: stdin ignored or fed `stdin` then closed, stdout to `onStdout`, stderr
 * kept as a tail). Never throws: a spawn failure shows as `exited` with code -1 and the reason in
 * the stderr tail.
 */
export function spawnFfmpeg(
  ffmpegPath: string,
  args: string[],
  options: { stdin?: string | Buffer; onStdout?: (chunk: Buffer) => void } = {},
): FfmpegProcess {
  const child = spawn(ffmpegPath, args, {
    stdio: [options.stdin === undefined ? 'ignore' : 'pipe', options.onStdout ? 'pipe' : 'ignore', 'pipe'],
  });
  let tail = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-STDERR_TAIL_BYTES);
  });
  if (options.onStdout) child.stdout?.on('data', options.onStdout);
  if (options.stdin !== undefined && child.stdin) {
    child.stdin.on('error', () => {}); // EPIPE when ffmpeg exits early: its exit says why
    child.stdin.end(options.stdin);
  }
  let done = false;
  const exited = new Promise<FfmpegExit>((resolve) => {
    child.once('error', (err) => {
      // Only a failed spawn has no exit event afterwards.
      if (child.pid === undefined) {
        done = true;
        tail += `\n${String(err)}`;
        resolve({ code: -1, signal: null });
      }
    });
    child.once('close', (code, signal) => {
      done = true;
      resolve({ code, signal });
    });
  });
  const proc: FfmpegProcess = {
    pid: child.pid ?? -1,
    child,
    exited,
    running: () => !done,
    stderrTail: () => tail.trim(),
  };
  if (child.pid !== undefined) {
    live.set(child.pid, proc);
    void exited.then(() => live.delete(child.pid!));
  }
  return proc;
}

/** `promise`'s value, or `fallback` after `ms` (the timer is cleared either way). */
export async function withTimeout<T, F>(promise: Promise<T>, ms: number, fallback: F): Promise<T | F> {
  const ac = new AbortController();
  try {
    return await Promise.race([promise, sleep(ms, fallback, { signal: ac.signal }).catch(() => fallback)]);
  } finally {
    ac.abort();
  }
}

/** Waits for `proc` to exit, at most `ms`; true if it exited. */
export async function waitExit(proc: FfmpegProcess, ms: number): Promise<boolean> {
  if (!proc.running()) return true;
  return withTimeout(
    proc.exited.then(() => true),
    ms,
    false,
  );
}

function signal(proc: FfmpegProcess, sig: NodeJS.Signals): void {
  if (!proc.running()) return;
  try {
    proc.child.kill(sig);
  } catch {
    // already gone
  }
}

/** An RTCP BYE (two SSRCs: ffmpeg ignores RTP/RTCP packets under 12 bytes). */
export const RTCP_BYE = Buffer.from([0x82, 203, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2]);

/**
 * Ends an ffmpeg that reads RTP from an SDP, as cleanly as it can and in bounded time: an RTCP BYE
 * to every stream's RTCP port (ffmpeg then sees the end of its input and finalises its outputs);
 * after `graceMs` SIGINT; 1 s later SIGTERM (a second signal interrupts blocking I/O); 1 s later
 * SIGKILL. Resolves once the process is gone (or 2 s after SIGKILL at worst).
 */
export async function stopFfmpeg(
  proc: FfmpegProcess,
  rtp: { ip: string; rtcpPorts: number[] } | undefined,
  graceMs = 4000,
): Promise<'clean' | 'signalled' | 'killed'> {
  if (!proc.running()) return 'clean';
  if (rtp && rtp.rtcpPorts.length > 0) {
    const socket = dgram.createSocket(net.isIPv6(rtp.ip) ? 'udp6' : 'udp4');
    socket.on('error', () => {});
    try {
      // Twice, spaced, in case a datagram is lost.
      for (let round = 0; round < 2 && proc.running(); round++) {
        for (const port of rtp.rtcpPorts) socket.send(RTCP_BYE, port, rtp.ip);
        if (await waitExit(proc, round === 0 ? 200 : graceMs)) return 'clean';
      }
    } finally {
      socket.close();
    }
  } else if (await waitExit(proc, 0)) {
    return 'clean';
  }
  signal(proc, 'SIGINT');
  if (await waitExit(proc, 1000)) return 'signalled';
  signal(proc, 'SIGTERM');
  if (await waitExit(proc, 1000)) return 'signalled';
  signal(proc, 'SIGKILL');
  await waitExit(proc, 2000);
  return 'killed';
}

/** SIGKILLs ffmpeg and waits (at most 2 s) until it is gone. */
export async function killFfmpeg(proc: FfmpegProcess): Promise<void> {
  signal(proc, 'SIGKILL');
  await waitExit(proc, 2000);
}

/**
 * Runs ffmpeg/ffprobe to completion with a time limit (SIGKILL when over), collecting stdout.
 * Resolves with the exit code (−1 for a spawn failure or a timeout) and the stderr tail.
 */
export async function runFfmpeg(
  path: string,
  args: string[],
  timeoutMs: number,
  onSpawn?: (proc: FfmpegProcess) => void,
): Promise<{ code: number; stdout: Buffer; stderr: string; timedOut: boolean }> {
  const chunks: Buffer[] = [];
  const proc = spawnFfmpeg(path, args, { onStdout: (c) => chunks.push(c) });
  onSpawn?.(proc);
  const finished = await waitExit(proc, timeoutMs);
  if (!finished) await killFfmpeg(proc);
  const exit = await withTimeout(proc.exited, 100, { code: -1, signal: null } as FfmpegExit);
  return {
    code: finished ? (exit.code ?? -1) : -1,
    stdout: Buffer.concat(chunks),
    stderr: proc.stderrTail(),
    timedOut: !finished,
  };
}

// ---------------------------------------------------------------------------------------------
// UDP ports for ffmpeg

/** RTP ports (even; RTCP = port + 1) handed out by {@link reserveUdpPortPair} and not released yet. */
const reserved = new Set<number>();

function tryBind(type: 'udp4' | 'udp6', ip: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket({ type, reuseAddr: false });
    socket.once('error', () => {
      try {
        socket.close();
      } catch {
        // never bound
      }
      resolve(false);
    });
    socket.bind({ port, address: ip, exclusive: true }, () => socket.close(() => resolve(true)));
  });
}

/** A pair of UDP ports (RTP even, RTCP = RTP + 1) reserved in this process for ffmpeg. */
export interface UdpPortPair {
  rtp: number;
  rtcp: number;
  /** Gives the pair back (call once ffmpeg has exited). */
  release(): void;
}

/** Default range of ffmpeg's RTP ports (both ends included; mediasoup's own ports may be anywhere). */
export const DEFAULT_FFMPEG_PORT_RANGE: [number, number] = [20000, 29999];

/**
 * A random even port `p` in `range` with `p` and `p + 1` free on `ip` right now (checked by binding
 * them with node:dgram) and not handed out to another ffmpeg of this process. Another process can
 * still take them before ffmpeg binds them: ffmpeg then fails ("bind failed") and the caller retries.
 */
export async function reserveUdpPortPair(
  ip: string,
  range: [number, number] = DEFAULT_FFMPEG_PORT_RANGE,
): Promise<UdpPortPair> {
  const type = net.isIPv6(ip) ? 'udp6' : 'udp4';
  const lo = Math.ceil(range[0] / 2);
  const hi = Math.floor((range[1] - 1) / 2);
  if (hi < lo) throw new RangeError(`no even port pair in ${range[0]}-${range[1]}`);
  for (let attempt = 0; attempt < 64; attempt++) {
    const rtp = 2 * (lo + Math.floor(Math.random() * (hi - lo + 1)));
    if (reserved.has(rtp)) continue;
    reserved.add(rtp); // before the awaits: concurrent callers skip it
    if ((await tryBind(type, ip, rtp)) && (await tryBind(type, ip, rtp + 1))) {
      let released = false;
      return {
        rtp,
        rtcp: rtp + 1,
        release: () => {
          if (!released) reserved.delete(rtp);
          released = true;
        },
      };
    }
    reserved.delete(rtp);
  }
  throw new Error(`no free UDP port pair for ffmpeg on ${ip} in ${range[0]}-${range[1]} after 64 attempts`);
}

/** Local UDP ports currently bound on this host (Linux /proc/net/udp{,6}); undefined elsewhere. */
async function boundUdpPorts(): Promise<Set<number> | undefined> {
  const ports = new Set<number>();
  let readAny = false;
  for (const file of ['/proc/net/udp', '/proc/net/udp6']) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      continue;
    }
    readAny = true;
    for (const line of text.split('\n').slice(1)) {
      const local = line.trim().split(/\s+/)[1];
      const hex = local?.split(':').pop();
      if (hex) ports.add(parseInt(hex, 16));
    }
  }
  return readAny ? ports : undefined;
}

/**
 * Waits until every port in `ports` is bound (ffmpeg is listening), `alive()` turns false, or
 * `timeoutMs` passes. Without /proc (not Linux) it waits a fixed 700 ms. True when all are bound.
 */
export async function waitUdpPortsBound(ports: number[], alive: () => boolean, timeoutMs = 3000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!alive()) return false;
    const bound = await boundUdpPorts();
    if (!bound) {
      await sleep(700);
      return alive();
    }
    if (ports.every((p) => bound.has(p))) return true;
    if (Date.now() > deadline) return false;
    await sleep(25);
  }
}

// ---------------------------------------------------------------------------------------------
// RTP parameters and SDP

/**
 * RTP capabilities for a consumer that ffmpeg reads: the router's codec(s) of the producer's
 * mime type only (so no RTX), and no header extensions.
 */
export function plainRtpCapabilities(router: types.Router, producer: types.Producer): types.RtpCapabilities {
  const mime = producer.rtpParameters.codecs[0]?.mimeType.toLowerCase();
  const codecs = (router.rtpCapabilities.codecs ?? []).filter((c) => c.mimeType.toLowerCase() === mime);
  return { codecs, headerExtensions: [] };
}

/** One m= section of an SDP for ffmpeg. */
export interface SdpMedia {
  port: number;
  kind: 'audio' | 'video';
  codec: types.RtpCodecParameters;
}

/** The codec name in an rtpmap line: the mime subtype (`VP8`, `opus`, `H264`). */
export function codecName(mimeType: string): string {
  return mimeType.split('/')[1] ?? mimeType;
}

/** An SDP that makes ffmpeg listen on `ip` at each media's port for the consumer's RTP. */
export function buildSdp(ip: string, media: SdpMedia[]): string {
  const family = net.isIPv6(ip) ? 'IP6' : 'IP4';
  const lines = ['v=0', `o=- 0 0 IN ${family} ${ip}`, 's=kaihu', `c=IN ${family} ${ip}`, 't=0 0'];
  for (const m of media) {
    const pt = m.codec.payloadType;
    lines.push(`m=${m.kind} ${m.port} RTP/AVP ${pt}`);
    const channels = m.kind === 'audio' && m.codec.channels && m.codec.channels > 1 ? `/${m.codec.channels}` : '';
    lines.push(`a=rtpmap:${pt} ${codecName(m.codec.mimeType)}/${m.codec.clockRate}${channels}`);
    const fmtp = Object.entries(m.codec.parameters ?? {})
      .map(([k, v]) => `${k}=${String(v)}`)
      .join(';');
    if (fmtp) lines.push(`a=fmtp:${pt} ${fmtp}`);
    lines.push('a=recvonly');
  }
  return `${lines.join('\r\n')}\r\n`;
}
