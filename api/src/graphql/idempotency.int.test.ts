import {
  DEMO,
  REQUEST_CODE,
  bearer,
  gql,
  loginStaff,
  solvedCaptcha,
  startTestServer,
  type TestServer,
} from '../testing/harness';

const codeOf = (res: { errors?: { extensions?: { code?: string } }[] }) => res.errors?.[0]?.extensions?.code;
const STAFF_LOGIN =
  'mutation ($u: String!, $p: String!) { staffLogin(username: $u, password: $p) { token expiresAt } }';
const AGENT = { u: 'agent01', p: 'Agent#2026' };

describe('Idempotency-Key on mutations', () => {
  let server: TestServer;
  const tokens: string[] = [];
  beforeAll(async () => {
    server = await startTestServer('postgresql');
  });
  afterAll(async () => {
    // tokens of idempotent responses are neither logged nor stored in the clear
    const log = server.lines.join('\n');
    const stored = (await server.db.sql.query<{ body: string | null }>('select body from idempotency_keys'))
      .map((r) => r.body ?? '')
      .join('\n');
    for (const t of tokens) {
      expect(log).not.toContain(t);
      expect(stored).not.toContain(t);
    }
    await server.close();
  });
  beforeEach(() => server.clock.advance(61_000));

  const sessionsOfAgent = async () =>
    Number(
      (
        await server.db.sql.query<{ n: string }>(
          `select count(*) as n from sessions s join staff_users u on u.id = s.staff_id where u.username = 'agent01'`,
        )
      )[0]!.n,
    );
  const outbox = async (mobile: string) =>
    ((await (await fetch(`${server.url}/dev/outbox?to=${mobile}`)).json()) as unknown[]).length;

  it('runs a mutation once: the same key, operation and variables replay the first status and body', async () => {
    const before = await sessionsOfAgent();
    const key = { 'idempotency-key': 'login-agent01-1' };
    const first = await gql(server.url, STAFF_LOGIN, AGENT, key);
    const second = await gql(server.url, STAFF_LOGIN, AGENT, key);
    tokens.push(first.data!.staffLogin.token);
    expect(first.status).toBe(200);
    expect(first.headers.get('idempotency-replayed')).toBeNull();
    expect(second.status).toBe(200);
    expect(second.headers.get('idempotency-replayed')).toBe('true');
    expect(second.headers.get('content-type')).toMatch(/application\/json/);
    expect(second.data).toEqual(first.data);
    expect(await sessionsOfAgent()).toBe(before + 1);
    // the replayed token is the real one
    expect(
      (await gql(server.url, '{ viewer { roles } }', undefined, bearer(first.data!.staffLogin.token))).data!.viewer
        .roles,
    ).toEqual(['AGENT']);
    // without a key every call runs
    const third = await gql(server.url, STAFF_LOGIN, AGENT);
    tokens.push(third.data!.staffLogin.token);
    expect(third.data!.staffLogin.token).not.toBe(first.data!.staffLogin.token);
  });

  it('sends one SMS for a replayed code request (the one-time captcha is not spent twice)', async () => {
    const mobile = DEMO.wangFang.mobile;
    const sent = await outbox(mobile);
    const vars = {
      input: {
        idNumber: DEMO.wangFang.idNumber,
        accountType: 'FUTURES_BROKERAGE',
        ...(await solvedCaptcha(server.url)),
      },
    };
    const key = { 'idempotency-key': 'code-wangfang-1' };
    const first = await gql(server.url, REQUEST_CODE, vars, key);
    const second = await gql(server.url, REQUEST_CODE, vars, key);
    expect(first.errors).toBeUndefined();
    expect(second.headers.get('idempotency-replayed')).toBe('true');
    expect(second.data).toEqual(first.data);
    expect(await outbox(mobile)).toBe(sent + 1);
  });

  it('replays a refusal too (the first result, whatever it was)', async () => {
    const key = { 'idempotency-key': 'bad-password-1' };
    const first = await gql(server.url, STAFF_LOGIN, { u: 'agent01', p: 'wrong-password' }, key);
    const second = await gql(server.url, STAFF_LOGIN, { u: 'agent01', p: 'wrong-password' }, key);
    expect(codeOf(first)).toBe('INVALID_CREDENTIALS');
    expect(second.headers.get('idempotency-replayed')).toBe('true');
    expect(second.errors).toEqual(first.errors);
  });

  it('refuses the same key with other variables or another operation (IDEMPOTENCY_KEY_REUSED)', async () => {
    const key = { 'idempotency-key': 'reuse-1' };
    const first = await gql(server.url, STAFF_LOGIN, AGENT, key);
    tokens.push(first.data!.staffLogin.token);
    const other = await gql(server.url, STAFF_LOGIN, { u: 'agent02', p: 'Agent#2026' }, key);
    expect(other.status).toBe(422);
    expect(codeOf(other)).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(other.errors![0]!.message).toMatch(/幂等键/);
    expect(codeOf(await gql(server.url, 'mutation { createCaptcha { id } }', undefined, key))).toBe(
      'IDEMPOTENCY_KEY_REUSED',
    );
    // a reformatted document with the variables in another order is the same request
    const same = await gql(server.url, STAFF_LOGIN.replace(/\s+/g, '  '), { p: AGENT.p, u: AGENT.u }, key);
    expect(same.headers.get('idempotency-replayed')).toBe('true');
  });

  it('scopes keys per caller: another caller with the same key runs its own request', async () => {
    const key = { 'idempotency-key': 'shared-key' };
    const anonymous = await gql(server.url, 'mutation { createCaptcha { id } }', undefined, key);
    const staff = bearer(await loginStaff(server.url, 'review01', 'Review#2026'));
    tokens.push(staff.authorization.slice(7));
    const asStaff = await gql(server.url, 'mutation { createCaptcha { id } }', undefined, { ...key, ...staff });
    expect(asStaff.headers.get('idempotency-replayed')).toBeNull();
    expect(asStaff.data!.createCaptcha.id).not.toBe(anonymous.data!.createCaptcha.id);
    const again = await gql(server.url, 'mutation { createCaptcha { id } }', undefined, { ...key, ...staff });
    expect(again.data!.createCaptcha.id).toBe(asStaff.data!.createCaptcha.id);
  });

  it('forgets a key after 24 hours (app clock): it runs again', async () => {
    const key = { 'idempotency-key': 'expiring-1' };
    const first = await gql(server.url, 'mutation { createCaptcha { id } }', undefined, key);
    server.clock.advance(23 * 3_600_000);
    expect((await gql(server.url, 'mutation { createCaptcha { id } }', undefined, key)).data!.createCaptcha.id).toBe(
      first.data!.createCaptcha.id,
    );
    server.clock.advance(3_600_000 + 1000);
    const later = await gql(server.url, 'mutation { createCaptcha { id } }', undefined, key);
    expect(later.headers.get('idempotency-replayed')).toBeNull();
    expect(later.data!.createCaptcha.id).not.toBe(first.data!.createCaptcha.id);
    // an expired key may even be used for another operation
    const other = await gql(server.url, STAFF_LOGIN, AGENT, { 'idempotency-key': 'expiring-2' });
    tokens.push(other.data!.staffLogin.token);
    server.clock.advance(25 * 3_600_000);
    const reused = await gql(server.url, 'mutation { createCaptcha { id } }', undefined, {
      'idempotency-key': 'expiring-2',
    });
    expect(reused.data!.createCaptcha.id).toBeTruthy();
  });

  it('never runs two concurrent requests with the same key', async () => {
    const before = await sessionsOfAgent();
    const key = { 'idempotency-key': 'concurrent-1' };
    const all = await Promise.all(Array.from({ length: 6 }, () => gql(server.url, STAFF_LOGIN, AGENT, key)));
    const ran = all.filter((r) => r.data && r.headers.get('idempotency-replayed') === null);
    expect(ran).toHaveLength(1);
    tokens.push(ran[0]!.data!.staffLogin.token);
    for (const r of all) {
      if (r.data) expect(r.data).toEqual(ran[0]!.data);
      else {
        expect(r.status).toBe(409);
        expect(codeOf(r)).toBe('IDEMPOTENCY_KEY_IN_USE');
      }
    }
    expect(await sessionsOfAgent()).toBe(before + 1);
  });

  it('ignores the header on queries and refuses a malformed key on mutations', async () => {
    const q = await gql(server.url, '{ broker(code: "DEMO") { code } }', undefined, {
      'idempotency-key': 'x'.repeat(300),
    });
    expect(q.data!.broker.code).toBe('DEMO');
    expect(q.headers.get('idempotency-replayed')).toBeNull();
    const bad = await gql(server.url, 'mutation { createCaptcha { id } }', undefined, {
      'idempotency-key': 'x'.repeat(256),
    });
    expect(bad.status).toBe(400);
    expect(codeOf(bad)).toBe('BAD_USER_INPUT');
    const ok = await gql(server.url, 'mutation { createCaptcha { id } }', undefined, {
      'idempotency-key': 'x'.repeat(255),
    });
    expect(ok.data!.createCaptcha.id).toBeTruthy();
  });
});
