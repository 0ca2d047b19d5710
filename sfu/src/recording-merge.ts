/**
 * The end of a recording: the pieces the segments wrote, probed and joined per final stream into
 * one file with one ffmpeg run (`-c copy`); see the header of ./recorder.ts for the design.
 */
import { access, mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

import { runFfmpeg, type FfmpegProcess } from './ffmpeg';
import type { PoolLogger } from './pool';
import type { RecordedStream, RecordingResult } from './recorder';

const WEBM_CODECS = new Set(['vp8', 'vp9', 'av1', 'opus', 'vorbis']);

/** What the merge reads of a segment's track. */
export interface MergeTrack {
  readonly producer: { id: string };
  readonly label: string;
  readonly kind: 'audio' | 'video';
  readonly codec: string;
  readonly file: string;
  firstPacketAt?: number;
  closedAt?: number;
}

export interface MergeInput {
  name: string;
  /** where the final file goes */
  dir: string;
  /** the pieces' folder, removed after a successful merge */
  partsDir: string;
  /** parties in the order their streams go into the file */
  labels: readonly string[];
  segments: readonly { ready: boolean; endedAt?: number; tracks: readonly MergeTrack[] }[];
  ffmpegPath: string;
  ffprobePath: string;
  timeoutMs: number;
  /** how long ending the last segment took (logged) */
  endMs: number;
  logger: PoolLogger;
  isAborted(): boolean;
  /** the merging ffmpeg, so that an abort can kill it (undefined once it is done) */
  onProcess(proc: FfmpegProcess | undefined): void;
}

interface Piece {
  label: string;
  kind: 'audio' | 'video';
  codec: string;
  producerId: string;
  file: string;
  /** Wall-clock (performance.now()) position of the piece's first timestamp. */
  wallStartMs: number;
  /** When its media ended at the latest (producer closed, segment ended). */
  wallEndMs: number;
  /** The piece's first timestamp in its own file (s). */
  startS: number;
}

/**
 * How long a new producer of a party may overlap the previous one of the same kind and codec and
 * still continue its stream in the file (a reconnect that produced before closing the old
 * producer): the old one is cut where the new one starts. Longer overlaps make a second stream.
 */
const REPLACE_OVERLAP_MS = 3000;

async function probePieces(input: MergeInput): Promise<Piece[]> {
  const pieces: Piece[] = [];
  const probes = input.segments
    .filter((seg) => seg.ready)
    .flatMap((seg) => seg.tracks.map((t) => ({ seg, t })))
    .map(async ({ seg, t }) => {
      if (t.firstPacketAt === undefined) return;
      try {
        const startS = await firstTimestamp(t.file, input.ffprobePath);
        if (startS === undefined) return; // no packet: nothing to join
        const wallStartMs = t.firstPacketAt + startS * 1000;
        pieces.push({
          label: t.label,
          kind: t.kind,
          codec: t.codec,
          producerId: t.producer.id,
          file: t.file,
          wallStartMs,
          wallEndMs: Math.max(wallStartMs, Math.min(t.closedAt ?? Infinity, seg.endedAt ?? performance.now())),
          startS,
        });
      } catch (err) {
        input.logger.warn({ name: input.name, file: t.file, err }, 'recording: unreadable piece left out');
      }
    });
  await Promise.all(probes);
  return pieces;
}

/** Joins the pieces of every ready segment into the final file (see the header of recorder.ts). */
export async function mergeRecording(input: MergeInput): Promise<RecordingResult | null> {
  const pieces = await probePieces(input);
  if (pieces.length === 0) {
    await rm(input.partsDir, { recursive: true, force: true }).catch(() => {});
    input.logger.info({ name: input.name }, 'recording stopped: nothing was recorded');
    return null;
  }
  const origin = Math.min(...pieces.map((p) => p.wallStartMs));
  const labelRank = (label: string) => input.labels.indexOf(label);
  const tracks = assignTracks(pieces).sort((a, b) => {
    const [x, y] = [a[0], b[0]];
    return (
      labelRank(x.label) - labelRank(y.label) ||
      (x.kind === y.kind ? 0 : x.kind === 'video' ? -1 : 1) ||
      x.wallStartMs - y.wallStartMs
    );
  });

  const webm = pieces.every((p) => WEBM_CODECS.has(p.codec));
  const ext = webm ? 'webm' : 'mkv';
  const args = ['-hide_banner', '-nostdin', '-nostats', '-loglevel', 'error', '-y'];
  for (const [i, list] of tracks.entries()) {
    // Pieces entirely overlapped by a later one starting at the same moment are dropped.
    const kept = list.filter((p, j) => j === list.length - 1 || list[j + 1].wallStartMs > p.wallStartMs);
    const lines = ['ffconcat version 1.0'];
    kept.forEach((p, j) => {
      lines.push(`file '${p.file.replace(/'/g, "'\\''")}'`);
      const next = kept[j + 1];
      if (next) {
        const span = (next.wallStartMs - p.wallStartMs) / 1000;
        // Cut 1 ms early: the last packet kept and the next piece's first never share a timestamp.
        lines.push(`duration ${span.toFixed(6)}`, `outpoint ${(p.startS + span - 0.001).toFixed(6)}`);
      }
    });
    const listPath = path.join(input.partsDir, `track-${i}.ffconcat`);
    await writeFile(listPath, `${lines.join('\n')}\n`);
    const offset = (kept[0].wallStartMs - origin) / 1000;
    args.push('-itsoffset', offset.toFixed(6), '-f', 'concat', '-safe', '0', '-i', listPath);
  }
  tracks.forEach((_, i) => args.push('-map', `${i}:0`));
  args.push('-c', 'copy', '-metadata', `title=${input.name}`);
  tracks.forEach(([first], i) => {
    args.push(`-metadata:s:${i}`, `title=${first.label}`);
    if (!webm) args.push(`-metadata:s:${i}`, `label=${first.label}`);
  });
  const finalPath = await freePath(input.dir, input.name, ext);
  const tmpPath = path.join(input.partsDir, `final.${ext}`);
  args.push('-f', webm ? 'webm' : 'matroska', tmpPath);

  const timeoutMs = input.timeoutMs;
  const started = performance.now();
  const result = await runFfmpeg(input.ffmpegPath, args, timeoutMs, input.onProcess);
  input.onProcess(undefined);
  if (input.isAborted()) return null;
  if (result.code !== 0) {
    const err = new Error(
      `recording ${input.name}: merging ${pieces.length} pieces failed (${result.timedOut ? `timed out after ${timeoutMs} ms` : `exit ${result.code}`}): ${result.stderr.slice(-800)}; the pieces are kept in ${input.partsDir}`,
    );
    input.logger.error({ name: input.name, stderr: result.stderr }, 'recording merge failed');
    throw err;
  }
  await rename(tmpPath, finalPath);
  const probe = await probeMedia(finalPath, input.ffprobePath);
  const { size } = await stat(finalPath);
  await rm(input.partsDir, { recursive: true, force: true }).catch(() => {});
  input.logger.info(
    {
      name: input.name,
      path: finalPath,
      bytes: size,
      durationMs: probe.durationMs,
      segments: input.segments.length,
      pieces: pieces.length,
      endMs: input.endMs,
      mergeMs: Math.round(performance.now() - started),
    },
    'recording stopped',
  );
  return {
    path: finalPath,
    bytes: size,
    mimeType: webm ? 'video/webm' : 'video/x-matroska',
    durationMs: probe.durationMs,
    streams: probe.streams,
  };
}

async function freePath(dir: string, name: string, ext: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  for (let n = 1; ; n++) {
    const candidate = path.join(dir, `${name}${n === 1 ? '' : `-${n}`}.${ext}`);
    try {
      await access(candidate);
    } catch {
      return candidate;
    }
  }
}

/**
 * Groups pieces into the streams of the final file: per party, kind and codec, one producer after
 * the other (a reconnect continues the stream); a producer that overlaps every stream of its group
 * by more than {@link REPLACE_OVERLAP_MS} gets a stream of its own. Each list is in time order.
 */
function assignTracks(pieces: Piece[]): Piece[][] {
  const groups = new Map<string, Map<string, Piece[]>>();
  for (const p of pieces) {
    const key = [p.label, p.kind, p.codec].join('\u0000');
    const byProducer = groups.get(key) ?? new Map<string, Piece[]>();
    byProducer.set(p.producerId, [...(byProducer.get(p.producerId) ?? []), p]);
    groups.set(key, byProducer);
  }
  const tracks: Piece[][] = [];
  for (const byProducer of groups.values()) {
    const producers = [...byProducer.values()]
      .map((list) => ({
        list,
        start: Math.min(...list.map((p) => p.wallStartMs)),
        end: Math.max(...list.map((p) => p.wallEndMs)),
      }))
      .sort((a, b) => a.start - b.start);
    const streams: { producers: (typeof producers)[number][]; end: number }[] = [];
    for (const p of producers) {
      const stream = streams.find((s) => s.end <= p.start + REPLACE_OVERLAP_MS);
      if (stream) {
        stream.producers.push(p);
        stream.end = Math.max(stream.end, p.end);
      } else {
        streams.push({ producers: [p], end: p.end });
      }
    }
    for (const s of streams) {
      // Once the next producer has started, what the previous one still sent is left out.
      const kept = s.producers.flatMap((p, i) => {
        const cutoff = s.producers[i + 1]?.start ?? Infinity;
        return p.list.filter((piece) => piece.wallStartMs < cutoff);
      });
      tracks.push(kept.sort((a, b) => a.wallStartMs - b.wallStartMs));
    }
  }
  return tracks;
}

// ---------------------------------------------------------------------------------------------
// Probing

interface FfprobeJson {
  format?: { duration?: string; start_time?: string };
  streams?: Array<{
    codec_type?: string;
    codec_name?: string;
    start_time?: string;
    duration?: string;
    tags?: Record<string, string>;
  }>;
}

/**
 * The timestamp (s) of the first packet of a piece, or undefined when it has none. Reads only
 * that packet, so it also works for a file that a killed ffmpeg left without its end.
 *
 * @throws when ffprobe cannot read the file.
 */
async function firstTimestamp(file: string, ffprobePath: string): Promise<number | undefined> {
  const { code, stdout, stderr } = await runFfmpeg(
    ffprobePath,
    ['-v', 'error', '-of', 'json', '-read_intervals', '%+#1', '-show_entries', 'packet=pts_time,dts_time', file],
    30_000,
  );
  if (code !== 0) throw new Error(`ffprobe ${file} failed (exit ${code}): ${stderr}`);
  const json = JSON.parse(stdout.toString('utf8')) as { packets?: Array<{ pts_time?: string; dts_time?: string }> };
  const first = json.packets?.[0];
  if (!first) return undefined;
  const t = Number(first.pts_time ?? first.dts_time);
  return Number.isFinite(t) ? t : 0;
}

/** `HH:MM:SS.nnnnnnnnn` (Matroska's DURATION tag) in seconds. */
function parseClock(s: string | undefined): number | undefined {
  const m = s ? /^(\d+):(\d{2}):(\d{2}(?:\.\d+)?)$/.exec(s.trim()) : null;
  return m ? Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) : undefined;
}

function tag(tags: Record<string, string> | undefined, name: string): string | undefined {
  if (!tags) return undefined;
  const key = Object.keys(tags).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : tags[key];
}

/**
 * The duration and audio/video streams of a media file, with ffprobe. A stream's `label` is its
 * `label` tag or else its `title`; its duration runs from its first to its last timestamp.
 *
 * @throws when ffprobe fails or the file cannot be read.
 */
export async function probeMedia(
  file: string,
  ffprobePath = 'ffprobe',
): Promise<{ durationMs: number; streams: RecordedStream[] }> {
  const { code, stdout, stderr } = await runFfmpeg(
    ffprobePath,
    [
      ...['-v', 'error', '-of', 'json'],
      ...['-show_entries', 'format=duration,start_time:stream=codec_type,codec_name,start_time,duration:stream_tags'],
      file,
    ],
    30_000,
  );
  if (code !== 0) throw new Error(`ffprobe ${file} failed (exit ${code}): ${stderr}`);
  const json = JSON.parse(stdout.toString('utf8')) as FfprobeJson;
  const formatDuration = Number(json.format?.duration ?? NaN);
  const streams: RecordedStream[] = [];
  for (const s of json.streams ?? []) {
    if (s.codec_type !== 'audio' && s.codec_type !== 'video') continue;
    const start = Number(s.start_time ?? 0) || 0;
    const end = parseClock(tag(s.tags, 'duration'));
    let seconds: number;
    if (end !== undefined) seconds = end - start;
    else if (s.duration !== undefined && !Number.isNaN(Number(s.duration))) seconds = Number(s.duration);
    else seconds = (Number.isNaN(formatDuration) ? 0 : formatDuration) - start;
    streams.push({
      label: tag(s.tags, 'label') ?? tag(s.tags, 'title') ?? '',
      kind: s.codec_type,
      codec: s.codec_name ?? 'unknown',
      durationMs: Math.max(0, Math.round(seconds * 1000)),
      startMs: Math.round(start * 1000),
    });
  }
  return { durationMs: Number.isNaN(formatDuration) ? 0 : Math.round(formatDuration * 1000), streams };
}
