import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import {
  DEMO,
  bearer,
  gql,
  loginCustomer,
  loginStaff,
  startTestServer,
  ticketAtWitness,
  waitFor,
  type TestServer,
} from '../../testing/harness';

const codeOf = (res: { errors?: { extensions?: { code?: string } }[] }) => res.errors?.[0]?.extensions?.code;
const ENTRY = 'id state position waiting estimatedWaitSeconds witnessSessionId';
const ALL_CHECKS = ['IDENTITY_MATCHES_ID_CARD', 'ID_CARD_SHOWN', 'AGENT_IDENTIFIED', 'RISKS_EXPLAINED'];

let server: TestServer;
/**
 * Grace periods are applied by the tests calling sweep() after moving the pinned clock; the
 * periodic sweep would race them (loginCustomer alone moves the clock 61 s), so it is made rare.
 */
const MANUAL_SWEEPS = { KAIHU_WITNESS_SWEEP_MS: '600000' };
let beijing: string;

const atWitness = (
  person: { idNumber: string; mobile: string; accountType?: string },
  business = 'UPDATE_OTHER_INFO',
) => ticketAtWitness(server, person, business);

function subscribe<T>(
  token: string,
  query: string,
  variables: Record<string, unknown>,
): { client: Client; values: T[]; until: (pred: (v: T) => boolean) => Promise<T>; error: () => Promise<unknown> } {
  const client = createClient({
    url: server.url.replace('http', 'ws') + '/graphql',
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: 0,
  });
  const values: T[] = [];
  const waiters: { pred: (v: T) => boolean; resolve: (v: T) => void }[] = [];
  let cursor = 0;
  let failed: (e: unknown) => void = () => {};
  const error = new Promise<unknown>((r) => (failed = r));
  client.subscribe(
    { query, variables },
    {
      next: (r: any) => {
        if (r.errors) failed(r.errors);
        const v = Object.values(r.data ?? {})[0] as T;
        if (!v) return;
        values.push(v);
        for (const w of [...waiters])
          if (w.pred(v)) {
            waiters.splice(waiters.indexOf(w), 1);
            cursor = values.length;
            w.resolve(v);
          }
      },
      error: (e) => failed(e),
      complete: () => {},
    },
  );
  return {
    client,
    values,
    error: () => error,
    // the next value (after the one the previous `until` matched) that satisfies `pred`
    until: (pred) =>
      new Promise((resolve, reject) => {
        const i = values.findIndex((v, k) => k >= cursor && pred(v));
        if (i >= 0) {
          cursor = i + 1;
          return resolve(values[i]!);
        }
        const timer = setTimeout(
          () => reject(new Error(`no matching value within 10 s: ${JSON.stringify(values)}`)),
          10_000,
        );
        waiters.push({ pred, resolve: (v) => (clearTimeout(timer), resolve(v)) });
      }),
  };
}

beforeAll(async () => {
  server = await startTestServer('postgresql', { env: MANUAL_SWEEPS });
  const [b] = await server.db.sql.query<{ id: string }>(
    "select b.id from branches b join brokers k on k.id = b.broker_id where k.code = 'DEMO' and b.name = '北京营业部'",
  );
  beijing = b!.id;
});
afterAll(() => server?.close());

describe('the video-witness queue', () => {
  it('puts customers in their branch queue in order, live, and lets agents claim the head', async () => {
    const zhang = await atWitness(DEMO.zhangWei);
    const wang = await atWitness(DEMO.wangFang);
    const JOIN = `mutation ($t: ID!) { joinWitnessQueue(ticketId: $t) { ${ENTRY} } }`;
    const first = (await gql(server.url, JOIN, { t: zhang.ticketId }, bearer(zhang.token))).data!.joinWitnessQueue;
    expect(first).toMatchObject({
      state: 'WAITING',
      position: 1,
      waiting: 1,
      estimatedWaitSeconds: 180,
      witnessSessionId: null,
    });
    expect((await gql(server.url, JOIN, { t: zhang.ticketId }, bearer(zhang.token))).data!.joinWitnessQueue.id).toBe(
      first.id,
    );

    const live = subscribe<any>(zhang.token, `subscription ($t: ID!) { queuePosition(ticketId: $t) { ${ENTRY} } }`, {
      t: zhang.ticketId,
    });
    await live.until((e) => e.position === 1 && e.waiting === 1);
    const second = (await gql(server.url, JOIN, { t: wang.ticketId }, bearer(wang.token))).data!.joinWitnessQueue;
    expect(second).toMatchObject({ position: 2, waiting: 2 });
    await live.until((e) => e.waiting === 2 && e.position === 1);

    const agentToken = await loginStaff(server.url, 'agent01', 'Agent#2026');
    const agent = bearer(agentToken);
    server.clock.advance(30_000);
    const queue = (
      await gql(
        server.url,
        'query ($b: ID!) { branchQueue(branchId: $b) { branch { name } waiting items { customerName waitingSeconds entry { position } ticket { id } } } }',
        { b: beijing },
        agent,
      )
    ).data!.branchQueue;
    expect(queue).toMatchObject({ branch: { name: '北京营业部' }, waiting: 2 });
    expect(queue.items.map((i: any) => [i.customerName, i.entry.position, i.waitingSeconds])).toEqual([
      ['张伟', 1, 30],
      ['王芳', 2, 30],
    ]);
    const watching = subscribe<any>(
      agentToken,
      'subscription ($b: ID!) { branchQueue(branchId: $b) { waiting items { customerName } } }',
      { b: beijing },
    );
    await watching.until((q) => q.waiting === 2);

    const claimed = (
      await gql(
        server.url,
        'mutation ($b: ID!) { claimNextCustomer(branchId: $b) { id agentName agentLicenseNo ticket { id } } }',
        { b: beijing },
        agent,
      )
    ).data!.claimNextCustomer;
    expect(claimed).toMatchObject({ agentName: '刘洋', ticket: { id: zhang.ticketId } });
    expect(claimed.agentLicenseNo).toMatch(/^F\d+$/);
    const called = await live.until((e) => e.state === 'CALLED');
    expect(called.witnessSessionId).toBe(claimed.id);
    await watching.until((q) => q.waiting === 1 && q.items[0].customerName === '王芳');
    const wangEntry = (
      await gql(
        server.url,
        `query ($t: ID!) { ticket(id: $t) { queueEntry { ${ENTRY} } } }`,
        { t: wang.ticketId },
        bearer(wang.token),
      )
    ).data!.ticket.queueEntry;
    expect(wangEntry).toMatchObject({ position: 1, waiting: 1 });

    // pass: the ticket moves on to the certificate; the checklist is kept
    const incomplete = await gql(
      server.url,
      'mutation ($s: ID!, $i: WitnessOutcomeInput!) { completeWitness(sessionId: $s, input: $i) { id } }',
      { s: claimed.id, i: { outcome: 'PASSED', checklist: ['ID_CARD_SHOWN'] } },
      agent,
    );
    expect(codeOf(incomplete)).toBe('BAD_USER_INPUT');
    server.clock.advance(240_000);
    const passed = (
      await gql(
        server.url,
        'mutation ($s: ID!, $i: WitnessOutcomeInput!) { completeWitness(sessionId: $s, input: $i) { outcome checklist endedAt ticket { currentStep } } }',
        { s: claimed.id, i: { outcome: 'PASSED', checklist: ALL_CHECKS } },
        agent,
      )
    ).data!.completeWitness;
    expect(passed).toMatchObject({ outcome: 'PASSED', checklist: ALL_CHECKS, ticket: { currentStep: 'CERTIFICATE' } });
    await live.until((e) => e.state === 'DONE');
    // the estimate now comes from the branch's witness durations (240 s)
    expect(
      (
        await gql(
          server.url,
          `query ($t: ID!) { ticket(id: $t) { queueEntry { estimatedWaitSeconds } } }`,
          { t: wang.ticketId },
          bearer(wang.token),
        )
      ).data!.ticket.queueEntry.estimatedWaitSeconds,
    ).toBe(240);

    // 打回: back to the step with the reason the customer sees
    const next = (
      await gql(
        server.url,
        'mutation ($b: ID!) { claimNextCustomer(branchId: $b) { id ticket { id } } }',
        { b: beijing },
        agent,
      )
    ).data!.claimNextCustomer;
    expect(next.ticket.id).toBe(wang.ticketId);
    const returned = (
      await gql(
        server.url,
        'mutation ($s: ID!, $i: WitnessOutcomeInput!) { completeWitness(sessionId: $s, input: $i) { outcome ticket { status currentStep reason } } }',
        {
          s: next.id,
          i: {
            outcome: 'RETURNED',
            returnToStep: 'OTHER_INFO',
            reason: '联系地址与身份证照片不一致',
            checklist: ['IDENTITY_MATCHES_ID_CARD'],
          },
        },
        agent,
      )
    ).data!.completeWitness;
    expect(returned).toMatchObject({
      outcome: 'RETURNED',
      ticket: { status: 'RETURNED', currentStep: 'OTHER_INFO', reason: '联系地址与身份证照片不一致' },
    });
    expect(
      (await gql(server.url, 'mutation ($b: ID!) { claimNextCustomer(branchId: $b) { id } }', { b: beijing }, agent))
        .data!.claimNextCustomer,
    ).toBeNull();
    await live.client.dispose();
    await watching.client.dispose();
  });

  it('never gives two agents the same customer (concurrent claims, SKIP LOCKED)', async () => {
    const people = [DEMO.zhangWei, DEMO.wangFang, { ...DEMO.chenQiang, accountType: 'ASSET_MANAGEMENT' }];
    const tickets: string[] = [];
    for (const p of people) {
      const c = await atWitness(p, 'UPDATE_CONTACT_PHONE');
      await gql(
        server.url,
        'mutation ($t: ID!) { joinWitnessQueue(ticketId: $t) { id } }',
        { t: c.ticketId },
        bearer(c.token),
      );
      tickets.push(c.ticketId);
    }
    await server.services.auth.ensureStaff(server.db.orm.em.fork() as never, {
      username: 'agent03',
      password: 'Agent#2026',
      displayName: '钱多',
      roles: ['AGENT'],
      brokerId: (
        await server.db.sql.query<{ broker_id: string }>('select broker_id from branches where id = $1', [beijing])
      )[0]!.broker_id,
      branchId: beijing,
    });
    const agents = [
      bearer(await loginStaff(server.url, 'agent01', 'Agent#2026')),
      bearer(await loginStaff(server.url, 'agent03', 'Agent#2026')),
    ];
    const CLAIM = 'mutation ($b: ID!) { claimNextCustomer(branchId: $b) { id ticket { id } } }';
    const results = await Promise.all(
      [0, 1, 0, 1, 0, 1].map((i) => gql(server.url, CLAIM, { b: beijing }, agents[i]!)),
    );
    const got = results.map((r) => r.data!.claimNextCustomer?.ticket.id ?? null);
    expect(results.every((r) => !r.errors)).toBe(true);
    const claimedIds = got.filter((x): x is string => x !== null);
    expect(claimedIds.sort()).toEqual([...tickets].sort());
    expect(new Set(claimedIds).size).toBe(3);
    expect(got.filter((x) => x === null)).toHaveLength(3);
  });

  it('ends a session once: PASSED and 中止 at the same moment leave either the step done or the customer back at the head, never both', async () => {
    const agent = bearer(await loginStaff(server.url, 'agent01', 'Agent#2026'));
    const COMPLETE =
      'mutation ($s: ID!, $i: WitnessOutcomeInput!) { completeWitness(sessionId: $s, input: $i) { id outcome endReason } }';
    const ABANDON =
      'mutation ($s: ID!) { abandonWitness(sessionId: $s, reason: AGENT_ABANDONED) { id outcome endReason } }';
    const outcomes = new Set<string>();
    // a ticket of this business that an earlier test left at the witness would be resumed: start afresh
    await server.db.sql.query(
      "update tickets set status = 'CANCELLED' where business = 'UPDATE_OTHER_INFO' and status in ('IN_PROGRESS', 'RETURNED')",
    );
    await server.db.sql.query("update witness_queue_entries set state = 'LEFT' where state in ('WAITING', 'CALLED')");
    for (let round = 0; round < 6; round++) {
      const c = await atWitness(DEMO.wangFang, 'UPDATE_OTHER_INFO');
      await gql(
        server.url,
        'mutation ($t: ID!) { joinWitnessQueue(ticketId: $t) { id } }',
        { t: c.ticketId },
        bearer(c.token),
      );
      const claimed = await gql(
        server.url,
        'mutation ($b: ID!) { claimNextCustomer(branchId: $b) { id } }',
        { b: beijing },
        agent,
      );
      const sessionId = claimed.data!.claimNextCustomer.id as string;
      // both at once, or 中止 a few milliseconds behind PASSED (so that each side wins some rounds)
      const lag = [0, 5, 15][round % 3]!;
      const results = await Promise.all([
        gql(server.url, COMPLETE, { s: sessionId, i: { outcome: 'PASSED', checklist: ALL_CHECKS } }, agent),
        new Promise((r) => setTimeout(r, lag)).then(() => gql(server.url, ABANDON, { s: sessionId }, agent)),
      ]);
      // exactly one wins; the other is told the session has ended
      expect(results.filter((r) => !r.errors)).toHaveLength(1);
      expect(results.filter((r) => codeOf(r) === 'TICKET_CLOSED')).toHaveLength(1);
      const [ticket] = await server.db.sql.query<{ current_step: string; witness: unknown }>(
        "select current_step, data->'VIDEO_WITNESS' as witness from tickets where id = $1",
        [c.ticketId],
      );
      const [session] = await server.db.sql.query<{ outcome: string | null; end_reason: string }>(
        'select outcome, end_reason from witness_sessions where id = $1',
        [sessionId],
      );
      const [entry] = await server.db.sql.query<{ state: string }>(
        'select state from witness_queue_entries where session_id = $1 or (ticket_id = $2 and state = $3)',
        [sessionId, c.ticketId, 'WAITING'],
      );
      const events = await server.db.sql.query<{ action: string }>(
        "select action from ticket_events where ticket_id = $1 and action in ('STEP_COMPLETED', 'WITNESS_REQUEUED') and step = 'VIDEO_WITNESS'",
        [c.ticketId],
      );
      if (session!.outcome === 'PASSED') {
        expect(ticket).toMatchObject({ current_step: 'CERTIFICATE' });
        expect(ticket!.witness).toMatchObject({ outcome: 'PASSED', sessionId });
        expect(entry).toMatchObject({ state: 'DONE' });
        expect(events.map((e) => e.action)).toEqual(['STEP_COMPLETED']);
      } else {
        expect(session).toMatchObject({ outcome: null, end_reason: 'AGENT_ABANDONED' });
        expect(ticket).toMatchObject({ current_step: 'VIDEO_WITNESS', witness: null });
        expect(entry).toMatchObject({ state: 'WAITING' });
        expect(events.map((e) => e.action)).toEqual(['WITNESS_REQUEUED']);
        await gql(
          server.url,
          'mutation ($t: ID!) { leaveWitnessQueue(ticketId: $t) }',
          { t: c.ticketId },
          bearer(c.token),
        );
      }
      outcomes.add(session!.outcome ?? 'ABANDONED');
      await gql(
        server.url,
        'mutation ($t: ID!) { cancelTicket(ticketId: $t) { id } }',
        { t: c.ticketId },
        bearer(c.token),
      );
    }
    console.log(`concurrent end: ${[...outcomes].join(' and ')} won`);
  });

  it('keeps other brokers out and refuses joining before the VIDEO_WITNESS step', async () => {
    const [hours] = await server.db.sql.query<{ id: string }>("select id from brokers where code = 'DEMO-HOURS'");
    await server.services.auth.ensureStaff(server.db.orm.em.fork() as never, {
      username: 'sz-agent',
      password: 'Shenzhen#2026',
      displayName: '深圳坐席',
      roles: ['AGENT'],
      brokerId: hours!.id,
      branchId: null,
    });
    const other = bearer(await loginStaff(server.url, 'sz-agent', 'Shenzhen#2026'));
    expect(
      codeOf(await gql(server.url, 'query ($b: ID!) { branchQueue(branchId: $b) { waiting } }', { b: beijing }, other)),
    ).toBe('FORBIDDEN');
    expect(
      codeOf(
        await gql(server.url, 'mutation ($b: ID!) { claimNextCustomer(branchId: $b) { id } }', { b: beijing }, other),
      ),
    ).toBe('FORBIDDEN');
    const token = await loginCustomer(server, DEMO.liNa);
    const t = (
      await gql(server.url, 'mutation { startTicket(business: UPDATE_ID_VALIDITY) { id } }', undefined, bearer(token))
    ).data!.startTicket.id;
    expect(
      codeOf(
        await gql(server.url, 'mutation ($t: ID!) { joinWitnessQueue(ticketId: $t) { id } }', { t }, bearer(token)),
      ),
    ).toBe('STEP_NOT_ALLOWED');
    const customer = bearer(token);
    expect(
      codeOf(
        await gql(server.url, 'query ($b: ID!) { branchQueue(branchId: $b) { waiting } }', { b: beijing }, customer),
      ),
    ).toBe('FORBIDDEN');
    // at the right step, but on a Sunday: outside service hours of DEMO-HOURS (DEMO is always open)
    const chen = await atWitness(DEMO.zhaoMin, 'UPDATE_OTHER_INFO');
    const weekday = server.clock.now();
    server.clock.set('2026-11-22T04:00:00Z');
    try {
      const closed = await gql(
        server.url,
        'mutation ($t: ID!) { joinWitnessQueue(ticketId: $t) { id } }',
        { t: chen.ticketId },
        bearer(chen.token),
      );
      expect(codeOf(closed)).toBe('OUTSIDE_SERVICE_HOURS');
      expect(closed.errors![0]!.message).toMatch(/服务时间/);
    } finally {
      server.clock.set(weekday.toISOString());
    }
  });
});

describe('disconnects and grace periods', () => {
  // a server of their own, so that the demo customers' businesses are all still open to them
  let main: TestServer;
  let branch: string;
  let agent: { authorization: string };
  let agentToken: string;
  const PERSON_F = DEMO.zhangWei;
  const PERSON_A = DEMO.wangFang;
  const entryRow = async (ticketId: string) =>
    (
      await server.db.sql.query<{ state: string; disconnected_at: Date | null; sort_key: number }>(
        'select state, disconnected_at, sort_key from witness_queue_entries where ticket_id = $1 order by enqueued_at desc limit 1',
        [ticketId],
      )
    )[0]!;
  const POSITION = `subscription ($t: ID!) { queuePosition(ticketId: $t) { ${ENTRY} keptUntil } }`;
  const SESSION = 'subscription ($s: ID!) { witnessSession(id: $s) { id endedAt endReason agentConnected outcome } }';
  const CLAIM = 'mutation ($b: ID!) { claimNextCustomer(branchId: $b) { id ticket { id } } }';
  const QUEUE =
    'query ($b: ID!) { branchQueue(branchId: $b) { waiting items { ticket { id } entry { position keptUntil } } } }';

  beforeAll(async () => {
    main = server;
    server = await startTestServer('postgresql', { env: MANUAL_SWEEPS });
    const [b] = await server.db.sql.query<{ id: string }>(
      "select b.id from branches b join brokers k on k.id = b.broker_id where k.code = 'DEMO' and b.name = '北京营业部'",
    );
    branch = b!.id;
    agentToken = await loginStaff(server.url, 'agent01', 'Agent#2026');
    agent = bearer(agentToken);
  });
  afterAll(async () => {
    await server.close();
    server = main;
  });

  it("keeps a dropped customer's place for the grace period, does not call them meanwhile, and takes them out after it", async () => {
    const a = await atWitness(PERSON_F, 'UPDATE_OTHER_INFO');
    const b = await atWitness(PERSON_A, 'UPDATE_OTHER_INFO');
    for (const c of [a, b])
      await gql(
        server.url,
        'mutation ($t: ID!) { joinWitnessQueue(ticketId: $t) { id } }',
        { t: c.ticketId },
        bearer(c.token),
      );
    const liveA = subscribe<any>(a.token, POSITION, { t: a.ticketId });
    const liveB = subscribe<any>(b.token, POSITION, { t: b.ticketId });
    await liveA.until((e) => e.position === 1 && e.keptUntil === null);
    await liveB.until((e) => e.position === 2);

    // A's socket drops: the place is kept (position 1) until now + 2 minutes, but the agent gets B
    await liveA.client.dispose();
    const dropped = await waitFor(
      'the disconnect to be recorded',
      async () => (await entryRow(a.ticketId)).disconnected_at,
    );
    expect(new Date(dropped).getTime()).toBe(server.clock.now().getTime());
    const queue = (await gql(server.url, QUEUE, { b: branch }, agent)).data!.branchQueue;
    expect(queue.items.map((i: any) => [i.ticket.id, i.entry.position, i.entry.keptUntil])).toEqual([
      [a.ticketId, 1, new Date(server.clock.now().getTime() + 120_000).toISOString()],
      [b.ticketId, 2, null],
    ]);
    const claimed = (await gql(server.url, CLAIM, { b: branch }, agent)).data!.claimNextCustomer;
    expect(claimed.ticket.id).toBe(b.ticketId);
    await liveB.until((e) => e.state === 'CALLED' && e.witnessSessionId === claimed.id);

    // the agent cannot go on: B goes back to the head of the queue, before A
    const abandoned = (
      await gql(
        server.url,
        'mutation ($s: ID!) { abandonWitness(sessionId: $s) { endReason endedAt outcome } }',
        { s: claimed.id },
        agent,
      )
    ).data!.abandonWitness;
    expect(abandoned).toMatchObject({ endReason: 'AGENT_ABANDONED', outcome: null });
    expect(abandoned.endedAt).not.toBeNull();
    await liveB.until((e) => e.state === 'WAITING' && e.position === 1 && e.witnessSessionId === null);

    // A comes back within the grace period: same entry, place kept (now behind B), presence restored
    server.clock.advance(60_000);
    const backA = subscribe<any>(a.token, POSITION, { t: a.ticketId });
    expect(await backA.until((e) => e.state === 'WAITING')).toMatchObject({ position: 2, keptUntil: null });
    expect((await entryRow(a.ticketId)).disconnected_at).toBeNull();

    // A drops again and stays away past the grace period: the entry is LEFT, B moves up
    await backA.client.dispose();
    await waitFor('the second disconnect', async () => (await entryRow(a.ticketId)).disconnected_at);
    server.clock.advance(119_000);
    expect(await server.services.witness.sweep(server.db.orm.em.fork() as never)).toEqual({ left: 0, ended: 0 });
    server.clock.advance(2_000);
    expect(await server.services.witness.sweep(server.db.orm.em.fork() as never)).toEqual({ left: 1, ended: 0 });
    expect((await entryRow(a.ticketId)).state).toBe('LEFT');
    await liveB.until((e) => e.position === 1 && e.waiting === 1);
    const [expired] = await server.db.sql.query<{ actor_kind: string }>(
      "select actor_kind from ticket_events where ticket_id = $1 and action = 'QUEUE_EXPIRED'",
      [a.ticketId],
    );
    expect(expired).toEqual({ actor_kind: 'SYSTEM' });
    const again = subscribe<any>(a.token, POSITION, { t: a.ticketId });
    expect(await again.until(() => true)).toMatchObject({ state: 'LEFT', position: 0 });
    await again.client.dispose();
    // joining again starts at the end of the queue
    expect(
      (
        await gql(
          server.url,
          `mutation ($t: ID!) { joinWitnessQueue(ticketId: $t) { ${ENTRY} } }`,
          { t: a.ticketId },
          bearer(a.token),
        )
      ).data!.joinWitnessQueue,
    ).toMatchObject({ state: 'WAITING', position: 2, waiting: 2 });
    expect(
      (
        await gql(
          server.url,
          'mutation ($t: ID!) { leaveWitnessQueue(ticketId: $t) }',
          { t: a.ticketId },
          bearer(a.token),
        )
      ).data!.leaveWitnessQueue,
    ).toBe(true);

    // nobody answers: CUSTOMER_ABSENT takes B out of the queue
    const call = (await gql(server.url, CLAIM, { b: branch }, agent)).data!.claimNextCustomer;
    expect(call.ticket.id).toBe(b.ticketId);
    const absent = (
      await gql(
        server.url,
        'mutation ($s: ID!) { abandonWitness(sessionId: $s, reason: CUSTOMER_ABSENT) { endReason } }',
        { s: call.id },
        agent,
      )
    ).data!.abandonWitness;
    expect(absent.endReason).toBe('CUSTOMER_ABSENT');
    await liveB.until((e) => e.state === 'LEFT');
    expect(
      codeOf(
        await gql(server.url, 'mutation ($s: ID!) { abandonWitness(sessionId: $s) { id } }', { s: call.id }, agent),
      ),
    ).toBe('TICKET_CLOSED');
    await liveB.client.dispose();
  });

  it('puts the customer back at the head when the agent drops out of the session for longer than the agent grace period', async () => {
    const c = await atWitness(PERSON_F, 'UPDATE_CONTACT_PHONE');
    await gql(
      server.url,
      'mutation ($t: ID!) { joinWitnessQueue(ticketId: $t) { id } }',
      { t: c.ticketId },
      bearer(c.token),
    );
    const live = subscribe<any>(c.token, POSITION, { t: c.ticketId });
    await live.until((e) => e.position === 1);
    const s = (await gql(server.url, CLAIM, { b: branch }, agent)).data!.claimNextCustomer;
    expect(s.ticket.id).toBe(c.ticketId);

    const customerView = subscribe<any>(c.token, SESSION, { s: s.id });
    const agentView = subscribe<any>(agentToken, SESSION, { s: s.id });
    await agentView.until((x) => x.agentConnected === true);
    await agentView.client.dispose();
    await customerView.until((x) => x.agentConnected === false);
    const back = subscribe<any>(agentToken, SESSION, { s: s.id });
    await back.until((x) => x.agentConnected === true);
    await customerView.until((x) => x.agentConnected === true);
    await back.client.dispose();
    await customerView.until((x) => x.agentConnected === false);
    await waitFor(
      'the agent to be marked gone',
      async () =>
        (
          await server.db.sql.query<{ n: string }>(
            'select count(*) as n from witness_sessions where id = $1 and agent_disconnected_at is not null',
            [s.id],
          )
        )[0]!.n === '1',
    );

    server.clock.advance(29_000);
    expect((await server.services.witness.sweep(server.db.orm.em.fork() as never)).ended).toBe(0);
    server.clock.advance(2_000);
    expect((await server.services.witness.sweep(server.db.orm.em.fork() as never)).ended).toBe(1);
    expect(await customerView.until((x) => x.endedAt !== null)).toMatchObject({
      endReason: 'AGENT_DISCONNECTED',
      outcome: null,
    });
    await live.until((e) => e.state === 'WAITING' && e.position === 1 && e.witnessSessionId === null);
    const [requeued] = await server.db.sql.query<{ n: string }>(
      "select count(*) as n from ticket_events where ticket_id = $1 and action = 'WITNESS_REQUEUED'",
      [c.ticketId],
    );
    expect(Number(requeued!.n)).toBe(1);

    // the next claim calls the same customer again; they drop during the call and do not come back
    const again = (await gql(server.url, CLAIM, { b: branch }, agent)).data!.claimNextCustomer;
    expect(again.ticket.id).toBe(c.ticketId);
    await customerView.client.dispose();
    const secondView = subscribe<any>(c.token, SESSION, { s: again.id });
    await live.until((e) => e.state === 'CALLED');
    await live.client.dispose();
    await waitFor('the disconnect', async () => (await entryRow(c.ticketId)).disconnected_at);
    server.clock.advance(121_000);
    expect(await server.services.witness.sweep(server.db.orm.em.fork() as never)).toEqual({ left: 0, ended: 1 });
    expect((await entryRow(c.ticketId)).state).toBe('LEFT');
    expect(await secondView.until((x) => x.endedAt !== null)).toMatchObject({ endReason: 'CUSTOMER_DISCONNECTED' });
    const ended = (
      await gql(server.url, 'query ($s: ID!) { witnessSession(id: $s) { endReason } }', { s: again.id }, agent)
    ).data!.witnessSession;
    expect(ended.endReason).toBe('CUSTOMER_DISCONNECTED');
    await secondView.client.dispose();
  });

  it("gives the session's two parties the router's RTP capabilities, and closes the router when it ends", async () => {
    const c = await atWitness({ ...DEMO.chenQiang, accountType: 'ASSET_MANAGEMENT' }, 'UPDATE_CONTACT_PHONE');
    await gql(
      server.url,
      'mutation ($t: ID!) { joinWitnessQueue(ticketId: $t) { id } }',
      { t: c.ticketId },
      bearer(c.token),
    );
    const s = (await gql(server.url, CLAIM, { b: branch }, agent)).data!.claimNextCustomer;
    expect(s.ticket.id).toBe(c.ticketId);
    const CAPS = 'query ($s: ID!) { witnessSession(id: $s) { routerRtpCapabilities } }';
    for (const who of [agent, bearer(c.token)]) {
      const caps = (await gql(server.url, CAPS, { s: s.id }, who)).data!.witnessSession.routerRtpCapabilities;
      const codecs = caps.codecs.map((x: { mimeType: string }) => x.mimeType);
      expect(codecs).toEqual(expect.arrayContaining(['audio/opus', 'video/VP8']));
      expect(caps.headerExtensions.length).toBeGreaterThan(0);
    }
    expect((await server.services.witness.mediaStats()).roomIds).toContain(s.id);
    // staff of the broker who are not the session's agent get nothing
    const reviewer = bearer(await loginStaff(server.url, 'review01', 'Review#2026'));
    expect(codeOf(await gql(server.url, CAPS, { s: s.id }, reviewer))).toBe('FORBIDDEN');
    expect(
      codeOf(
        await gql(
          server.url,
          'mutation ($s: ID!) { createWitnessTransport(sessionId: $s) { id } }',
          { s: s.id },
          reviewer,
        ),
      ),
    ).toBe('FORBIDDEN');
    // signalling refuses what mediasoup cannot take, with a clear code; the transport belongs to its party
    const t = (
      await gql(
        server.url,
        'mutation ($s: ID!) { createWitnessTransport(sessionId: $s) { id iceCandidates dtlsParameters } }',
        { s: s.id },
        agent,
      )
    ).data!.createWitnessTransport;
    expect(t.iceCandidates[0]).toMatchObject({ ip: '127.0.0.1' });
    const PRODUCE =
      'mutation ($s: ID!, $t: ID!, $k: String!, $r: JSONObject!) { produceWitnessMedia(sessionId: $s, transportId: $t, kind: $k, rtpParameters: $r) { id } }';
    expect(codeOf(await gql(server.url, PRODUCE, { s: s.id, t: t.id, k: 'screen', r: {} }, agent))).toBe(
      'BAD_USER_INPUT',
    );
    expect(codeOf(await gql(server.url, PRODUCE, { s: s.id, t: t.id, k: 'video', r: { codecs: [] } }, agent))).toBe(
      'BAD_USER_INPUT',
    );
    expect(
      codeOf(await gql(server.url, PRODUCE, { s: s.id, t: t.id, k: 'video', r: { codecs: [] } }, bearer(c.token))),
    ).toBe('NOT_FOUND');
    const CONNECT =
      'mutation ($s: ID!, $t: ID!, $d: JSONObject!) { connectWitnessTransport(sessionId: $s, transportId: $t, dtlsParameters: $d) }';
    expect(codeOf(await gql(server.url, CONNECT, { s: s.id, t: t.id, d: { fingerprints: 'none' } }, agent))).toBe(
      'BAD_USER_INPUT',
    );
    const CONSUME =
      'mutation ($s: ID!, $t: ID!, $p: ID!, $c: JSONObject!) { consumeWitnessMedia(sessionId: $s, transportId: $t, producerId: $p, rtpCapabilities: $c) { id } }';
    expect(codeOf(await gql(server.url, CONSUME, { s: s.id, t: t.id, p: 'nope', c: {} }, agent))).toBe('NOT_FOUND');
    expect(
      (await gql(server.url, 'query ($s: ID!) { witnessSession(id: $s) { producers { id } } }', { s: s.id }, agent))
        .data!.witnessSession.producers,
    ).toEqual([]);
    expect((await server.services.witness.mediaStats()).transports).toBe(1);
    await gql(
      server.url,
      'mutation ($s: ID!) { abandonWitness(sessionId: $s, reason: CUSTOMER_ABSENT) { id } }',
      { s: s.id },
      agent,
    );
    expect((await server.services.witness.mediaStats()).roomIds).not.toContain(s.id);
    expect((await server.services.witness.mediaStats()).transports).toBe(0);
    expect(codeOf(await gql(server.url, CAPS, { s: s.id }, agent))).toBe('TICKET_CLOSED');
  });

  it('leaks nothing over 50 witness sessions in a row: transports, routers and worker memory come back', async () => {
    const c = await atWitness(DEMO.zhangWei, 'RESET_PASSWORD');
    const [row] = await server.db.sql.query<{ customer_id: string }>('select customer_id from tickets where id = $1', [
      c.ticketId,
    ]);
    const em = () => server.db.orm.em.fork() as never;
    const TRANSPORT = 'mutation ($s: ID!) { createWitnessTransport(sessionId: $s) { id } }';
    let baseline = 0;
    for (let i = 0; i < 50; i++) {
      const joined = await gql(
        server.url,
        'mutation ($t: ID!) { joinWitnessQueue(ticketId: $t) { id } }',
        { t: c.ticketId },
        bearer(c.token),
      );
      expect(joined.errors).toBeUndefined();
      const s = (await gql(server.url, CLAIM, { b: branch }, agent)).data!.claimNextCustomer;
      expect(s.ticket.id).toBe(c.ticketId);
      for (const who of [agent, bearer(c.token)])
        for (let k = 0; k < 2; k++)
          expect((await gql(server.url, TRANSPORT, { s: s.id }, who)).data!.createWitnessTransport.id).toBeTruthy();
      expect((await server.services.witness.mediaStats()).transports).toBe(4);
      // 打回 to the information step, which the customer completes again: the ticket is back at the witness
      await gql(
        server.url,
        'mutation ($s: ID!, $i: WitnessOutcomeInput!) { completeWitness(sessionId: $s, input: $i) { id } }',
        {
          s: s.id,
          i: { outcome: 'RETURNED', returnToStep: 'OTHER_INFO', reason: `第${i + 1}次：请核对联系地址`, checklist: [] },
        },
        agent,
      );
      expect((await server.services.witness.mediaStats()).roomIds).toEqual([]);
      expect((await server.services.witness.mediaStats()).transports).toBe(0);
      const fork = em();
      const ticket = await server.services.tickets.getOwn(
        fork,
        {
          kind: 'CUSTOMER',
          id: row!.customer_id,
          customerId: row!.customer_id,
          applicantId: row!.customer_id,
        } as never,
        c.ticketId,
      );
      await server.services.tickets.completeStep(
        fork,
        ticket,
        'OTHER_INFO',
        { fixture: true },
        { kind: 'CUSTOMER', id: row!.customer_id },
      );
      if (i === 9)
        baseline = (await server.services.witness.mediaStats()).workers.reduce(
          (sum, w) => sum + w.resourceUsage.ru_maxrss,
          0,
        );
    }
    const stats = (await server.services.witness.mediaStats()).workers;
    expect(stats.every((w) => w.routers === 0 && w.transports === 0)).toBe(true);
    // peak RSS of the workers after 50 sessions, against after 10: no growth beyond noise (KiB)
    const peak = stats.reduce((sum, w) => sum + w.resourceUsage.ru_maxrss, 0);
    expect(peak - baseline).toBeLessThan(8 * 1024);
  });

  it('gives the same values on the compiled path and through graphql-js (fragments, aliases, __typename)', async () => {
    const c = await atWitness(PERSON_A, 'UPDATE_CONTACT_PHONE');
    await gql(
      server.url,
      'mutation ($t: ID!) { joinWitnessQueue(ticketId: $t) { id } }',
      { t: c.ticketId },
      bearer(c.token),
    );
    const fast = subscribe<any>(
      c.token,
      'subscription ($t: ID!) { queuePosition(ticketId: $t) { __typename place: position state waiting } }',
      { t: c.ticketId },
    );
    const slow = subscribe<any>(
      c.token,
      'subscription ($t: ID!) { queuePosition(ticketId: $t) { ...E } } fragment E on QueueEntry { __typename place: position state waiting }',
      { t: c.ticketId },
    );
    expect(await fast.until(() => true)).toEqual({ __typename: 'QueueEntry', place: 1, state: 'WAITING', waiting: 1 });
    expect(await slow.until(() => true)).toEqual({ __typename: 'QueueEntry', place: 1, state: 'WAITING', waiting: 1 });
    await gql(server.url, CLAIM, { b: branch }, agent);
    expect(await fast.until((e) => e.state === 'CALLED')).toEqual({
      __typename: 'QueueEntry',
      place: 0,
      state: 'CALLED',
      waiting: 0,
    });
    expect(await slow.until((e) => e.state === 'CALLED')).toEqual({
      __typename: 'QueueEntry',
      place: 0,
      state: 'CALLED',
      waiting: 0,
    });
    // a refusal is an error of that operation only; the socket stays open for the others
    const stranger = subscribe<any>(
      c.token,
      'subscription { queuePosition(ticketId: "00000000-0000-4000-8000-000000000000") { position } }',
      {},
    );
    expect(await stranger.error()).toMatchObject([{ extensions: { code: 'NOT_FOUND' } }]);
    await fast.client.dispose();
    await slow.client.dispose();
    await stranger.client.dispose();
  });
});

describe('the witness queue across nodes and restarts', () => {
  // two API instances on a database of their own
  async function claimOnOneMovesTheOther(env: Record<string, string>, events: string): Promise<void> {
    const nodeA = await startTestServer('postgresql', { env: { ...MANUAL_SWEEPS, ...env } });
    const nodeB = await startTestServer('postgresql', {
      env: { ...MANUAL_SWEEPS, ...env },
      databaseUrl: nodeA.config.databaseUrl!,
      clock: nodeA.clock,
    });
    try {
      for (const node of [nodeA, nodeB])
        expect(await (await fetch(`${node.url}/healthz`)).json()).toMatchObject({ events });
      const [b] = await nodeA.db.sql.query<{ id: string }>(
        "select b.id from branches b join brokers k on k.id = b.broker_id where k.code = 'DEMO' and b.name = '北京营业部'",
      );
      const first = await ticketAtWitness(nodeA, DEMO.zhangWei);
      const second = await ticketAtWitness(nodeA, DEMO.wangFang);
      for (const c of [first, second])
        await gql(
          nodeA.url,
          'mutation ($t: ID!) { joinWitnessQueue(ticketId: $t) { id } }',
          { t: c.ticketId },
          bearer(c.token),
        );
      const client = createClient({
        url: nodeB.url.replace('http', 'ws') + '/graphql',
        webSocketImpl: WebSocket,
        connectionParams: { authorization: `Bearer ${second.token}` },
        retryAttempts: 0,
      });
      const values: any[] = [];
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`position on node B did not change: ${JSON.stringify(values)}`)),
          10_000,
        );
        client.subscribe(
          {
            query: `subscription ($t: ID!) { queuePosition(ticketId: $t) { ${ENTRY} } }`,
            variables: { t: second.ticketId },
          },
          {
            next: async (r: any) => {
              values.push(r.data.queuePosition);
              if (values.length === 1) {
                const agent = bearer(await loginStaff(nodeA.url, 'agent01', 'Agent#2026'));
                await gql(
                  nodeA.url,
                  'mutation ($b: ID!) { claimNextCustomer(branchId: $b) { id } }',
                  { b: b!.id },
                  agent,
                );
              }
              if (r.data.queuePosition.position === 1) {
                clearTimeout(timer);
                resolve();
              }
            },
            error: reject,
            complete: () => {},
          },
        );
      });
      expect(values[0]).toMatchObject({ position: 2, waiting: 2 });
      expect(values[values.length - 1]).toMatchObject({ position: 1, waiting: 1 });
      await client.dispose();
    } finally {
      await nodeB.stop();
      await nodeA.close();
    }
  }

  it('updates positions of subscribers on one node when an agent claims on another (PostgreSQL LISTEN/NOTIFY)', () =>
    claimOnOneMovesTheOther({}, 'postgresql'));

  it('does the same through Redis when REDIS_URL is set', () =>
    claimOnOneMovesTheOther({ REDIS_URL: process.env.KAIHU_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379' }, 'redis'));

  it('survives a restart of the API: entries are rows and positions are recomputed', async () => {
    const c = await atWitness({ ...DEMO.chenQiang, accountType: 'ASSET_MANAGEMENT' }, 'RESET_PASSWORD');
    const before = (
      await gql(
        server.url,
        'mutation ($t: ID!) { joinWitnessQueue(ticketId: $t) { id position waiting } }',
        { t: c.ticketId },
        bearer(c.token),
      )
    ).data!.joinWitnessQueue;
    const url = server.config.databaseUrl!;
    await server.stop();
    // a new process on the same database (the old test server's database is dropped by close())
    const restarted = await startTestServer('postgresql', {
      env: MANUAL_SWEEPS,
      databaseUrl: url,
      clock: server.clock,
    });
    try {
      const token = await loginCustomer(restarted, { ...DEMO.chenQiang, accountType: 'ASSET_MANAGEMENT' });
      const after = (
        await gql(
          restarted.url,
          'query ($t: ID!) { ticket(id: $t) { queueEntry { id state position waiting } } }',
          { t: c.ticketId },
          bearer(token),
        )
      ).data!.ticket.queueEntry;
      expect(after).toEqual({ id: before.id, state: 'WAITING', position: before.position, waiting: before.waiting });
    } finally {
      await restarted.stop();
    }
  });
});

describe('on the embedded PGlite (in-process events)', () => {
  it('queues, pushes positions, claims and applies the grace period', async () => {
    const main = server;
    server = await startTestServer('pglite', { env: MANUAL_SWEEPS });
    try {
      expect(await (await fetch(`${server.url}/healthz`)).json()).toMatchObject({
        database: 'pglite',
        events: 'in-process',
      });
      const [b] = await server.db.sql.query<{ id: string }>(
        "select b.id from branches b join brokers k on k.id = b.broker_id where k.code = 'DEMO' and b.name = '北京营业部'",
      );
      const first = await atWitness(DEMO.zhangWei);
      const second = await atWitness(DEMO.wangFang);
      for (const c of [first, second])
        await gql(
          server.url,
          'mutation ($t: ID!) { joinWitnessQueue(ticketId: $t) { id } }',
          { t: c.ticketId },
          bearer(c.token),
        );
      const one = subscribe<any>(first.token, `subscription ($t: ID!) { queuePosition(ticketId: $t) { ${ENTRY} } }`, {
        t: first.ticketId,
      });
      const two = subscribe<any>(second.token, `subscription ($t: ID!) { queuePosition(ticketId: $t) { ${ENTRY} } }`, {
        t: second.ticketId,
      });
      await one.until((e) => e.position === 1);
      await two.until((e) => e.position === 2);
      await one.client.dispose();
      await waitFor(
        'the disconnect',
        async () =>
          (
            await server.db.sql.query<{ n: number }>(
              'select count(*)::int as n from witness_queue_entries where disconnected_at is not null',
            )
          )[0]!.n === 1,
      );
      const agent = bearer(await loginStaff(server.url, 'agent01', 'Agent#2026'));
      // the dropped customer keeps the place but is not called
      const s = (
        await gql(
          server.url,
          'mutation ($b: ID!) { claimNextCustomer(branchId: $b) { id ticket { id } } }',
          { b: b!.id },
          agent,
        )
      ).data!.claimNextCustomer;
      expect(s.ticket.id).toBe(second.ticketId);
      await two.until((e) => e.state === 'CALLED');
      server.clock.advance(121_000);
      expect(await server.services.witness.sweep(server.db.orm.em.fork() as never)).toEqual({ left: 1, ended: 0 });
      await two.client.dispose();
    } finally {
      await server.close();
      server = main;
    }
  });
});
