import { TOPICS } from '../../common/pubsub';
import { generateBrowserKeyPair, makeCsr, signDetached } from '../certificates/testing';
import {
  DEMO,
  bearer,
  gql,
  loginCustomer,
  passWitness,
  startTestServer,
  ticketAtWitness,
  type DbKind,
  type TestServer,
} from '../../testing/harness';

/**
 * 重新申请 at 签署协议 (the browser has no certificate, or the customer forgot its password):
 * reapplyCertificate puts a fresh witness and certificate before AGREEMENTS.
 */
const T = 'id status currentStep steps { kind done }';
const REAPPLY = `mutation ($t: ID!) { reapplyCertificate(ticketId: $t) { ${T} } }`;
const REQUEST =
  'mutation ($t: ID!, $c: String!) { requestCertificate(ticketId: $t, csrPem: $c) { pem serialNumber status } }';
const codeOf = (res: { errors?: { extensions?: { code?: string } }[] }) => res.errors?.[0]?.extensions?.code;

describe.each<DbKind>(['postgresql', 'pglite'])('reapplyCertificate on %s', (kind) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(kind);
  });
  afterAll(() => server?.close());

  async function certify(token: string, ticketId: string, name: string) {
    await passWitness(server, token, ticketId);
    const keys = await generateBrowserKeyPair();
    const res = await gql(server.url, REQUEST, { t: ticketId, c: makeCsr(keys, name) }, bearer(token));
    expect(res.errors).toBeUndefined();
    return { keys, cert: res.data!.requestCertificate as { pem: string; serialNumber: string; status: string } };
  }

  it('sends a ticket at AGREEMENTS back through the witness and a new certificate, then signs with it', async () => {
    const { token, ticketId } = await ticketAtWitness(server, DEMO.zhangWei, 'RESET_PASSWORD');
    const auth = bearer(token);
    const notYet = await gql(server.url, REAPPLY, { t: ticketId }, auth);
    expect(codeOf(notYet)).toBe('STEP_NOT_ALLOWED');
    expect(notYet.errors![0]!.message).toBe('当前应办理“视频见证”，只有在“签署协议”时才能重新申请数字证书');

    const first = await certify(token, ticketId, DEMO.zhangWei.name);
    // the change is announced once on the bus (the live ticketUpdated), after it was stored
    const updates = server.services.bus.subscribe(TOPICS.TICKET_UPDATED, ticketId)[Symbol.asyncIterator]();
    const next = updates.next(); // subscribes
    const res = await gql(server.url, REAPPLY, { t: ticketId }, auth);
    expect(res.errors).toBeUndefined();
    expect(res.data!.reapplyCertificate).toEqual({
      id: ticketId,
      status: 'IN_PROGRESS',
      currentStep: 'VIDEO_WITNESS',
      steps: [
        { kind: 'DOCUMENTS', done: true },
        { kind: 'OTHER_INFO', done: true },
        { kind: 'VIDEO_WITNESS', done: false },
        { kind: 'CERTIFICATE', done: false },
        { kind: 'AGREEMENTS', done: false },
        { kind: 'SUBMITTED', done: false },
      ],
    });
    const announced = await next;
    await updates.return?.();
    const stored = await server.services.tickets.getForSystem(server.db.orm.em.fork() as never, ticketId);
    const changes = [`${announced.value.id}:${stored.currentStep}`];
    expect(changes).toEqual([`${ticketId}:VIDEO_WITNESS`]);
    const trail = await gql(
      server.url,
      'query ($t: ID!) { ticket(id: $t) { events { actorKind action step before after } } }',
      { t: ticketId },
      auth,
    );
    const event = trail.data!.ticket.events.find((e: { action: string }) => e.action === 'CERTIFICATE_REAPPLIED');
    expect(event).toMatchObject({ actorKind: 'CUSTOMER', step: 'VIDEO_WITNESS' });
    expect(JSON.parse(event.before).currentStep).toBe('AGREEMENTS');

    // a certificate cannot be requested again before the new witness
    const early = await gql(
      server.url,
      REQUEST,
      { t: ticketId, c: makeCsr(await generateBrowserKeyPair(), DEMO.zhangWei.name) },
      auth,
    );
    expect(codeOf(early)).toBe('WITNESS_REQUIRED');

    const second = await certify(token, ticketId, DEMO.zhangWei.name);
    expect(second.cert.serialNumber).not.toBe(first.cert.serialNumber);
    const me = await gql(server.url, 'query { me { certificate { serialNumber status } } }', {}, auth);
    expect(me.data!.me.certificate).toEqual({ serialNumber: second.cert.serialNumber, status: 'VALID' });

    // the old key no longer signs (its certificate was superseded); the new one does
    const { ticket } = (
      await gql(
        server.url,
        'query ($t: ID!) { ticket(id: $t) { currentStep agreements { agreement { id } signingPayload } } }',
        { t: ticketId },
        auth,
      )
    ).data!;
    expect(ticket.currentStep).toBe('AGREEMENTS');
    const sign = (k: typeof first) =>
      gql(
        server.url,
        'mutation ($t: ID!, $s: [AgreementSignatureInput!]!) { signAgreements(ticketId: $t, signatures: $s) { currentStep } }',
        {
          t: ticketId,
          s: ticket.agreements.map((a: { agreement: { id: string }; signingPayload: string }) => ({
            agreementId: a.agreement.id,
            signature: signDetached(k.keys, k.cert.pem, Buffer.from(a.signingPayload, 'base64')).toString('base64'),
          })),
        },
        auth,
      );
    expect(codeOf(await sign(first))).toBe('SIGNATURE_INVALID');
    const signed = await sign(second);
    expect(signed.errors).toBeUndefined();
    expect(signed.data!.signAgreements.currentStep).toBe('SUBMITTED');
    expect(codeOf(await gql(server.url, REAPPLY, { t: ticketId }, auth))).toBe('STEP_NOT_ALLOWED');
  });

  it('adds the witness and certificate to a business that skipped them (certificate valid, but not in this browser)', async () => {
    // 王芳 gets a certificate through one business, then starts another that needs none
    const { token, ticketId } = await ticketAtWitness(server, DEMO.wangFang, 'RESET_PASSWORD');
    await certify(token, ticketId, DEMO.wangFang.name);
    const auth = bearer(await loginCustomer(server, DEMO.wangFang));
    const started = await gql(server.url, `mutation { startTicket(business: UPDATE_ID_VALIDITY) { ${T} } }`, {}, auth);
    const other = started.data!.startTicket;
    expect(other.steps.map((s: { kind: string }) => s.kind)).toEqual([
      'DOCUMENTS',
      'ID_VALIDITY',
      'AGREEMENTS',
      'SUBMITTED',
    ]);
    const [row] = await server.db.sql.query<{ customer_id: string }>('select customer_id from tickets where id = $1', [
      other.id,
    ]);
    const em = server.db.orm.em.fork() as never;
    const owner = {
      kind: 'CUSTOMER',
      id: row!.customer_id,
      customerId: row!.customer_id,
      applicantId: row!.customer_id,
    } as never;
    const entity = await server.services.tickets.getOwn(em, owner, other.id);
    for (const step of ['DOCUMENTS', 'ID_VALIDITY'] as const)
      await server.services.tickets.completeStep(
        em,
        entity,
        step,
        { fixture: true },
        { kind: 'CUSTOMER', id: row!.customer_id },
      );

    // another customer cannot touch it
    const zhang = bearer(await loginCustomer(server, DEMO.zhangWei));
    expect(codeOf(await gql(server.url, REAPPLY, { t: other.id }, zhang))).toBe('NOT_FOUND');

    const res = await gql(server.url, REAPPLY, { t: other.id }, auth);
    expect(res.errors).toBeUndefined();
    expect(res.data!.reapplyCertificate.steps).toEqual([
      { kind: 'DOCUMENTS', done: true },
      { kind: 'ID_VALIDITY', done: true },
      { kind: 'VIDEO_WITNESS', done: false },
      { kind: 'CERTIFICATE', done: false },
      { kind: 'AGREEMENTS', done: false },
      { kind: 'SUBMITTED', done: false },
    ]);
    expect(res.data!.reapplyCertificate.currentStep).toBe('VIDEO_WITNESS');

    await gql(server.url, 'mutation ($t: ID!) { cancelTicket(ticketId: $t) { id } }', { t: other.id }, auth);
    const closed = await gql(server.url, REAPPLY, { t: other.id }, auth);
    expect(codeOf(closed)).toBe('TICKET_CLOSED');
    expect(closed.errors![0]!.message).toBe('该业务已取消，不能重新申请数字证书');
  });
});
