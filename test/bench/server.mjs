// Bench helper process: Kaihu (compiled, in-process) on PostgreSQL, and beside it a bare HTTP
// handler that runs the same SQL for `{ broker(code:"DEMO") { name branches { name } } }` and
// writes the same JSON. Prints `ready {"kaihu":…, "bare":…}`.
import http from 'node:http';
import { createRequire } from 'node:module';
import pg from 'pg';

const require = createRequire(import.meta.url);
require('reflect-metadata');
const { startServer } = require('../../api/dist/server.js');
const { loadConfig } = require('../../api/dist/config.js');
const { createLogger } = require('../../api/dist/common/logger.js');

const databaseUrl = process.env.DATABASE_URL;
const config = loadConfig({ PORT: '0', DATABASE_URL: databaseUrl, KAIHU_DEMO: '1', LOG_LEVEL: 'silent', KAIHU_DATA_DIR: process.env.KAIHU_DATA_DIR });
const kaihu = await startServer({ config, logger: createLogger('silent') });

const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
const bare = http.createServer(async (req, res) => {
  let body = '';
  for await (const chunk of req) body += chunk;
  const { variables } = JSON.parse(body || '{}');
  const code = variables?.code ?? 'DEMO';
  const b = await pool.query('select id, name from brokers where code = $1 limit 1', [code]);
  let broker = null;
  if (b.rows[0]) {
    const branches = await pool.query('select name from branches where broker_id = $1 order by code asc', [b.rows[0].id]);
    broker = { name: b.rows[0].name, branches: branches.rows.map((r) => ({ name: r.name })) };
  }
  const json = JSON.stringify({ data: { broker } });
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(json) });
  res.end(json);
});
await new Promise((r) => bare.listen(0, '127.0.0.1', r));

process.stdout.write(`ready ${JSON.stringify({ kaihu: kaihu.url, bare: `http://127.0.0.1:${bare.address().port}` })}\n`);
process.on('SIGTERM', async () => {
  bare.close();
  await pool.end();
  await kaihu.stop();
  process.exit(0);
});
