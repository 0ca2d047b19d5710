import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import type { types } from 'mediasoup';

import { createWorkerPool, type WorkerPool } from './pool';
import { BUILD_SCRIPT_PATH, WorkerBinaryMissingError, defaultWorkerBin, resolveWorkerBin } from './worker-bin';

/** True while the process exists (signal 0 only checks). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function webRtcTransport(router: types.Router): Promise<types.WebRtcTransport> {
  return router.createWebRtcTransport({ listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }] });
}

describe('worker binary', () => {
  it('computes the same default path as build-worker.sh --print-path', () => {
    const env: NodeJS.ProcessEnv = { ...process.env, KAIHU_MEDIASOUP_CACHE_DIR: '/tmp/kaihu-sfu-cache-test' };
    delete env.KAIHU_MEDIASOUP_WORKER_BIN;
    delete env.OUT_BIN;
    delete env.MEDIASOUP_SRC;
    delete env.MEDIASOUP_VERSION;
    const printed = spawnSync('bash', [BUILD_SCRIPT_PATH, '--print-path'], { env, encoding: 'utf8' });
    expect(printed.status).toBe(0);
    expect(printed.stdout.trim()).toBe(defaultWorkerBin(env));
    expect(defaultWorkerBin(env)).toMatch(
      /^\/tmp\/kaihu-sfu-cache-test\/mediasoup-3\.27\.1-[0-9a-f]{16}\/mediasoup-worker$/,
    );

    const xdg = { HOME: '/home/someone', XDG_CACHE_HOME: '' };
    expect(defaultWorkerBin(xdg)).toMatch(/^\/home\/someone\/\.cache\/kaihu\/mediasoup-3\.27\.1-/);
  });

  it('prefers the explicit path, then KAIHU_MEDIASOUP_WORKER_BIN, then MEDIASOUP_WORKER_BIN', () => {
    const sh = '/bin/sh';
    expect(resolveWorkerBin(sh, { KAIHU_MEDIASOUP_WORKER_BIN: '/nope/a', MEDIASOUP_WORKER_BIN: '/nope/b' })).toBe(sh);
    expect(resolveWorkerBin(undefined, { KAIHU_MEDIASOUP_WORKER_BIN: sh, MEDIASOUP_WORKER_BIN: '/nope/b' })).toBe(sh);
    expect(resolveWorkerBin(undefined, { MEDIASOUP_WORKER_BIN: sh })).toBe(sh);
  });

  it('says which command builds a missing worker, in Chinese and English', async () => {
    const missing = '/nonexistent/mediasoup-worker';
    expect(() => resolveWorkerBin(undefined, { KAIHU_MEDIASOUP_WORKER_BIN: missing })).toThrow(
      WorkerBinaryMissingError,
    );
    await expect(createWorkerPool({ workerBin: missing, workers: 1 })).rejects.toThrow(
      /找不到可用的 mediasoup worker.*npm run setup:sfu.*No usable mediasoup worker binary at \/nonexistent\/mediasoup-worker \(.*file does not exist\)/,
    );
    expect(() => resolveWorkerBin('/tmp')).toThrow(/not a file/);
  });
});

describe('createWorkerPool', () => {
  let pool: WorkerPool;
  const lost: string[] = [];

  beforeAll(async () => {
    // KAIHU_MEDIASOUP_WORKER_BIN (CI) or the cache path of `npm run setup:sfu`.
    pool = await createWorkerPool({ workers: 2, onRouterLost: (key) => lost.push(key), restartDelayMs: 100 });
  });
  afterAll(async () => {
    await pool?.close();
  });

  it('starts the requested number of workers', async () => {
    const stats = await pool.stats();
    expect(pool.size).toBe(2);
    expect(stats.map((s) => s.index)).toEqual([0, 1]);
    expect(new Set(stats.map((s) => s.pid)).size).toBe(2);
    for (const s of stats) {
      expect(alive(s.pid)).toBe(true);
      expect(s).toMatchObject({ routers: 0, transports: 0 });
      expect(s.resourceUsage.ru_maxrss).toBeGreaterThan(0);
    }
  });

  it('gives one router per key, with opus, VP8 and H264', async () => {
    const [a, again] = await Promise.all([pool.routerFor('idem'), pool.routerFor('idem')]);
    expect(again).toBe(a);
    expect(await pool.routerFor('idem')).toBe(a);
    expect(a.appData).toEqual({ key: 'idem' });
    const mimeTypes = a.rtpCapabilities.codecs!.map((c) => c.mimeType);
    expect(mimeTypes).toEqual(expect.arrayContaining(['audio/opus', 'video/VP8', 'video/H264']));

    expect(pool.closeRouter('idem')).toBe(true);
    expect(a.closed).toBe(true);
    expect(pool.closeRouter('idem')).toBe(false);
    const b = await pool.routerFor('idem');
    expect(b).not.toBe(a);
    pool.closeRouter('idem');
    expect(lost).toEqual([]);
  });

  it('places a new router on the least-loaded worker (routers + transports)', async () => {
    const a = await pool.routerFor('a');
    const b = await pool.routerFor('b');
    expect(pool.pidOf('a')).not.toBe(pool.pidOf('b'));

    // a's worker: 1 router + 2 transports; b's: 1 router.
    await webRtcTransport(a);
    await webRtcTransport(a);
    const byPid = async () => new Map((await pool.stats()).map((s) => [s.pid, s]));
    expect((await byPid()).get(pool.pidOf('a')!)).toMatchObject({ routers: 1, transports: 2 });

    await pool.routerFor('c'); // load 3 vs 1
    expect(pool.pidOf('c')).toBe(pool.pidOf('b'));
    await pool.routerFor('d'); // 3 vs 2
    expect(pool.pidOf('d')).toBe(pool.pidOf('b'));
    await pool.routerFor('e'); // 3 vs 3: the worker with fewer routers
    expect(pool.pidOf('e')).toBe(pool.pidOf('a'));

    const t = await webRtcTransport(b);
    expect((await byPid()).get(pool.pidOf('b')!)).toMatchObject({ routers: 3, transports: 1 });
    t.close();
    expect((await byPid()).get(pool.pidOf('b')!)).toMatchObject({ routers: 3, transports: 0 });

    for (const key of ['a', 'b', 'c', 'd', 'e']) pool.closeRouter(key);
    for (const s of await pool.stats()) expect(s).toMatchObject({ routers: 0, transports: 0 });
    expect(pool.keys()).toEqual([]);
  });

  it('replaces a killed worker and reports the routers on it as lost', async () => {
    const victim = await pool.routerFor('victim');
    await webRtcTransport(victim);
    const victimPid = pool.pidOf('victim')!;
    const survivor = await pool.routerFor('survivor');
    expect(pool.pidOf('survivor')).not.toBe(victimPid);

    const routerLost = once(pool, 'routerLost');
    const restarted = once(pool, 'workerRestarted');
    process.kill(victimPid, 'SIGKILL');

    const [key, error] = await routerLost;
    expect(key).toBe('victim');
    expect((error as Error).message).toMatch(/died/);
    expect(lost).toEqual(['victim']);
    expect(victim.closed).toBe(true);
    expect(pool.pidOf('victim')).toBeUndefined();

    const [info] = await restarted;
    expect(info.previousPid).toBe(victimPid);
    expect(alive(info.pid)).toBe(true);
    const stats = await pool.stats();
    expect(stats).toHaveLength(2);
    expect(stats.map((s) => s.pid)).toContain(info.pid);
    expect(stats.map((s) => s.pid)).not.toContain(victimPid);
    expect(stats.find((s) => s.pid === info.pid)).toMatchObject({ routers: 0, transports: 0 });

    expect(survivor.closed).toBe(false);
    const again = await pool.routerFor('victim');
    expect(again.closed).toBe(false);
    pool.closeRouter('victim');
    pool.closeRouter('survivor');
  });

  it('leaves no worker process behind when closed', async () => {
    await pool.routerFor('last');
    const pids = (await pool.stats()).map((s) => s.pid);
    expect(pids).toHaveLength(2);
    await pool.close();
    for (const pid of pids) expect(alive(pid)).toBe(false);
    await expect(pool.routerFor('after')).rejects.toThrow(/closed/);
    expect(lost).toEqual(['victim']); // closing is not a loss
  });
});

describe('a worker that cannot be restarted at once', () => {
  it('keeps retrying with backoff, refuses routers meanwhile, and comes back', async () => {
    // A wrapper around the real worker that fails while the flag file exists.
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kaihu-sfu-'));
    const flag = path.join(dir, 'fail');
    const wrapper = path.join(dir, 'mediasoup-worker');
    writeFileSync(wrapper, `#!/bin/sh\n[ -e '${flag}' ] && exit 1\nexec '${resolveWorkerBin()}' "$@"\n`);
    chmodSync(wrapper, 0o755);
    const pool = await createWorkerPool({ workers: 1, workerBin: wrapper, restartDelayMs: 50 });
    try {
      const [before] = await pool.stats();
      await pool.routerFor('k');
      const lost = once(pool, 'routerLost');
      writeFileSync(flag, '');
      process.kill(before.pid, 'SIGKILL');
      await lost;
      await sleep(300); // attempts at 0, 50, 150 ms… all fail
      expect(await pool.stats()).toEqual([]);
      await expect(pool.routerFor('k')).rejects.toThrow(/no mediasoup worker is alive/);

      const restarted = once(pool, 'workerRestarted');
      rmSync(flag);
      const [info] = await restarted;
      expect(info).toMatchObject({ index: 0, previousPid: before.pid });
      expect((await pool.routerFor('k')).closed).toBe(false);
    } finally {
      await pool.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
