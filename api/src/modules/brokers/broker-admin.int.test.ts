import { DEMO, bearer, gql, loginStaff, startTestServer, type DbKind, type TestServer } from '../../testing/harness';

const codeOf = (res: { errors?: { extensions?: { code?: string } }[] }) => res.errors?.[0]?.extensions?.code;

const BROKER = `query ($code: String!) { broker(code: $code) {
  inServiceHours serviceHoursText serviceWindows { weekday start end } holidays branches { id name } } }`;
const CREATE_BRANCH = 'mutation ($i: CreateBranchInput!) { createBranch(input: $i) { id name } }';
const UPDATE_BRANCH = 'mutation ($id: ID!, $i: UpdateBranchInput!) { updateBranch(id: $id, input: $i) { id name } }';
const SET_HOURS =
  'mutation ($w: [ServiceWindowInput!]!) { setServiceHours(windows: $w) { code serviceHoursText serviceWindows { weekday start end } } }';
const ADD_HOLIDAY =
  'mutation ($d: Date!, $n: String) { addHoliday(date: $d, name: $n) { code holidays inServiceHours } }';
const REMOVE_HOLIDAY = 'mutation ($d: Date!) { removeHoliday(date: $d) { code holidays inServiceHours } }';

const weekdays = (start: string, end: string, days = [1, 2, 3, 4, 5]) =>
  days.map((weekday) => ({ weekday, start, end }));

describe.each<DbKind>(['postgresql', 'pglite'])('broker admin: branches, service hours, holidays on %s', (kind) => {
  let server: TestServer;
  let admin: Record<string, string>;
  let hoursAdmin: Record<string, string>;
  beforeAll(async () => {
    server = await startTestServer(kind);
    admin = bearer(await loginStaff(server.url, 'admin01', 'Admin#2026'));
    // DEMO-HOURS (the broker with the 2026 public holidays) has no demo admin: one for the test
    const hours = (await server.services.brokers.findByCode(server.db.orm.em.fork() as never, 'DEMO-HOURS'))!;
    await server.services.auth.ensureStaff(server.db.orm.em.fork() as never, {
      username: 'hours-admin',
      password: 'Hours#Admin1',
      displayName: '深圳管理员',
      roles: ['BROKER_ADMIN'],
      brokerId: hours.id,
      branchId: null,
    });
    hoursAdmin = bearer(await loginStaff(server.url, 'hours-admin', 'Hours#Admin1'));
  });
  afterAll(() => server?.close());

  it('refuses anonymous callers, and staff and partners without BROKER_ADMIN', async () => {
    const reviewer = bearer(await loginStaff(server.url, 'review01', 'Review#2026'));
    for (const [query, variables] of [
      [CREATE_BRANCH, { i: { name: '广州营业部', code: 'GZ' } }],
      [SET_HOURS, { w: weekdays('09:00', '17:00') }],
      [ADD_HOLIDAY, { d: '2026-12-25' }],
      [REMOVE_HOLIDAY, { d: '2026-12-25' }],
    ] as const) {
      expect(codeOf(await gql(server.url, query, variables))).toBe('UNAUTHENTICATED');
      expect(codeOf(await gql(server.url, query, variables, reviewer))).toBe('FORBIDDEN');
      expect(codeOf(await gql(server.url, query, variables, bearer(DEMO.partnerKey)))).toBe('FORBIDDEN');
    }
    expect((await gql(server.url, BROKER, { code: 'DEMO' })).data!.broker.branches).toHaveLength(2);
  });

  it('creates and renames branches of their own broker only', async () => {
    const created = await gql(server.url, CREATE_BRANCH, { i: { name: ' 广州营业部 ', code: 'GZ' } }, admin);
    expect(created.errors).toBeUndefined();
    expect(created.data!.createBranch.name).toBe('广州营业部');
    let broker = (await gql(server.url, BROKER, { code: 'DEMO' })).data!.broker;
    expect(broker.branches.map((b: { name: string }) => b.name)).toEqual(['北京营业部', '广州营业部', '上海营业部']);

    for (const [input, message] of [
      [{ name: '深圳营业部', code: 'GZ' }, '营业部代码“GZ”已存在'],
      [{ name: '北京营业部', code: 'BJ2' }, '营业部“北京营业部”已存在'],
      [{ name: '杭州营业部', code: '杭州' }, '营业部代码须为'],
      [{ name: '  ', code: 'HZ' }, '请填写营业部名称'],
    ] as const) {
      const res = await gql(server.url, CREATE_BRANCH, { i: input }, admin);
      expect(codeOf(res)).toBe('BAD_USER_INPUT');
      expect(res.errors![0]!.message).toContain(message);
    }

    const shanghai = broker.branches.find((b: { name: string }) => b.name === '上海营业部');
    const renamed = await gql(server.url, UPDATE_BRANCH, { id: shanghai.id, i: { name: '上海浦东营业部' } }, admin);
    expect(renamed.data!.updateBranch).toEqual({ id: shanghai.id, name: '上海浦东营业部' });
    expect(codeOf(await gql(server.url, UPDATE_BRANCH, { id: shanghai.id, i: { name: '北京营业部' } }, admin))).toBe(
      'BAD_USER_INPUT',
    );
    // another broker's branch, and one that does not exist
    expect(codeOf(await gql(server.url, UPDATE_BRANCH, { id: shanghai.id, i: { name: '深圳二部' } }, hoursAdmin))).toBe(
      'FORBIDDEN',
    );
    expect(
      codeOf(
        await gql(server.url, UPDATE_BRANCH, { id: '00000000-0000-4000-8000-000000000000', i: { name: 'x' } }, admin),
      ),
    ).toBe('NOT_FOUND');
    broker = (await gql(server.url, BROKER, { code: 'DEMO' })).data!.broker;
    expect(broker.branches.map((b: { name: string }) => b.name)).toEqual([
      '北京营业部',
      '广州营业部',
      '上海浦东营业部',
    ]);
    // the new branch has a witness queue of its own
    const queue = await gql(
      server.url,
      'query ($b: ID!) { branchQueue(branchId: $b) { waiting } }',
      { b: created.data!.createBranch.id },
      admin,
    );
    expect(queue.data!.branchQueue.waiting).toBe(0);
  });

  it('sets the weekly service hours, which then decide whether businesses can start', async () => {
    // the clock stands on Monday 10:00 in Shanghai
    let broker = (await gql(server.url, BROKER, { code: 'DEMO' })).data!.broker;
    expect(broker.serviceWindows).toHaveLength(7);
    expect(broker.serviceWindows[0]).toEqual({ weekday: 1, start: '00:00', end: '24:00' });
    const res = await gql(
      server.url,
      SET_HOURS,
      { w: [...weekdays('13:00', '17:45'), ...weekdays('08:40', '09:30')] },
      admin,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.setServiceHours.serviceHoursText).toBe('周一至周五 08:40-09:30、13:00-17:45');
    expect(res.data!.setServiceHours.serviceWindows.slice(0, 2)).toEqual([
      { weekday: 1, start: '08:40', end: '09:30' },
      { weekday: 1, start: '13:00', end: '17:45' },
    ]);
    broker = (await gql(server.url, BROKER, { code: 'DEMO' })).data!.broker;
    expect(broker.inServiceHours).toBe(false);
    await expect(
      server.services.brokers.assertInServiceHours(
        server.db.orm.em.fork() as never,
        (await server.services.brokers.findByCode(server.db.orm.em.fork() as never, 'DEMO'))!.id,
      ),
    ).rejects.toMatchObject({
      extensions: { code: 'OUTSIDE_SERVICE_HOURS' },
      message: expect.stringContaining('2026-11-23（周一）13:00'),
    });
    expect(
      (await gql(server.url, SET_HOURS, { w: weekdays('00:00', '24:00', [1, 2, 3, 4, 5, 6, 7]) }, admin)).data!
        .setServiceHours.serviceHoursText,
    ).toBe('每天 00:00-24:00');
    expect((await gql(server.url, BROKER, { code: 'DEMO' })).data!.broker.inServiceHours).toBe(true);
  });

  it.each([
    [[{ weekday: 8, start: '08:00', end: '09:00' }], '星期须为1（周一）到7（周日）'],
    [[{ weekday: 0, start: '08:00', end: '09:00' }], '星期须为1（周一）到7（周日）'],
    [[{ weekday: 1, start: '8:00', end: '09:00' }], '周一的时间“8:00”格式不正确'],
    [[{ weekday: 2, start: '08:00', end: '24:30' }], '周二的时间“24:30”格式不正确'],
    [[{ weekday: 3, start: '18:00', end: '09:00' }], '周三 18:00-09:00：开始时间须早于结束时间'],
    [
      [
        { weekday: 4, start: '08:00', end: '12:00' },
        { weekday: 4, start: '11:00', end: '13:00' },
      ],
      '周四的时段 08:00-12:00 与 11:00-13:00 重叠',
    ],
  ])('refuses windows %j with BAD_USER_INPUT and leaves the hours as they were', async (windows, message) => {
    const res = await gql(server.url, SET_HOURS, { w: windows }, admin);
    expect(codeOf(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0]!.message).toContain(message);
    expect((await gql(server.url, BROKER, { code: 'DEMO' })).data!.broker.serviceHoursText).toBe('每天 00:00-24:00');
  });

  it('adds and removes holidays: a holiday closes the day', async () => {
    const added = await gql(server.url, ADD_HOLIDAY, { d: '2026-11-23', n: '公司周年庆' }, admin);
    expect(added.errors).toBeUndefined();
    expect(added.data!.addHoliday).toEqual({ code: 'DEMO', holidays: ['2026-11-23'], inServiceHours: false });
    expect((await gql(server.url, ADD_HOLIDAY, { d: '2026-12-31' }, admin)).data!.addHoliday.holidays).toEqual([
      '2026-11-23',
      '2026-12-31',
    ]);
    expect((await gql(server.url, BROKER, { code: 'DEMO' })).data!.broker.serviceHoursText).toBe(
      '每天 00:00-24:00（法定节假日除外）',
    );
    const [row] = await server.db.sql.query<{ name: string }>(
      "select h.name from broker_holidays h join brokers b on b.id = h.broker_id where b.code = 'DEMO' and h.date = '2026-12-31'",
    );
    expect(row!.name).toBe('休市');
    const removed = await gql(server.url, REMOVE_HOLIDAY, { d: '2026-11-23' }, admin);
    expect(removed.data!.removeHoliday).toEqual({ code: 'DEMO', holidays: ['2026-12-31'], inServiceHours: true });
    const again = await gql(server.url, REMOVE_HOLIDAY, { d: '2026-11-23' }, admin);
    expect(codeOf(again)).toBe('NOT_FOUND');
    expect(codeOf(await gql(server.url, ADD_HOLIDAY, { d: '2026-02-30' }, admin))).toBe('BAD_USER_INPUT');
  });

  it('keeps what admins changed when the BrokerPack is synced again at the next start', async () => {
    // DEMO-HOURS: new hours, a pack holiday removed, an own holiday added, its branch renamed
    await gql(server.url, SET_HOURS, { w: weekdays('09:00', '23:00') }, hoursAdmin);
    expect((await gql(server.url, REMOVE_HOLIDAY, { d: '2026-10-01' }, hoursAdmin)).errors).toBeUndefined();
    expect((await gql(server.url, ADD_HOLIDAY, { d: '2026-12-24', n: '平安夜' }, hoursAdmin)).errors).toBeUndefined();
    const before = (await gql(server.url, BROKER, { code: 'DEMO-HOURS' })).data!.broker;
    await gql(server.url, UPDATE_BRANCH, { id: before.branches[0].id, i: { name: '深圳福田营业部' } }, hoursAdmin);
    const snapshot = (await gql(server.url, BROKER, { code: 'DEMO-HOURS' })).data!.broker;
    const demo = (await gql(server.url, BROKER, { code: 'DEMO' })).data!.broker;

    // what a restart runs (api/src/server.ts)
    const pack = await server.services.plugins.brokers.brokers();
    await server.services.brokers.syncFromPack(server.db.orm.em.fork() as never, pack);

    const after = (await gql(server.url, BROKER, { code: 'DEMO-HOURS' })).data!.broker;
    expect(after).toEqual(snapshot);
    expect(after.serviceHoursText).toBe('周一至周五 09:00-23:00（法定节假日除外）');
    expect(after.holidays).not.toContain('2026-10-01');
    expect(after.holidays).toContain('2026-10-02'); // the pack's own, untouched
    expect(after.holidays).toContain('2026-12-24');
    expect(after.branches.map((b: { name: string }) => b.name)).toEqual(['深圳福田营业部']);
    expect((await gql(server.url, BROKER, { code: 'DEMO' })).data!.broker).toEqual(demo);
    // an admin who adds back a holiday they removed gets it back
    expect(
      (await gql(server.url, ADD_HOLIDAY, { d: '2026-10-01', n: '国庆节' }, hoursAdmin)).data!.addHoliday.holidays,
    ).toContain('2026-10-01');
  });
});
