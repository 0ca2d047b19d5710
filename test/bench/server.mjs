// Bench helper process: Kaihu (compiled, in-process) on PostgreSQL, and beside it bare HTTP
// handlers (node:http + pg) that run the same SQL as Kaihu for one query each and write the same
// JSON — the baseline of the throughput benchmarks. Prints `ready {"kaihu":…, "bare":…}`.
//   POST {bare}/broker  ≙ { broker(code: $code) { name branches { name } } }
//   POST {bare}/me      ≙ { me { profile { name } } } with `Authorization: Bearer <session token>`
import { createHash } from 'node:crypto';
import http from 'node:http';
import { createRequire } from 'node:module';
import pg from 'pg';

const require = createRequire(import.meta.url);
require('reflect-metadata');
const { startServer } = require('../../api/dist/server.js');
const { loadConfig } = require('../../api/dist/config.js');
const { createLogger } = require('../../api/dist/common/logger.js');

const databaseUrl = process.env.DATABASE_URL;
const config = loadConfig({
  PORT: '0',
  DATABASE_URL: databaseUrl,
  KAIHU_DEMO: '1',
  LOG_LEVEL: 'silent',
  KAIHU_DATA_DIR: process.env.KAIHU_DATA_DIR,
  // the benchmarks log thousands of people in from 127.0.0.1
  KAIHU_RATE_CODE_PER_IP: '100000000',
  KAIHU_RATE_LOGIN_PER_IP: '100000000',
  KAIHU_RATE_CODE_PER_KEY: '100000000',
  KAIHU_RATE_LOGIN_PER_KEY: '100000000',
});
const kaihu = await startServer({ config, logger: createLogger('silent') });

const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
async function broker(variables) {
  const code = variables?.code ?? 'DEMO';
  const b = await pool.query('select id, name from brokers where code = $1 limit 1', [code]);
  if (!b.rows[0]) return { broker: null };
  const branches = await pool.query('select name from branches where broker_id = $1 order by code asc', [b.rows[0].id]);
  return { broker: { name: b.rows[0].name, branches: branches.rows.map((r) => ({ name: r.name })) } };
}

const IDLE_MS = 30 * 60_000;
async function me(authorization) {
  const token = /^Bearer (\S+)$/.exec(authorization ?? '')?.[1];
  if (!token) return { me: null };
  const hash = createHash('sha256').update(token).digest('hex');
  const s = await pool.query(
    'select id, customer_id, last_seen_at, absolute_expires_at, revoked_at from sessions where token_hash = $1 limit 1',
    [hash],
  );
  const session = s.rows[0];
  const now = Date.now();
  if (
    !session ||
    session.revoked_at ||
    Math.min(session.last_seen_at.getTime() + IDLE_MS, session.absolute_expires_at.getTime()) <= now
  )
    return { me: null };
  if (now - session.last_seen_at.getTime() > 60_000)
    await pool.query('update sessions set last_seen_at = $1 where id = $2', [new Date(now), session.id]);
  const c = await pool.query('select broker_id, id_number, account_type from customers where id = $1 limit 1', [
    session.customer_id,
  ]);
  const b = await pool.query('select code from brokers where id = $1 limit 1', [c.rows[0].broker_id]);
  const p = await pool.query(
    'select profile::text as profile from counter_customers where broker_code = $1 and id_number = $2 and $3 = any(account_types) limit 1',
    [b.rows[0].code, c.rows[0].id_number, c.rows[0].account_type],
  );
  return { me: { profile: { name: JSON.parse(p.rows[0].profile).name } } };
}

const bare = http.createServer(async (req, res) => {
  let body = '';
  for await (const chunk of req) body += chunk;
  const { variables } = JSON.parse(body || '{}');
  const data = req.url === '/me' ? await me(req.headers.authorization) : await broker(variables);
  const json = JSON.stringify({ data });
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(json) });
  res.end(json);
});
await new Promise((r) => bare.listen(0, '127.0.0.1', r));

// SIGUSR2 starts a CPU profile; the next SIGUSR2 writes it to $BENCH_PROFILE_OUT (benchmarks that look at one phase)
if (process.env.BENCH_PROFILE_OUT) {
  const inspector = await import('node:inspector');
  const session = new inspector.Session();
  session.connect();
  const post = (m, p) => new Promise((res, rej) => session.post(m, p, (e, r) => (e ? rej(e) : res(r))));
  let on = false;
  process.on('SIGUSR2', async () => {
    if (!on) {
      on = true;
      await post('Profiler.enable');
      await post('Profiler.start');
    } else {
      on = false;
      const { profile } = await post('Profiler.stop');
      (await import('node:fs')).writeFileSync(process.env.BENCH_PROFILE_OUT, JSON.stringify(profile));
    }
  });
}

process.stdout.write(
  `ready ${JSON.stringify({ kaihu: kaihu.url, bare: `http://127.0.0.1:${bare.address().port}` })}\n`,
);
process.on('SIGTERM', async () => {
  bare.close();
  await pool.end();
  await kaihu.stop();
  process.exit(0);
});
