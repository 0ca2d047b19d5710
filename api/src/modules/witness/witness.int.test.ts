import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { DEMO, bearer, gql, loginCustomer, loginStaff, startTestServer, type TestServer } from '../../testing/harness';

const codeOf = (res: { errors?: { extensions?: { code?: string } }[] }) => res.errors?.[0]?.extensions?.code;
const ENTRY = 'id state position waiting estimatedWaitSeconds witnessSessionId';
const ALL_CHECKS = ['IDENTITY_MATCHES_ID_CARD', 'ID_CARD_SHOWN', 'AGENT_IDENTIFIED', 'RISKS_EXPLAINED'];

let server: TestServer;
let beijing: string;

/** Logs a customer in and brings a new UPDATE_OTHER_INFO ticket to VIDEO_WITNESS through the ticket service. */
async function atWitness(person: { idNumber: string; mobile: string; accountType?: string }, business = 'UPDATE_OTHER_INFO'): Promise<{ token: string; ticketId: string }> {
  const token = await loginCustomer(server, person);
  const t = (await gql(server.url, 'mutation ($b: BusinessType!) { startTicket(business: $b) { id } }', { b: business }, bearer(token))).data!.startTicket.id;
  const em = server.db.orm.em.fork() as never;
  const [row] = await server.db.sql.query<{ customer_id: string }>('select customer_id from tickets where id = $1', [t]);
  const ticket = await server.services.tickets.getOwn(em, { kind: 'CUSTOMER', id: row!.customer_id, customerId: row!.customer_id } as never, t);
  await server.services.tickets.completeStep(em, ticket, 'DOCUMENTS', { fixture: true }, { kind: 'CUSTOMER', id: row!.customer_id });
  const info = business === 'UPDATE_CONTACT_PHONE' ? 'CONTACT_PHONE' : 'OTHER_INFO';
  await server.services.tickets.completeStep(em, ticket, info, { fixture: true }, { kind: 'CUSTOMER', id: row!.customer_id });
  return { token, ticketId: t };
}

function subscribe<T>(token: string, query: string, variables: Record<string, unknown>): { client: Client; values: T[]; until: (pred: (v: T) => boolean) => Promise<T> } {
  const client = createClient({ url: server.url.replace('http', 'ws') + '/graphql', webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${token}` }, retryAttempts: 0 });
  const values: T[] = [];
  const waiters: { pred: (v: T) => boolean; resolve: (v: T) => void }[] = [];
  client.subscribe({ query, variables }, {
    next: (r: any) => {
      const v = Object.values(r.data ?? {})[0] as T;
      if (!v) return;
      values.push(v);
      for (const w of [...waiters]) if (w.pred(v)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(v); }
    },
    error: () => {},
    complete: () => {},
  });
  return {
    client,
    values,
    until: (pred) => new Promise((resolve, reject) => {
      const seen = values.find(pred);
      if (seen) return resolve(seen);
      const timer = setTimeout(() => reject(new Error(`no matching value within 10 s: ${JSON.stringify(values)}`)), 10_000);
      waiters.push({ pred, resolve: (v) => (clearTimeout(timer), resolve(v)) });
    }),
  };
}

beforeAll(async () => {
  server = await startTestServer('postgresql');
  const [b] = await server.db.sql.query<{ id: string }>("select b.id from branches b join brokers k on k.id = b.broker_id where k.code = 'DEMO' and b.name = '北京营业部'");
  beijing = b!.id;
});
afterAll(() => server?.close());

describe('the video-witness queue', () => {
  it('puts customers in their branch queue in order, live, and lets agents claim the head', async () => {
    const zhang = await atWitness(DEMO.zhangWei);
    const wang = await atWitness(DEMO.wangFang);
    const JOIN = `mutation ($t: ID!) { joinWitnessQueue(ticketId: $t) { ${ENTRY} } }`;
    const first = (await gql(server.url, JOIN, { t: zhang.ticketId }, bearer(zhang.token))).data!.joinWitnessQueue;
    expect(first).toMatchObject({ state: 'WAITING', position: 1, waiting: 1, estimatedWaitSeconds: 180, witnessSessionId: null });
    expect((await gql(server.url, JOIN, { t: zhang.ticketId }, bearer(zhang.token))).data!.joinWitnessQueue.id).toBe(first.id);

    const live = subscribe<any>(zhang.token, `subscription ($t: ID!) { queuePosition(ticketId: $t) { ${ENTRY} } }`, { t: zhang.ticketId });
    await live.until((e) => e.position === 1 && e.waiting === 1);
    const second = (await gql(server.url, JOIN, { t: wang.ticketId }, bearer(wang.token))).data!.joinWitnessQueue;
    expect(second).toMatchObject({ position: 2, waiting: 2 });
    await live.until((e) => e.waiting === 2 && e.position === 1);

    const agentToken = await loginStaff(server.url, 'agent01', 'Agent#2026');
    const agent = bearer(agentToken);
    const queue = (await gql(server.url, 'query ($b: ID!) { branchQueue(branchId: $b) { branch { name } waiting items { customerName entry { position } ticket { id } } } }', { b: beijing }, agent)).data!.branchQueue;
    expect(queue).toMatchObject({ branch: { name: '北京营业部' }, waiting: 2 });
    expect(queue.items.map((i: any) => [i.customerName, i.entry.position])).toEqual([['张伟', 1], ['王芳', 2]]);
    const watching = subscribe<any>(agentToken, 'subscription ($b: ID!) { branchQueue(branchId: $b) { waiting items { customerName } } }', { b: beijing });
    await watching.until((q) => q.waiting === 2);

    const claimed = (await gql(server.url, 'mutation ($b: ID!) { claimNextCustomer(branchId: $b) { id agentName agentLicenseNo ticket { id } } }', { b: beijing }, agent)).data!.claimNextCustomer;
    expect(claimed).toMatchObject({ agentName: '刘洋', ticket: { id: zhang.ticketId } });
    expect(claimed.agentLicenseNo).toMatch(/^F\d+$/);
    const called = await live.until((e) => e.state === 'CALLED');
    expect(called.witnessSessionId).toBe(claimed.id);
    await watching.until((q) => q.waiting === 1 && q.items[0].customerName === '王芳');
    const wangEntry = (await gql(server.url, `query ($t: ID!) { ticket(id: $t) { queueEntry { ${ENTRY} } } }`, { t: wang.ticketId }, bearer(wang.token))).data!.ticket.queueEntry;
    expect(wangEntry).toMatchObject({ position: 1, waiting: 1 });

    // pass: the ticket moves on to the certificate; the checklist is kept
    const incomplete = await gql(server.url, 'mutation ($s: ID!, $i: WitnessOutcomeInput!) { completeWitness(sessionId: $s, input: $i) { id } }', { s: claimed.id, i: { outcome: 'PASSED', checklist: ['ID_CARD_SHOWN'] } }, agent);
    expect(codeOf(incomplete)).toBe('BAD_USER_INPUT');
    server.clock.advance(240_000);
    const passed = (await gql(server.url, 'mutation ($s: ID!, $i: WitnessOutcomeInput!) { completeWitness(sessionId: $s, input: $i) { outcome checklist endedAt ticket { currentStep } } }', { s: claimed.id, i: { outcome: 'PASSED', checklist: ALL_CHECKS } }, agent)).data!.completeWitness;
    expect(passed).toMatchObject({ outcome: 'PASSED', checklist: ALL_CHECKS, ticket: { currentStep: 'CERTIFICATE' } });
    await live.until((e) => e.state === 'DONE');
    // the estimate now comes from the branch's witness durations (240 s)
    expect((await gql(server.url, `query ($t: ID!) { ticket(id: $t) { queueEntry { estimatedWaitSeconds } } }`, { t: wang.ticketId }, bearer(wang.token))).data!.ticket.queueEntry.estimatedWaitSeconds).toBe(240);

    // 打回: back to the step with the reason the customer sees
    const next = (await gql(server.url, 'mutation ($b: ID!) { claimNextCustomer(branchId: $b) { id ticket { id } } }', { b: beijing }, agent)).data!.claimNextCustomer;
    expect(next.ticket.id).toBe(wang.ticketId);
    const returned = (await gql(server.url, 'mutation ($s: ID!, $i: WitnessOutcomeInput!) { completeWitness(sessionId: $s, input: $i) { outcome ticket { status currentStep reason } } }', {
      s: next.id,
      i: { outcome: 'RETURNED', returnToStep: 'OTHER_INFO', reason: '联系地址与身份证照片不一致', checklist: ['IDENTITY_MATCHES_ID_CARD'] },
    }, agent)).data!.completeWitness;
    expect(returned).toMatchObject({ outcome: 'RETURNED', ticket: { status: 'RETURNED', currentStep: 'OTHER_INFO', reason: '联系地址与身份证照片不一致' } });
    expect((await gql(server.url, 'mutation ($b: ID!) { claimNextCustomer(branchId: $b) { id } }', { b: beijing }, agent)).data!.claimNextCustomer).toBeNull();
    await live.client.dispose();
    await watching.client.dispose();
  });

  it('never gives two agents the same customer (concurrent claims, SKIP LOCKED)', async () => {
    const people = [DEMO.zhangWei, DEMO.wangFang, { ...DEMO.chenQiang, accountType: 'ASSET_MANAGEMENT' }];
    const tickets: string[] = [];
    for (const p of people) {
      const c = await atWitness(p, 'UPDATE_CONTACT_PHONE');
      await gql(server.url, 'mutation ($t: ID!) { joinWitnessQueue(ticketId: $t) { id } }', { t: c.ticketId }, bearer(c.token));
      tickets.push(c.ticketId);
    }
    await server.services.auth.ensureStaff(server.db.orm.em.fork() as never, { username: 'agent03', password: 'Agent#2026', displayName: '钱多', roles: ['AGENT'], brokerId: (await server.db.sql.query<{ broker_id: string }>('select broker_id from branches where id = $1', [beijing]))[0]!.broker_id, branchId: beijing });
    const agents = [bearer(await loginStaff(server.url, 'agent01', 'Agent#2026')), bearer(await loginStaff(server.url, 'agent03', 'Agent#2026'))];
    const CLAIM = 'mutation ($b: ID!) { claimNextCustomer(branchId: $b) { id ticket { id } } }';
    const results = await Promise.all([0, 1, 0, 1, 0, 1].map((i) => gql(server.url, CLAIM, { b: beijing }, agents[i]!)));
    const got = results.map((r) => r.data!.claimNextCustomer?.ticket.id ?? null);
    expect(results.every((r) => !r.errors)).toBe(true);
    const claimedIds = got.filter((x): x is string => x !== null);
    expect(claimedIds.sort()).toEqual([...tickets].sort());
    expect(new Set(claimedIds).size).toBe(3);
    expect(got.filter((x) => x === null)).toHaveLength(3);
  });

  it('keeps other brokers out and refuses joining before the VIDEO_WITNESS step', async () => {
    const [hours] = await server.db.sql.query<{ id: string }>("select id from brokers where code = 'DEMO-HOURS'");
    await server.services.auth.ensureStaff(server.db.orm.em.fork() as never, { username: 'sz-agent', password: 'Shenzhen#2026', displayName: '深圳坐席', roles: ['AGENT'], brokerId: hours!.id, branchId: null });
    const other = bearer(await loginStaff(server.url, 'sz-agent', 'Shenzhen#2026'));
    expect(codeOf(await gql(server.url, 'query ($b: ID!) { branchQueue(branchId: $b) { waiting } }', { b: beijing }, other))).toBe('FORBIDDEN');
    expect(codeOf(await gql(server.url, 'mutation ($b: ID!) { claimNextCustomer(branchId: $b) { id } }', { b: beijing }, other))).toBe('FORBIDDEN');
    const token = await loginCustomer(server, DEMO.liNa);
    const t = (await gql(server.url, 'mutation { startTicket(business: UPDATE_ID_VALIDITY) { id } }', undefined, bearer(token))).data!.startTicket.id;
    expect(codeOf(await gql(server.url, 'mutation ($t: ID!) { joinWitnessQueue(ticketId: $t) { id } }', { t }, bearer(token)))).toBe('STEP_NOT_ALLOWED');
    const customer = bearer(token);
    expect(codeOf(await gql(server.url, 'query ($b: ID!) { branchQueue(branchId: $b) { waiting } }', { b: beijing }, customer))).toBe('FORBIDDEN');
  });
});

describe('the witness queue across nodes and restarts', () => {
  it('updates positions of subscribers on one node when an agent claims on another', async () => {
    const nodeB = await startTestServer('postgresql', { databaseUrl: server.config.databaseUrl!, clock: server.clock });
    try {
      const first = await atWitness(DEMO.zhangWei, 'RESET_PASSWORD');
      const second = await atWitness(DEMO.wangFang, 'RESET_PASSWORD');
      for (const c of [first, second]) await gql(server.url, 'mutation ($t: ID!) { joinWitnessQueue(ticketId: $t) { id } }', { t: c.ticketId }, bearer(c.token));
      const client = createClient({ url: nodeB.url.replace('http', 'ws') + '/graphql', webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${second.token}` }, retryAttempts: 0 });
      const values: any[] = [];
      const moved = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`position on node B did not change: ${JSON.stringify(values)}`)), 10_000);
        client.subscribe({ query: `subscription ($t: ID!) { queuePosition(ticketId: $t) { ${ENTRY} } }`, variables: { t: second.ticketId } }, {
          next: async (r: any) => {
            values.push(r.data.queuePosition);
            if (values.length === 1) {
              const agent = bearer(await loginStaff(server.url, 'agent01', 'Agent#2026'));
              await gql(server.url, 'mutation ($b: ID!) { claimNextCustomer(branchId: $b) { id } }', { b: beijing }, agent); // on node A
            }
            if (r.data.queuePosition.position === 1) {
              clearTimeout(timer);
              resolve();
            }
          },
          error: reject,
          complete: () => {},
        });
      });
      await moved;
      expect(values[0]).toMatchObject({ position: 2, waiting: 2 });
      expect(values[values.length - 1]).toMatchObject({ position: 1, waiting: 1 });
      await client.dispose();
    } finally {
      await nodeB.stop();
    }
  });

  it('survives a restart of the API: entries are rows and positions are recomputed', async () => {
    const c = await atWitness({ ...DEMO.chenQiang, accountType: 'ASSET_MANAGEMENT' }, 'RESET_PASSWORD');
    const before = (await gql(server.url, 'mutation ($t: ID!) { joinWitnessQueue(ticketId: $t) { id position waiting } }', { t: c.ticketId }, bearer(c.token))).data!.joinWitnessQueue;
    const url = server.config.databaseUrl!;
    await server.stop();
    // a new process on the same database (the old test server's database is dropped by close())
    const restarted = await startTestServer('postgresql', { databaseUrl: url, clock: server.clock });
    try {
      const token = await loginCustomer(restarted, { ...DEMO.chenQiang, accountType: 'ASSET_MANAGEMENT' });
      const after = (await gql(restarted.url, 'query ($t: ID!) { ticket(id: $t) { queueEntry { id state position waiting } } }', { t: c.ticketId }, bearer(token))).data!.ticket.queueEntry;
      expect(after).toEqual({ id: before.id, state: 'WAITING', position: before.position, waiting: before.waiting });
    } finally {
      await restarted.stop();
    }
  });
});
