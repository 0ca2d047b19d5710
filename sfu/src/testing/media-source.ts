/**
 * Test media for the SFU: a "party" whose camera and microphone are ffmpeg test sources
 * (lavfi testsrc + sine, encoded to VP8 or H264 + opus in real time) sent as RTP into
 * PlainTransport producers, as rtp.test.ts does. Also: which ffmpeg children this process has.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

import type { types } from 'mediasoup';

import { withTimeout } from '../ffmpeg';

export const hasFfmpeg =
  spawnSync('ffmpeg', ['-version'], { stdio: 'ignore' }).status === 0 &&
  spawnSync('ffprobe', ['-version'], { stdio: 'ignore' }).status === 0;

const AUDIO_PT = 100;
const VIDEO_PT = 101;
let nextSsrc = 10_000_000;

export interface TestPartyOptions {
  /** Video codec, or false for none; default VP8. */
  video?: 'VP8' | 'H264' | false;
  /** Whether to send opus audio; default true. */
  audio?: boolean;
  /** Picture size; default 320x240. */
  size?: string;
  /** How long ffmpeg sends (it is killed by close() anyway); default 30 s. */
  seconds?: number;
}

export interface TestParty {
  audio?: types.Producer;
  video?: types.Producer;
  transports: types.PlainTransport[];
  ffmpeg: ChildProcess;
  /** Closes the video producer and produces a new one from the same source (a reconnect). */
  replaceVideo(): Promise<types.Producer>;
  /** Waits until the producers have received RTP (mediasoup score > 0). */
  live(timeoutMs?: number): Promise<void>;
  stderr(): string;
  /** Kills ffmpeg (and waits for it) and closes the transports. */
  close(): Promise<void>;
}

const plain = (): types.PlainTransportOptions => ({
  listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
  rtcpMux: false,
  comedia: true,
});

/** A party sending test video (VP8 or H264) and opus from one ffmpeg into PlainTransport producers. */
export async function startTestParty(router: types.Router, options: TestPartyOptions = {}): Promise<TestParty> {
  const videoCodec = options.video ?? 'VP8';
  const withAudio = options.audio ?? true;
  const size = options.size ?? '320x240';
  const seconds = String(options.seconds ?? 30);
  const transports: types.PlainTransport[] = [];
  const args = ['-hide_banner', '-loglevel', 'error', '-re'];
  const outputs: string[] = [];
  const target = (t: types.PlainTransport) =>
    `rtp://127.0.0.1:${t.tuple.localPort}?rtcpport=${t.rtcpTuple!.localPort}&pkt_size=1200`;

  let video: types.Producer | undefined;
  let videoParams: types.RtpParameters | undefined;
  let videoTransport: types.PlainTransport | undefined;
  let input = 0;
  if (videoCodec) {
    videoTransport = await router.createPlainTransport(plain());
    transports.push(videoTransport);
    const ssrc = nextSsrc++;
    videoParams = {
      codecs: [
        videoCodec === 'VP8'
          ? { mimeType: 'video/VP8', payloadType: VIDEO_PT, clockRate: 90000, parameters: {} }
          : {
              mimeType: 'video/H264',
              payloadType: VIDEO_PT,
              clockRate: 90000,
              parameters: { 'packetization-mode': 1, 'profile-level-id': '42e01f', 'level-asymmetry-allowed': 1 },
            },
      ],
      encodings: [{ ssrc }],
    };
    video = await videoTransport.produce({ kind: 'video', rtpParameters: videoParams });
    args.push('-t', seconds, '-f', 'lavfi', '-i', `testsrc=size=${size}:rate=30`);
    const encoder =
      videoCodec === 'VP8'
        ? ['-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '300k', '-g', '15']
        : [
            '-c:v',
            'libx264',
            '-preset',
            'ultrafast',
            '-tune',
            'zerolatency',
            '-profile:v',
            'baseline',
            '-pix_fmt',
            'yuv420p',
            '-g',
            '15',
            '-b:v',
            '300k',
          ];
    outputs.push(
      ...['-map', `${input}:v`, '-threads', '1', ...encoder],
      ...['-ssrc', String(ssrc), '-payload_type', String(VIDEO_PT), '-f', 'rtp', target(videoTransport)],
    );
    input++;
  }
  let audio: types.Producer | undefined;
  if (withAudio) {
    const audioTransport = await router.createPlainTransport(plain());
    transports.push(audioTransport);
    const ssrc = nextSsrc++;
    audio = await audioTransport.produce({
      kind: 'audio',
      rtpParameters: {
        codecs: [{ mimeType: 'audio/opus', payloadType: AUDIO_PT, clockRate: 48000, channels: 2, parameters: {} }],
        encodings: [{ ssrc }],
      },
    });
    args.push('-t', seconds, '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000');
    outputs.push(
      ...['-map', `${input}:a`, '-c:a', 'libopus', '-ac', '2', '-ar', '48000', '-b:a', '48k'],
      ...['-ssrc', String(ssrc), '-payload_type', String(AUDIO_PT), '-f', 'rtp', target(audioTransport)],
    );
  }
  args.push(...outputs);
  const ffmpeg = spawn('ffmpeg', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  ffmpeg.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => ffmpeg.once('close', () => resolve()));

  const party: TestParty = {
    audio,
    video,
    transports,
    ffmpeg,
    async replaceVideo() {
      if (!videoTransport || !videoParams || !party.video) throw new Error('this party has no video');
      party.video.close();
      party.video = await videoTransport.produce({ kind: 'video', rtpParameters: videoParams });
      return party.video;
    },
    async live(timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      const producers = [party.audio, party.video].filter((p): p is types.Producer => !!p);
      while (!producers.every((p) => p.score.some((s) => s.score > 0))) {
        if (Date.now() > deadline) throw new Error(`test party not live after ${timeoutMs} ms; ffmpeg: ${stderr}`);
        await sleep(50);
      }
    },
    stderr: () => stderr,
    async close() {
      if (ffmpeg.exitCode === null && ffmpeg.signalCode === null) ffmpeg.kill('SIGKILL');
      await withTimeout(exited, 3000, undefined);
      for (const t of transports) t.close();
    },
  };
  return party;
}

/** Pids of this process's child processes named `name` (Linux /proc; [] elsewhere). */
export function childProcesses(name = 'ffmpeg'): number[] {
  const pids: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return pids;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid ...
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const ppid = Number(stat.slice(close + 2).split(' ')[1]);
      if (ppid === process.pid && comm === name) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** CPU time (user + system, ms) a process has used so far (Linux /proc/<pid>/stat), or undefined. */
export function cpuTimeMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14, 15)
    return (ticks * 1000) / 100; // USER_HZ is 100 on Linux
  } catch {
    return undefined;
  }
}

/** Resident memory (KiB) of a process (Linux /proc/<pid>/status), or undefined. */
export function rssKiB(pid: number): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}
