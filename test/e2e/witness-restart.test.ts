/**
 * The witness queue survives the API process being killed: entries are rows, the graphql-ws
 * clients reconnect by themselves to the restarted process, are sent their positions again, keep
 * their places (the restart gives them the grace period, and re-subscribing ends it), and a claim
 * on the new process moves them. The real compiled server (`node api/dist/main.js`) on PostgreSQL.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createClient, type Client as WsClient } from 'graphql-ws';
import { Client } from 'pg';
import WebSocket from 'ws';
import {
  DEMO,
  bearer,
  createTestDatabase,
  gql,
  loginStaff,
  startTestServer,
  ticketAtWitness,
  waitFor,
  type TestDatabase,
} from '../../api/src/testing/harness';

const ROOT = path.resolve(__dirname, '../..');
const MAIN = path.join(ROOT, 'api/dist/main.js');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

function api(env: Record<string, string>): ChildProcess & { output: () => string } {
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

async function listening(child: ReturnType<typeof api>): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (/Kaihu is listening/.test(child.output())) return;
    if (child.exitCode !== null) throw new Error(`exited ${child.exitCode}: ${child.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`not listening: ${child.output()}`);
}

interface Watch {
  client: WsClient;
  values: { state: string; position: number }[];
  connects: number;
}

function watch(url: string, token: string, ticketId: string): Watch {
  const w: Watch = { client: null as never, values: [], connects: 0 };
  w.client = createClient({
    url,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    // reconnect for ever, quickly: the process comes back within seconds
    retryAttempts: Infinity,
    retryWait: () => new Promise((r) => setTimeout(r, 100)),
    shouldRetry: () => true,
    on: { connected: () => void w.connects++ },
  });
  w.client.subscribe(
    { query: 'subscription ($t: ID!) { queuePosition(ticketId: $t) { state position } }', variables: { t: ticketId } },
    {
      next: (r) => void w.values.push(r.data!.queuePosition as Watch['values'][number]),
      error: () => {},
      complete: () => {},
    },
  );
  return w;
}

describe('the witness queue across a killed API process', () => {
  let db: TestDatabase;
  let child: ReturnType<typeof api> | null = null;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kaihu-e2e-queue-'));
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child!.once('exit', r));
    }
    await db.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('is still there after kill -9: clients reconnect, get their positions back, and move on the next claim', async () => {
    // customers join in service hours (a pinned clock in an in-process server on the same database)
    const setup = await startTestServer('postgresql', { databaseUrl: db.url });
    const zhang = await ticketAtWitness(setup, DEMO.zhangWei);
    const wang = await ticketAtWitness(setup, DEMO.wangFang);
    for (const c of [zhang, wang])
      await gql(
        setup.url,
        'mutation ($t: ID!) { joinWitnessQueue(ticketId: $t) { id } }',
        { t: c.ticketId },
        bearer(c.token),
      );
    await setup.stop();

    const port = String(await freePort());
    // the child judges the sessions on the same (pinned) time as the server that made them
    const env = {
      DATABASE_URL: db.url,
      PORT: port,
      KAIHU_DATA_DIR: dataDir,
      KAIHU_CLOCK_START: setup.clock.now().toISOString(),
    };
    child = api(env);
    await listening(child);
    const url = `ws://127.0.0.1:${port}/graphql`;
    const a = watch(url, zhang.token, zhang.ticketId);
    const b = watch(url, wang.token, wang.ticketId);
    await waitFor('both positions', async () => a.values.length > 0 && b.values.length > 0);
    expect([a.values[0], b.values[0]]).toEqual([
      { state: 'WAITING', position: 1 },
      { state: 'WAITING', position: 2 },
    ]);

    child.kill('SIGKILL');
    await new Promise((r) => child!.once('exit', r));
    const seen = [a.values.length, b.values.length];
    child = api(env);
    await listening(child);
    // both clients reconnected by themselves and were sent their (unchanged) positions again
    await waitFor(
      'the clients to reconnect',
      async () => a.connects === 2 && b.connects === 2 && a.values.length > seen[0]! && b.values.length > seen[1]!,
    );
    expect([a.values.at(-1), b.values.at(-1)]).toEqual([
      { state: 'WAITING', position: 1 },
      { state: 'WAITING', position: 2 },
    ]);
    // the restart marked them gone (grace period); being back ends it, so an agent may call them
    const sql = new Client({ connectionString: db.url });
    await sql.connect();
    try {
      await waitFor(
        'presence to be restored',
        async () =>
          (
            await sql.query(
              "select count(*)::int as n from witness_queue_entries where state = 'WAITING' and disconnected_at is null",
            )
          ).rows[0].n === 2,
      );
    } finally {
      await sql.end();
    }

    const http = `http://127.0.0.1:${port}`;
    const agent = bearer(await loginStaff(http, 'agent01', 'Agent#2026'));
    const sql2 = new Client({ connectionString: db.url });
    await sql2.connect();
    const branch = (await sql2.query('select branch_id from tickets where id = $1', [zhang.ticketId])).rows[0]
      .branch_id as string;
    await sql2.end();
    const claim = await gql(
      http,
      'mutation ($b: ID!) { claimNextCustomer(branchId: $b) { ticket { id } } }',
      { b: branch },
      agent,
    );
    expect(claim.data!.claimNextCustomer.ticket.id).toBe(zhang.ticketId);
    await waitFor(
      'the positions to move',
      async () => a.values.at(-1)?.state === 'CALLED' && b.values.at(-1)?.position === 1,
    );
    await a.client.dispose();
    await b.client.dispose();
  });
});
