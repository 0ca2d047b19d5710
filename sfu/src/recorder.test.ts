/**
 * SessionRecorder with real media: two parties send ffmpeg test video + opus into PlainTransport
 * producers; the recorder records them through its own consumers and ffmpeg, and the file is
 * checked with ffprobe (streams, labels, durations, gaps). Needs ffmpeg + ffprobe on the PATH.
 */
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

import type { types } from 'mediasoup';

import { liveFfmpegPids, runFfmpeg } from './ffmpeg';
import { createWorkerPool, type PoolLogger, type WorkerPool } from './pool';
import { SessionRecorder, probeMedia, type RecordingResult } from './recorder';
import { childProcesses, cpuTimeMs, hasFfmpeg, rssKiB, startTestParty, type TestParty } from './testing/media-source';

const DEBOUNCE_MS = 300;

const tracksOf = (party: TestParty, label: string) =>
  [party.video, party.audio]
    .filter((p): p is types.Producer => !!p && !p.closed)
    .map((producer) => ({ producer, label }));

const transportCount = async (router: types.Router) => (await router.dump()).transportIds.length;

/** The largest gap (s) between consecutive packets of each stream of a file; throws when a stream's timestamps do not increase. */
async function packetGaps(file: string): Promise<number[]> {
  const { stdout } = await runFfmpeg(
    'ffprobe',
    ['-v', 'error', '-show_entries', 'packet=stream_index,pts_time', '-of', 'csv=p=0', file],
    30_000,
  );
  const last = new Map<number, number>();
  const gaps: number[] = [];
  for (const line of stdout.toString().trim().split('\n')) {
    const [index, pts] = line.split(',').map(Number);
    if (Number.isNaN(pts)) continue;
    const prev = last.get(index);
    if (prev !== undefined && pts <= prev) throw new Error(`${file}: stream ${index} goes from ${prev} to ${pts}`);
    gaps[index] = Math.max(gaps[index] ?? 0, prev === undefined ? 0 : pts - prev);
    last.set(index, pts);
  }
  return gaps.map((g) => Math.round(g * 1000) / 1000);
}

function memoryLogger(): PoolLogger & { lines: string[] } {
  const lines: string[] = [];
  const log = (level: string) => (obj: object, msg?: string) =>
    lines.push(`${level} ${msg ?? ''} ${JSON.stringify(obj)}`);
  return { lines, info: log('info'), warn: log('warn'), error: log('error') };
}

const byLabelKind = (r: RecordingResult) => Object.fromEntries(r.streams.map((s) => [`${s.label}/${s.kind}`, s]));

(hasFfmpeg ? describe : describe.skip)(
  'SessionRecorder (real media; skipped without ffmpeg/ffprobe on the PATH)',
  () => {
    let pool: WorkerPool;
    let dir: string;
    const parties: TestParty[] = [];

    beforeAll(async () => {
      pool = await createWorkerPool({ workers: 1 });
      dir = await mkdtemp(path.join(os.tmpdir(), 'kaihu-rec-'));
    });
    afterEach(async () => {
      await Promise.all(parties.splice(0).map((p) => p.close()));
    });
    afterAll(async () => {
      await pool?.close();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    async function twoParties(router: types.Router, customerVideo: 'VP8' | 'H264' = 'VP8') {
      const customer = await startTestParty(router, { video: customerVideo, seconds: 20 });
      const agent = await startTestParty(router, { video: 'VP8', seconds: 20 });
      parties.push(customer, agent);
      await Promise.all([customer.live(), agent.live()]);
      return { customer, agent };
    }

    async function expectNoLeftovers(router: types.Router, baseTransports: number) {
      expect(await transportCount(router)).toBe(baseTransports);
      expect(liveFfmpegPids()).toEqual([]);
      await Promise.all(parties.splice(0).map((p) => p.close()));
      expect(childProcesses('ffmpeg')).toEqual([]);
    }

    it('records both parties (2 video + 2 audio, labelled) into one WebM file', async () => {
      const router = await pool.routerFor('rec-basic');
      const { customer, agent } = await twoParties(router);
      const base = await transportCount(router);
      const logger = memoryLogger();
      const recorder = new SessionRecorder({ router, dir, name: 'basic', logger, debounceMs: DEBOUNCE_MS });

      const t0 = performance.now();
      await recorder.update([...tracksOf(customer, 'CUSTOMER'), ...tracksOf(agent, 'AGENT')]);
      const readyMs = performance.now() - t0;
      expect(await transportCount(router)).toBe(base + 4);
      const [pid] = liveFfmpegPids();
      expect(pid).toBeDefined();
      const cpu0 = cpuTimeMs(pid);
      const c0 = performance.now();
      await sleep(4000);
      const cpu1 = cpuTimeMs(pid);
      const rss = rssKiB(pid);
      const cpuPercent =
        cpu0 !== undefined && cpu1 !== undefined ? (100 * (cpu1 - cpu0)) / (performance.now() - c0) : NaN;

      const tStop = performance.now();
      const result = await recorder.stop();
      const stopMs = performance.now() - tStop;
      if (!result) throw new Error(`nothing recorded: ${logger.lines.join('\n')}`);
      const expectedMs = tStop - t0 - DEBOUNCE_MS;

      expect(result.mimeType).toBe('video/webm');
      expect(result.path).toBe(path.join(dir, 'basic.webm'));
      expect((await stat(result.path)).size).toBe(result.bytes);
      expect(result.bytes).toBeGreaterThan(20_000);
      const streams = byLabelKind(result);
      // In the order the labels were first given, video first.
      expect(Object.keys(streams)).toEqual(['CUSTOMER/video', 'CUSTOMER/audio', 'AGENT/video', 'AGENT/audio']);
      expect(streams['CUSTOMER/video'].codec).toBe('vp8');
      expect(streams['AGENT/audio'].codec).toBe('opus');
      for (const s of result.streams) expect(Math.abs(s.durationMs - expectedMs)).toBeLessThan(1000);
      expect(Math.abs(result.durationMs - expectedMs)).toBeLessThan(1000);
      // An independent probe of the file says the same.
      expect((await probeMedia(result.path)).streams).toEqual(result.streams);
      // Only the final file is left in the directory.
      expect(await readdir(dir)).toEqual(['basic.webm']);
      await expectNoLeftovers(router, base);

      console.log(
        `recorder basic: ready after ${Math.round(readyMs)} ms, stop() took ${Math.round(stopMs)} ms, expected ≈${Math.round(expectedMs)} ms, ` +
          `file ${result.durationMs} ms ${result.bytes} B, streams ${result.streams.map((s) => `${s.label}/${s.kind}/${s.codec}=${s.durationMs}ms@${s.startMs}`).join(' ')}, ` +
          `recording ffmpeg CPU ${cpuPercent.toFixed(1)} % of one core, RSS ${rss} KiB; ${logger.lines.find((l) => l.includes('recording stopped'))}`,
      );
      pool.closeRouter('rec-basic');
    });

    it('keeps the whole call when a party reconnects (video producer replaced mid-recording, both ways)', async () => {
      const router = await pool.routerFor('rec-reconnect');
      const { customer, agent } = await twoParties(router);
      const camera2 = await startTestParty(router, { audio: false, seconds: 20 });
      parties.push(camera2);
      await camera2.live();
      const base = await transportCount(router);
      const logger = memoryLogger();
      const recorder = new SessionRecorder({ router, dir, name: 'reconnect', logger, debounceMs: DEBOUNCE_MS });
      const all = () => [...tracksOf(customer, 'CUSTOMER'), ...tracksOf(agent, 'AGENT')];

      const t0 = performance.now();
      await recorder.update(all());
      await sleep(2500);
      // 1. The old producer is closed, then a new one takes over.
      await customer.replaceVideo();
      const tSwitch = performance.now();
      await recorder.update(all());
      const switchMs = performance.now() - tSwitch;
      await sleep(2000);
      // 2. A new camera produces first; the old producer is closed 500 ms later.
      await recorder.update([...all(), { producer: camera2.video!, label: 'CUSTOMER' }]);
      await sleep(500);
      customer.video!.close();
      await recorder.update([...all(), { producer: camera2.video!, label: 'CUSTOMER' }]);
      await sleep(2000);
      const tStop = performance.now();
      const result = await recorder.stop();
      if (!result) throw new Error(`nothing recorded: ${logger.lines.join('\n')}`);
      const expectedMs = tStop - t0 - DEBOUNCE_MS;

      // A segment at start and one per new producer; a closed producer needs none.
      expect(recorder.segmentCount).toBe(3);
      expect(result.mimeType).toBe('video/webm');
      const streams = byLabelKind(result);
      expect(Object.keys(streams)).toEqual(['CUSTOMER/video', 'CUSTOMER/audio', 'AGENT/video', 'AGENT/audio']);
      for (const s of result.streams) expect(Math.abs(s.startMs! + s.durationMs - expectedMs)).toBeLessThan(1000);
      for (const s of result.streams) expect(s.startMs).toBeLessThan(700);
      // No hole in what continued through the switches; the replaced video only misses the moment
      // between the old producer's end and the new one's first key frame.
      const gaps = await packetGaps(result.path);
      const gapOf = (key: string) => gaps[result.streams.findIndex((s) => `${s.label}/${s.kind}` === key)];
      expect(gapOf('CUSTOMER/audio')).toBeLessThan(0.25);
      expect(gapOf('AGENT/audio')).toBeLessThan(0.25);
      expect(gapOf('AGENT/video')).toBeLessThan(0.3);
      expect(gapOf('CUSTOMER/video')).toBeLessThan(1.5);
      // The joined file decodes without a single error.
      const decode = await runFfmpeg(
        'ffmpeg',
        [
          '-v',
          'error',
          '-nostdin',
          '-i',
          result.path,
          '-fps_mode',
          'passthrough',
          '-enc_time_base:v',
          '1:1000',
          '-f',
          'null',
          '-',
        ],
        30_000,
      );
      expect({ code: decode.code, stderr: decode.stderr }).toEqual({ code: 0, stderr: '' });
      await expectNoLeftovers(router, base);

      console.log(
        `recorder reconnect: first switch applied in ${Math.round(switchMs)} ms, expected end ≈${Math.round(expectedMs)} ms, file ${result.durationMs} ms, ` +
          `streams ${result.streams.map((s, i) => `${s.label}/${s.kind}=${s.durationMs}ms@${s.startMs} maxgap ${gaps[i]}s`).join(', ')}`,
      );
      pool.closeRouter('rec-reconnect');
    });

    it('writes Matroska when a party sends H264', async () => {
      const router = await pool.routerFor('rec-h264');
      const { customer, agent } = await twoParties(router, 'H264');
      const base = await transportCount(router);
      const logger = memoryLogger();
      const recorder = new SessionRecorder({ router, dir, name: 'h264', logger, debounceMs: DEBOUNCE_MS });
      const t0 = performance.now();
      await recorder.update([...tracksOf(customer, 'CUSTOMER'), ...tracksOf(agent, 'AGENT')]);
      await sleep(3000);
      const tStop = performance.now();
      const result = await recorder.stop();
      if (!result) throw new Error(`nothing recorded: ${logger.lines.join('\n')}`);
      const expectedMs = tStop - t0 - DEBOUNCE_MS;

      expect(result.mimeType).toBe('video/x-matroska');
      expect(result.path).toBe(path.join(dir, 'h264.mkv'));
      const streams = byLabelKind(result);
      expect(streams['CUSTOMER/video'].codec).toBe('h264');
      expect(streams['AGENT/video'].codec).toBe('vp8');
      expect(result.streams).toHaveLength(4);
      for (const s of result.streams) expect(Math.abs(s.durationMs - expectedMs)).toBeLessThan(1000);
      await expectNoLeftovers(router, base);
      console.log(
        `recorder h264: expected ≈${Math.round(expectedMs)} ms, file ${result.durationMs} ms, ` +
          `streams ${result.streams.map((s) => `${s.label}/${s.kind}/${s.codec}=${s.durationMs}ms`).join(' ')}`,
      );
      pool.closeRouter('rec-h264');
    });

    it('starts recording producers as soon as they send (update() before their first packet)', async () => {
      const router = await pool.routerFor('rec-early');
      const party = await startTestParty(router, { seconds: 20 });
      parties.push(party);
      const base = await transportCount(router);
      const logger = memoryLogger();
      const recorder = new SessionRecorder({ router, dir, name: 'early', logger, debounceMs: DEBOUNCE_MS });
      const t0 = performance.now();
      void recorder.update(tracksOf(party, 'CUSTOMER')); // ffmpeg is still starting: no RTP yet
      await sleep(3500);
      const tStop = performance.now();
      const result = await recorder.stop();
      if (!result) throw new Error(`nothing recorded: ${logger.lines.join('\n')}`);
      expect(result.streams.map((s) => `${s.label}/${s.kind}`)).toEqual(['CUSTOMER/video', 'CUSTOMER/audio']);
      for (const s of result.streams) expect(s.durationMs).toBeGreaterThan(tStop - t0 - 2500);
      await expectNoLeftovers(router, base);
      console.log(
        `recorder early: ${recorder.segmentCount} segment(s), ${Math.round(tStop - t0)} ms after update(): ` +
          `${result.streams.map((s) => `${s.label}/${s.kind}=${s.durationMs}ms@${s.startMs}`).join(' ')}`,
      );
      pool.closeRouter('rec-early');
    });

    it('survives a dying ffmpeg: logs it, keeps what it wrote and records on in a new segment', async () => {
      const router = await pool.routerFor('rec-crash');
      const party = await startTestParty(router, { seconds: 20 });
      parties.push(party);
      await party.live();
      const base = await transportCount(router);
      const logger = memoryLogger();
      const recorder = new SessionRecorder({ router, dir, name: 'crash', logger, debounceMs: DEBOUNCE_MS });
      const t0 = performance.now();
      await recorder.update(tracksOf(party, 'CUSTOMER'));
      await sleep(2500);
      const [pid] = liveFfmpegPids();
      process.kill(pid, 'SIGKILL');
      await sleep(3000);
      expect(liveFfmpegPids()).toHaveLength(1);
      expect(liveFfmpegPids()[0]).not.toBe(pid);
      const tStop = performance.now();
      const result = await recorder.stop();
      if (!result) throw new Error(`nothing recorded: ${logger.lines.join('\n')}`);
      expect(logger.lines.some((l) => l.startsWith('error recording ffmpeg exited unexpectedly'))).toBe(true);
      expect(recorder.segmentCount).toBe(2);
      expect(result.streams.map((s) => `${s.label}/${s.kind}`)).toEqual(['CUSTOMER/video', 'CUSTOMER/audio']);
      const gaps = await packetGaps(result.path);
      // The file spans the whole time; the hole is what the killed ffmpeg had not written yet plus the restart.
      for (const s of result.streams)
        expect(s.startMs! + s.durationMs).toBeGreaterThan(tStop - t0 - DEBOUNCE_MS - 1000);
      expect(Math.max(...gaps)).toBeLessThan(3.5);
      await expectNoLeftovers(router, base);
      console.log(
        `recorder crash: ${result.streams.map((s, i) => `${s.label}/${s.kind}=${s.durationMs}ms@${s.startMs} maxgap ${gaps[i]}s`).join(', ')} ` +
          `(expected end ≈${Math.round(tStop - t0 - DEBOUNCE_MS)} ms)`,
      );
      pool.closeRouter('rec-crash');
    });

    it('returns null when nothing was recorded, and abort() throws everything away', async () => {
      const router = await pool.routerFor('rec-abort');
      const empty = new SessionRecorder({ router, dir, name: 'empty' });
      await empty.update([]);
      expect(await empty.stop()).toBeNull();

      const party = await startTestParty(router, { seconds: 20 });
      parties.push(party);
      await party.live();
      const base = await transportCount(router);
      const recorder = new SessionRecorder({ router, dir, name: 'aborted', debounceMs: DEBOUNCE_MS });
      await recorder.update(tracksOf(party, 'CUSTOMER'));
      expect(liveFfmpegPids()).toHaveLength(1);
      await sleep(500);
      await recorder.abort();
      expect(await recorder.stop()).toBeNull();
      expect((await readdir(dir)).filter((f) => f.includes('empty') || f.includes('aborted'))).toEqual([]);
      await expectNoLeftovers(router, base);
      pool.closeRouter('rec-abort');
    });
  },
);
