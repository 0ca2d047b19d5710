import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { Client } from 'pg';
import { ManualClock, type SettableClock } from '../common/clock';
import { createLogger, type Logger } from '../common/logger';
import { loadConfig, type KaihuConfig } from '../config';
import { startServer, type KaihuServer } from '../server';

/** PostgreSQL server the integration tests create their databases on. */
export const PG_ADMIN_URL = process.env.KAIHU_TEST_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** Creates a fresh, uniquely named PostgreSQL database; `drop()` removes it. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `kaihu_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const admin = new Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`create database "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    async drop() {
      const c = new Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      try {
        await c.query(`drop database if exists "${name}" with (force)`);
      } finally {
        await c.end();
      }
    },
  };
}

export function tempDir(prefix = 'kaihu-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** A logger whose JSON lines the test can read (to prove what is never logged). */
export function captureLogger(level: KaihuConfig['logLevel'] = 'debug'): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      cb();
    },
  });
  return { logger: createLogger(level, sink), lines };
}

export type DbKind = 'postgresql' | 'pglite';

export interface TestServer extends KaihuServer {
  clock: SettableClock;
  lines: string[];
  /** Stops the server and removes its database or data directory. */
  close(): Promise<void>;
}

/**
 * Boots the real server in-process on a random port, against a fresh PostgreSQL database or a
 * fresh PGlite directory, in demo mode, with a pinned clock (a Monday, 10:00 in Shanghai).
 */
export async function startTestServer(
  kind: DbKind,
  opts: { env?: Record<string, string>; clock?: SettableClock; wsAuthCheckMs?: number; databaseUrl?: string } = {},
): Promise<TestServer> {
  const clock = opts.clock ?? new ManualClock('2026-11-23T02:00:00Z');
  const { logger, lines } = captureLogger();
  // a second node on another test server's database: that server owns (and drops) it
  const db = kind === 'postgresql' && !opts.databaseUrl ? await createTestDatabase() : null;
  const dataDir = tempDir();
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    KAIHU_DATA_DIR: dataDir,
    KAIHU_DEMO: '1',
    LOG_LEVEL: 'debug',
    KAIHU_SHUTDOWN_TIMEOUT_MS: '2000',
    // most tests drive the witness queue without cameras; tests with real media turn this back on
    KAIHU_WITNESS_REQUIRE_RECORDING: 'false',
    // every test logs its people in from 127.0.0.1: generous rate limits unless a test sets its own
    KAIHU_RATE_CODE_PER_IP: '100000',
    KAIHU_RATE_CODE_PER_KEY: '100000',
    KAIHU_RATE_LOGIN_PER_IP: '100000',
    KAIHU_RATE_LOGIN_PER_KEY: '100000',
    ...(db ? { DATABASE_URL: db.url } : {}),
    ...(opts.databaseUrl ? { DATABASE_URL: opts.databaseUrl } : {}),
    ...opts.env,
  });
  let server: KaihuServer;
  try {
    server = await startServer({ config, clock, logger, wsAuthCheckMs: opts.wsAuthCheckMs });
  } catch (e) {
    await db?.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
    throw e;
  }
  return Object.assign(server, {
    clock,
    lines,
    async close() {
      await server.stop();
      await db?.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  });
}

export interface GqlResponse<T = Record<string, unknown>> {
  status: number;
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string } & Record<string, unknown>; path?: unknown }[];
  headers: Headers;
}

/** POSTs a GraphQL operation as JSON. */
export async function gql<T = Record<string, any>>(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<GqlResponse<T>> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: T; errors?: GqlResponse['errors'] };
  return { status: res.status, data: body.data, errors: body.errors, headers: res.headers };
}

/** A fresh captcha and its answer (demo mode). */
export async function solvedCaptcha(url: string): Promise<{ captchaId: string; captchaAnswer: string }> {
  const res = await gql(url, 'mutation { createCaptcha { id image expiresAt } }');
  const id = res.data!.createCaptcha.id as string;
  const answer = ((await (await fetch(`${url}/dev/captcha/${id}`)).json()) as { answer: string }).answer;
  return { captchaId: id, captchaAnswer: answer };
}

/** The newest code sent to a mobile, from the demo outbox. */
export async function lastCode(url: string, mobile: string): Promise<string> {
  const rows = (await (await fetch(`${url}/dev/outbox?to=${mobile}`)).json()) as { code?: string }[];
  if (!rows[0]?.code) throw new Error(`no code sent to ${mobile}`);
  return rows[0].code;
}

export const REQUEST_CODE = `mutation ($input: RequestLoginCodeInput!) { requestLoginCode(input: $input) { maskedPhone expiresAt resendAfter } }`;
export const LOGIN = `mutation ($input: LoginInput!) { login(input: $input) { token expiresAt viewer { id roles customer { id accountType } } } }`;

/** Runs the whole customer login (captcha, SMS code from the outbox) and returns the token. */
export async function loginCustomer(
  server: { url: string; clock: SettableClock },
  who: { idNumber: string; mobile: string; accountType?: string },
  headers: Record<string, string> = {},
): Promise<string> {
  const accountType = who.accountType ?? 'FUTURES_BROKERAGE';
  server.clock.advance(61_000); // past any earlier code's resend wait
  const requested = await gql(
    server.url,
    REQUEST_CODE,
    { input: { idNumber: who.idNumber, accountType, ...(await solvedCaptcha(server.url)) } },
    headers,
  );
  if (requested.errors) throw new Error(JSON.stringify(requested.errors));
  const code = await lastCode(server.url, who.mobile);
  const res = await gql(server.url, LOGIN, { input: { idNumber: who.idNumber, accountType, code } }, headers);
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  return res.data!.login.token as string;
}

export const REQUEST_PROSPECT_CODE = `mutation ($input: RequestProspectCodeInput!) { requestProspectCode(input: $input) { maskedPhone expiresAt resendAfter } }`;
export const PROSPECT_LOGIN = `mutation ($input: ProspectLoginInput!) { prospectLogin(input: $input) { token expiresAt viewer { id roles } } }`;

/** The version of a broker's current 《隐私政策》, as the login page reads it before login. */
export async function privacyPolicyVersion(url: string, brokerCode = 'DEMO'): Promise<number> {
  const res = await gql(url, 'query ($b: String!) { privacyPolicy(brokerCode: $b) { version } }', { b: brokerCode });
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  return res.data!.privacyPolicy.version as number;
}

/** A person who is not yet a customer logs in with a mobile (captcha, SMS code, 隐私政策 consent). */
export async function loginProspect(
  server: { url: string; clock: SettableClock },
  mobile: string,
  brokerCode = 'DEMO',
  headers: Record<string, string> = {},
): Promise<string> {
  server.clock.advance(61_000); // past any earlier code's resend wait
  const requested = await gql(
    server.url,
    REQUEST_PROSPECT_CODE,
    { input: { brokerCode, mobile, ...(await solvedCaptcha(server.url)) } },
    headers,
  );
  if (requested.errors) throw new Error(JSON.stringify(requested.errors));
  const code = await lastCode(server.url, mobile);
  const res = await gql(
    server.url,
    PROSPECT_LOGIN,
    { input: { brokerCode, mobile, code, privacyPolicyVersion: await privacyPolicyVersion(server.url, brokerCode) } },
    headers,
  );
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  return res.data!.prospectLogin.token as string;
}

/** Uploads one photo through GraphQL multipart (graphql-multipart-request-spec). */
export async function uploadDocument(
  url: string,
  token: string,
  ticketId: string,
  kind: string,
  bytes: Buffer,
  filename = 'photo.jpg',
  mime = 'image/jpeg',
): Promise<GqlResponse<{ uploadDocument: { id: string; kind: string; adjustments: string[] } }>> {
  const form = new FormData();
  form.append(
    'operations',
    JSON.stringify({
      query:
        'mutation ($t: ID!, $k: DocumentKind!, $f: Upload!) { uploadDocument(ticketId: $t, kind: $k, file: $f) { id kind adjustments } }',
      variables: { t: ticketId, k: kind, f: null },
    }),
  );
  form.append('map', JSON.stringify({ 0: ['variables.f'] }));
  form.append('0', new Blob([new Uint8Array(bytes)], { type: mime }), filename);
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    body: form,
    headers: { ...bearer(token), 'apollo-require-preflight': 'true' },
  });
  const body = (await res.json()) as { data?: any; errors?: GqlResponse['errors'] };
  return { status: res.status, data: body.data, errors: body.errors, headers: res.headers };
}

export async function loginStaff(url: string, username: string, password: string): Promise<string> {
  const res = await gql(
    url,
    'mutation ($u: String!, $p: String!) { staffLogin(username: $u, password: $p) { token } }',
    { u: username, p: password },
  );
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  return res.data!.staffLogin.token as string;
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** Demo people (the values of shared/fixtures/demo.json). */
export const DEMO = {
  zhangWei: { idNumber: '110105198506123411', mobile: '13800138000', name: '张伟' },
  liNa: { idNumber: '310115199003052724', mobile: '13912345678', name: '李娜' },
  wangFang: { idNumber: '42010619920211005X', mobile: '15011112222', name: '王芳' },
  chenQiang: { idNumber: '440306197811201534', mobile: '18655556666', name: '陈强' },
  zhaoMin: { idNumber: '330102198808089118', mobile: '13700001111', name: '赵敏' },
  /** 开立期货账户 applicants (demo.json's prospects): not customers anywhere */
  chenChen: { idNumber: '330106199407151232', mobile: '13700001111', name: '陈晨', gender: 'MALE' },
  linJing: { idNumber: '440305199603022462', mobile: '13700002222', name: '林静', gender: 'FEMALE' },
  /** born 1950: above the demo broker's age limit (18–70) */
  zhouGuoqiang: { idNumber: '320102195001010012', mobile: '13700003333', name: '周国强', gender: 'MALE' },
  notCustomer: '510107197512316677',
  badChecksum: '110105198506123412',
  underage: '110108200901010010',
  partnerKey: 'kh_demo_partner_DEMO_0000000000000000',
} as const;

/** Polls `probe` every 50 ms until it gives a truthy value (returned), for up to `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | null | undefined | false>,
  timeoutMs = 15_000,
): Promise<T> {
  for (const end = Date.now() + timeoutMs; Date.now() < end;) {
    const v = await probe();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Every item of the agent's checklist (what a PASSED witness needs). */
export const WITNESS_CHECKLIST = ['IDENTITY_MATCHES_ID_CARD', 'ID_CARD_SHOWN', 'AGENT_IDENTIFIED', 'RISKS_EXPLAINED'];

/**
 * A real video-witness pass through the API: the customer joins the branch queue, an agent of the
 * ticket's broker (agent01 in 北京, agent02 in 上海) claims them and completes with PASSED.
 * Throws if somebody else was ahead in the queue.
 */
export async function passWitness(server: KaihuServer, customerToken: string, ticketId: string): Promise<void> {
  const join = await gql(
    server.url,
    'mutation ($t: ID!) { joinWitnessQueue(ticketId: $t) { id state } }',
    { t: ticketId },
    bearer(customerToken),
  );
  if (!join.data) throw new Error(`joinWitnessQueue: ${JSON.stringify(join.errors)}`);
  const [t] = await server.db.sql.query<{ branch_id: string; broker_id: string }>(
    'select branch_id, broker_id from tickets where id = $1',
    [ticketId],
  );
  const agents = () =>
    server.db.sql.query<{ username: string }>(
      `select username from staff_users where broker_id = $1 and (branch_id = $2 or branch_id is null) and roles @> '["AGENT"]'::jsonb and not disabled order by branch_id nulls last, username limit 1`,
      [t!.broker_id, t!.branch_id],
    );
  let [agent] = await agents();
  if (!agent) {
    // the demo has no agent for this broker (DEMO-HOURS): a test agent of the branch
    await server.services.auth.ensureStaff(server.db.orm.em.fork() as never, {
      username: `agent-${t!.branch_id.slice(0, 8)}`,
      password: 'Agent#2026',
      displayName: '测试坐席',
      roles: ['AGENT'],
      brokerId: t!.broker_id,
      branchId: t!.branch_id,
      licenseNo: 'F3049999',
    });
    [agent] = await agents();
  }
  const token = bearer(await loginStaff(server.url, agent!.username, 'Agent#2026'));
  const claim = await gql(
    server.url,
    'mutation ($b: ID!) { claimNextCustomer(branchId: $b) { id ticket { id } } }',
    { b: t!.branch_id },
    token,
  );
  const session = claim.data?.claimNextCustomer as { id: string; ticket: { id: string } } | null | undefined;
  if (session?.ticket.id !== ticketId) throw new Error(`claimNextCustomer gave ${JSON.stringify(claim)}`);
  const done = await gql(
    server.url,
    'mutation ($s: ID!, $i: WitnessOutcomeInput!) { completeWitness(sessionId: $s, input: $i) { outcome } }',
    { s: session.id, i: { outcome: 'PASSED', checklist: WITNESS_CHECKLIST } },
    token,
  );
  if (done.data?.completeWitness?.outcome !== 'PASSED') throw new Error(`completeWitness: ${JSON.stringify(done)}`);
}

/**
 * Starts a ticket of `business` for the person and brings it to VIDEO_WITNESS: the steps before it
 * (documents, information) are completed through the ticket service with fixture data.
 */
export async function ticketAtWitness(
  server: KaihuServer & { clock: SettableClock },
  person: { idNumber: string; mobile: string; accountType?: string },
  business = 'UPDATE_OTHER_INFO',
): Promise<{ token: string; ticketId: string }> {
  const token = await loginCustomer(server, person);
  const started = await gql(
    server.url,
    'mutation ($b: BusinessType!) { startTicket(business: $b) { id } }',
    { b: business },
    bearer(token),
  );
  if (!started.data) throw new Error(JSON.stringify(started.errors));
  const ticketId = started.data.startTicket.id as string;
  const em = server.db.orm.em.fork() as never;
  const [row] = await server.db.sql.query<{ customer_id: string; steps: string }>(
    'select customer_id, steps::text as steps from tickets where id = $1',
    [ticketId],
  );
  const actor = { kind: 'CUSTOMER' as const, id: row!.customer_id };
  const ticket = await server.services.tickets.getOwn(
    em,
    { kind: 'CUSTOMER', id: row!.customer_id, customerId: row!.customer_id, applicantId: row!.customer_id } as never,
    ticketId,
  );
  for (const step of (JSON.parse(row!.steps) as { kind: string }[]).map((s) => s.kind)) {
    if (step === 'VIDEO_WITNESS') break;
    await server.services.tickets.completeStep(em, ticket, step as never, { fixture: true }, actor);
  }
  return { token, ticketId };
}
