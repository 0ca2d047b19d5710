import { getIntrospectionQuery } from 'graphql';
import WebSocket from 'ws';
import { DEMO, REQUEST_CODE, gql, startTestServer, type TestServer } from '../testing/harness';

const codeOf = (res: { errors?: { extensions?: { code?: string } }[] }) => res.errors?.[0]?.extensions?.code;

/** `{ a { a { … } } }` nested `n` deep (the guard measures before validation). */
const nested = (n: number): string => '{ ' + 'a { '.repeat(n - 1) + 'a' + ' }'.repeat(n - 1) + ' }';

/** Sends one operation over a fresh graphql-ws socket; resolves with the first `next` payload or the `error` payload. */
async function overWs(
  server: TestServer,
  payload: { query: string; variables?: Record<string, unknown> },
  headers: Record<string, string> = {},
): Promise<{ type: string; payload: any }> {
  const ws = new WebSocket(server.url.replace('http', 'ws') + '/graphql', 'graphql-transport-ws', { headers });
  try {
    return await new Promise((resolve, reject) => {
      ws.on('error', reject);
      ws.on('open', () => ws.send(JSON.stringify({ type: 'connection_init', payload: {} })));
      ws.on('message', (m) => {
        const msg = JSON.parse(String(m));
        if (msg.type === 'connection_ack') ws.send(JSON.stringify({ id: '1', type: 'subscribe', payload }));
        else if (msg.id === '1' && (msg.type === 'next' || msg.type === 'error'))
          resolve({ type: msg.type, payload: msg.payload });
      });
    });
  } finally {
    ws.close();
  }
}

async function post(server: TestServer, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as any };
}

const BAD_CAPTCHA = { captchaId: '00000000-0000-4000-8000-000000000000', captchaAnswer: 'xxxx' };
const requestCode = (server: TestServer, headers: Record<string, string>) =>
  gql(
    server.url,
    REQUEST_CODE,
    { input: { idNumber: DEMO.zhangWei.idNumber, accountType: 'FUTURES_BROKERAGE', ...BAD_CAPTCHA } },
    headers,
  );

describe('abuse limits (default configuration)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer('postgresql');
  });
  afterAll(() => server?.close());

  it('refuses a 13-deep operation with QUERY_TOO_DEEP over HTTP and graphql-ws, before validation', async () => {
    const http = await gql(server.url, nested(13));
    expect(http.status).toBe(400);
    expect(http.errors).toHaveLength(1);
    expect(codeOf(http)).toBe('QUERY_TOO_DEEP');
    expect(http.errors![0]!.message).toMatch(/嵌套层级过深/);
    expect(http.errors![0]!.extensions).toMatchObject({ depth: 13, maxDepth: 12 });
    // 12 deep passes the guard (and then fails GraphQL validation: there is no field `a`)
    expect(codeOf(await gql(server.url, nested(12)))).toBe('GRAPHQL_VALIDATION_FAILED');

    const ws = await overWs(server, { query: nested(13) });
    expect(ws.type).toBe('error');
    expect(ws.payload[0].extensions.code).toBe('QUERY_TOO_DEEP');
    // fragments count where they are spread
    const viaFragment = `query { ...F } fragment F on Query { ${nested(13).slice(2, -2)} }`;
    expect(codeOf(await gql(server.url, viaFragment))).toBe('QUERY_TOO_DEEP');
  });

  it('refuses an expensive list query with QUERY_TOO_COMPLEX (first × selection), literal or variable', async () => {
    const q = 'query ($n: Int) { reviewQueue(first: $n) { edges { node { id acceptanceNo status steps { kind } } } } }';
    const big = await gql(server.url, q, { n: 1000 });
    expect(big.status).toBe(400);
    expect(codeOf(big)).toBe('QUERY_TOO_COMPLEX');
    expect(big.errors![0]!.extensions).toMatchObject({ maxComplexity: 10000 });
    expect(
      codeOf(
        await gql(
          server.url,
          '{ reviewQueue(first: 1000) { edges { node { id acceptanceNo status steps { kind } } } } }',
        ),
      ),
    ).toBe('QUERY_TOO_COMPLEX');
    // a sensible page runs (and is refused for the anonymous caller by the resolver, not the guard)
    expect(codeOf(await gql(server.url, q, { n: 20 }))).toBe('UNAUTHENTICATED');
    // the API's largest pages pass the guard: 500 partner events or 500 queue items with their fields
    expect(
      codeOf(
        await gql(
          server.url,
          '{ events(first: 500) { edges { cursor node { id seq type ticketId business status payload createdAt } } pageInfo { hasNextPage endCursor } } }',
        ),
      ),
    ).toBe('UNAUTHENTICATED');
    expect(
      codeOf(
        await gql(
          server.url,
          '{ branchQueue(branchId: "x", first: 500) { waiting items { customerName enqueuedAt waitingSeconds entry { id state position waiting estimatedWaitSeconds keptUntil } ticket { id status currentStep } } } }',
        ),
      ),
    ).toBe('UNAUTHENTICATED');
    const ws = await overWs(server, { query: q, variables: { n: 1000 } });
    expect(ws.payload[0].extensions.code).toBe('QUERY_TOO_COMPLEX');
  });

  it('lets introspection through (deep, but exempt) on HTTP and WebSocket', async () => {
    const http = await gql(server.url, getIntrospectionQuery());
    expect(http.errors).toBeUndefined();
    expect(http.data!.__schema.queryType.name).toBe('Query');
    const ws = await overWs(server, { query: getIntrospectionQuery() });
    expect(ws.type).toBe('next');
    expect(ws.payload.data.__schema.queryType.name).toBe('Query');
  });

  it('runs batches of up to 10 operations and refuses larger ones with BATCH_TOO_LARGE', async () => {
    const op = { query: '{ broker(code: "DEMO") { code } }' };
    const ok = await post(server, [op, op]);
    expect(ok.status).toBe(200);
    expect(ok.body.map((r: any) => r.data.broker.code)).toEqual(['DEMO', 'DEMO']);
    const big = await post(
      server,
      Array.from({ length: 11 }, () => op),
    );
    expect(big.status).toBe(400);
    expect(big.body.errors[0].extensions).toMatchObject({ code: 'BATCH_TOO_LARGE', size: 11, maxBatch: 10 });
    // each operation of a batch is measured
    const deep = await post(server, [op, { query: nested(13) }]);
    expect(deep.body.errors[0].extensions.code).toBe('QUERY_TOO_DEEP');
  });
});

describe('abuse limits (introspection off, no batching)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer('postgresql', { env: { KAIHU_INTROSPECTION: 'off', KAIHU_MAX_BATCH: '0' } });
  });
  afterAll(() => server?.close());

  it('refuses introspection on HTTP and WebSocket, while ordinary queries run', async () => {
    const http = await gql(server.url, '{ __schema { queryType { name } } }');
    expect(http.data).toBeUndefined();
    expect(codeOf(http)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(http.errors![0]!.message).toMatch(/introspection/i);
    const ws = await overWs(server, { query: '{ __type(name: "Query") { name } }' });
    expect(ws.type).toBe('error');
    expect(ws.payload[0].message).toMatch(/introspection/i);
    expect(ws.payload[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    const plain = await overWs(server, { query: '{ broker(code: "DEMO") { code } }' });
    expect(plain.payload.data.broker.code).toBe('DEMO');
  });

  it('refuses any batch when KAIHU_MAX_BATCH=0', async () => {
    const op = { query: '{ broker(code: "DEMO") { code } }' };
    const res = await post(server, [op]);
    expect(res.status).toBe(400);
    expect(res.body.errors[0].extensions).toMatchObject({ code: 'BATCH_TOO_LARGE', maxBatch: 0 });
    expect(res.body.errors[0].message).toMatch(/不支持批量请求/);
  });
});

describe('rate limits of code requests and logins', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer('postgresql', {
      env: {
        KAIHU_TRUST_PROXY: 'loopback',
        KAIHU_RATE_CODE_PER_IP: '20',
        KAIHU_RATE_CODE_PER_KEY: '5',
        KAIHU_RATE_LOGIN_PER_IP: '3',
        KAIHU_RATE_WINDOW_SECONDS: '600',
      },
    });
  });
  afterAll(() => server?.close());

  it('refuses the 21st code request of one IP in the window with RATE_LIMITED and Retry-After; other IPs and later windows are unaffected', async () => {
    server.clock.set('2026-11-23T02:00:00Z'); // the start of a 10-minute window
    const ip = { 'x-forwarded-for': '203.0.113.7' };
    for (let i = 0; i < 20; i++) expect(codeOf(await requestCode(server, ip))).toBe('CAPTCHA_INVALID');
    server.clock.advance(60_000);
    const limited = await requestCode(server, ip);
    expect(limited.status).toBe(429);
    expect(codeOf(limited)).toBe('RATE_LIMITED');
    expect(limited.errors![0]!.message).toMatch(/请求过于频繁/);
    expect(limited.errors![0]!.extensions!.retryAfterSeconds).toBe(540);
    expect(limited.headers.get('retry-after')).toBe('540');
    // over graphql-ws from the same address too
    const ws = await overWs(
      server,
      {
        query: REQUEST_CODE,
        variables: { input: { idNumber: DEMO.zhangWei.idNumber, accountType: 'FUTURES_BROKERAGE', ...BAD_CAPTCHA } },
      },
      ip,
    );
    expect(ws.payload[0].extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: 540 });
    // another address, and a partner key from the same address, are not limited
    expect(codeOf(await requestCode(server, { 'x-forwarded-for': '203.0.113.8' }))).toBe('CAPTCHA_INVALID');
    expect(codeOf(await requestCode(server, { ...ip, authorization: `Bearer ${DEMO.partnerKey}` }))).toBe(
      'CAPTCHA_INVALID',
    );
    // queries are never limited
    expect((await gql(server.url, '{ broker(code: "DEMO") { code } }', undefined, ip)).data!.broker.code).toBe('DEMO');
    // the next window
    server.clock.advance(540_000);
    expect(codeOf(await requestCode(server, ip))).toBe('CAPTCHA_INVALID');
  });

  it('limits a partner API key on its own, whatever address it calls from', async () => {
    server.clock.set('2026-11-23T03:00:00Z');
    const key = { authorization: `Bearer ${DEMO.partnerKey}` };
    for (let i = 0; i < 5; i++)
      expect(codeOf(await requestCode(server, { ...key, 'x-forwarded-for': `198.51.100.${i}` }))).toBe(
        'CAPTCHA_INVALID',
      );
    const limited = await requestCode(server, { ...key, 'x-forwarded-for': '198.51.100.99' });
    expect(codeOf(limited)).toBe('RATE_LIMITED');
    expect(limited.headers.get('retry-after')).toBe('600');
    expect(codeOf(await requestCode(server, { 'x-forwarded-for': '198.51.100.99' }))).toBe('CAPTCHA_INVALID');
  });

  it('limits login and staffLogin attempts per IP', async () => {
    server.clock.set('2026-11-23T04:00:00Z');
    const ip = { 'x-forwarded-for': '192.0.2.1' };
    const staffLogin = (h: Record<string, string>) =>
      gql(
        server.url,
        'mutation { staffLogin(username: "agent01", password: "wrong-password") { token } }',
        undefined,
        h,
      );
    for (let i = 0; i < 3; i++) expect(codeOf(await staffLogin(ip))).toBe('INVALID_CREDENTIALS');
    expect(codeOf(await staffLogin(ip))).toBe('RATE_LIMITED');
    expect(codeOf(await staffLogin({ 'x-forwarded-for': '192.0.2.2' }))).toBe('INVALID_CREDENTIALS');
    const rows = await server.db.sql.query<{ bucket: string }>('select bucket from rate_limits where bucket like $1', [
      'login:%',
    ]);
    expect(rows.map((r) => r.bucket).sort()).toEqual(['login:ip:192.0.2.1', 'login:ip:192.0.2.2']);
  });

  it('ignores X-Forwarded-For without KAIHU_TRUST_PROXY', async () => {
    const plain = await startTestServer('postgresql', { env: { KAIHU_RATE_LOGIN_PER_IP: '1' } });
    try {
      const attempt = (xff: string) =>
        gql(
          plain.url,
          'mutation { staffLogin(username: "agent01", password: "wrong-password") { token } }',
          undefined,
          { 'x-forwarded-for': xff },
        );
      expect(codeOf(await attempt('192.0.2.10'))).toBe('INVALID_CREDENTIALS');
      expect(codeOf(await attempt('192.0.2.11'))).toBe('RATE_LIMITED'); // both counted against 127.0.0.1
    } finally {
      await plain.close();
    }
  });
});
