// Foundation numbers: start-up of the embedded default, and broker(code) throughput vs a bare handler.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { ROOT, createDatabase, fmt, median, startNode, stop, waitHealthy } from './lib.mjs';

const RUNS = 5;

async function startupOnce(dataDir, port) {
  const t0 = performance.now();
  const child = spawn(process.execPath, ['api/dist/main.js'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      KAIHU_DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      DATABASE_URL: '',
      KAIHU_DEMO: '1',
    },
    stdio: 'ignore',
  });
  const ms = await waitHealthy(`http://127.0.0.1:${port}/healthz`, t0);
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  return ms;
}

export async function startup() {
  const port = 40000 + Math.floor(Math.random() * 10000);
  const fresh = [];
  const reopen = [];
  const dirs = [];
  for (let i = 0; i < RUNS; i++) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kaihu-bench-'));
    dirs.push(dir);
    fresh.push(await startupOnce(dir, port));
    reopen.push(await startupOnce(dir, port));
  }
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  return { fresh, reopen };
}

export async function cannon(url, body, duration, headers = {}, method = 'POST') {
  const result = await autocannon({
    url,
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body,
    connections: 10,
    duration,
  });
  if (result.non2xx || result.errors) throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return result;
}

export async function brokerThroughput(duration = 10) {
  const db = await createDatabase();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kaihu-bench-'));
  const { child, info } = await startNode(['test/bench/server.mjs'], { DATABASE_URL: db.url, KAIHU_DATA_DIR: dataDir });
  try {
    const body = JSON.stringify({
      query: 'query ($code: String!) { broker(code: $code) { name branches { name } } }',
      variables: { code: 'DEMO' },
    });
    const k = `${info.kaihu}/graphql`;
    const b = `${info.bare}/broker`;
    const check = await (
      await fetch(k, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
    ).json();
    const bareCheck = await (await fetch(b, { method: 'POST', body })).json();
    if (JSON.stringify(check) !== JSON.stringify(bareCheck))
      throw new Error(`responses differ: ${JSON.stringify(check)} vs ${JSON.stringify(bareCheck)}`);
    await cannon(k, body, 2); // warm-up
    await cannon(b, body, 2);
    const kaihu = await cannon(k, body, duration);
    const bare = await cannon(b, body, duration);
    // where the time goes: the same stack answering without touching the database
    const floor = await cannon(k, JSON.stringify({ query: '{ __typename }' }), duration);
    return {
      kaihu: { rps: kaihu.requests.average, p50: kaihu.latency.p50, p99: kaihu.latency.p99 },
      bare: { rps: bare.requests.average, p50: bare.latency.p50, p99: bare.latency.p99 },
      floor: { rps: floor.requests.average, p50: floor.latency.p50, p99: floor.latency.p99 },
      duration,
    };
  } finally {
    await stop(child);
    await db.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function run() {
  const s = await startup();
  const t = await brokerThroughput(Number(process.env.BENCH_SECONDS ?? 10));
  return [
    '## Foundation',
    '',
    `### Start-up of the embedded default (PGlite), process start → healthy \`/healthz\` (median of ${RUNS})`,
    '',
    '| data directory | median | runs (ms) |',
    '|---|---|---|',
    `| fresh (initialise PGlite, migrate, seed demo) | ${fmt(median(s.fresh), 0)} ms | ${s.fresh.map((v) => fmt(v, 0)).join(', ')} |`,
    `| existing (reopen) | ${fmt(median(s.reopen), 0)} ms | ${s.reopen.map((v) => fmt(v, 0)).join(', ')} |`,
    '',
    `### \`{ broker(code:"DEMO") { name branches { name } } }\` on PostgreSQL (autocannon, 10 connections, ${t.duration} s, after a 2 s warm-up)`,
    '',
    '| server | requests/s | p50 latency | p99 latency |',
    '|---|---|---|---|',
    `| Kaihu (Express + Apollo + type-graphql + MikroORM) | ${fmt(t.kaihu.rps, 0)} | ${t.kaihu.p50} ms | ${t.kaihu.p99} ms |`,
    `| bare \`http\` handler, same process, same SQL (pg), same JSON | ${fmt(t.bare.rps, 0)} | ${t.bare.p50} ms | ${t.bare.p99} ms |`,
    `| **ratio Kaihu / bare** | **${fmt(t.kaihu.rps / t.bare.rps, 2)}** | | |`,
    `| Kaihu answering \`{ __typename }\` (no resolver, no SQL): the HTTP + Apollo floor | ${fmt(t.floor.rps, 0)} | ${t.floor.p50} ms | ${t.floor.p99} ms |`,
    '',
    'Per request, Kaihu spends about ' +
      `${fmt(1000 / t.floor.rps, 2)} ms of one core in Express + Apollo (the floor) and ${fmt(1000 / t.kaihu.rps - 1000 / t.floor.rps, 2)} ms more in ` +
      'type-graphql resolvers, the per-request MikroORM EntityManager and its two queries with entity hydration; the bare handler spends ' +
      `${fmt(1000 / t.bare.rps, 2)} ms for everything. Load generator and server share the two cores.`,
    '',
  ].join('\n');
}
