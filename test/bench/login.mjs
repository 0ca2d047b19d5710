// Login numbers: `{ me { profile { name } } }` with a valid session on PostgreSQL, next to a bare
// handler doing the same session lookup and SQL in the same process.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cannon } from './foundation.mjs';
import { createDatabase, fmt, startNode, stop } from './lib.mjs';

async function gql(url, query, variables, headers = {}) {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const body = await res.json();
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

/** The real customer login through the API and the demo pages. */
async function login(url) {
  const { createCaptcha } = await gql(url, 'mutation { createCaptcha { id } }');
  const { answer } = await (await fetch(`${url}/dev/captcha/${createCaptcha.id}`)).json();
  const input = { idNumber: '110105198506123411', accountType: 'FUTURES_BROKERAGE' };
  await gql(url, 'mutation ($input: RequestLoginCodeInput!) { requestLoginCode(input: $input) { maskedPhone } }', {
    input: { ...input, captchaId: createCaptcha.id, captchaAnswer: answer },
  });
  const [{ code }] = await (await fetch(`${url}/dev/outbox?to=13800138000`)).json();
  const { login: session } = await gql(url, 'mutation ($input: LoginInput!) { login(input: $input) { token } }', {
    input: { ...input, code },
  });
  return session.token;
}

export async function run() {
  const duration = Number(process.env.BENCH_SECONDS ?? 10);
  const db = await createDatabase();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kaihu-bench-'));
  const { child, info } = await startNode(['test/bench/server.mjs'], { DATABASE_URL: db.url, KAIHU_DATA_DIR: dataDir });
  try {
    const token = await login(info.kaihu);
    const headers = { authorization: `Bearer ${token}` };
    const body = JSON.stringify({ query: '{ me { profile { name } } }' });
    const k = `${info.kaihu}/graphql`;
    const b = `${info.bare}/me`;
    const check = await (
      await fetch(k, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body })
    ).text();
    const bareCheck = await (await fetch(b, { method: 'POST', headers, body })).text();
    if (JSON.stringify(JSON.parse(check)) !== JSON.stringify(JSON.parse(bareCheck)) || !check.includes('张伟'))
      throw new Error(`responses differ: ${check} vs ${bareCheck}`);
    await cannon(k, body, 2, headers);
    await cannon(b, body, 2, headers);
    const kaihu = await cannon(k, body, duration, headers);
    const bare = await cannon(b, body, duration, headers);
    return [
      '## Login and sessions',
      '',
      `### \`{ me { profile { name } } }\` with a valid customer session on PostgreSQL (autocannon, 10 connections, ${duration} s)`,
      '',
      'Both resolve the token (SHA-256 → `sessions`), check idle and absolute expiry, load the customer, its broker and the counter profile.',
      '',
      '| server | requests/s | p50 latency | p99 latency |',
      '|---|---|---|---|',
      `| Kaihu | ${fmt(kaihu.requests.average, 0)} | ${kaihu.latency.p50} ms | ${kaihu.latency.p99} ms |`,
      `| bare \`http\` handler, same process, same SQL | ${fmt(bare.requests.average, 0)} | ${bare.latency.p50} ms | ${bare.latency.p99} ms |`,
      `| **ratio Kaihu / bare** | **${fmt(kaihu.requests.average / bare.requests.average, 2)}** | | |`,
      '',
    ].join('\n');
  } finally {
    await stop(child);
    await db.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
