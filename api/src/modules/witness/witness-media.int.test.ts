/**
 * The witness call's media around the call itself (the call with real media is
 * test/e2e/witness-call.test.ts): PASSED refused without a recording, a dead mediasoup worker
 * ending the session, the session timeout, and the SFU as its own registered service
 * (KAIHU_SFU=remote): sessions go to the node with the most free places, signalling reaches it,
 * and a node that goes away ends its calls.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startSfuServer, type SfuServer } from '@kaihu/sfu';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import {
  DEMO,
  bearer,
  gql,
  loginStaff,
  startTestServer,
  tempDir,
  ticketAtWitness,
  waitFor,
  WITNESS_CHECKLIST,
  type TestServer,
} from '../../testing/harness';

const codeOf = (res: { errors?: { extensions?: { code?: string } }[] }) => res.errors?.[0]?.extensions?.code;
const MANUAL_SWEEPS = { KAIHU_WITNESS_SWEEP_MS: '600000' };
const CLAIM = 'mutation ($b: ID!) { claimNextCustomer(branchId: $b) { id ticket { id } } }';
const CAPS = 'query ($s: ID!) { witnessSession(id: $s) { routerRtpCapabilities } }';
const SESSION = 'query ($s: ID!) { witnessSession(id: $s) { endedAt endReason outcome } }';
const SECRET = 'sfu-test-secret-0123456789';

async function beijingOf(server: TestServer): Promise<string> {
  const [b] = await server.db.sql.query<{ id: string }>(
    "select b.id from branches b join brokers k on k.id = b.broker_id where k.code = 'DEMO' and b.name = '北京营业部'",
  );
  return b!.id;
}

/** A customer at the witness, queued and claimed by agent01: the session id and tokens. */
async function claimed(
  server: TestServer,
  person: { idNumber: string; mobile: string; accountType?: string } = DEMO.zhangWei,
  business = 'UPDATE_OTHER_INFO',
) {
  const c = await ticketAtWitness(server, person, business);
  await gql(
    server.url,
    'mutation ($t: ID!) { joinWitnessQueue(ticketId: $t) { id } }',
    { t: c.ticketId },
    bearer(c.token),
  );
  const agent = bearer(await loginStaff(server.url, 'agent01', 'Agent#2026'));
  const s = (await gql(server.url, CLAIM, { b: await beijingOf(server) }, agent)).data!.claimNextCustomer;
  expect(s.ticket.id).toBe(c.ticketId);
  return { sessionId: s.id as string, agent, customer: bearer(c.token), ticketId: c.ticketId };
}

describe('the witness call on the embedded SFU', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer('postgresql', {
      env: {
        ...MANUAL_SWEEPS,
        KAIHU_WITNESS_REQUIRE_RECORDING: 'true',
        KAIHU_WITNESS_TIMEOUT_MS: '1200000',
        KAIHU_SFU_WORKERS: '1',
      },
    });
  });
  afterAll(() => server?.close());

  it('refuses PASSED without a recording of both parties (RECORDING_MISSING), and the session goes on', async () => {
    const { sessionId, agent, customer, ticketId } = await claimed(server);
    await gql(server.url, CAPS, { s: sessionId }, agent);
    const res = await gql(
      server.url,
      'mutation ($s: ID!, $i: WitnessOutcomeInput!) { completeWitness(sessionId: $s, input: $i) { outcome } }',
      { s: sessionId, i: { outcome: 'PASSED', checklist: WITNESS_CHECKLIST } },
      agent,
    );
    expect(codeOf(res)).toBe('RECORDING_MISSING');
    expect(res.errors![0]!.message).toMatch(/见证录像不完整：客户视频、客户音频、坐席视频、坐席音频不足 30 秒/);
    expect(res.errors![0]!.extensions).toMatchObject({
      missing: ['CUSTOMER_VIDEO', 'CUSTOMER_AUDIO', 'AGENT_VIDEO', 'AGENT_AUDIO'],
      minSeconds: 30,
    });
    expect((await gql(server.url, SESSION, { s: sessionId }, agent)).data!.witnessSession).toEqual({
      endedAt: null,
      endReason: null,
      outcome: null,
    });
    expect(
      (await gql(server.url, 'query ($t: ID!) { ticket(id: $t) { currentStep } }', { t: ticketId }, customer)).data!
        .ticket.currentStep,
    ).toBe('VIDEO_WITNESS');
    // 打回 needs no recording
    const back = await gql(
      server.url,
      'mutation ($s: ID!, $i: WitnessOutcomeInput!) { completeWitness(sessionId: $s, input: $i) { outcome } }',
      { s: sessionId, i: { outcome: 'RETURNED', returnToStep: 'OTHER_INFO', reason: '请核对地址', checklist: [] } },
      agent,
    );
    expect(back.data!.completeWitness.outcome).toBe('RETURNED');
  });

  it("keeps recordings for the broker's retention period, which its admin sets, then deletes them", async () => {
    const admin = bearer(await loginStaff(server.url, 'admin01', 'Admin#2026'));
    const set = await gql(
      server.url,
      'mutation ($y: Int!) { setRecordingRetention(years: $y) { code recordingRetentionYears } }',
      { y: 3 },
      admin,
    );
    expect(set.data!.setRecordingRetention).toEqual({ code: 'DEMO', recordingRetentionYears: 3 });
    expect(codeOf(await gql(server.url, 'mutation { setRecordingRetention(years: 0) { code } }', {}, admin))).toBe(
      'BAD_USER_INPUT',
    );
    const agentOnly = bearer(await loginStaff(server.url, 'agent01', 'Agent#2026'));
    expect(codeOf(await gql(server.url, 'mutation { setRecordingRetention(years: 5) { code } }', {}, agentOnly))).toBe(
      'FORBIDDEN',
    );
    // a stored recording row whose period has run out (the recording itself comes from a real call in test/e2e/witness-call.test.ts)
    const { sessionId, ticketId } = await claimed(server, DEMO.zhangWei, 'RESET_PASSWORD');
    const stored = await server.services.plugins.documents.put(
      Buffer.from('webm bytes of an old witness'),
      'video/webm',
    );
    const [b] = await server.db.sql.query<{ broker_id: string }>('select broker_id from tickets where id = $1', [
      ticketId,
    ]);
    const now = server.clock.now();
    const until = new Date(now.getTime() + 1000);
    await server.db.sql.query(
      `insert into witness_recordings (id, session_id, ticket_id, broker_id, name, sha256, size, mime_type, duration_ms, streams, created_at, retain_until) values (gen_random_uuid(), $1, $2, $3, 'old.webm', $4, 28, 'video/webm', 1000, '[]', $5, $6)`,
      [sessionId, ticketId, b!.broker_id, stored.sha256, now, until],
    );
    await server.services.witness.sweep(server.db.orm.em.fork() as never);
    expect(await server.services.plugins.documents.has(stored.sha256)).toBe(true);
    server.clock.advance(2000);
    await server.services.witness.sweep(server.db.orm.em.fork() as never);
    expect(await server.db.sql.query('select id from witness_recordings where session_id = $1', [sessionId])).toEqual(
      [],
    );
    expect(await server.services.plugins.documents.has(stored.sha256)).toBe(false);
    await gql(
      server.url,
      'mutation ($s: ID!) { abandonWitness(sessionId: $s, reason: CUSTOMER_ABSENT) { id } }',
      { s: sessionId },
      agentOnly,
    );
  });

  it('stores, at the next start, a recording the embedded SFU finished while the API stopped', async () => {
    const [s] = await server.db.sql.query<{ id: string; ticket_id: string }>(
      'select id, ticket_id from witness_sessions order by started_at limit 1',
    );
    const file = path.join(server.config.witness.recordingDir, `${s!.id}.webm`);
    const made = spawnSync('ffmpeg', [
      '-v',
      'error',
      '-f',
      'lavfi',
      '-i',
      'testsrc=size=160x120:rate=10',
      '-f',
      'lavfi',
      '-i',
      'sine=frequency=440',
      '-t',
      '2',
      '-c:v',
      'libvpx',
      '-c:a',
      'libopus',
      '-metadata:s:v:0',
      'title=CUSTOMER',
      '-metadata:s:a:0',
      'title=CUSTOMER',
      '-y',
      file,
    ]);
    expect(made.status).toBe(0);
    expect(await server.services.witness.recordings.adoptRecordings(server.db.orm.em.fork() as never)).toBe(1);
    const [row] = await server.db.sql.query<{ name: string; mime_type: string; streams: any[]; duration_ms: number }>(
      'select name, mime_type, streams, duration_ms from witness_recordings where session_id = $1',
      [s!.id],
    );
    expect(row).toMatchObject({ name: `${s!.id}.webm`, mime_type: 'video/webm' });
    expect(row!.duration_ms).toBeGreaterThan(1500);
    expect(row!.streams.map((x) => `${x.label}/${x.kind}`).sort()).toEqual(['CUSTOMER/audio', 'CUSTOMER/video']);
    expect(fs.existsSync(file)).toBe(false); // moved into the DocumentStore
    const events = await server.db.sql.query<{ action: string }>(
      "select action from ticket_events where ticket_id = $1 and action = 'WITNESS_RECORDED'",
      [s!.ticket_id],
    );
    expect(events).toHaveLength(1);
  });

  it('ends the session (MEDIA_FAILED) when its mediasoup worker dies, puts the customer back at the head, and the next call gets a new worker', async () => {
    const { sessionId, agent, customer, ticketId } = await claimed(server, DEMO.wangFang);
    await gql(server.url, CAPS, { s: sessionId }, agent);
    const t = (
      await gql(
        server.url,
        'mutation ($s: ID!) { createWitnessTransport(sessionId: $s) { id } }',
        { s: sessionId },
        customer,
      )
    ).data!.createWitnessTransport;
    expect(t.id).toBeTruthy();
    const [worker] = (await server.services.witness.mediaStats()).workers;
    expect(worker!.routers).toBe(1);
    // the agent watches the session
    const client = createClient({
      url: server.url.replace('http', 'ws') + '/graphql',
      webSocketImpl: WebSocket,
      connectionParams: { authorization: agent.authorization },
      retryAttempts: 0,
    });
    const seen: any[] = [];
    client.subscribe(
      { query: 'subscription ($s: ID!) { witnessSession(id: $s) { endReason endedAt } }', variables: { s: sessionId } },
      { next: (v: any) => seen.push(v.data?.witnessSession), error: () => {}, complete: () => {} },
    );
    await waitFor('the first push', async () => seen.length > 0);
    process.kill(worker!.pid, 'SIGKILL');
    await waitFor('the session to end', async () => seen.find((x) => x?.endReason === 'MEDIA_FAILED'));
    const [entry] = await server.db.sql.query<{ state: string }>(
      `select state from witness_queue_entries where ticket_id = $1 order by enqueued_at desc limit 1`,
      [ticketId],
    );
    expect(entry!.state).toBe('WAITING');
    const events = await server.db.sql.query<{ action: string; after: any }>(
      `select action, after from ticket_events where ticket_id = $1 and action = 'WITNESS_REQUEUED'`,
      [ticketId],
    );
    expect(events.map((e) => e.after.reason)).toEqual(['MEDIA_FAILED']);
    await client.dispose();
    // the pool replaced the worker; the customer, back at the head, is called again onto it
    const stats = await waitFor('a new worker', async () => {
      const w = (await server.services.witness.mediaStats()).workers;
      return w.length === 1 && w[0]!.pid !== worker!.pid ? w : null;
    });
    expect(stats[0]!.routers).toBe(0);
    const again = (await gql(server.url, CLAIM, { b: await beijingOf(server) }, agent)).data!.claimNextCustomer;
    expect(again.ticket.id).toBe(ticketId);
    expect(
      (await gql(server.url, CAPS, { s: again.id }, agent)).data!.witnessSession.routerRtpCapabilities.codecs.length,
    ).toBeGreaterThan(0);
    await gql(
      server.url,
      'mutation ($s: ID!) { abandonWitness(sessionId: $s, reason: CUSTOMER_ABSENT) { id } }',
      { s: again.id },
      agent,
    );
    expect((await server.services.witness.mediaStats()).rooms).toBe(0);
  });

  it("tells the call's witnessMedia subscribers when a party's connection drops and comes back, and when the session ends", async () => {
    const { sessionId, agent, customer, ticketId } = await claimed(
      server,
      { ...DEMO.chenQiang, accountType: 'ASSET_MANAGEMENT' },
      'RESET_PASSWORD',
    );
    const socket = (token: string) =>
      createClient({
        url: server.url.replace('http', 'ws') + '/graphql',
        webSocketImpl: WebSocket,
        connectionParams: { authorization: token },
        retryAttempts: 0,
      });
    const agentWs = socket(agent.authorization);
    const events: any[] = [];
    let completed = false;
    agentWs.subscribe(
      {
        query: 'subscription ($s: ID!) { witnessMedia(sessionId: $s) { type party endReason } }',
        variables: { s: sessionId },
      },
      {
        next: (v: any) => events.push(v.data?.witnessMedia ?? v.errors),
        error: () => {},
        complete: () => (completed = true),
      },
    );
    await waitFor('SUBSCRIBED', async () => events.length > 0);
    // the customer's presence is their queuePosition subscription
    const presence = async () => {
      const ws = socket(customer.authorization);
      await new Promise<void>((resolve) =>
        ws.subscribe(
          { query: 'subscription ($t: ID!) { queuePosition(ticketId: $t) { state } }', variables: { t: ticketId } },
          { next: () => resolve(), error: () => {}, complete: () => {} },
        ),
      );
      return ws;
    };
    let customerWs = await presence();
    await customerWs.dispose();
    await waitFor('PARTY_LEFT', async () => events.find((e) => e.type === 'PARTY_LEFT'));
    customerWs = await presence();
    await waitFor('PARTY_RETURNED', async () => events.find((e) => e.type === 'PARTY_RETURNED'));
    await gql(
      server.url,
      'mutation ($s: ID!) { abandonWitness(sessionId: $s, reason: AGENT_ABANDONED) { id } }',
      { s: sessionId },
      agent,
    );
    await waitFor('the subscription to complete', async () => completed);
    expect(events).toEqual([
      { type: 'SUBSCRIBED', party: null, endReason: null },
      { type: 'PARTY_LEFT', party: 'CUSTOMER', endReason: null },
      { type: 'PARTY_RETURNED', party: 'CUSTOMER', endReason: null },
      { type: 'ENDED', party: null, endReason: 'AGENT_ABANDONED' },
    ]);
    await customerWs.dispose();
    await agentWs.dispose();
    // back at the head after AGENT_ABANDONED: the customer leaves the queue (for the next tests)
    expect(
      (await gql(server.url, 'mutation ($t: ID!) { leaveWitnessQueue(ticketId: $t) }', { t: ticketId }, customer)).data!
        .leaveWitnessQueue,
    ).toBe(true);
  });

  it('ends a call that runs past KAIHU_WITNESS_TIMEOUT_MS (TIMEOUT) and closes its room', async () => {
    const { sessionId, agent } = await claimed(
      server,
      { ...DEMO.chenQiang, accountType: 'ASSET_MANAGEMENT' },
      'UPDATE_CONTACT_PHONE',
    );
    await gql(
      server.url,
      'mutation ($s: ID!) { createWitnessTransport(sessionId: $s) { id } }',
      { s: sessionId },
      agent,
    );
    expect((await server.services.witness.mediaStats()).transports).toBe(1);
    // the agent holds the session (present), so only the timeout can end it
    const client = createClient({
      url: server.url.replace('http', 'ws') + '/graphql',
      webSocketImpl: WebSocket,
      connectionParams: { authorization: agent.authorization },
      retryAttempts: 0,
    });
    const seen: any[] = [];
    client.subscribe(
      { query: 'subscription ($s: ID!) { witnessSession(id: $s) { endReason } }', variables: { s: sessionId } },
      { next: (v: any) => seen.push(v.data?.witnessSession), error: () => {}, complete: () => {} },
    );
    await waitFor('the first push', async () => seen.length > 0);
    server.clock.advance(1_199_000);
    expect(await server.services.witness.sweep(server.db.orm.em.fork() as never)).toEqual({ left: 0, ended: 0 });
    server.clock.advance(2_000);
    expect(await server.services.witness.sweep(server.db.orm.em.fork() as never)).toEqual({ left: 0, ended: 1 });
    expect((await gql(server.url, SESSION, { s: sessionId }, agent)).data!.witnessSession.endReason).toBe('TIMEOUT');
    await waitFor('the push', async () => seen.find((x) => x?.endReason === 'TIMEOUT'));
    expect((await server.services.witness.mediaStats()).transports).toBe(0);
    await client.dispose();
  });
});

describe('the SFU as its own service (KAIHU_SFU=remote)', () => {
  let server: TestServer;
  const sfus: SfuServer[] = [];
  beforeAll(async () => {
    server = await startTestServer('postgresql', {
      env: { ...MANUAL_SWEEPS, KAIHU_SFU: 'remote', KAIHU_SFU_SECRET: SECRET },
    });
    // two SFU nodes register in the API's database: a small one and a larger one
    for (const [nodeId, capacity] of [
      ['sfu-small', 1],
      ['sfu-large', 3],
    ] as const) {
      sfus.push(
        await startSfuServer({
          port: 0,
          secret: SECRET,
          databaseUrl: server.config.databaseUrl!,
          nodeId,
          capacity,
          pool: { workers: 1 },
          recordingDir: tempDir('kaihu-sfu-rec-'),
          heartbeatMs: 1000,
        }),
      );
    }
  });
  afterAll(async () => {
    for (const s of sfus) await s.close().catch(() => undefined);
    await server?.close();
  });

  const nodeOf = async (sessionId: string) =>
    (
      await server.db.sql.query<{ sfu_node_id: string | null }>(
        'select sfu_node_id from witness_sessions where id = $1',
        [sessionId],
      )
    )[0]!.sfu_node_id;

  it('registers the nodes with their capacity, sends each session to the one with the most free places, and signals through it', async () => {
    const nodes = await server.db.sql.query<{ id: string; capacity: number; url: string }>(
      'select id, capacity, url from sfu_nodes order by id',
    );
    expect(nodes.map((n) => [n.id, n.capacity])).toEqual([
      ['sfu-large', 3],
      ['sfu-small', 1],
    ]);
    const a = await claimed(server, DEMO.zhangWei);
    const caps = (await gql(server.url, CAPS, { s: a.sessionId }, a.agent)).data!.witnessSession.routerRtpCapabilities;
    expect(caps.codecs.map((c: { mimeType: string }) => c.mimeType)).toEqual(
      expect.arrayContaining(['audio/opus', 'video/VP8']),
    );
    expect(await nodeOf(a.sessionId)).toBe('sfu-large'); // 3 free against 1
    const t = (
      await gql(
        server.url,
        'mutation ($s: ID!) { createWitnessTransport(sessionId: $s) { id iceCandidates } }',
        { s: a.sessionId },
        a.customer,
      )
    ).data!.createWitnessTransport;
    expect(t.iceCandidates[0]).toMatchObject({ ip: '127.0.0.1' });
    const large = sfus.find((s) => s.nodeId === 'sfu-large')!;
    expect(await large.rooms.stats()).toMatchObject({ rooms: 1, transports: 1 });
    // the API node's room errors come back with the same codes as embedded
    const PRODUCE =
      'mutation ($s: ID!, $t: ID!, $k: String!, $r: JSONObject!) { produceWitnessMedia(sessionId: $s, transportId: $t, kind: $k, rtpParameters: $r) { id } }';
    expect(
      codeOf(await gql(server.url, PRODUCE, { s: a.sessionId, t: t.id, k: 'video', r: { codecs: [] } }, a.customer)),
    ).toBe('BAD_USER_INPUT');
    expect(
      codeOf(await gql(server.url, PRODUCE, { s: a.sessionId, t: t.id, k: 'video', r: { codecs: [] } }, a.agent)),
    ).toBe('NOT_FOUND');

    const b = await claimed(server, DEMO.wangFang);
    await gql(server.url, CAPS, { s: b.sessionId }, b.agent);
    expect(await nodeOf(b.sessionId)).toBe('sfu-large'); // 2 free against 1: still the large one
    const c = await claimed(server, { ...DEMO.chenQiang, accountType: 'ASSET_MANAGEMENT' }, 'UPDATE_CONTACT_PHONE');
    await gql(server.url, CAPS, { s: c.sessionId }, c.agent);
    expect(['sfu-large', 'sfu-small']).toContain(await nodeOf(c.sessionId)); // 1 free on each

    // the end of a session closes its room on the node
    for (const x of [a, b, c])
      await gql(
        server.url,
        'mutation ($s: ID!) { abandonWitness(sessionId: $s, reason: CUSTOMER_ABSENT) { id } }',
        { s: x.sessionId },
        x.agent,
      );
    for (const s of sfus) expect(await s.rooms.stats()).toMatchObject({ rooms: 0, transports: 0 });
  });

  it('ends the calls of a node that goes away (MEDIA_FAILED) and sends the next ones elsewhere', async () => {
    const a = await claimed(server, DEMO.zhangWei, 'RESET_PASSWORD');
    await gql(server.url, CAPS, { s: a.sessionId }, a.agent);
    const gone = sfus.find((s) => s.nodeId === (a.sessionId && 'sfu-large'))!;
    expect(await nodeOf(a.sessionId)).toBe('sfu-large');
    await gone.close();
    sfus.splice(sfus.indexOf(gone), 1);
    expect(
      codeOf(
        await gql(
          server.url,
          'mutation ($s: ID!) { createWitnessTransport(sessionId: $s) { id } }',
          { s: a.sessionId },
          a.agent,
        ),
      ),
    ).toBe('MEDIA_UNAVAILABLE');
    expect(await server.services.witness.sweep(server.db.orm.em.fork() as never)).toEqual({ left: 0, ended: 1 });
    expect((await gql(server.url, SESSION, { s: a.sessionId }, a.agent)).data!.witnessSession.endReason).toBe(
      'MEDIA_FAILED',
    );
    // back at the head, called again: the session goes to the node that is left
    const again = (await gql(server.url, CLAIM, { b: await beijingOf(server) }, a.agent)).data!.claimNextCustomer;
    expect(again.ticket.id).toBe(a.ticketId);
    await gql(server.url, CAPS, { s: again.id }, a.agent);
    expect(await nodeOf(again.id)).toBe('sfu-small');
    await gql(
      server.url,
      'mutation ($s: ID!) { abandonWitness(sessionId: $s, reason: CUSTOMER_ABSENT) { id } }',
      { s: again.id },
      a.agent,
    );
    // with no node left, the call cannot start: a clear error
    await sfus.pop()!.close();
    const b = await claimed(server, DEMO.wangFang, 'RESET_PASSWORD');
    const none = await gql(server.url, CAPS, { s: b.sessionId }, b.agent);
    expect(codeOf(none)).toBe('MEDIA_UNAVAILABLE');
    expect(none.errors![0]!.message).toContain('没有可用的视频服务节点');
  });

  it('runs as its own process (node sfu/dist/main.js): registers, answers /healthz, and leaves the registry on SIGTERM', async () => {
    const main = path.resolve(__dirname, '../../../../sfu/dist/main.js');
    const env = {
      ...process.env,
      DATABASE_URL: server.config.databaseUrl!,
      KAIHU_SFU_SECRET: SECRET,
      KAIHU_SFU_PORT: '0',
      KAIHU_SFU_NODE_ID: 'sfu-process',
      KAIHU_SFU_WORKERS: '1',
      KAIHU_SFU_CAPACITY: '40',
      KAIHU_SFU_RECORDING_DIR: tempDir('kaihu-sfu-rec-'),
    };
    const child = spawn(process.execPath, [main], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    try {
      const row = await waitFor(
        'the registration',
        async () =>
          (
            await server.db.sql.query<{ url: string; capacity: number; workers: number }>(
              "select url, capacity, workers from sfu_nodes where id = 'sfu-process'",
            )
          )[0],
      );
      expect(row).toMatchObject({ capacity: 40, workers: 1 });
      expect(await (await fetch(row.url.replace('ws', 'http') + '/healthz')).json()).toMatchObject({
        status: 'ok',
        rooms: 0,
      });
      expect((await fetch(row.url.replace('ws', 'http') + '/recordings/x')).status).toBe(401);
      expect(out).toContain('"msg":"sfu: listening"');
      expect(out).not.toContain(SECRET);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    expect(await server.db.sql.query("select id from sfu_nodes where id = 'sfu-process'")).toEqual([]);
    // a missing secret is a one-line refusal
    const bad = spawn(process.execPath, [main], {
      env: { ...env, KAIHU_SFU_SECRET: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    bad.stderr.on('data', (d: Buffer) => (err += d.toString()));
    expect(await new Promise((r) => bad.once('exit', r))).toBe(1);
    expect(err.trim()).toBe('KAIHU_SFU_SECRET is required');
  });
});
