import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { DEMO, bearer, gql, loginCustomer, startTestServer, type TestServer } from '../testing/harness';

/** Two API nodes on one database: a change made through one reaches subscribers of the other. */
describe.each([
  ['PostgreSQL LISTEN/NOTIFY', {}],
  ['Redis', { REDIS_URL: process.env.KAIHU_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379' }],
] as const)('subscriptions across nodes over %s', (_name, env) => {
  let a: TestServer;
  let b: TestServer;
  beforeAll(async () => {
    a = await startTestServer('postgresql', { env });
    b = await startTestServer('postgresql', { env, databaseUrl: a.config.databaseUrl!, clock: a.clock });
  });
  afterAll(async () => {
    await b?.stop();
    await a?.close();
  });

  it('delivers ticketUpdated to a subscriber on the other node', async () => {
    expect(((await (await fetch(`${a.url}/healthz`)).json()) as { events: string }).events).toBe(
      'REDIS_URL' in env ? 'redis' : 'postgresql',
    );
    const token = await loginCustomer(a, DEMO.wangFang);
    const ticket = (
      await gql(a.url, 'mutation { startTicket(business: UPDATE_OTHER_INFO) { id } }', undefined, bearer(token))
    ).data!.startTicket;
    const client = createClient({
      url: b.url.replace('http', 'ws') + '/graphql',
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${token}` },
      retryAttempts: 0,
    });
    const seen: string[] = [];
    const cancelled = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no CANCELLED on node B; saw ${seen.join(',')}`)), 10_000);
      client.subscribe(
        { query: 'subscription ($t: ID!) { ticketUpdated(ticketId: $t) { status } }', variables: { t: ticket.id } },
        {
          next: (v: any) => {
            seen.push(v.data.ticketUpdated.status);
            if (seen.length === 1)
              void gql(
                a.url,
                'mutation ($t: ID!) { cancelTicket(ticketId: $t) { id } }',
                { t: ticket.id },
                bearer(token),
              ); // on node A
            if (v.data.ticketUpdated.status === 'CANCELLED') {
              clearTimeout(timer);
              resolve();
            }
          },
          error: reject,
          complete: () => {},
        },
      );
    });
    await cancelled;
    expect(seen).toEqual(['IN_PROGRESS', 'CANCELLED']);
    await client.dispose();
  });

  if (!('REDIS_URL' in env)) {
    it('keeps delivering after the listening connection is killed (reconnect)', async () => {
      const killed = await a.db.sql.query<{ n: number }>(
        "select count(pg_terminate_backend(pid))::int as n from pg_stat_activity where datname = current_database() and application_name = 'kaihu-events'",
      );
      expect(killed[0]!.n).toBeGreaterThanOrEqual(1);
      await new Promise((r) => setTimeout(r, 1500)); // the listeners reconnect within 100–500 ms
      const token = await loginCustomer(a, DEMO.zhangWei);
      const ticket = (
        await gql(a.url, 'mutation { startTicket(business: UPDATE_CONTACT_PHONE) { id } }', undefined, bearer(token))
      ).data!.startTicket;
      const client = createClient({
        url: b.url.replace('http', 'ws') + '/graphql',
        webSocketImpl: WebSocket,
        connectionParams: { authorization: `Bearer ${token}` },
        retryAttempts: 0,
      });
      const statuses: string[] = [];
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no CANCELLED after reconnect; saw ${statuses.join(',')}`)),
          10_000,
        );
        client.subscribe(
          { query: 'subscription ($t: ID!) { ticketUpdated(ticketId: $t) { status } }', variables: { t: ticket.id } },
          {
            next: (v: any) => {
              statuses.push(v.data.ticketUpdated.status);
              if (statuses.length === 1)
                void gql(
                  a.url,
                  'mutation ($t: ID!) { cancelTicket(ticketId: $t) { id } }',
                  { t: ticket.id },
                  bearer(token),
                );
              if (v.data.ticketUpdated.status === 'CANCELLED') {
                clearTimeout(timer);
                resolve();
              }
            },
            error: reject,
            complete: () => {},
          },
        );
      });
      await client.dispose();
    });
  }
});
