/**
 * The compiled server as a real process (`node api/dist/main.js`, what `npm start` runs):
 * configuration errors, SIGTERM draining, and the data-directory lock across processes.
 * `npm test` builds before jest runs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';

const ROOT = path.resolve(__dirname, '../..');
const MAIN = path.join(ROOT, 'api/dist/main.js');

function run(env: Record<string, string>): ChildProcess & { output: () => string } {
  const child = spawn(process.execPath, [MAIN], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  return Object.assign(child, { output: () => out });
}

const exited = (child: ChildProcess) =>
  new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    if (child.exitCode !== null) resolve({ code: child.exitCode, signal: null });
    else child.once('exit', (code, signal) => resolve({ code, signal }));
  });

async function listening(child: ReturnType<typeof run>): Promise<string> {
  for (let i = 0; i < 600; i++) {
    const m = /"url":"(http:\/\/[^"]+)"/.exec(child.output());
    if (m) return m[1]!;
    if (child.exitCode !== null) throw new Error(`exited ${child.exitCode}: ${child.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`not listening: ${child.output()}`);
}

describe('the Kaihu process', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kaihu-e2e-'));
  });
  afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ DATABASE_URL: 'mysql://x@y/z' }, 'DATABASE_URL'],
    [{ NODE_ENV: 'production', KAIHU_DEMO: '1' }, 'KAIHU_DEMO'],
  ])('exits 1 with one line naming the bad variable for %j', async (env, variable) => {
    const child = run({ ...env, KAIHU_DATA_DIR: dataDir });
    const { code } = await exited(child);
    expect(code).toBe(1);
    const lines = child.output().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^Configuration error: ${variable}=.* is not allowed: `));
  });

  it('drains and exits 0 on SIGTERM, closing WebSockets, and releases the data directory', async () => {
    const child = run({ PORT: '0', KAIHU_DATA_DIR: dataDir });
    const url = await listening(child);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);

    // a second process on the same directory is refused, the first keeps running
    const second = run({ PORT: '0', KAIHU_DATA_DIR: dataDir });
    expect((await exited(second)).code).toBe(1);
    expect(second.output()).toMatch(/data directory in use/);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);

    const closed = new Promise<number>((resolve) => {
      const ws = new WebSocket(url.replace('http', 'ws') + '/graphql', 'graphql-transport-ws');
      ws.on('open', () => ws.send(JSON.stringify({ type: 'connection_init' })));
      ws.once('message', () => child.kill('SIGTERM')); // after connection_ack
      ws.on('close', (code) => resolve(code));
    });
    expect(await closed).toBe(1001); // graphql-ws: going away
    const { code } = await exited(child);
    if (code !== 0) console.log(child.output());
    expect(code).toBe(0);
    expect(child.output()).toContain('"msg":"stopped"');
    expect(fs.existsSync(path.join(dataDir, 'kaihu.lock'))).toBe(false);
  });

  it('answers a request that is in flight when SIGTERM arrives', async () => {
    const child = run({ PORT: '0', KAIHU_DATA_DIR: dataDir });
    const url = await listening(child);
    // staffLogin spends ~100 ms in scrypt: long enough to be caught in flight by the signal.
    const pending = fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: 'mutation { staffLogin(username: "agent01", password: "not-the-password") { token } }',
      }),
    });
    await new Promise((r) => setTimeout(r, 30));
    child.kill('SIGTERM');
    const res = await pending;
    expect(res.status).toBe(200);
    expect(((await res.json()) as any).errors[0].extensions.code).toBe('INVALID_CREDENTIALS');
    const end = await exited(child);
    if (end.code !== 0) console.log(child.output());
    expect(end.code).toBe(0);
    // and nothing is accepted after the drain
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });
});
