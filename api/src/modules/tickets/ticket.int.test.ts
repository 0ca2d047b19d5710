import { DEMO, bearer, gql, loginCustomer, startTestServer, type DbKind, type TestServer } from '../../testing/harness';

const TICKET_FIELDS =
  'id acceptanceNo business businessName status currentStep reason steps { kind done title } createdAt';
const START = `mutation ($b: BusinessType!) { startTicket(business: $b) { ${TICKET_FIELDS} } }`;
const BACK = `mutation ($id: ID!) { goBack(ticketId: $id) { ${TICKET_FIELDS} } }`;
const CANCEL = `mutation ($id: ID!) { cancelTicket(ticketId: $id) { ${TICKET_FIELDS} } }`;
const MY_TICKETS = `query ($status: [TicketStatus!], $first: Int, $after: String) {
  me { tickets(status: $status, first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id business status } } } }
}`;

const codeOf = (res: { errors?: { extensions?: { code?: string } }[] }) => res.errors?.[0]?.extensions?.code;

describe.each<DbKind>(['postgresql', 'pglite'])('tickets on %s', (kind) => {
  let server: TestServer;
  let zhang: Record<string, string>;
  beforeAll(async () => {
    server = await startTestServer(kind);
    zhang = bearer(await loginCustomer(server, DEMO.zhangWei));
  });
  afterAll(() => server?.close());

  it('starts a business with a 16-digit acceptance number and its steps as data', async () => {
    const res = await gql(server.url, START, { b: 'UPDATE_OTHER_INFO' }, zhang);
    expect(res.errors).toBeUndefined();
    const t = res.data!.startTicket;
    expect(t).toMatchObject({
      business: 'UPDATE_OTHER_INFO',
      businessName: '修改其他信息',
      status: 'IN_PROGRESS',
      currentStep: 'DOCUMENTS',
      reason: null,
    });
    expect(t.acceptanceNo).toMatch(/^\d{16}$/);
    expect(t.acceptanceNo.slice(0, 6)).toBe('261123');
    // no certificate yet: the video witness and the certificate come before the agreements
    expect(t.steps).toEqual([
      { kind: 'DOCUMENTS', done: false, title: '上传照片' },
      { kind: 'OTHER_INFO', done: false, title: '其他信息资料' },
      { kind: 'VIDEO_WITNESS', done: false, title: '视频见证' },
      { kind: 'CERTIFICATE', done: false, title: '安装数字证书' },
      { kind: 'AGREEMENTS', done: false, title: '签署协议' },
      { kind: 'SUBMITTED', done: false, title: '申请提交' },
    ]);
  });

  it('resumes the open ticket when the same business is started again', async () => {
    const a = (await gql(server.url, START, { b: 'UPDATE_CONTACT_PHONE' }, zhang)).data!.startTicket;
    const b = (await gql(server.url, START, { b: 'UPDATE_CONTACT_PHONE' }, zhang)).data!.startTicket;
    expect(b.id).toBe(a.id);
    expect(b.acceptanceNo).toBe(a.acceptanceNo);
  });

  it('gives acceptance numbers that do not follow each other', async () => {
    const numbers: string[] = [];
    for (const b of ['UPDATE_ID_VALIDITY', 'RESET_PASSWORD'])
      numbers.push((await gql(server.url, START, { b }, zhang)).data!.startTicket.acceptanceNo);
    const [x, y] = numbers.map((n) => BigInt(n));
    expect(x! - y! === 1n || y! - x! === 1n).toBe(false);
    expect(new Set(numbers).size).toBe(2);
  });

  it('refuses businesses not offered yet', async () => {
    const res = await gql(server.url, START, { b: 'ADD_TRADING_CODE' }, zhang);
    expect(codeOf(res)).toBe('BUSINESS_NOT_AVAILABLE');
    expect(res.errors![0]!.message).toContain('增开交易编码');
  });

  it('refuses 开立期货账户 to a customer: they hold an account already, and are shown where to go', async () => {
    const res = await gql(server.url, START, { b: 'OPEN_FUTURES_ACCOUNT' }, zhang);
    expect(codeOf(res)).toBe('ALREADY_CUSTOMER');
    expect(res.errors![0]!.message).toContain('我的基本资料');
    expect(res.errors![0]!.extensions!.links).toEqual([
      { title: '我的基本资料', path: '/profile' },
      { title: '增开交易编码', path: '/start/ADD_TRADING_CODE' },
    ]);
  });

  it('lets a customer whose ID expired start only UPDATE_ID_VALIDITY', async () => {
    const li = bearer(await loginCustomer(server, DEMO.liNa));
    for (const b of ['UPDATE_OTHER_INFO', 'UPDATE_CONTACT_PHONE', 'RESET_PASSWORD']) {
      const res = await gql(server.url, START, { b }, li);
      expect(codeOf(res)).toBe('ID_EXPIRED');
      expect(res.errors![0]!.message).toContain('2020-03-01');
    }
    expect(codeOf(await gql(server.url, START, { b: 'UPDATE_ID_VALIDITY' }, li))).toBeUndefined();
  });

  it('refuses to start outside service hours and names the next opening', async () => {
    server.clock.set('2026-11-23T00:20:00Z'); // Monday 08:20 in Shanghai, before 08:40
    const zhao = bearer(await loginCustomer(server, DEMO.zhaoMin));
    const res = await gql(server.url, START, { b: 'UPDATE_OTHER_INFO' }, zhao);
    expect(codeOf(res)).toBe('OUTSIDE_SERVICE_HOURS');
    expect(res.errors![0]!.message).toBe(
      '当前不在网上开户服务时间内（服务时间：周一至周五 08:40-17:45（法定节假日除外）），请于 2026-11-23（周一）08:40 后再办理',
    );
    server.clock.advance(25 * 60_000); // 08:45
    expect(codeOf(await gql(server.url, START, { b: 'UPDATE_OTHER_INFO' }, zhao))).toBeUndefined();
  });

  it('enforces the step order, goes back keeping the data, and cancels', async () => {
    const wang = bearer(await loginCustomer(server, DEMO.wangFang));
    const t = (await gql(server.url, START, { b: 'UPDATE_OTHER_INFO' }, wang)).data!.startTicket;
    const first = await gql(server.url, BACK, { id: t.id }, wang);
    expect(codeOf(first)).toBe('STEP_NOT_ALLOWED');
    expect(first.errors![0]!.message).toBe('已经是第一步');

    const em = server.db.orm.em.fork() as never;
    const entity = await server.services.tickets.get(em, null as never, t.id).catch(() => null);
    expect(entity).toBeNull(); // nobody anonymous sees it
    const viewer = { kind: 'CUSTOMER', customerId: t.id } as never;
    await expect(server.services.tickets.get(em, viewer, t.id)).rejects.toMatchObject({
      extensions: { code: 'NOT_FOUND' },
    });

    // complete DOCUMENTS through the service the documents module uses, then try to skip ahead
    const [row] = await server.db.sql.query<{ customer_id: string }>('select customer_id from tickets where id = $1', [
      t.id,
    ]);
    const owner = {
      kind: 'CUSTOMER',
      id: row!.customer_id,
      customerId: row!.customer_id,
      applicantId: row!.customer_id,
      brokerId: '',
      roles: ['CUSTOMER'],
    } as never;
    const ticket = await server.services.tickets.getOwn(em, owner, t.id);
    await expect(
      server.services.tickets.completeStep(em, ticket, 'AGREEMENTS', {}, { kind: 'CUSTOMER', id: null }),
    ).rejects.toMatchObject({
      extensions: { code: 'STEP_NOT_ALLOWED', currentStep: 'DOCUMENTS' },
    });
    await server.services.tickets.completeStep(
      em,
      ticket,
      'DOCUMENTS',
      { kept: ['ID_CARD_FRONT'] },
      { kind: 'CUSTOMER', id: row!.customer_id },
    );
    const back = await gql(server.url, BACK, { id: t.id }, wang);
    expect(back.data!.goBack).toMatchObject({
      currentStep: 'DOCUMENTS',
      steps: expect.arrayContaining([{ kind: 'DOCUMENTS', done: false, title: '上传照片' }]),
    });
    const [data] = await server.db.sql.query<{ data: string }>('select data::text as data from tickets where id = $1', [
      t.id,
    ]);
    expect(JSON.parse(data!.data)).toEqual({ DOCUMENTS: { kept: ['ID_CARD_FRONT'] } });

    const cancelled = await gql(server.url, CANCEL, { id: t.id }, wang);
    expect(cancelled.data!.cancelTicket.status).toBe('CANCELLED');
    expect(codeOf(await gql(server.url, CANCEL, { id: t.id }, wang))).toBe('TICKET_CLOSED');
    // another customer cannot touch it
    expect(codeOf(await gql(server.url, BACK, { id: t.id }, zhang))).toBe('NOT_FOUND');
    expect(
      (await gql(server.url, 'query ($id: ID!) { ticket(id: $id) { id } }', { id: t.id }, zhang)).data!.ticket,
    ).toBeNull();
    // a new start after cancelling is a new ticket
    const again = (await gql(server.url, START, { b: 'UPDATE_OTHER_INFO' }, wang)).data!.startTicket;
    expect(again.id).not.toBe(t.id);
  });

  it('lists 待完成业务 with status filters and cursor pagination', async () => {
    const all = await gql(server.url, MY_TICKETS, { first: 2 }, zhang);
    const conn = all.data!.me.tickets;
    expect(conn.totalCount).toBe(4);
    expect(conn.edges).toHaveLength(2);
    expect(conn.pageInfo.hasNextPage).toBe(true);
    const next = (await gql(server.url, MY_TICKETS, { first: 2, after: conn.pageInfo.endCursor }, zhang)).data!.me
      .tickets;
    expect(next.edges).toHaveLength(2);
    expect(next.pageInfo.hasNextPage).toBe(false);
    const ids = [...conn.edges, ...next.edges].map((e: { node: { id: string } }) => e.node.id);
    expect(new Set(ids).size).toBe(4);
    const open = (await gql(server.url, MY_TICKETS, { status: ['IN_PROGRESS', 'RETURNED'] }, zhang)).data!.me.tickets;
    expect(open.totalCount).toBe(4);
    const none = (await gql(server.url, MY_TICKETS, { status: ['APPROVED'] }, zhang)).data!.me.tickets;
    expect(none).toMatchObject({ totalCount: 0, edges: [] });
    expect(codeOf(await gql(server.url, MY_TICKETS, { after: 'garbage' }, zhang))).toBe('BAD_USER_INPUT');
  });

  it('keeps an append-only event trail that the database refuses to change', async () => {
    const t = (await gql(server.url, START, { b: 'UPDATE_OTHER_INFO' }, zhang)).data!.startTicket;
    const res = await gql(
      server.url,
      'query ($id: ID!) { ticket(id: $id) { events { actorKind action step after at } } }',
      { id: t.id },
      zhang,
    );
    expect(res.data!.ticket.events[0]).toMatchObject({ actorKind: 'CUSTOMER', action: 'STARTED' });
    await expect(server.db.sql.query("update ticket_events set action = 'FORGED'")).rejects.toThrow(/append-only/);
    await expect(server.db.sql.query('delete from ticket_events')).rejects.toThrow(/append-only/);
    await expect(server.db.sql.query('truncate ticket_events')).rejects.toThrow(/append-only/);
    const [n] = await server.db.sql.query<{ n: number }>('select count(*)::int as n from ticket_events');
    expect(n!.n).toBeGreaterThan(5);
  });

  it('keeps a single open ticket per business even against a direct insert', async () => {
    const [row] = await server.db.sql.query<Record<string, unknown>>(
      "select * from tickets where business = 'UPDATE_CONTACT_PHONE' limit 1",
    );
    await expect(
      server.db.sql.query(
        `insert into tickets (id, acceptance_no, business, status, customer_id, broker_id, branch_id, steps, current_step, step_entered_at, data, version, created_at, updated_at)
         values (gen_random_uuid(), '2611230000000001', 'UPDATE_CONTACT_PHONE', 'IN_PROGRESS', $1, $2, $3, '[]', 'DOCUMENTS', now(), '{}', 1, now(), now())`,
        [row!.customer_id, row!.broker_id, row!.branch_id],
      ),
    ).rejects.toThrow(/tickets_one_open_per_business/);
  });
});
