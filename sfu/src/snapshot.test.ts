/**
 * captureSnapshot with real media: a party sends ffmpeg test video (VP8, then H264) into a
 * PlainTransport producer; the snapshot is a JPEG of the source's size. Needs ffmpeg on the PATH.
 */
import { performance } from 'node:perf_hooks';

import type { types } from 'mediasoup';

import { liveFfmpegPids } from './ffmpeg';
import { createWorkerPool, type WorkerPool } from './pool';
import { captureSnapshot, jpegSize } from './snapshot';
import { childProcesses, hasFfmpeg, startTestParty, type TestParty } from './testing/media-source';

const transportCount = async (router: types.Router) => (await router.dump()).transportIds.length;

describe('jpegSize', () => {
  it('reads the size from the start-of-frame segment and refuses non-JPEG data', () => {
    const sof = Buffer.from([0xff, 0xc0, 0x00, 0x11, 0x08, 0x00, 0xf0, 0x01, 0x40]);
    const app0 = Buffer.from([0xff, 0xe0, 0x00, 0x04, 0x00, 0x00]);
    expect(jpegSize(Buffer.concat([Buffer.from([0xff, 0xd8]), app0, sof]))).toEqual({ width: 320, height: 240 });
    expect(jpegSize(Buffer.from('not a jpeg'))).toBeUndefined();
  });
});

(hasFfmpeg ? describe : describe.skip)('captureSnapshot (real media; skipped without ffmpeg on the PATH)', () => {
  let pool: WorkerPool;
  let router: types.Router;
  const parties: TestParty[] = [];

  beforeAll(async () => {
    pool = await createWorkerPool({ workers: 1 });
    router = await pool.routerFor('snapshot');
  });
  afterAll(async () => {
    await Promise.all(parties.map((p) => p.close()));
    await pool?.close();
  });

  it.each(['VP8', 'H264'] as const)('takes a JPEG of %s video with the source size', async (codec) => {
    const party = await startTestParty(router, { video: codec, size: '320x240', seconds: 20 });
    parties.push(party);
    await party.live();
    const base = await transportCount(router);
    const t0 = performance.now();
    const shot = await captureSnapshot(router, party.video!);
    const ms = performance.now() - t0;
    expect(shot.jpeg.subarray(0, 2).toString('hex')).toBe('ffd8');
    expect(shot.jpeg.subarray(-2).toString('hex')).toBe('ffd9');
    expect({ width: shot.width, height: shot.height }).toEqual({ width: 320, height: 240 });
    expect(await transportCount(router)).toBe(base);
    expect(liveFfmpegPids()).toEqual([]);
    console.log(`snapshot ${codec}: ${shot.jpeg.length} B ${shot.width}x${shot.height} in ${Math.round(ms)} ms`);
    await party.close();
  });

  it('refuses an audio producer and times out cleanly on a video producer that sends nothing', async () => {
    const party = await startTestParty(router, { video: false, seconds: 20 });
    parties.push(party);
    const base = await transportCount(router);
    await expect(captureSnapshot(router, party.audio!)).rejects.toThrow(/video producer.*audio/);

    const silentTransport = await router.createPlainTransport({
      listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
      comedia: true,
    });
    const silent = await silentTransport.produce({
      kind: 'video',
      rtpParameters: {
        codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000, parameters: {} }],
        encodings: [{ ssrc: 4242 }],
      },
    });
    const t0 = performance.now();
    await expect(captureSnapshot(router, silent, { timeoutMs: 1500 })).rejects.toThrow(/timed out after 1500 ms/);
    expect(performance.now() - t0).toBeLessThan(4000);
    silentTransport.close();
    expect(await transportCount(router)).toBe(base);
    expect(liveFfmpegPids()).toEqual([]);
    await party.close();
    expect(childProcesses('ffmpeg')).toEqual([]);
  });
});
