// Shared helpers of the benchmarks: processes, databases, timing, statistics.
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const PG_ADMIN_URL = process.env.KAIHU_TEST_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function percentile(values, p) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

export async function createDatabase(prefix = 'kaihu_bench') {
  const name = `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`create database "${name}"`);
  await admin.end();
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      await c.query(`drop database if exists "${name}" with (force)`);
      await c.end();
    },
  };
}

/** Polls `url` until it answers 200 or `timeoutMs` passes; returns ms since `since`. */
export async function waitHealthy(url, since, timeoutMs = 60000) {
  for (;;) {
    try {
      const res = await fetch(url);
      if (res.status === 200) return performance.now() - since;
    } catch {
      /* not listening yet */
    }
    if (performance.now() - since > timeoutMs) throw new Error(`${url} not healthy after ${timeoutMs} ms`);
    await sleep(10);
  }
}

/** Starts a node script; resolves with the child once it printed `ready <json>` on stdout. */
export function startNode(args, env = {}, cwd = ROOT) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let buf = '';
    child.stdout.on('data', (d) => {
      buf += d;
      const m = /ready (\{.*\})\n/.exec(buf);
      if (m) resolve({ child, info: JSON.parse(m[1]) });
    });
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited ${code} before ready`)));
  });
}

export async function stop(child) {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
}

export function fmt(n, digits = 1) {
  return Number(n).toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}
