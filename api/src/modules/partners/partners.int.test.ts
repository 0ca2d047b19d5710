import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import {
  DEMO,
  bearer,
  gql,
  loginCustomer,
  loginStaff,
  passWitness,
  startTestServer,
  ticketAtWitness,
  waitFor,
  type TestServer,
} from '../../testing/harness';

jest.setTimeout(120_000);

const EVENT = 'id seq type ticketId business status payload createdAt';
const EVENTS = `query ($after: ID, $first: Int) { events(after: $after, first: $first) { edges { cursor node { ${EVENT} } } pageInfo { hasNextPage endCursor } } }`;
const CREATE_WEBHOOK =
  'mutation ($u: String!, $d: String) { createWebhook(url: $u, description: $d) { webhook { id url description } secret } }';
const DELIVERIES =
  'query ($w: ID!) { webhookDeliveries(webhookId: $w, first: 50) { id eventId attempt statusCode error durationMs ok at } }';
const partner = bearer(DEMO.partnerKey);

interface Ev {
  id: string;
  seq: number;
  type: string;
  ticketId: string;
  status: string;
  payload: Record<string, unknown>;
}

async function allEvents(server: TestServer, auth: Record<string, string>, after: string | null = null): Promise<Ev[]> {
  const out: Ev[] = [];
  for (let cursor = after; ;) {
    const res = await gql(server.url, EVENTS, { after: cursor, first: 2 }, auth);
    if (res.errors) throw new Error(JSON.stringify(res.errors));
    const conn = res.data!.events as {
      edges: { cursor: string; node: Ev }[];
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
    };
    out.push(...conn.edges.map((e) => e.node));
    for (const e of conn.edges) expect(e.cursor).toBe(String(e.node.seq));
    if (!conn.pageInfo.hasNextPage) return out;
    cursor = conn.pageInfo.endCursor;
  }
}

/** Steps between the witness and SUBMITTED (certificate, agreements) with fixture data, as the harness does before the witness. */
async function completeAfterWitness(server: TestServer, ticketId: string): Promise<void> {
  const [row] = await server.db.sql.query<{ customer_id: string }>('select customer_id from tickets where id = $1', [
    ticketId,
  ]);
  const em = server.db.orm.em.fork() as never;
  const viewer = {
    kind: 'CUSTOMER',
    id: row!.customer_id,
    customerId: row!.customer_id,
    applicantId: row!.customer_id,
  } as never;
  const ticket = await server.services.tickets.getOwn(em, viewer, ticketId);
  while (ticket.currentStep !== 'SUBMITTED') {
    await server.services.tickets.completeStep(
      em,
      ticket,
      ticket.currentStep,
      { fixture: true },
      { kind: 'CUSTOMER', id: row!.customer_id },
    );
  }
}

function eventsSubscription(server: TestServer, after: string | null, received: Ev[], errors: unknown[]): Client {
  const client = createClient({
    url: server.url.replace('http', 'ws') + '/graphql',
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${DEMO.partnerKey}` },
    retryAttempts: 0,
  });
  client.subscribe<{ events: { events: Ev[]; endCursor: string | null; caughtUp: boolean } }>(
    {
      query: `subscription ($after: ID) { events(after: $after) { events { ${EVENT} } endCursor caughtUp } }`,
      variables: { after },
    },
    {
      next: (r) => {
        if (r.errors) errors.push(r.errors);
        if (r.data) received.push(...r.data.events.events);
      },
      error: (e) => errors.push(e),
      complete: () => {},
    },
  );
  return client;
}

/** A webhook receiver on 127.0.0.1 answering 500 `failures` times per event, then 200. */
async function receiver(failures: number): Promise<{
  url: string;
  hits: { eventId: string; at: number; status: number; body: string; headers: http.IncomingHttpHeaders }[];
  close: () => Promise<void>;
}> {
  const hits: { eventId: string; at: number; status: number; body: string; headers: http.IncomingHttpHeaders }[] = [];
  const srv = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const eventId = String(req.headers['kaihu-event-id']);
      const status = hits.filter((h) => h.eventId === eventId).length < failures ? 500 : 200;
      hits.push({
        eventId,
        at: Date.now(),
        status,
        body: Buffer.concat(chunks).toString('utf8'),
        headers: req.headers,
      });
      res.statusCode = status;
      res.end(status === 200 ? 'ok' : 'try again');
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}/kaihu-hook`,
    hits,
    close: () => new Promise((r) => srv.close(() => r())),
  };
}

function verify(secret: string, header: string, body: string): boolean {
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
  if (!m) return false;
  return createHmac('sha256', secret).update(`${m[1]}.${body}`).digest('hex') === m[2];
}

describe('partner events and webhooks (PostgreSQL)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer('postgresql', { env: { KAIHU_WEBHOOK_RETRY_DELAY_S: '1' } });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('records status changes, witness and review outcomes with seq 1..n per broker, pages them, and scopes them to the broker', async () => {
    const { token, ticketId } = await ticketAtWitness(server, DEMO.zhangWei);
    await passWitness(server, token, ticketId);
    await completeAfterWitness(server, ticketId);
    // the harness's fixture data is no real change of the information page; the counter would refuse it
    await server.db.sql.query(`update tickets set data = data || '{"OTHER_INFO": {}}'::jsonb where id = $1`, [
      ticketId,
    ]);
    const submitted = await gql(
      server.url,
      'mutation ($t: ID!) { submitTicket(ticketId: $t) { status } }',
      { t: ticketId },
      bearer(token),
    );
    expect(submitted.data?.submitTicket.status).toBe('SUBMITTED');
    const reviewer = bearer(await loginStaff(server.url, 'review01', 'Review#2026'));
    const approved = await gql(
      server.url,
      'mutation ($t: ID!) { approveTicket(ticketId: $t, note: "资料核对无误") { status } }',
      { t: ticketId },
      reviewer,
    );
    expect(approved.errors).toBeUndefined();
    expect(approved.data?.approveTicket.status).toBe('APPROVED');

    // another broker's ticket and partner key
    const other = await loginCustomer(server, DEMO.zhaoMin);
    const otherTicket = await gql(
      server.url,
      'mutation { startTicket(business: UPDATE_OTHER_INFO) { id } }',
      {},
      bearer(other),
    );
    expect(otherTicket.errors).toBeUndefined();
    const [hours] = await server.db.sql.query<{ id: string }>(`select id from brokers where code = 'DEMO-HOURS'`);
    await server.services.auth.ensureApiKey(server.db.orm.em.fork() as never, {
      key: 'kh_test_partner_HOURS_000000000000',
      name: '测试合作方',
      brokerId: hours!.id,
    });

    const events = await allEvents(server, partner);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    const mine = events.filter((e) => e.ticketId === ticketId);
    expect(mine.map((e) => `${e.type}:${e.status}`)).toEqual([
      'TICKET_STATUS_CHANGED:IN_PROGRESS',
      'WITNESS_COMPLETED:IN_PROGRESS',
      'TICKET_STATUS_CHANGED:SUBMITTED',
      'REVIEW_COMPLETED:APPROVED',
      'TICKET_STATUS_CHANGED:APPROVED',
    ]);
    expect(mine[1]!.payload).toMatchObject({ outcome: 'PASSED' });
    expect(mine[4]!.payload).toMatchObject({
      from: 'SUBMITTED',
      to: 'APPROVED',
      action: 'APPROVED',
      actorKind: 'STAFF',
    });
    expect(events.some((e) => e.ticketId === otherTicket.data!.startTicket.id)).toBe(false);

    // paging from a cursor, and the broker admin sees the same
    expect((await allEvents(server, partner, '2')).map((e) => e.seq)).toEqual(events.slice(2).map((e) => e.seq));
    const admin = bearer(await loginStaff(server.url, 'admin01', 'Admin#2026'));
    expect((await allEvents(server, admin)).map((e) => e.id)).toEqual(events.map((e) => e.id));

    // the other broker's partner: its own seq 1, none of DEMO's
    const theirs = await allEvents(server, bearer('kh_test_partner_HOURS_000000000000'));
    expect(theirs.map((e) => [e.seq, e.ticketId])).toEqual([[1, otherTicket.data!.startTicket.id]]);

    // customers, agents and anonymous callers are refused; bad arguments too
    expect((await gql(server.url, EVENTS, {}, bearer(token))).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(
      (await gql(server.url, EVENTS, {}, bearer(await loginStaff(server.url, 'agent01', 'Agent#2026')))).errors?.[0]
        ?.extensions?.code,
    ).toBe('FORBIDDEN');
    expect((await gql(server.url, EVENTS, {})).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect((await gql(server.url, EVENTS, { first: 0 }, partner)).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(
      (await gql(server.url, '{ events(first: 501) { pageInfo { hasNextPage } } }', {}, partner)).errors?.[0]
        ?.extensions?.code,
    ).toBe('BAD_USER_INPUT');
    expect((await gql(server.url, EVENTS, { after: 'abc' }, partner)).errors?.[0]?.extensions?.code).toBe(
      'BAD_USER_INPUT',
    );
  });

  it('replays from `after`, goes live, and resumes after a dropped socket with no gap and no duplicate', async () => {
    const before = await allEvents(server, partner);
    const n = before.length;
    expect(n).toBeGreaterThan(2);
    const token = await loginCustomer(server, DEMO.wangFang);
    const start = async () => {
      const r = await gql(
        server.url,
        'mutation { startTicket(business: UPDATE_OTHER_INFO) { id } }',
        {},
        bearer(token),
      );
      if (r.errors) throw new Error(JSON.stringify(r.errors));
      return r.data!.startTicket.id as string;
    };
    const cancel = async (id: string) => {
      const r = await gql(
        server.url,
        'mutation ($t: ID!) { cancelTicket(ticketId: $t) { status } }',
        { t: id },
        bearer(token),
      );
      if (r.errors) throw new Error(JSON.stringify(r.errors));
    };

    // first connection: replay everything after seq 1, then one live event
    const received: Ev[] = [];
    const errors: unknown[] = [];
    const first = eventsSubscription(server, '1', received, errors);
    await waitFor('the replay', async () => received.length >= n - 1);
    const t1 = await start(); // n+1, live
    await waitFor('a live event', async () => received.some((e) => e.seq === n + 1));
    await first.dispose(); // the socket drops mid-stream
    const lastSeen = String(received[received.length - 1]!.seq);

    // while disconnected
    await cancel(t1); // n+2
    const t2 = await start(); // n+3

    // resubscribe from the last seq seen: the missing ones, then live
    const second = eventsSubscription(server, lastSeen, received, errors);
    await waitFor('the missed events', async () => received.some((e) => e.seq === n + 3));
    await cancel(t2); // n+4, live
    await waitFor('the next live event', async () => received.some((e) => e.seq === n + 4));
    await new Promise((r) => setTimeout(r, 300)); // nothing else arrives
    await second.dispose();

    expect(errors).toEqual([]);
    expect(received.map((e) => e.seq)).toEqual(Array.from({ length: n + 3 }, (_, i) => i + 2));
    expect(received.slice(-4).map((e) => e.type)).toEqual([
      'TICKET_STATUS_CHANGED',
      'TICKET_STATUS_CHANGED',
      'TICKET_STATUS_CHANGED',
      'TICKET_STATUS_CHANGED',
    ]);
    expect(received.slice(-4).map((e) => e.status)).toEqual(['IN_PROGRESS', 'CANCELLED', 'IN_PROGRESS', 'CANCELLED']);
  });

  it('delivers signed webhooks, retried with backoff until 2xx, with a delivery log', async () => {
    const hook = await receiver(2);
    try {
      const created = await gql(server.url, CREATE_WEBHOOK, { u: hook.url, d: '测试回调' }, partner);
      expect(created.errors).toBeUndefined();
      const { webhook, secret } = created.data!.createWebhook as {
        webhook: { id: string; url: string };
        secret: string;
      };
      expect(secret).toMatch(/^whsec_/);
      expect(server.lines.some((l) => l.includes(secret))).toBe(false);
      expect((await gql(server.url, '{ webhooks { id url } }', {}, partner)).data!.webhooks).toEqual([
        { id: webhook.id, url: hook.url },
      ]);

      const token = await loginCustomer(server, DEMO.wangFang);
      const started = await gql(
        server.url,
        'mutation { startTicket(business: UPDATE_OTHER_INFO) { id } }',
        {},
        bearer(token),
      );
      const ticketId = started.data!.startTicket.id as string;
      const [event] = (await allEvents(server, partner))
        .filter((e) => e.ticketId === ticketId && e.status === 'IN_PROGRESS')
        .slice(-1);
      expect(event).toBeDefined();

      const ok = await waitFor(
        'the webhook to succeed',
        async () => hook.hits.find((h) => h.eventId === event!.id && h.status === 200),
        30_000,
      );
      const hits = hook.hits.filter((h) => h.eventId === event!.id);
      expect(hits.map((h) => h.status)).toEqual([500, 500, 200]);
      for (const h of hits) expect(verify(secret, String(h.headers['kaihu-signature']), h.body)).toBe(true);
      expect(verify('whsec_wrong', String(ok.headers['kaihu-signature']), ok.body)).toBe(false);
      expect(JSON.parse(ok.body)).toMatchObject({
        id: event!.id,
        seq: event!.seq,
        type: 'TICKET_STATUS_CHANGED',
        ticketId,
        status: 'IN_PROGRESS',
      });
      expect(ok.headers['content-type']).toBe('application/json');

      const log = await waitFor('the delivery log', async () => {
        const r = await gql(server.url, DELIVERIES, { w: webhook.id }, partner);
        const rows = (r.data?.webhookDeliveries ?? []).filter((d: { eventId: string }) => d.eventId === event!.id) as {
          attempt: number;
          statusCode: number;
          ok: boolean;
          at: string;
          error: string | null;
        }[];
        return rows.length === 3 ? rows : null;
      });
      const attempts = [...log].sort((a, b) => a.attempt - b.attempt);
      expect(attempts.map((d) => [d.attempt, d.statusCode, d.ok])).toEqual([
        [1, 500, false],
        [2, 500, false],
        [3, 200, true],
      ]);
      expect(attempts[0]!.error).toBe('HTTP 500');
      const at = attempts.map((d) => new Date(d.at).getTime());
      const gaps = [at[1]! - at[0]!, at[2]! - at[1]!];
      console.log(`webhook attempts at +0 ms, +${gaps[0]} ms, +${gaps[0]! + gaps[1]!} ms (retry delay 1 s, backoff)`);
      expect(gaps[0]).toBeGreaterThanOrEqual(900); // first retry: 1–2 s (+ polling)
      expect(gaps[1]).toBeGreaterThanOrEqual(1900); // second retry: 2–4 s (+ polling)

      // another broker's partner cannot see it; deleting stops it being listed
      expect(
        (await gql(server.url, DELIVERIES, { w: webhook.id }, bearer('kh_test_partner_HOURS_000000000000'))).errors?.[0]
          ?.extensions?.code,
      ).toBe('NOT_FOUND');
      expect(
        (await gql(server.url, 'mutation ($id: ID!) { deleteWebhook(id: $id) }', { id: webhook.id }, partner)).data!
          .deleteWebhook,
      ).toBe(true);
      expect((await gql(server.url, '{ webhooks { id } }', {}, partner)).data!.webhooks).toEqual([]);
    } finally {
      await hook.close();
    }
  });

  it('accepts only HTTPS endpoints (plain http to 127.0.0.1/localhost in demo mode only)', async () => {
    const code = async (u: string) => (await gql(server.url, CREATE_WEBHOOK, { u }, partner)).errors?.[0];
    expect((await code('http://example.com/hook'))?.extensions?.code).toBe('BAD_USER_INPUT');
    expect((await code('ftp://127.0.0.1/hook'))?.extensions?.code).toBe('BAD_USER_INPUT');
    expect((await code('not a url'))?.extensions?.code).toBe('BAD_USER_INPUT');
    const config = server.services.partners.config as { demo: boolean };
    config.demo = false;
    try {
      const refused = await code('http://127.0.0.1:9/hook');
      expect(refused?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(refused?.message).toBe('回调地址必须使用 HTTPS');
      const fine = await gql(server.url, CREATE_WEBHOOK, { u: 'https://partner.example.com/kaihu' }, partner);
      expect(fine.errors).toBeUndefined();
      await gql(
        server.url,
        'mutation ($id: ID!) { deleteWebhook(id: $id) }',
        { id: fine.data!.createWebhook.webhook.id },
        partner,
      );
    } finally {
      config.demo = true;
    }
    const customer = await loginCustomer(server, DEMO.zhangWei);
    expect(
      (await gql(server.url, CREATE_WEBHOOK, { u: 'https://partner.example.com/kaihu' }, bearer(customer))).errors?.[0]
        ?.extensions?.code,
    ).toBe('FORBIDDEN');
  });
});

describe('partner events and webhooks (PGlite)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer('pglite', { env: { KAIHU_WEBHOOK_RETRY_DELAY_S: '1' } });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('records events and delivers a webhook (in-process retries)', async () => {
    const hook = await receiver(1);
    try {
      const created = await gql(server.url, CREATE_WEBHOOK, { u: hook.url }, partner);
      expect(created.errors).toBeUndefined();
      const { webhook, secret } = created.data!.createWebhook as { webhook: { id: string }; secret: string };
      const token = await loginCustomer(server, DEMO.zhangWei);
      const started = await gql(
        server.url,
        'mutation { startTicket(business: UPDATE_OTHER_INFO) { id } }',
        {},
        bearer(token),
      );
      const ticketId = started.data!.startTicket.id as string;
      const events = await allEvents(server, partner);
      expect(events.map((e) => [e.seq, e.type, e.ticketId])).toEqual([[1, 'TICKET_STATUS_CHANGED', ticketId]]);
      const ok = await waitFor('the webhook', async () => hook.hits.find((h) => h.status === 200), 20_000);
      expect(verify(secret, String(ok.headers['kaihu-signature']), ok.body)).toBe(true);
      expect(ok.headers['kaihu-event-id']).toBe(events[0]!.id);
      const log = await waitFor('the delivery log', async () => {
        const rows = (await gql(server.url, DELIVERIES, { w: webhook.id }, partner)).data?.webhookDeliveries as
          { attempt: number; statusCode: number }[] | undefined;
        return rows?.length === 2 ? rows : null;
      });
      expect(log.map((d) => [d.attempt, d.statusCode])).toEqual([
        [2, 200],
        [1, 500],
      ]);
    } finally {
      await hook.close();
    }
  });
});
