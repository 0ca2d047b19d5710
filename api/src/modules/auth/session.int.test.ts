import { createHash } from 'node:crypto';
import WebSocket from 'ws';
import {
  DEMO,
  LOGIN,
  REQUEST_CODE,
  bearer,
  gql,
  lastCode,
  loginCustomer,
  loginStaff,
  solvedCaptcha,
  startTestServer,
  type DbKind,
  type TestServer,
} from '../../testing/harness';

const ME = `{ me { id accountType broker { code name } branch { name } profile {
  name idNumber idAddress idValidFrom idValidTo idLongTerm phone mobile province city address postalCode email
  education occupation taxResidency pepRelation investmentHorizon expectedReturn hasActualController
  beneficialOwnerIsSelf products badCreditRecords } } }`;
const VIEWER = '{ viewer { id roles customer { id accountType } } }';
const CUSTOMER = 'query ($id: ID!) { customer(id: $id) { id profile { name idNumber mobile } } }';

const codeOf = (res: { errors?: { extensions?: { code?: string } }[] }) => res.errors?.[0]?.extensions?.code;

/** Opens a graphql-ws socket with a token; resolves with the close code, or with the viewer if it stays open. */
function wsSession(url: string, token: string): { ws: WebSocket; closed: Promise<number>; acked: Promise<void> } {
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
  return { ws, closed, acked };
}

function wsQuery(ws: WebSocket, query: string): Promise<any> {
  return new Promise((resolve) => {
    const id = Math.random().toString(36).slice(2);
    const onMessage = (m: WebSocket.RawData) => {
      const msg = JSON.parse(String(m));
      if (msg.id === id && msg.type === 'next') {
        ws.off('message', onMessage);
        resolve(msg.payload);
      }
    };
    ws.on('message', onMessage);
    ws.send(JSON.stringify({ id, type: 'subscribe', payload: { query } }));
  });
}

describe.each<DbKind>(['postgresql', 'pglite'])('sessions, viewer and access on %s', (kind) => {
  let server: TestServer;
  const secrets: string[] = [];
  beforeAll(async () => {
    server = await startTestServer(kind, { wsAuthCheckMs: 100 });
  });
  afterAll(async () => {
    // No log line carries a code, password, token or a whole ID number or mobile.
    const log = server.lines.join('\n');
    for (const s of [
      ...secrets,
      'Agent#2026',
      'Review#2026',
      DEMO.zhangWei.idNumber,
      DEMO.zhangWei.mobile,
      DEMO.partnerKey,
    ]) {
      expect(log).not.toContain(s);
    }
    expect(server.lines.length).toBeGreaterThan(50);
    await server.close();
  });
  beforeEach(() => server.clock.advance(16 * 60_000));

  it('opens a session with a random 256-bit token stored only as its hash', async () => {
    await gql(server.url, REQUEST_CODE, {
      input: {
        idNumber: DEMO.zhangWei.idNumber,
        accountType: 'FUTURES_BROKERAGE',
        ...(await solvedCaptcha(server.url)),
      },
    });
    const code = await lastCode(server.url, DEMO.zhangWei.mobile);
    secrets.push(code);
    const res = await gql(server.url, LOGIN, {
      input: { idNumber: DEMO.zhangWei.idNumber, accountType: 'FUTURES_BROKERAGE', code },
    });
    const s = res.data!.login;
    secrets.push(s.token);
    expect(s.token).toMatch(/^[A-Za-z0-9_-]{43}$/); // 32 bytes, base64url
    expect(new Date(s.expiresAt).getTime()).toBe(server.clock.now().getTime() + 30 * 60_000);
    expect(s.viewer).toMatchObject({ roles: ['CUSTOMER'], customer: { accountType: 'FUTURES_BROKERAGE' } });
    const rows = await server.db.sql.query<{ token_hash: string }>('select token_hash from sessions');
    expect(rows.map((r) => r.token_hash)).toContain(createHash('sha256').update(s.token).digest('hex'));
    expect(JSON.stringify(rows)).not.toContain(s.token);
    const codes = await server.db.sql.query<{ code_hash: string }>('select code_hash from otp_codes');
    expect(JSON.stringify(codes)).not.toContain(`"${code}"`);
  });

  it('shows the customer their profile with ID number and mobile masked', async () => {
    const token = await loginCustomer(server, DEMO.zhangWei);
    secrets.push(token);
    const res = await gql(server.url, ME, undefined, bearer(token));
    expect(res.errors).toBeUndefined();
    expect(res.data!.me).toMatchObject({
      accountType: 'FUTURES_BROKERAGE',
      broker: { code: 'DEMO', name: '开户云演示期货有限公司' },
      branch: { name: '北京营业部' },
      profile: {
        name: '张伟',
        idNumber: '110105********3411',
        mobile: '138****8000',
        idAddress: '北京市朝阳区建国路88号',
        idValidFrom: '2015-06-01',
        idValidTo: '2035-06-01',
        idLongTerm: false,
        phone: null,
        province: '北京市',
        city: '北京市',
        address: '北京市朝阳区建国路88号院3号楼1201',
        postalCode: '100022',
        email: 'zhangwei@example.com',
        education: '本科',
        occupation: '专业技术人员',
        taxResidency: 'CHINA_ONLY',
        pepRelation: 'NONE',
        investmentHorizon: null,
        expectedReturn: null,
        hasActualController: null,
        beneficialOwnerIsSelf: null,
        products: [],
        badCreditRecords: [],
      },
    });
    const viewer = await gql(server.url, VIEWER, undefined, bearer(token));
    expect(viewer.data!.viewer).toMatchObject({ roles: ['CUSTOMER'], customer: { id: res.data!.me.id } });
  });

  it('shows a long-term ID as 长期 (idValidTo null) and a landline', async () => {
    const token = await loginCustomer(server, DEMO.wangFang);
    const res = await gql(server.url, ME, undefined, bearer(token));
    expect(res.data!.me.profile).toMatchObject({
      idValidTo: null,
      idLongTerm: true,
      phone: '010-62345678',
      idNumber: '420106********005X',
      taxResidency: 'CHINA_AND_OTHER',
    });
  });

  it('answers anonymous callers with null viewer and null me', async () => {
    const res = await gql(server.url, `{ viewer { id } me { id } }`);
    expect(res.data).toEqual({ viewer: null, me: null });
  });

  it('expires a session after 30 idle minutes', async () => {
    const token = await loginCustomer(server, DEMO.zhangWei);
    server.clock.advance(29 * 60_000);
    expect(codeOf(await gql(server.url, VIEWER, undefined, bearer(token)))).toBeUndefined(); // use extends it
    server.clock.advance(29 * 60_000);
    expect(codeOf(await gql(server.url, VIEWER, undefined, bearer(token)))).toBeUndefined();
    server.clock.advance(30 * 60_000 + 1000);
    const res = await gql(server.url, VIEWER, undefined, bearer(token));
    expect(res.status).toBe(401);
    expect(codeOf(res)).toBe('UNAUTHENTICATED');
    expect(res.errors![0]!.message).toBe('登录已超时，请重新登录');
  });

  it('ends a session 8 hours after login however active it is', async () => {
    const token = await loginCustomer(server, DEMO.zhangWei);
    for (let i = 0; i < 23; i++) {
      server.clock.advance(20 * 60_000); // 7 h 40 min in all
      expect(codeOf(await gql(server.url, VIEWER, undefined, bearer(token)))).toBeUndefined();
    }
    server.clock.advance(20 * 60_000);
    expect(codeOf(await gql(server.url, VIEWER, undefined, bearer(token)))).toBe('UNAUTHENTICATED');
  });

  it('revokes the token on logout', async () => {
    const token = await loginCustomer(server, DEMO.zhangWei);
    const out = await gql(server.url, 'mutation { logout }', undefined, bearer(token));
    expect(out.data!.logout).toBe(true);
    const res = await gql(server.url, VIEWER, undefined, bearer(token));
    expect(codeOf(res)).toBe('UNAUTHENTICATED');
    expect(res.errors![0]!.message).toContain('已失效');
    expect(codeOf(await gql(server.url, VIEWER, undefined, bearer('not-a-real-token-at-all')))).toBe('UNAUTHENTICATED');
  });

  describe('staff', () => {
    it('log in with a password; the session carries roles and broker', async () => {
      const token = await loginStaff(server.url, 'agent01', 'Agent#2026');
      secrets.push(token);
      const res = await gql(server.url, '{ viewer { id roles customer { id } } }', undefined, bearer(token));
      expect(res.data!.viewer).toMatchObject({ roles: ['AGENT'], customer: null });
      const [row] = await server.db.sql.query<{ roles: string[]; broker_id: string; kind: string }>(
        'select s.roles, s.broker_id, s.kind from sessions s join staff_users u on u.id = s.staff_id where u.username = $1',
        ['agent01'],
      );
      const [broker] = await server.db.sql.query<{ id: string }>("select id from brokers where code = 'DEMO'");
      expect(row).toMatchObject({ roles: ['AGENT'], broker_id: broker!.id, kind: 'STAFF' });
    });

    it('see themselves as viewer.staff, from staffLogin and from viewer; customers and anonymous callers get null', async () => {
      const STAFF = 'staff { id username displayName roles licenseNo disabled broker { code } branch { name } }';
      const login = await gql(
        server.url,
        `mutation { staffLogin(username: "agent02", password: "Agent#2026") { token viewer { id roles ${STAFF} } } }`,
      );
      expect(login.errors).toBeUndefined();
      const session = login.data!.staffLogin;
      secrets.push(session.token);
      expect(session.viewer.staff).toEqual({
        id: session.viewer.id,
        username: 'agent02',
        displayName: '孙磊',
        roles: ['AGENT'],
        licenseNo: 'F3040002',
        disabled: false,
        broker: { code: 'DEMO' },
        branch: { name: '上海营业部' },
      });
      const viewer = await gql(server.url, `{ viewer { id ${STAFF} } }`, undefined, bearer(session.token));
      expect(viewer.data!.viewer.staff).toEqual(session.viewer.staff);
      // a reviewer of every branch: branch null
      const review = await loginStaff(server.url, 'review01', 'Review#2026');
      const reviewer = await gql(server.url, `{ viewer { ${STAFF} } }`, undefined, bearer(review));
      expect(reviewer.data!.viewer.staff).toMatchObject({
        username: 'review01',
        displayName: '周静',
        roles: ['REVIEWER'],
        licenseNo: null,
        branch: null,
        broker: { code: 'DEMO' },
      });
      const customer = await loginCustomer(server, DEMO.zhangWei);
      expect(
        (await gql(server.url, '{ viewer { staff { id } customer { id } } }', undefined, bearer(customer))).data!
          .viewer,
      ).toMatchObject({ staff: null, customer: { id: expect.any(String) } });
      expect(
        (await gql(server.url, '{ viewer { staff { id } } }', undefined, bearer(DEMO.partnerKey))).data!.viewer,
      ).toEqual({ staff: null });
      expect((await gql(server.url, '{ viewer { staff { id } } }')).data!.viewer).toBeNull();
    });

    it('are locked for 15 minutes after 5 wrong passwords', async () => {
      const login = (p: string) =>
        gql(server.url, 'mutation ($p: String!) { staffLogin(username: "review01", password: $p) { token } }', { p });
      for (let i = 4; i >= 1; i--) {
        const res = await login('wrong');
        expect(codeOf(res)).toBe('INVALID_CREDENTIALS');
        expect(res.errors![0]!.message).toBe(`用户名或密码错误，还可尝试${i}次`);
      }
      expect(codeOf(await login('wrong'))).toBe('TOO_MANY_ATTEMPTS');
      expect(codeOf(await login('Review#2026'))).toBe('TOO_MANY_ATTEMPTS');
      server.clock.advance(15 * 60_000 + 1);
      expect(codeOf(await login('Review#2026'))).toBeUndefined();
      expect(
        codeOf(await gql(server.url, 'mutation { staffLogin(username: "nobody", password: "x") { token } }')),
      ).toBe('INVALID_CREDENTIALS');
    });

    it("of the same broker see a customer whole; other brokers' staff see nothing", async () => {
      const token = await loginCustomer(server, DEMO.zhangWei);
      const me = await gql(server.url, '{ me { id } }', undefined, bearer(token));
      const id = me.data!.me.id;
      const agent = await loginStaff(server.url, 'agent01', 'Agent#2026');
      const seen = await gql(server.url, CUSTOMER, { id }, bearer(agent));
      expect(seen.data!.customer.profile).toEqual({
        name: '张伟',
        idNumber: '110105198506123411',
        mobile: '13800138000',
      });
      // another broker's staff member
      const [hours] = await server.db.sql.query<{ id: string }>("select id from brokers where code = 'DEMO-HOURS'");
      await server.services.auth.ensureStaff(server.db.orm.em.fork() as never, {
        username: 'sz-agent',
        password: 'Shenzhen#2026',
        displayName: '深圳坐席',
        roles: ['AGENT'],
        brokerId: hours!.id,
        branchId: null,
      });
      const other = await loginStaff(server.url, 'sz-agent', 'Shenzhen#2026');
      expect((await gql(server.url, CUSTOMER, { id }, bearer(other))).data!.customer).toBeNull();
      // another customer
      const wang = await loginCustomer(server, DEMO.wangFang);
      expect((await gql(server.url, CUSTOMER, { id }, bearer(wang))).data!.customer).toBeNull();
      // the customer themself: masked
      expect((await gql(server.url, CUSTOMER, { id }, bearer(token))).data!.customer.profile.idNumber).toBe(
        '110105********3411',
      );
      // anonymous
      expect((await gql(server.url, CUSTOMER, { id })).data!.customer).toBeNull();
    });
  });

  describe('partners', () => {
    const partner = bearer(DEMO.partnerKey);

    it('authenticate with their API key (stored hashed) as PARTNER of their broker', async () => {
      const res = await gql(server.url, VIEWER, undefined, partner);
      expect(res.data!.viewer).toMatchObject({ roles: ['PARTNER'], customer: null });
      const [key] = await server.db.sql.query<{ last_used_at: Date | null }>('select last_used_at from api_keys');
      expect(key!.last_used_at).not.toBeNull();
    });

    it("run the login for their own broker's customers; the session is bound to that broker", async () => {
      const token = await loginCustomer(server, DEMO.zhangWei, partner);
      const [row] = await server.db.sql.query<{ api_key_id: string | null }>(
        'select api_key_id from sessions order by created_at desc limit 1',
      );
      expect(row!.api_key_id).not.toBeNull();
      const me = await gql(server.url, '{ me { broker { code } profile { idNumber } } }', undefined, bearer(token));
      expect(me.data!.me).toEqual({ broker: { code: 'DEMO' }, profile: { idNumber: '110105********3411' } });
      const seen = await gql(
        server.url,
        CUSTOMER,
        { id: (await gql(server.url, '{ me { id } }', undefined, bearer(token))).data!.me.id },
        partner,
      );
      expect(seen.data!.customer.profile.mobile).toBe('138****8000');
    });

    it("are refused another broker's customer with FORBIDDEN", async () => {
      const res = await gql(
        server.url,
        REQUEST_CODE,
        {
          input: {
            idNumber: DEMO.zhaoMin.idNumber,
            accountType: 'FUTURES_BROKERAGE',
            ...(await solvedCaptcha(server.url)),
          },
        },
        partner,
      );
      expect(codeOf(res)).toBe('FORBIDDEN');
      expect(res.errors![0]!.message).toMatch(/[\u4e00-\u9fa5]/);
      const login = await gql(
        server.url,
        LOGIN,
        { input: { idNumber: DEMO.zhaoMin.idNumber, accountType: 'FUTURES_BROKERAGE', code: '123456' } },
        partner,
      );
      expect(codeOf(login)).toBe('FORBIDDEN');
    });

    it('with a revoked key get UNAUTHENTICATED', async () => {
      const em = server.db.orm.em.fork() as never;
      const [hours] = await server.db.sql.query<{ id: string }>("select id from brokers where code = 'DEMO-HOURS'");
      const key = 'kh_test_revoked_0000000000000000';
      await server.services.auth.ensureApiKey(em, { key, name: 'revoked', brokerId: hours!.id });
      expect(codeOf(await gql(server.url, VIEWER, undefined, bearer(key)))).toBeUndefined();
      await server.db.sql.query('update api_keys set revoked_at = now() where name = $1', ['revoked']);
      expect(codeOf(await gql(server.url, VIEWER, undefined, bearer(key)))).toBe('UNAUTHENTICATED');
    });
  });

  describe('over graphql-ws', () => {
    it('accept the same token in connectionParams.authorization', async () => {
      const token = await loginCustomer(server, DEMO.zhangWei);
      const { ws, acked } = wsSession(server.url, token);
      await acked;
      const res = await wsQuery(ws, '{ viewer { roles } me { profile { name } } }');
      expect(res.data).toEqual({ viewer: { roles: ['CUSTOMER'] }, me: { profile: { name: '张伟' } } });
      ws.close();
    });

    it('close the socket with 4401 for an unknown or expired token', async () => {
      expect(await wsSession(server.url, 'not-a-real-token-at-all').closed).toBe(4401);
      const token = await loginCustomer(server, DEMO.zhangWei);
      const open = wsSession(server.url, token);
      await open.acked;
      server.clock.advance(31 * 60_000); // idle past 30 minutes: the sweep closes it
      expect(await open.closed).toBe(4401);
      expect(await wsSession(server.url, token).closed).toBe(4401);
    });

    it('count an open socket as activity: its session does not idle out while it stays open', async () => {
      const token = await loginCustomer(server, DEMO.zhangWei);
      const open = wsSession(server.url, token);
      await open.acked;
      let closed: number | null = null;
      void open.closed.then((c) => (closed = c));
      for (let i = 0; i < 4; i++) {
        server.clock.advance(20 * 60_000); // 80 minutes in all, 20 at a time, a sweep (100 ms) after each
        await new Promise((r) => setTimeout(r, 400));
      }
      expect(closed).toBeNull();
      const res = await wsQuery(open.ws, '{ viewer { roles } }');
      expect(res.data).toEqual({ viewer: { roles: ['CUSTOMER'] } });
      open.ws.close();
    });

    it('close the socket with 4403 when the session is revoked', async () => {
      const token = await loginCustomer(server, DEMO.zhangWei);
      const open = wsSession(server.url, token);
      await open.acked;
      await gql(server.url, 'mutation { logout }', undefined, bearer(token));
      expect(await open.closed).toBe(4403);
      expect(await wsSession(server.url, token).closed).toBe(4403);
    });
  });
});
