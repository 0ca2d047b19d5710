/**
 * Runs the example partner integration (partner-example.ts) against a real Kaihu on PostgreSQL in
 * demo mode, with the demo partner key: the captcha answer and SMS code come from the `/dev`
 * pages, the photos are synthetic, the certificate is made as a browser would (WebCrypto +
 * node-forge), and the broker's agent (agent01, over the API) answers the video witness. The
 * account opening is then approved by the broker's reviewer (review01, over the API); the
 * exchanges answer the trading codes after the counter's delay on the server's pinned clock.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateBrowserKeyPair, makeCsr, signDetached } from '../../api/src/modules/certificates/testing';
import { makeBankCardPhoto, makeIdPhoto, makeSignaturePhoto } from '../../api/src/modules/documents/testing';
import {
  ICBC_CARD,
  SUITABILITY_ANSWERS,
  answers,
  identityInput,
  returnVisitAnswers,
} from '../../api/src/modules/opening/testing';
import {
  DEMO,
  WITNESS_CHECKLIST,
  bearer,
  gql,
  lastCode,
  loginStaff,
  solvedCaptcha,
  startTestServer,
  waitFor,
  type TestServer,
} from '../../api/src/testing/harness';
import { registerWebhook, runPartnerExample, runPartnerOpening, verifyWebhook } from './partner-example';

/** The counter's exchanges answer this long after the application (the local counter's default). */
const TRADING_CODE_DELAY_MS = 3000;

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer('postgresql', {
    env: {
      KAIHU_PLUGIN_COUNTER_OPTIONS: JSON.stringify({ tradingCodeDelayMs: TRADING_CODE_DELAY_MS }),
      KAIHU_WEBHOOK_RETRY_DELAY_S: '1',
    },
  });
});
afterAll(() => server?.close());

/** The broker's agent answers the witness queue of every branch with customers waiting. */
function answerWitnessQueue(): { witnessed: () => number; stop: () => Promise<void> } {
  let witnessed = 0;
  let stopped = false;
  const loop = (async () => {
    const agent = bearer(await loginStaff(server.url, 'agent01', 'Agent#2026'));
    while (!stopped) {
      const branches = await server.db.sql.query<{ branch_id: string }>(
        "select distinct branch_id from witness_queue_entries where state = 'WAITING'",
      );
      for (const b of branches) {
        const s = (
          await gql(
            server.url,
            'mutation ($b: ID!) { claimNextCustomer(branchId: $b) { id } }',
            { b: b.branch_id },
            agent,
          )
        ).data?.claimNextCustomer;
        if (s) {
          const done = await gql(
            server.url,
            'mutation ($s: ID!, $i: WitnessOutcomeInput!) { completeWitness(sessionId: $s, input: $i) { outcome } }',
            { s: s.id, i: { outcome: 'PASSED', checklist: WITNESS_CHECKLIST } },
            agent,
          );
          if (done.data?.completeWitness.outcome === 'PASSED') witnessed++;
        }
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  })();
  return {
    witnessed: () => witnessed,
    stop: async () => {
      stopped = true;
      await loop;
    },
  };
}

const masked = (mobile: string) => `${mobile.slice(0, 3)}****${mobile.slice(7)}`;
const readCaptcha = async ({ id }: { id: string }) =>
  ((await (await fetch(`${server.url}/dev/captcha/${id}`)).json()) as { answer: string }).answer;
const demoKeyId = async () =>
  (await server.db.sql.query<{ id: string }>("select id from api_keys where prefix = 'kh_demo_part'"))[0]!.id;

it('logs a demo customer in through the partner key, runs 修改其他信息 to submission, and follows the broker’s events', async () => {
  const person = DEMO.zhangWei;
  const keys = await generateBrowserKeyPair();
  const photos = {
    front: (await makeIdPhoto({ side: 'FRONT' })).jpeg,
    back: (await makeIdPhoto({ side: 'BACK' })).jpeg,
    signature: (await makeSignaturePhoto()).jpeg,
  };
  const agent = answerWitnessQueue();
  const steps: string[] = [];
  let close: (() => Promise<void>) | null = null;
  try {
    const result = await runPartnerExample({
      url: server.url,
      partnerKey: DEMO.partnerKey,
      customer: { idNumber: person.idNumber, accountType: 'FUTURES_BROKERAGE' },
      solveCaptcha: readCaptcha,
      readSmsCode: async (maskedPhone) => {
        expect(maskedPhone).toBe(masked(person.mobile));
        return lastCode(server.url, person.mobile);
      },
      photos,
      certificate: {
        csr: async (name) => makeCsr(keys, name),
        sign: (certPem, payload) => signDetached(keys, certPem, payload),
      },
      log: (line) => steps.push(line),
    });
    close = result.close;
    expect(result.status).toBe('SUBMITTED');
    expect(result.acceptanceNo).toMatch(/\S/);
    expect(steps.filter((l) => l.startsWith('at '))).toEqual([
      'at DOCUMENTS',
      'at OTHER_INFO',
      'at VIDEO_WITNESS',
      'at CERTIFICATE',
      'at AGREEMENTS',
      'at SUBMITTED',
    ]);
    expect(agent.witnessed()).toBe(1);
    // the partner's event stream saw its ticket start, pass the witness and be submitted, in order
    const mine = result.events.filter((e) => e.ticketId === result.ticketId).map((e) => `${e.type}:${e.status}`);
    expect(mine).toEqual([
      'TICKET_STATUS_CHANGED:IN_PROGRESS',
      'WITNESS_COMPLETED:IN_PROGRESS',
      'TICKET_STATUS_CHANGED:SUBMITTED',
    ]);
    const seqs = result.events.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
    // the session belongs to the partner's key
    const [ticket] = await server.db.sql.query<{ customer_id: string }>(
      'select customer_id from tickets where id = $1',
      [result.ticketId],
    );
    const sessions = await server.db.sql.query<{ api_key_id: string | null }>(
      'select api_key_id from sessions where customer_id = $1',
      [ticket!.customer_id],
    );
    expect(sessions.map((k) => k.api_key_id)).toEqual([await demoKeyId()]);
  } finally {
    await close?.();
    await agent.stop();
  }
}, 120_000);

it('opens a futures account for a prospect through the partner key, and hears of the account and the trading codes after the review', async () => {
  const person = DEMO.linJing;
  // a partner key opens accounts only at its own broker
  const elsewhere = await gql(
    server.url,
    'mutation ($i: RequestProspectCodeInput!) { requestProspectCode(input: $i) { maskedPhone } }',
    { i: { brokerCode: 'DEMO-HOURS', mobile: person.mobile, ...(await solvedCaptcha(server.url)) } },
    bearer(DEMO.partnerKey),
  );
  expect(elsewhere.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  expect(elsewhere.errors?.[0]?.message).toBe('合作方只能为本公司办理开户');

  // the partner's back end also takes the events on its own endpoint, signed
  const deliveries: { body: string; signature: string | undefined }[] = [];
  const endpoint = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      deliveries.push({
        body: Buffer.concat(chunks).toString('utf8'),
        signature: req.headers['kaihu-signature'] as string,
      });
      res.end('ok');
    });
  });
  await new Promise<void>((r) => endpoint.listen(0, '127.0.0.1', () => r()));
  const hook = await registerWebhook(
    server.url,
    DEMO.partnerKey,
    `http://127.0.0.1:${(endpoint.address() as AddressInfo).port}/kaihu`,
  );

  const keys = await generateBrowserKeyPair();
  const photos = {
    front: (await makeIdPhoto({ side: 'FRONT' })).jpeg,
    back: (await makeIdPhoto({ side: 'BACK' })).jpeg,
    signature: (await makeSignaturePhoto()).jpeg,
    bankCard: (await makeBankCardPhoto()).jpeg,
  };
  const agent = answerWitnessQueue();
  const steps: string[] = [];
  const warnings: { message: string; exchanges: string[] }[] = [];
  let policySeen: { title: string; version: number } | null = null;
  let close: (() => Promise<void>) | null = null;
  try {
    const result = await runPartnerOpening({
      url: server.url,
      partnerKey: DEMO.partnerKey,
      brokerCode: 'DEMO',
      mobile: person.mobile,
      branchName: '北京营业部',
      solveCaptcha: readCaptcha,
      readSmsCode: async (maskedPhone) => {
        expect(maskedPhone).toBe(masked(person.mobile));
        return lastCode(server.url, person.mobile);
      },
      agreePrivacyPolicy: async (policy) => {
        policySeen = { title: policy.title, version: policy.version };
        return policy.content.includes('个人信息');
      },
      photos,
      identity: identityInput(person),
      settlementAccounts: [{ bankCode: '102', cardNumber: ICBC_CARD, primary: true }],
      // 稳健型 (C3): the R4 exchanges do not match, and the applicant confirms going on
      answerSuitability: async (q) => {
        expect(q.questions).toHaveLength(19);
        return answers(SUITABILITY_ANSWERS.C3);
      },
      chooseExchanges: async (options) =>
        options.filter((x) => !x.unavailableReason && ['SHFE', 'DCE'].includes(x.exchange)).map((x) => x.exchange),
      confirmRiskMismatch: async (warning) => {
        warnings.push(warning);
        return true;
      },
      answerReturnVisit: async (q) => {
        expect(q.questions.map((x) => x.code)).toEqual(['Q1', 'Q2', 'Q3', 'Q4', 'Q5', 'Q6', 'Q7', 'Q8']);
        return returnVisitAnswers();
      },
      certificate: {
        csr: async (name) => makeCsr(keys, name),
        sign: (certPem, payload) => signDetached(keys, certPem, payload),
      },
      log: (line) => steps.push(line),
    });
    close = result.close;
    expect(policySeen).toEqual({ title: '隐私政策', version: 1 });
    expect(result.status).toBe('SUBMITTED');
    expect(result.acceptanceNo).toMatch(/^\d{16}$/);
    expect(result.exchanges).toEqual(['SHFE', 'DCE']);
    expect(steps.filter((l) => l.startsWith('at '))).toEqual([
      'at DOCUMENTS',
      'at IDENTITY',
      'at SETTLEMENT_ACCOUNT',
      'at SUITABILITY',
      'at EXCHANGES',
      'at VIDEO_WITNESS',
      'at CERTIFICATE',
      'at AGREEMENTS',
      'at RETURN_VISIT',
      'at SUBMITTED',
    ]);
    expect(steps).toContain('suitability C3（稳健型）');
    expect(warnings).toEqual([{ message: expect.stringMatching(/[\u4e00-\u9fff]/), exchanges: ['SHFE', 'DCE'] }]);
    expect(agent.witnessed()).toBe(1);
    // the prospect's session is the partner's, at the branch the applicant chose
    const [row] = await server.db.sql.query<{ prospect_id: string; branch: string }>(
      'select t.prospect_id, b.name as branch from tickets t join branches b on b.id = t.branch_id where t.id = $1',
      [result.ticketId],
    );
    expect(row!.branch).toBe('北京营业部');
    const sessions = await server.db.sql.query<{ api_key_id: string | null }>(
      'select api_key_id from sessions where prospect_id = $1',
      [row!.prospect_id],
    );
    expect(sessions.map((k) => k.api_key_id)).toEqual([await demoKeyId()]);

    // the broker's reviewer approves; the exchanges answer after the counter's delay
    const reviewer = bearer(await loginStaff(server.url, 'review01', 'Review#2026'));
    const approved = await gql(
      server.url,
      'mutation ($t: ID!) { approveTicket(ticketId: $t) { status accountNo } }',
      { t: result.ticketId },
      reviewer,
    );
    expect(approved.errors).toBeUndefined();
    expect(approved.data!.approveTicket).toEqual({ status: 'APPROVED', accountNo: expect.stringMatching(/^8\d{9}$/) });
    server.clock.advance(TRADING_CODE_DELAY_MS);
    const account = await result.account(30_000);
    expect(account.accountNo).toBe(approved.data!.approveTicket.accountNo);
    expect(account.tradingCodes).toEqual([
      { exchange: 'SHFE', status: 'ASSIGNED', code: expect.stringMatching(/^\d{8}$/) },
      { exchange: 'DCE', status: 'ASSIGNED', code: expect.stringMatching(/^\d{8}$/) },
    ]);
    // what the partner heard is what the broker holds
    const { ticket } = (
      await gql(
        server.url,
        'query ($t: ID!) { ticket(id: $t) { accountNo tradingCodes { exchange status code } } }',
        { t: result.ticketId },
        reviewer,
      )
    ).data!;
    expect(ticket.accountNo).toBe(account.accountNo);
    expect(ticket.tradingCodes).toEqual(
      expect.arrayContaining(
        account.tradingCodes.map((c) => ({ exchange: c.exchange, status: c.status, code: c.code })),
      ),
    );
    const mine = result.events.filter((e) => e.ticketId === result.ticketId);
    expect(mine.map((e) => `${e.type}:${e.status}`)).toEqual([
      'TICKET_STATUS_CHANGED:IN_PROGRESS',
      'WITNESS_COMPLETED:IN_PROGRESS',
      'TICKET_STATUS_CHANGED:SUBMITTED',
      // recorded as the counter opens the account, in the approval's transaction before the status changes
      'ACCOUNT_OPENED:SUBMITTED',
      'REVIEW_COMPLETED:APPROVED',
      'TICKET_STATUS_CHANGED:APPROVED',
      'TRADING_CODE_ANSWERED:APPROVED',
      'TRADING_CODE_ANSWERED:APPROVED',
    ]);
    expect(mine.every((e) => e.business === 'OPEN_FUTURES_ACCOUNT')).toBe(true);
    // payloads carry the broker's identifiers of the account, never the applicant's personal data
    const payloads = JSON.stringify(mine.map((e) => e.payload));
    for (const personal of [person.idNumber, person.mobile, person.name, ICBC_CARD])
      expect(payloads).not.toContain(personal);

    // the same events reached the partner's endpoint, signed with the endpoint's secret
    const delivered = await waitFor(
      'the webhooks of the account and both trading codes',
      async () => {
        const events = deliveries
          .map((d) => verifyWebhook(hook.secret, d.signature, d.body))
          .filter((e) => e?.ticketId === result.ticketId);
        const types = events.map((e) => e!.type);
        return types.includes('ACCOUNT_OPENED') && types.filter((t) => t === 'TRADING_CODE_ANSWERED').length === 2
          ? events
          : null;
      },
      30_000,
    );
    expect(delivered.find((e) => e!.type === 'ACCOUNT_OPENED')!.payload).toEqual({ accountNo: account.accountNo });
    expect(
      delivered
        .filter((e) => e!.type === 'TRADING_CODE_ANSWERED')
        .map((e) => e!.payload)
        .sort((a, b) => String(a.exchange).localeCompare(String(b.exchange))),
    ).toEqual(
      account.tradingCodes
        .map((c) => ({ exchange: c.exchange, status: c.status, code: c.code }))
        .sort((a, b) => a.exchange.localeCompare(b.exchange)),
    );
    // a delivery is only trusted with the right secret
    const any = deliveries[0]!;
    expect(verifyWebhook('whsec_not-the-secret', any.signature, any.body)).toBeNull();
    expect(verifyWebhook(hook.secret, any.signature, any.body.replace(/}$/, ',"x":1}'))).toBeNull();
  } finally {
    await close?.();
    await agent.stop();
    await new Promise<void>((r) => endpoint.close(() => r()));
  }
}, 120_000);
