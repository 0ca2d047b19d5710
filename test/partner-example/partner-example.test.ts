/**
 * Runs the example partner integration (partner-example.ts) against a real Kaihu on PostgreSQL in
 * demo mode, with the demo partner key: the captcha answer and SMS code come from the `/dev`
 * pages, the photos are synthetic, the certificate is made as a browser would (WebCrypto +
 * node-forge), and the broker's agent (agent01, over the API) answers the video witness.
 */
import { generateBrowserKeyPair, makeCsr, signDetached } from '../../api/src/modules/certificates/testing';
import { makeIdPhoto, makeSignaturePhoto } from '../../api/src/modules/documents/testing';
import {
  DEMO,
  WITNESS_CHECKLIST,
  bearer,
  gql,
  lastCode,
  loginStaff,
  startTestServer,
  type TestServer,
} from '../../api/src/testing/harness';
import { runPartnerExample } from './partner-example';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer('postgresql');
});
afterAll(() => server?.close());

it('logs a demo customer in through the partner key, runs 修改其他信息 to submission, and follows the broker’s events', async () => {
  const person = DEMO.zhangWei;
  const keys = await generateBrowserKeyPair();
  const photos = {
    front: (await makeIdPhoto({ side: 'FRONT' })).jpeg,
    back: (await makeIdPhoto({ side: 'BACK' })).jpeg,
    signature: (await makeSignaturePhoto()).jpeg,
  };

  // the broker's agent answers the witness queue of the customer's branch
  const agent = bearer(await loginStaff(server.url, 'agent01', 'Agent#2026'));
  let witnessed = 0;
  let stop = false;
  const answering = (async () => {
    while (!stop) {
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

  const steps: string[] = [];
  try {
    const result = await runPartnerExample({
      url: server.url,
      partnerKey: DEMO.partnerKey,
      customer: { idNumber: person.idNumber, accountType: 'FUTURES_BROKERAGE' },
      solveCaptcha: async ({ id }) =>
        ((await (await fetch(`${server.url}/dev/captcha/${id}`)).json()) as { answer: string }).answer,
      readSmsCode: async (masked) => {
        expect(masked).toBe(`${person.mobile.slice(0, 3)}****${person.mobile.slice(7)}`);
        return lastCode(server.url, person.mobile);
      },
      photos,
      certificate: {
        csr: async (name) => makeCsr(keys, name),
        sign: (certPem, payload) => signDetached(keys, certPem, payload),
      },
      log: (line) => steps.push(line),
    });
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
    expect(witnessed).toBe(1);
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
    const [demoKey] = await server.db.sql.query<{ id: string }>(
      "select id from api_keys where prefix = 'kh_demo_part'",
    );
    expect(sessions.map((k) => k.api_key_id)).toEqual([demoKey!.id]);
    await result.close();
  } finally {
    stop = true;
    await answering;
  }
}, 120_000);
