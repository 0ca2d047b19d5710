import {
  DEMO,
  WITNESS_CHECKLIST,
  bearer,
  gql,
  loginCustomer,
  loginStaff,
  startTestServer,
  ticketAtWitness,
  type TestServer,
} from '../../testing/harness';

const codeOf = (res: { errors?: { extensions?: { code?: string } }[] }) => res.errors?.[0]?.extensions?.code;

const QUEUE = `query ($b: BusinessType, $br: ID, $s: DateTime) {
  reviewQueue(business: $b, branchId: $br, submittedBefore: $s) {
    totalCount edges { node { id business customerName branch { name } witnessAgentName reviewableByMe submittedAt } } } }`;
const TICKET =
  'query ($id: ID!) { ticket(id: $id) { id customerName branch { name } witnessAgentName reviewableByMe } }';

/** Completes every remaining step with fixture data (as the harness does before the witness), then submits through the API. */
async function submit(server: TestServer, token: string, ticketId: string): Promise<void> {
  const [row] = await server.db.sql.query<{ customer_id: string }>('select customer_id from tickets where id = $1', [
    ticketId,
  ]);
  const em = server.db.orm.em.fork() as never;
  const ticket = await server.services.tickets.getOwn(
    em,
    { kind: 'CUSTOMER', id: row!.customer_id, customerId: row!.customer_id, applicantId: row!.customer_id } as never,
    ticketId,
  );
  while (ticket.currentStep !== 'SUBMITTED') {
    await server.services.tickets.completeStep(
      em,
      ticket,
      ticket.currentStep,
      { fixture: true },
      { kind: 'CUSTOMER', id: row!.customer_id },
    );
  }
  const res = await gql(
    server.url,
    'mutation ($t: ID!) { submitTicket(ticketId: $t) { status } }',
    { t: ticketId },
    bearer(token),
  );
  if (res.data?.submitTicket.status !== 'SUBMITTED') throw new Error(JSON.stringify(res));
}

describe('review list: filters and what reviewers see (PostgreSQL)', () => {
  let server: TestServer;
  let reviewer: Record<string, string>;
  let dual: Record<string, string>;
  let a: { ticketId: string; token: string; submittedAt: string };
  let b: { ticketId: string; token: string };
  let branches: Record<string, string>;
  const ids = (res: { data?: Record<string, any> | null }): string[] =>
    res.data!.reviewQueue.edges.map((e: { node: { id: string } }) => e.node.id);

  beforeAll(async () => {
    server = await startTestServer('postgresql');
    const admin = bearer(await loginStaff(server.url, 'admin01', 'Admin#2026'));
    branches = Object.fromEntries(
      (
        (await gql(server.url, '{ broker(code: "DEMO") { branches { id name } } }')).data!.broker.branches as {
          id: string;
          name: string;
        }[]
      ).map((x) => [x.name, x.id]),
    );
    // a staff member who both witnesses and reviews, in 北京
    const created = await gql(
      server.url,
      'mutation ($i: CreateStaffInput!) { createStaff(input: $i) { id } }',
      {
        i: {
          username: 'dual01',
          displayName: '郑双岗',
          password: 'Dual#Role2026',
          roles: ['AGENT', 'REVIEWER'],
          branchId: branches['北京营业部'],
          licenseNo: 'F3040009',
        },
      },
      admin,
    );
    if (created.errors) throw new Error(JSON.stringify(created.errors));
    dual = bearer(await loginStaff(server.url, 'dual01', 'Dual#Role2026'));
    reviewer = bearer(await loginStaff(server.url, 'review01', 'Review#2026'));

    // A: 张伟 (北京), 修改其他信息, witnessed by dual01
    const atWitness = await ticketAtWitness(server, DEMO.zhangWei);
    await gql(
      server.url,
      'mutation ($t: ID!) { joinWitnessQueue(ticketId: $t) { id } }',
      { t: atWitness.ticketId },
      bearer(atWitness.token),
    );
    const claim = await gql(
      server.url,
      'mutation ($b: ID!) { claimNextCustomer(branchId: $b) { id ticket { id } } }',
      { b: branches['北京营业部'] },
      dual,
    );
    expect(claim.data!.claimNextCustomer.ticket.id).toBe(atWitness.ticketId);
    const done = await gql(
      server.url,
      'mutation ($s: ID!, $i: WitnessOutcomeInput!) { completeWitness(sessionId: $s, input: $i) { outcome } }',
      {
        s: claim.data!.claimNextCustomer.id,
        i: { outcome: 'PASSED', checklist: WITNESS_CHECKLIST },
      },
      dual,
    );
    expect(done.data!.completeWitness.outcome).toBe('PASSED');
    await submit(server, atWitness.token, atWitness.ticketId);
    const [row] = await server.db.sql.query<{ submitted_at: Date | string }>(
      'select submitted_at from tickets where id = $1',
      [atWitness.ticketId],
    );
    a = { ...atWitness, submittedAt: new Date(row!.submitted_at).toISOString() };

    // B: 李娜 (上海), 修改身份证有效期 (her ID has expired), 20 minutes later, no agent recorded
    server.clock.advance(20 * 60_000); // within the sessions' 30 idle minutes
    const liNa = await loginCustomer(server, DEMO.liNa);
    const started = await gql(
      server.url,
      'mutation { startTicket(business: UPDATE_ID_VALIDITY) { id } }',
      undefined,
      bearer(liNa),
    );
    if (!started.data) throw new Error(JSON.stringify(started.errors));
    b = { token: liNa, ticketId: started.data!.startTicket.id };
    await submit(server, liNa, b.ticketId);
  });
  afterAll(() => server?.close());

  it('lists submitted tickets oldest first without filters, as before', async () => {
    const res = await gql(server.url, QUEUE, {}, reviewer);
    expect(res.errors).toBeUndefined();
    expect(res.data!.reviewQueue.totalCount).toBe(2);
    expect(ids(res)).toEqual([a.ticketId, b.ticketId]);
    const old = await gql(server.url, '{ reviewQueue { totalCount edges { node { id } } } }', undefined, reviewer);
    expect(ids(old)).toEqual([a.ticketId, b.ticketId]);
  });

  it('filters by business, branch and submission time (at or before), alone and together', async () => {
    expect(ids(await gql(server.url, QUEUE, { b: 'UPDATE_OTHER_INFO' }, reviewer))).toEqual([a.ticketId]);
    expect(ids(await gql(server.url, QUEUE, { b: 'UPDATE_ID_VALIDITY' }, reviewer))).toEqual([b.ticketId]);
    expect(ids(await gql(server.url, QUEUE, { b: 'RESET_PASSWORD' }, reviewer))).toEqual([]);
    expect(ids(await gql(server.url, QUEUE, { br: branches['上海营业部'] }, reviewer))).toEqual([b.ticketId]);
    expect(ids(await gql(server.url, QUEUE, { br: branches['北京营业部'] }, reviewer))).toEqual([a.ticketId]);
    expect(ids(await gql(server.url, QUEUE, { s: a.submittedAt }, reviewer))).toEqual([a.ticketId]);
    expect(
      ids(await gql(server.url, QUEUE, { s: new Date(Date.parse(a.submittedAt) - 1000).toISOString() }, reviewer)),
    ).toEqual([]);
    expect(
      ids(await gql(server.url, QUEUE, { s: new Date(Date.parse(a.submittedAt) + 7200_000).toISOString() }, reviewer)),
    ).toEqual([a.ticketId, b.ticketId]);
    const both = await gql(server.url, QUEUE, { b: 'UPDATE_OTHER_INFO', br: branches['上海营业部'] }, reviewer);
    expect(both.data!.reviewQueue.totalCount).toBe(0);
    // another broker's branch, or no branch at all
    const [sz] = await server.db.sql.query<{ id: string }>(
      "select b.id from branches b join brokers k on k.id = b.broker_id where k.code = 'DEMO-HOURS'",
    );
    expect(codeOf(await gql(server.url, QUEUE, { br: sz!.id }, reviewer))).toBe('NOT_FOUND');
    expect(codeOf(await gql(server.url, QUEUE, { br: 'nope' }, reviewer))).toBe('NOT_FOUND');
  });

  it('shows reviewers the customer, branch and witness agent, and whether they may review it', async () => {
    const nodes = (await gql(server.url, QUEUE, {}, reviewer)).data!.reviewQueue.edges.map(
      (e: { node: unknown }) => e.node,
    );
    expect(nodes[0]).toMatchObject({
      business: 'UPDATE_OTHER_INFO',
      customerName: '张伟',
      branch: { name: '北京营业部' },
      witnessAgentName: '郑双岗',
      reviewableByMe: true,
    });
    expect(nodes[1]).toMatchObject({
      business: 'UPDATE_ID_VALIDITY',
      customerName: '李娜',
      branch: { name: '上海营业部' },
      witnessAgentName: null,
      reviewableByMe: true,
    });
  });

  it('tells the reviewer who witnessed a ticket up front that they may not review it, and refuses with SAME_PERSON', async () => {
    const nodes = (await gql(server.url, QUEUE, {}, dual)).data!.reviewQueue.edges.map(
      (e: { node: { id: string; reviewableByMe: boolean } }) => e.node,
    );
    expect(nodes.map((n: { reviewableByMe: boolean }) => n.reviewableByMe)).toEqual([false, true]);
    const refused = await gql(
      server.url,
      'mutation ($t: ID!) { rejectTicket(ticketId: $t, reason: "测试") { status } }',
      { t: a.ticketId },
      dual,
    );
    expect(codeOf(refused)).toBe('SAME_PERSON');
  });

  it('shows the customer name to partners of the broker only; reviewableByMe is false for everyone but reviewers', async () => {
    expect((await gql(server.url, TICKET, { id: a.ticketId }, bearer(DEMO.partnerKey))).data!.ticket).toMatchObject({
      customerName: '张伟',
      reviewableByMe: false,
    });
    const own = await gql(server.url, TICKET, { id: a.ticketId }, bearer(a.token));
    expect(own.data!.ticket).toMatchObject({
      customerName: null,
      branch: { name: '北京营业部' },
      reviewableByMe: false,
    });
    const agent = bearer(await loginStaff(server.url, 'agent01', 'Agent#2026'));
    expect((await gql(server.url, TICKET, { id: a.ticketId }, agent)).data!.ticket).toMatchObject({
      customerName: '张伟',
      reviewableByMe: false,
    });
    expect(codeOf(await gql(server.url, QUEUE, {}, agent))).toBe('FORBIDDEN');
    expect(codeOf(await gql(server.url, QUEUE, {}))).toBe('UNAUTHENTICATED');
    // once decided, nobody can review it any more
    const rejected = await gql(
      server.url,
      'mutation ($t: ID!) { rejectTicket(ticketId: $t, reason: "资料不清晰") { status } }',
      { t: b.ticketId },
      reviewer,
    );
    expect(rejected.data!.rejectTicket.status).toBe('REJECTED');
    expect((await gql(server.url, TICKET, { id: b.ticketId }, reviewer)).data!.ticket.reviewableByMe).toBe(false);
    expect(ids(await gql(server.url, QUEUE, {}, reviewer))).toEqual([a.ticketId]);
  });
});
