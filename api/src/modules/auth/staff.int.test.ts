import WebSocket from 'ws';
import { DEMO, bearer, gql, loginCustomer, loginStaff, startTestServer, type TestServer } from '../../testing/harness';

const codeOf = (res: { errors?: { extensions?: { code?: string } }[] }) => res.errors?.[0]?.extensions?.code;

const STAFF = 'id username displayName roles licenseNo disabled broker { code } branch { id name }';
const LIST = `{ staffMembers { ${STAFF} } }`;
const CREATE = `mutation ($i: CreateStaffInput!) { createStaff(input: $i) { ${STAFF} } }`;
const DISABLE = `mutation ($id: ID!, $d: Boolean!) { setStaffDisabled(id: $id, disabled: $d) { id disabled } }`;
const RESET = `mutation ($id: ID!, $p: String!) { resetStaffPassword(id: $id, password: $p) { id username } }`;

/** Opens a graphql-ws socket with a token; resolves `closed` with the close code. */
function socket(url: string, token: string): { ws: WebSocket; acked: Promise<void>; closed: Promise<number> } {
  const ws = new WebSocket(url.replace('http', 'ws') + '/graphql', 'graphql-transport-ws');
  let ack: () => void;
  const acked = new Promise<void>((r) => (ack = r));
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  ws.on('open', () =>
    ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } })),
  );
  ws.on('message', (m) => {
    if (JSON.parse(String(m)).type === 'connection_ack') ack();
  });
  return { ws, acked, closed };
}

describe('broker admin: staff (PostgreSQL)', () => {
  let server: TestServer;
  let admin: Record<string, string>;
  let branches: { id: string; name: string }[];
  const passwords = ['Zhao#Liu2026', 'Newpass#2026', 'Other#Pass99'];

  beforeAll(async () => {
    server = await startTestServer('postgresql');
    admin = bearer(await loginStaff(server.url, 'admin01', 'Admin#2026'));
    branches = (await gql(server.url, '{ broker(code: "DEMO") { branches { id name } } }')).data!.broker.branches;
  });
  afterAll(async () => {
    // passwords are never logged
    const log = server.lines.join('\n');
    for (const p of passwords) expect(log).not.toContain(p);
    await server?.close();
  });
  beforeEach(() => server.clock.advance(60_000));

  it("lists the broker's staff for its admins only", async () => {
    const res = await gql(server.url, LIST, undefined, admin);
    expect(res.errors).toBeUndefined();
    expect(res.data!.staffMembers.map((s: { username: string }) => s.username)).toEqual([
      'admin01',
      'agent01',
      'agent02',
      'review01',
    ]);
    expect(res.data!.staffMembers[1]).toMatchObject({
      displayName: '刘洋',
      roles: ['AGENT'],
      licenseNo: 'F3040001',
      disabled: false,
      broker: { code: 'DEMO' },
      branch: { name: '北京营业部' },
    });
    expect(codeOf(await gql(server.url, LIST))).toBe('UNAUTHENTICATED');
    expect(
      codeOf(await gql(server.url, LIST, undefined, bearer(await loginStaff(server.url, 'review01', 'Review#2026')))),
    ).toBe('FORBIDDEN');
    expect(codeOf(await gql(server.url, LIST, undefined, bearer(await loginCustomer(server, DEMO.zhangWei))))).toBe(
      'FORBIDDEN',
    );
    expect(codeOf(await gql(server.url, LIST, undefined, bearer(DEMO.partnerKey)))).toBe('FORBIDDEN');
  });

  it('creates staff who can log in, with the password stored only hashed and never returned', async () => {
    const beijing = branches.find((b) => b.name === '北京营业部')!;
    const res = await gql(
      server.url,
      CREATE,
      {
        i: {
          username: 'agent03',
          displayName: '赵六',
          password: passwords[0],
          roles: ['AGENT', 'REVIEWER'],
          branchId: beijing.id,
          licenseNo: 'F3040003',
        },
      },
      admin,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.createStaff).toMatchObject({
      username: 'agent03',
      displayName: '赵六',
      roles: ['AGENT', 'REVIEWER'],
      licenseNo: 'F3040003',
      disabled: false,
      broker: { code: 'DEMO' },
      branch: { name: '北京营业部' },
    });
    expect(JSON.stringify(res.data)).not.toContain(passwords[0]);
    const [row] = await server.db.sql.query<{ password_hash: string }>(
      "select password_hash from staff_users where username = 'agent03'",
    );
    expect(row!.password_hash).toMatch(/^scrypt\$/);
    const token = await loginStaff(server.url, 'agent03', passwords[0]!);
    expect(
      (await gql(server.url, '{ viewer { roles staff { username } } }', undefined, bearer(token))).data!.viewer,
    ).toEqual({ roles: ['AGENT', 'REVIEWER'], staff: { username: 'agent03' } });
    // a reviewer of all branches needs no licence number
    const all = await gql(
      server.url,
      CREATE,
      { i: { username: 'review02', displayName: '钱七', password: passwords[2], roles: ['REVIEWER'] } },
      admin,
    );
    expect(all.data!.createStaff).toMatchObject({ branch: null, licenseNo: null });
  });

  it.each([
    [{ username: 'ab' }, 'username', '用户名须为3到32位'],
    [{ username: 'agent01' }, 'username', '用户名“agent01”已被使用'],
    [{ displayName: ' ' }, 'displayName', '请填写姓名'],
    [{ roles: [] }, 'roles', '请至少选择一个角色'],
    [{ roles: ['ROOT'] }, 'roles', '未知角色：ROOT'],
    [{ licenseNo: null }, 'licenseNo', '坐席须填写期货从业资格号'],
    [{ password: 'short1A' }, 'password', '密码至少8位'],
    [{ password: 'alllowercase1' }, 'password', '至少三种'],
    [{ password: 'Agent04#2026' }, 'password', '密码不能包含用户名'],
    [{ branchId: '00000000-0000-4000-8000-000000000000' }, 'branchId', '营业部不存在'],
  ])('refuses %j with BAD_USER_INPUT on %s', async (change, field, message) => {
    const input = {
      username: 'agent04',
      displayName: '孙八',
      password: 'Strong#Pass1',
      roles: ['AGENT'],
      licenseNo: 'F3040004',
      ...change,
    };
    const res = await gql(server.url, CREATE, { i: input }, admin);
    expect(codeOf(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0]!.message).toContain(message);
    expect(res.errors![0]!.extensions!.fields).toEqual([expect.objectContaining({ field })]);
    expect(await server.db.sql.query("select 1 from staff_users where username = 'agent04'")).toHaveLength(0);
  });

  it('disables a staff member: their sessions and sockets stop at once, login is refused; enabling lets them log in again', async () => {
    const [agent] = await server.db.sql.query<{ id: string }>("select id from staff_users where username = 'agent02'");
    const token = await loginStaff(server.url, 'agent02', 'Agent#2026');
    const ws = socket(server.url, token);
    await ws.acked;
    const res = await gql(server.url, DISABLE, { id: agent!.id, d: true }, admin);
    expect(res.data!.setStaffDisabled).toEqual({ id: agent!.id, disabled: true });
    expect(await ws.closed).toBe(4403);
    expect(codeOf(await gql(server.url, '{ viewer { id } }', undefined, bearer(token)))).toBe('UNAUTHENTICATED');
    const login = await gql(
      server.url,
      'mutation { staffLogin(username: "agent02", password: "Agent#2026") { token } }',
    );
    expect(codeOf(login)).toBe('INVALID_CREDENTIALS');
    expect(login.errors![0]!.message).toContain('账号已停用');
    expect((await gql(server.url, DISABLE, { id: agent!.id, d: false }, admin)).data!.setStaffDisabled.disabled).toBe(
      false,
    );
    const again = await loginStaff(server.url, 'agent02', 'Agent#2026');
    expect(
      (await gql(server.url, '{ viewer { staff { username disabled } } }', undefined, bearer(again))).data!.viewer
        .staff,
    ).toEqual({ username: 'agent02', disabled: false });
  });

  it("does not let an admin disable themselves, nor touch another broker's staff", async () => {
    const me = (await gql(server.url, '{ viewer { id } }', undefined, admin)).data!.viewer.id;
    const self = await gql(server.url, DISABLE, { id: me, d: true }, admin);
    expect(codeOf(self)).toBe('FORBIDDEN');
    expect(self.errors![0]!.message).toBe('不能停用本人的账号');
    const [hours] = await server.db.sql.query<{ id: string }>("select id from brokers where code = 'DEMO-HOURS'");
    await server.services.auth.ensureStaff(server.db.orm.em.fork() as never, {
      username: 'sz-review',
      password: 'Shenzhen#2026',
      displayName: '深圳复核',
      roles: ['REVIEWER'],
      brokerId: hours!.id,
      branchId: null,
    });
    const [other] = await server.db.sql.query<{ id: string }>(
      "select id from staff_users where username = 'sz-review'",
    );
    expect(codeOf(await gql(server.url, DISABLE, { id: other!.id, d: true }, admin))).toBe('FORBIDDEN');
    expect(codeOf(await gql(server.url, RESET, { id: other!.id, p: 'Whatever#2026' }, admin))).toBe('FORBIDDEN');
    expect(codeOf(await gql(server.url, DISABLE, { id: '00000000-0000-4000-8000-000000000000', d: true }, admin))).toBe(
      'NOT_FOUND',
    );
    expect(
      (await gql(server.url, LIST, undefined, admin)).data!.staffMembers.map((s: { username: string }) => s.username),
    ).not.toContain('sz-review');
    expect(codeOf(await gql(server.url, DISABLE, { id: me, d: true }))).toBe('UNAUTHENTICATED');
  });

  it('resets a password: old sessions end, the old password stops working, the new one works', async () => {
    const [review] = await server.db.sql.query<{ id: string }>(
      "select id from staff_users where username = 'review01'",
    );
    const old = await loginStaff(server.url, 'review01', 'Review#2026');
    const weak = await gql(server.url, RESET, { id: review!.id, p: 'weak' }, admin);
    expect(codeOf(weak)).toBe('BAD_USER_INPUT');
    expect((await gql(server.url, '{ viewer { id } }', undefined, bearer(old))).data!.viewer).not.toBeNull();
    const res = await gql(server.url, RESET, { id: review!.id, p: passwords[1] }, admin);
    expect(res.data!.resetStaffPassword).toEqual({ id: review!.id, username: 'review01' });
    expect(JSON.stringify(res)).not.toContain(passwords[1]);
    expect(codeOf(await gql(server.url, '{ viewer { id } }', undefined, bearer(old)))).toBe('UNAUTHENTICATED');
    expect(
      codeOf(await gql(server.url, 'mutation { staffLogin(username: "review01", password: "Review#2026") { token } }')),
    ).toBe('INVALID_CREDENTIALS');
    const fresh = await loginStaff(server.url, 'review01', passwords[1]!);
    expect(
      (await gql(server.url, '{ viewer { staff { username } } }', undefined, bearer(fresh))).data!.viewer.staff
        .username,
    ).toBe('review01');
  });
});
