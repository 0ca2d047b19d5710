import { DEMO, bearer, gql, loginStaff, startTestServer, type TestServer } from '../../testing/harness';

const codeOf = (res: { errors?: { extensions?: { code?: string } }[] }) => res.errors?.[0]?.extensions?.code;
const CREATE =
  'mutation ($i: CreateApiKeyInput!) { createApiKey(input: $i) { key apiKey { id name prefix scopes lastUsedAt revokedAt } } }';
const LIST = '{ apiKeys { id name prefix scopes lastUsedAt revokedAt } }';
const REQUEST_CODE = 'mutation ($i: RequestLoginCodeInput!) { requestLoginCode(input: $i) { maskedPhone } }';

let server: TestServer;
let admin: { authorization: string };
beforeAll(async () => {
  server = await startTestServer('postgresql');
  admin = bearer(await loginStaff(server.url, 'admin01', 'Admin#2026'));
});
afterAll(() => server?.close());

async function captcha(): Promise<{ captchaId: string; captchaAnswer: string }> {
  const id = (await gql(server.url, 'mutation { createCaptcha { id } }')).data!.createCaptcha.id as string;
  const { answer } = (await (await fetch(`${server.url}/dev/captcha/${id}`)).json()) as { answer: string };
  return { captchaId: id, captchaAnswer: answer };
}

describe('partner API keys', () => {
  it('are created by broker admins, shown once, stored hashed, listed with last use, and revoked at once', async () => {
    const created = (await gql(server.url, CREATE, { i: { name: '合作方 App', scopes: ['LOGIN', 'EVENTS'] } }, admin))
      .data!.createApiKey;
    expect(created.key).toMatch(/^kh_[A-Za-z0-9_-]{43}$/);
    expect(created.apiKey).toMatchObject({
      name: '合作方 App',
      prefix: created.key.slice(0, 12),
      scopes: ['LOGIN', 'EVENTS'],
      lastUsedAt: null,
      revokedAt: null,
    });
    // only the hash is kept
    const rows = await server.db.sql.query<Record<string, unknown>>('select * from api_keys where id = $1', [
      created.apiKey.id,
    ]);
    expect(JSON.stringify(rows)).not.toContain(created.key);
    expect(rows[0]!.key_hash).toMatch(/^[0-9a-f]{64}$/);
    // the list never shows the key
    const listed = (await gql(server.url, LIST, {}, admin)).data!.apiKeys;
    expect(listed.find((k: { id: string }) => k.id === created.apiKey.id)).toEqual({ ...created.apiKey });
    expect(JSON.stringify(listed)).not.toContain(created.key);

    // the key works: a partner logs a demo customer in (LOGIN scope); its use is recorded
    const key = bearer(created.key);
    expect((await gql(server.url, '{ viewer { roles } }', {}, key)).data!.viewer.roles).toEqual(['PARTNER']);
    const asked = await gql(
      server.url,
      REQUEST_CODE,
      { i: { idNumber: DEMO.zhangWei.idNumber, accountType: 'FUTURES_BROKERAGE', ...(await captcha()) } },
      key,
    );
    expect(asked.errors).toBeUndefined();
    const used = (await gql(server.url, LIST, {}, admin)).data!.apiKeys.find(
      (k: { id: string }) => k.id === created.apiKey.id,
    );
    expect(used.lastUsedAt).not.toBeNull();

    // revoked: refused on the next request
    const revoked = (
      await gql(
        server.url,
        'mutation ($id: ID!) { revokeApiKey(id: $id) { revokedAt } }',
        { id: created.apiKey.id },
        admin,
      )
    ).data!.revokeApiKey;
    expect(revoked.revokedAt).not.toBeNull();
    const refused = await gql(server.url, '{ viewer { roles } }', {}, key);
    expect(refused.status).toBe(401);
    expect(codeOf(refused)).toBe('UNAUTHENTICATED');
    // the key is never logged
    expect(server.lines.join('\n')).not.toContain(created.key);
  });

  it('enforce scopes: a key without LOGIN cannot log customers in', async () => {
    const created = (await gql(server.url, CREATE, { i: { name: '只读事件', scopes: ['EVENTS'] } }, admin)).data!
      .createApiKey;
    const res = await gql(
      server.url,
      REQUEST_CODE,
      { i: { idNumber: DEMO.zhangWei.idNumber, accountType: 'FUTURES_BROKERAGE', ...(await captcha()) } },
      bearer(created.key),
    );
    expect(codeOf(res)).toBe('FORBIDDEN');
    expect(res.errors![0]!.message).toBe('该 API 密钥没有 LOGIN 权限');
    // …but may read events, and not manage webhooks
    const key = bearer(created.key);
    expect((await gql(server.url, '{ events(first: 1) { edges { cursor } } }', {}, key)).errors).toBeUndefined();
    const hooks = await gql(server.url, '{ webhooks { id } }', {}, key);
    expect(codeOf(hooks)).toBe('FORBIDDEN');
    expect(hooks.errors![0]!.message).toBe('该 API 密钥没有 WEBHOOKS 权限');
  });

  it('refuse bad input and other roles, and keep brokers apart', async () => {
    expect(codeOf(await gql(server.url, CREATE, { i: { name: '  ' } }, admin))).toBe('BAD_USER_INPUT');
    const bad = await gql(server.url, CREATE, { i: { name: 'x', scopes: ['EVERYTHING'] } }, admin);
    expect(codeOf(bad)).toBe('BAD_USER_INPUT');
    expect(bad.errors![0]!.message).toBe('未知的权限：EVERYTHING');
    const agent = bearer(await loginStaff(server.url, 'agent01', 'Agent#2026'));
    expect(codeOf(await gql(server.url, CREATE, { i: { name: 'x' } }, agent))).toBe('FORBIDDEN');
    expect(codeOf(await gql(server.url, LIST, {}, agent))).toBe('FORBIDDEN');
    expect(codeOf(await gql(server.url, LIST, {}))).toBe('UNAUTHENTICATED');
    expect(
      codeOf(
        await gql(
          server.url,
          'mutation { revokeApiKey(id: "00000000-0000-4000-8000-000000000000") { id } }',
          {},
          admin,
        ),
      ),
    ).toBe('NOT_FOUND');
    // the demo partner key of another broker is not in this admin's list and cannot be revoked by them
    const [other] = await server.db.sql.query<{ id: string }>(
      "select k.id from api_keys k join brokers b on b.id = k.broker_id where b.code <> 'DEMO' limit 1",
    );
    if (other)
      expect(
        codeOf(await gql(server.url, 'mutation ($id: ID!) { revokeApiKey(id: $id) { id } }', { id: other.id }, admin)),
      ).toBe('NOT_FOUND');
  });
});
