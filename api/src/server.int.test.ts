import fs from 'node:fs';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { loadConfig } from './config';
import { DataDirInUseError } from './db/lock';
import { startServer } from './server';
import { captureLogger, gql, startTestServer, tempDir, type DbKind, type TestServer } from './testing/harness';

describe.each<DbKind>(['postgresql', 'pglite'])('the server on %s', (kind) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(kind);
  });
  afterAll(() => server?.close());

  it('answers /healthz after pinging the database', async () => {
    const res = await fetch(`${server.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok', database: kind });
  });

  it('applies migrations that match the entities exactly (no schema drift)', async () => {
    const diff = await server.db.orm.schema.getUpdateSchemaSQL({ wrap: false, safe: false, dropTables: false });
    // plugins' tables (the local counter's) are not entities: the ORM would drop their foreign keys
    const entityTables = new Set(Object.values(server.db.orm.getMetadata().getAll()).map((m) => m.tableName));
    const ours = diff
      .split(/;\s*\n/)
      .map((s) => s.trim())
      .filter(Boolean)
      .filter((s) => {
        const table = /^alter table "([a-z_]+)"/.exec(s)?.[1];
        return !table || entityTables.has(table);
      });
    expect(ours.join(';\n')).toBe('');
    const rows = await server.db.sql.query<{ name: string }>('select name from kaihu_migrations order by id');
    const names = rows.map((r) => r.name);
    expect(names[0]).toBe('Migration20261122000000Foundation');
    expect(names.some((n) => n.startsWith('plugin_'))).toBe(true);
  });

  it('answers malformed GraphQL with a standard error and HTTP 400', async () => {
    const res = await gql(server.url, '{ broker(code: "DEMO") { name ');
    expect(res.status).toBe(400);
    expect(res.errors![0]!.extensions!.code).toBe('GRAPHQL_PARSE_FAILED');
    expect(res.errors![0]!.message).toMatch(/^GraphQL 语法错误/);
    const unknownField = await gql(server.url, '{ nothingHere }');
    expect(unknownField.status).toBe(400);
    expect(unknownField.errors![0]!.extensions!.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(unknownField.errors![0]!.message).toBe('类型 Query 没有字段 nothingHere');
  });

  it('gives every request an id, echoing a valid incoming one', async () => {
    const res = await fetch(`${server.url}/healthz`, { headers: { 'x-request-id': 'abc-123' } });
    expect(res.headers.get('x-request-id')).toBe('abc-123');
    const fresh = await fetch(`${server.url}/healthz`, { headers: { 'x-request-id': 'bad id with spaces' } });
    expect(fresh.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const logged = server.lines.map((l) => JSON.parse(l)).find((l) => l.requestId === 'abc-123' && l.msg === 'request');
    expect(logged).toMatchObject({ method: 'GET', path: '/healthz', status: 200 });
  });

  it('serves GraphQL over WebSocket (graphql-ws) on the same port and path', async () => {
    const client = createClient({
      url: server.url.replace('http', 'ws') + '/graphql',
      webSocketImpl: WebSocket,
      retryAttempts: 0,
    });
    try {
      const result = await new Promise<any>((resolve, reject) => {
        let value: unknown;
        client.subscribe(
          { query: '{ broker(code: "DEMO") { name branches { name } } }' },
          { next: (v) => (value = v), error: reject, complete: () => resolve(value) },
        );
      });
      expect(result.data.broker.name).toBe('开户云演示期货有限公司');
    } finally {
      await client.dispose();
    }
  });

  it('accepts GraphQL multipart requests (graphql-upload) with the CSRF preflight header', async () => {
    const form = new FormData();
    form.append(
      'operations',
      JSON.stringify({ query: 'query ($code: String!) { broker(code: $code) { code } }', variables: { code: 'DEMO' } }),
    );
    form.append('map', '{}');
    const ok = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      body: form,
      headers: { 'apollo-require-preflight': 'true' },
    });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ data: { broker: { code: 'DEMO' } } });
    const form2 = new FormData();
    form2.append('operations', JSON.stringify({ query: '{ broker(code: "DEMO") { code } }' }));
    form2.append('map', '{}');
    const blocked = await fetch(`${server.url}/graphql`, { method: 'POST', body: form2 });
    expect(blocked.status).toBe(400); // Apollo's CSRF guard
  });

  it('serves the demo SMS outbox in demo mode', async () => {
    await server.services.plugins.sms.send({ to: '13800138000', text: '【开户云】测试短信', purpose: 'TEST' });
    const res = await fetch(`${server.url}/dev/outbox`);
    expect(res.status).toBe(200);
    const rows = (await res.json()) as { to: string; text: string; createdAt: string }[];
    expect(rows[0]).toMatchObject({ to: '13800138000', text: '【开户云】测试短信' });
    expect(new Date(rows[0]!.createdAt).toString()).not.toBe('Invalid Date');
  });

  it('seeds demo staff with hashed passwords and the partner key hashed', async () => {
    const staff = await server.db.sql.query<{ username: string; password_hash: string; roles: string[] }>(
      'select username, password_hash, roles from staff_users order by username',
    );
    expect(staff.map((s) => s.username)).toEqual(['admin01', 'agent01', 'agent02', 'review01']);
    for (const s of staff) expect(s.password_hash).toMatch(/^scrypt\$/);
    expect(JSON.stringify(staff)).not.toContain('Agent#2026');
    const keys = await server.db.sql.query<{ key_hash: string }>('select key_hash from api_keys');
    expect(keys).toHaveLength(1);
    expect(keys[0]!.key_hash).toMatch(/^[0-9a-f]{64}$/);
    const customers = await server.db.sql.query<{ n: number }>('select count(*)::int as n from counter_customers');
    expect(customers[0]!.n).toBe(5);
  });
});

describe('outside demo mode', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer('postgresql', { env: { KAIHU_DEMO: '0' } });
  });
  afterAll(() => server?.close());

  it('has no /dev pages and no demo data', async () => {
    expect((await fetch(`${server.url}/dev/outbox`)).status).toBe(404);
    const staff = await server.db.sql.query('select * from staff_users');
    expect(staff).toHaveLength(0);
    // brokers come from the BrokerPack in every mode
    const res = await gql(server.url, '{ broker(code: "DEMO") { name } }');
    expect(res.data!.broker.name).toBe('开户云演示期货有限公司');
  });
});

describe('the embedded data directory', () => {
  it('refuses a second instance on the same directory instead of corrupting it', async () => {
    const dir = tempDir();
    const config = loadConfig({ PORT: '0', KAIHU_DATA_DIR: dir, LOG_LEVEL: 'silent' });
    const first = await startServer({ config, logger: captureLogger('silent').logger });
    try {
      await expect(startServer({ config, logger: captureLogger('silent').logger })).rejects.toBeInstanceOf(
        DataDirInUseError,
      );
      await expect(startServer({ config, logger: captureLogger('silent').logger })).rejects.toThrow(
        /data directory in use/,
      );
      expect((await fetch(`${first.url}/healthz`)).status).toBe(200);
    } finally {
      await first.stop();
    }
    // after a clean stop the directory can be opened again, with its data
    const again = await startServer({ config, logger: captureLogger('silent').logger });
    try {
      const res = await gql(again.url, '{ broker(code: "DEMO") { name } }');
      expect(res.data!.broker.name).toBe('开户云演示期货有限公司');
    } finally {
      await again.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
