/**
 * The four seed businesses end to end over HTTP (and the ticketUpdated subscription over
 * WebSocket): login → photos → info page → (witness) → certificate made the browser's way →
 * agreements signed with CMS → submitted → reviewed. Each business once to APPROVED, and once
 * RETURNED, redone and resubmitted.
 */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { generateBrowserKeyPair, makeCsr, signDetached } from '../../api/src/modules/certificates/testing';
import { makeIdPhoto, makeSignaturePhoto } from '../../api/src/modules/documents/testing';
import {
  DEMO,
  bearer,
  gql,
  lastCode,
  loginCustomer,
  loginStaff,
  passWitness,
  startTestServer,
  type TestServer,
} from '../../api/src/testing/harness';

const T = 'id acceptanceNo business status currentStep reason returnedToStep steps { kind done }';
const codeOf = (res: { errors?: { extensions?: { code?: string } }[] }) => res.errors?.[0]?.extensions?.code;

type Person = {
  readonly idNumber: string;
  readonly mobile: string;
  readonly name: string;
  readonly accountType?: string;
};

interface Flow {
  token: string;
  ticketId: string;
  person: Person;
}

/** Mobiles changed by an approved 修改联系电话 (login codes go to the mobile on file). */
const mobiles = new Map<string, string>();

/** What each customer's browser keeps between tickets (the PKCS#12 in IndexedDB). */
const browsers = new Map<string, { keys: Awaited<ReturnType<typeof generateBrowserKeyPair>>; certPem: string }>();

let server: TestServer;
let photos: Buffer[];
let reviewer: Record<string, string>;

async function ok<T = any>(query: string, variables: Record<string, unknown>, token: string): Promise<T> {
  const res = await gql(server.url, query, variables, bearer(token));
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  return res.data as T;
}

async function uploadAll(flow: Flow): Promise<void> {
  const kinds = ['ID_CARD_FRONT', 'ID_CARD_BACK', 'SIGNATURE'];
  for (let i = 0; i < 3; i++) {
    const form = new FormData();
    form.append(
      'operations',
      JSON.stringify({
        query:
          'mutation ($t: ID!, $k: DocumentKind!, $f: Upload!) { uploadDocument(ticketId: $t, kind: $k, file: $f) { id } }',
        variables: { t: flow.ticketId, k: kinds[i], f: null },
      }),
    );
    form.append('map', JSON.stringify({ 0: ['variables.f'] }));
    form.append('0', new Blob([new Uint8Array(photos[i]!)], { type: 'image/jpeg' }), `${kinds[i]}.jpg`);
    const res = (await (
      await fetch(`${server.url}/graphql`, {
        method: 'POST',
        body: form,
        headers: { ...bearer(flow.token), 'apollo-require-preflight': 'true' },
      })
    ).json()) as any;
    if (res.errors) throw new Error(JSON.stringify(res.errors));
  }
  await ok(`mutation ($t: ID!) { completeDocuments(ticketId: $t) { id } }`, { t: flow.ticketId }, flow.token);
}

const INFO: Record<string, (flow: Flow, person: Person, variant: number) => Promise<void>> = {
  ID_VALIDITY: async (flow, _p, variant) => {
    await ok(
      `mutation ($t: ID!, $i: IdValidityInput!) { updateIdValidity(ticketId: $t, input: $i) { id } }`,
      {
        t: flow.ticketId,
        i:
          variant === 0
            ? { validFrom: '2020-03-01', validTo: '2040-03-01', longTerm: false }
            : { validFrom: '2020-03-01', longTerm: true },
      },
      flow.token,
    );
  },
  CONTACT_PHONE: async (flow, _p, variant) => {
    const mobile = variant === 0 ? '13600001234' : '13600005678';
    server.clock.advance(61_000); // past the resend wait of an earlier code
    await ok(
      `mutation ($t: ID!, $m: String!) { requestPhoneCode(ticketId: $t, mobile: $m) { maskedPhone } }`,
      { t: flow.ticketId, m: mobile },
      flow.token,
    );
    const code = await lastCode(server.url, mobile);
    await ok(
      `mutation ($t: ID!, $i: ContactPhoneInput!) { updateContactPhone(ticketId: $t, input: $i) { id } }`,
      { t: flow.ticketId, i: { phone: mobile, code } },
      flow.token,
    );
  },
  OTHER_INFO: async (flow, _p, variant) => {
    await ok(
      `mutation ($t: ID!, $i: OtherInfoInput!) { updateOtherInfo(ticketId: $t, input: $i) { id } }`,
      {
        t: flow.ticketId,
        i: {
          province: '上海市',
          city: '上海市',
          address: variant === 0 ? '上海市浦东新区世纪大道200号' : '上海市浦东新区世纪大道300号',
          postalCode: '200120',
          email: 'customer@example.com',
          education: '硕士',
          occupation: '企业管理人员',
          taxResidency: 'CHINA_ONLY',
          pepRelation: 'NONE',
          investmentHorizon: 'ONE_TO_5_YEARS',
          expectedReturn: 'STABLE',
          hasActualController: false,
          beneficialOwnerIsSelf: true,
          products: ['FUTURES_OPTIONS', 'ASSET_MANAGEMENT_PRODUCTS'],
          badCreditRecords: [],
        },
      },
      flow.token,
    );
  },
};

/** Walks the ticket from its current step to SUBMITTED. */
async function walk(flow: Flow, person: Person, variant = 0, stopAt: string | null = null): Promise<void> {
  for (let guard = 0; guard < 12; guard++) {
    const { ticket } = await ok(`query ($t: ID!) { ticket(id: $t) { ${T} } }`, { t: flow.ticketId }, flow.token);
    const step = ticket.currentStep as string;
    if (step === stopAt) return;
    if (step === 'DOCUMENTS') await uploadAll(flow);
    else if (INFO[step]) await INFO[step]!(flow, person, variant);
    else if (step === 'VIDEO_WITNESS') await passWitness(server, flow.token, flow.ticketId);
    else if (step === 'CERTIFICATE') {
      const keys = await generateBrowserKeyPair();
      const csrPem = makeCsr(keys, person.name);
      const { requestCertificate } = await ok(
        `mutation ($t: ID!, $c: String!) { requestCertificate(ticketId: $t, csrPem: $c) { pem status chainPem } }`,
        { t: flow.ticketId, c: csrPem },
        flow.token,
      );
      expect(requestCertificate.status).toBe('VALID');
      expect(requestCertificate.chainPem).toHaveLength(2);
      browsers.set(person.idNumber, { keys, certPem: requestCertificate.pem });
    } else if (step === 'AGREEMENTS') {
      const browser = browsers.get(person.idNumber);
      if (!browser) throw new Error('no certificate in this browser');
      const { ticket: t } = await ok(
        `query ($t: ID!) { ticket(id: $t) { agreements { agreement { id code title sha256 } signingPayload signedAt } } }`,
        { t: flow.ticketId },
        flow.token,
      );
      const signatures = t.agreements.map((a: { agreement: { id: string }; signingPayload: string }) => ({
        agreementId: a.agreement.id,
        signature: signDetached(browser.keys, browser.certPem, Buffer.from(a.signingPayload, 'base64')).toString(
          'base64',
        ),
      }));
      await ok(
        `mutation ($t: ID!, $s: [AgreementSignatureInput!]!) { signAgreements(ticketId: $t, signatures: $s) { id } }`,
        { t: flow.ticketId, s: signatures },
        flow.token,
      );
    } else if (step === 'SUBMITTED') {
      const { submitTicket } = await ok(
        `mutation ($t: ID!) { submitTicket(ticketId: $t) { ${T} } }`,
        { t: flow.ticketId },
        flow.token,
      );
      expect(submitTicket.status).toBe('SUBMITTED');
      return;
    } else throw new Error(`unexpected step ${step}`);
  }
  throw new Error('did not reach SUBMITTED');
}

async function start(person: Person, business: string): Promise<Flow> {
  const token = await loginCustomer(server, { ...person, mobile: mobiles.get(person.idNumber) ?? person.mobile });
  const { startTicket } = await ok(
    `mutation ($b: BusinessType!) { startTicket(business: $b) { ${T} } }`,
    { b: business },
    token,
  );
  return { token, ticketId: startTicket.id, person };
}

async function watch(
  token: string,
  ticketId: string,
): Promise<{ client: Client; updates: any[]; next: (pred: (t: any) => boolean) => Promise<any> }> {
  const client = createClient({
    url: server.url.replace('http', 'ws') + '/graphql',
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: 0,
  });
  const updates: any[] = [];
  const waiters: { pred: (t: any) => boolean; resolve: (t: any) => void }[] = [];
  client.subscribe(
    { query: `subscription ($t: ID!) { ticketUpdated(ticketId: $t) { ${T} } }`, variables: { t: ticketId } },
    {
      next: (v: any) => {
        const t = v.data?.ticketUpdated;
        if (!t) return;
        updates.push(t);
        for (const w of [...waiters])
          if (w.pred(t)) {
            waiters.splice(waiters.indexOf(w), 1);
            w.resolve(t);
          }
      },
      error: () => {},
      complete: () => {},
    },
  );
  // the subscription sends the ticket's current state first: once it is here, updates will follow
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('ticketUpdated did not start')), 10_000);
    waiters.push({ pred: () => true, resolve: () => (clearTimeout(timer), resolve()) });
  });
  return {
    client,
    updates,
    next: (pred) =>
      new Promise((resolve, reject) => {
        const seen = updates.find(pred);
        if (seen) return resolve(seen);
        const timer = setTimeout(
          () =>
            reject(
              new Error(`no matching ticketUpdated within 10 s; got ${JSON.stringify(updates.map((u) => u.status))}`),
            ),
          10_000,
        );
        waiters.push({ pred, resolve: (t) => (clearTimeout(timer), resolve(t)) });
      }),
  };
}

const PROFILE = `{ me { profile { idValidFrom idValidTo idLongTerm mobile phone address } } }`;

beforeAll(async () => {
  server = await startTestServer('postgresql');
  photos = [
    (await makeIdPhoto({ side: 'FRONT' })).jpeg,
    (await makeIdPhoto({ side: 'BACK' })).jpeg,
    (await makeSignaturePhoto()).jpeg,
  ];
  reviewer = bearer(await loginStaff(server.url, 'review01', 'Review#2026'));
});
afterAll(() => server?.close());

describe.each([
  ['UPDATE_ID_VALIDITY', DEMO.liNa],
  ['UPDATE_CONTACT_PHONE', DEMO.wangFang],
  ['UPDATE_OTHER_INFO', DEMO.zhangWei],
  ['RESET_PASSWORD', DEMO.zhangWei],
] as const)('%s', (business, person) => {
  it('runs from login to APPROVED; the counter changes only then, and the customer sees it live', async () => {
    const flow = await start(person, business);
    const before = (await ok(PROFILE, {}, flow.token)).me.profile;
    const live = await watch(flow.token, flow.ticketId);
    await walk(flow, person);
    // nothing reached the counter yet
    expect((await ok(PROFILE, {}, flow.token)).me.profile).toEqual(before);
    const proposed = (
      await ok(
        `query ($t: ID!) { ticket(id: $t) { proposedProfile { idValidTo idLongTerm mobile address } } }`,
        { t: flow.ticketId },
        flow.token,
      )
    ).ticket.proposedProfile;
    // the reviewer sees it in the queue, with a diff
    const queue = (
      await gql(server.url, `{ reviewQueue { totalCount edges { node { id status } } } }`, undefined, reviewer)
    ).data!.reviewQueue;
    expect(queue.edges.map((e: { node: { id: string } }) => e.node.id)).toContain(flow.ticketId);
    const detail = (
      await gql(
        server.url,
        `query ($t: ID!) { ticket(id: $t) { steps { kind } changes { field label before after changed } signatures { agreementCode agreementTitle verified checks } documents { kind url } } }`,
        { t: flow.ticketId },
        reviewer,
      )
    ).data!.ticket;
    expect(detail.changes.length).toBeGreaterThan(0);
    // (密码重置 only confirms the other information: it may change nothing)
    if (business !== 'RESET_PASSWORD') expect(detail.changes.some((c: { changed: boolean }) => c.changed)).toBe(true);
    expect(detail.changes.every((c: { label: string }) => /[\u4e00-\u9fa5]/.test(c.label))).toBe(true);
    expect(detail.signatures.length).toBeGreaterThanOrEqual(3);
    expect(
      detail.signatures.every((x: { verified: boolean; checks: string[] }) => x.verified && x.checks.includes('CHAIN')),
    ).toBe(true);
    expect(detail.documents.map((d: { kind: string }) => d.kind).sort()).toEqual([
      'ID_CARD_BACK',
      'ID_CARD_FRONT',
      'SIGNATURE',
    ]);
    if (business === 'RESET_PASSWORD') {
      // always a fresh witness and certificate, even though this customer already held one
      expect(detail.steps.map((x: { kind: string }) => x.kind)).toEqual([
        'DOCUMENTS',
        'OTHER_INFO',
        'VIDEO_WITNESS',
        'CERTIFICATE',
        'AGREEMENTS',
        'SUBMITTED',
      ]);
    }
    const approved = await gql(
      server.url,
      `mutation ($t: ID!) { approveTicket(ticketId: $t, note: "资料核对无误") { ${T} } }`,
      { t: flow.ticketId },
      reviewer,
    );
    expect(approved.errors).toBeUndefined();
    expect(approved.data!.approveTicket.status).toBe('APPROVED');
    expect((await live.next((t) => t.status === 'APPROVED')).status).toBe('APPROVED');
    await live.client.dispose();
    const after = (await ok(PROFILE, {}, flow.token)).me.profile;
    const outbox = (await (await fetch(`${server.url}/dev/outbox`)).json()) as { text: string; code?: string }[];
    if (business === 'UPDATE_ID_VALIDITY')
      expect(after).toMatchObject({ idValidFrom: '2020-03-01', idValidTo: '2040-03-01', idLongTerm: false });
    if (business === 'UPDATE_CONTACT_PHONE') {
      expect(after.mobile).toBe('136****1234');
      mobiles.set(person.idNumber, '13600001234');
    }
    if (business === 'UPDATE_OTHER_INFO') expect(after.address).toBe('上海市浦东新区世纪大道200号');
    if (business !== 'RESET_PASSWORD') {
      expect(after).toMatchObject(Object.fromEntries(Object.entries(proposed).filter(([k]) => k in after)));
      expect(outbox[0]!.text).toContain('已审核通过');
    } else {
      // 密码重置 confirms the other information (完善个人基本信息), applied with the reset
      expect(after).toEqual({ ...before, address: '上海市浦东新区世纪大道200号' });
      expect(outbox[0]!.text).toMatch(/密码重置已完成，临时交易密码为\d{6}/);
      expect(outbox[0]!.code).toMatch(/^\d{6}$/);
    }
  });

  it('is RETURNED to its info step with a reason, redone and resubmitted', async () => {
    const flow = await start(person, business);
    await walk(flow, person, 0);
    const infoStep = {
      UPDATE_ID_VALIDITY: 'ID_VALIDITY',
      UPDATE_CONTACT_PHONE: 'CONTACT_PHONE',
      UPDATE_OTHER_INFO: 'OTHER_INFO',
      RESET_PASSWORD: 'OTHER_INFO',
    }[business];
    const live = await watch(flow.token, flow.ticketId);
    const returned = await gql(
      server.url,
      `mutation ($t: ID!, $s: TicketStepKind!) { returnTicket(ticketId: $t, step: $s, reason: "地址与身份证照片不一致，请重新填写") { ${T} } }`,
      { t: flow.ticketId, s: infoStep },
      reviewer,
    );
    expect(returned.data!.returnTicket).toMatchObject({
      status: 'RETURNED',
      currentStep: infoStep,
      reason: '地址与身份证照片不一致，请重新填写',
      returnedToStep: infoStep,
    });
    expect((await live.next((t) => t.status === 'RETURNED')).reason).toBe('地址与身份证照片不一致，请重新填写');
    await live.client.dispose();
    // 待完成业务 lists it
    const open = (
      await ok(`{ me { tickets(status: [IN_PROGRESS, RETURNED]) { edges { node { id status } } } } }`, {}, flow.token)
    ).me.tickets.edges;
    expect(open.map((e: { node: { id: string } }) => e.node.id)).toContain(flow.ticketId);
    // approving or submitting out of turn is refused
    expect(
      codeOf(
        await gql(
          server.url,
          `mutation ($t: ID!) { approveTicket(ticketId: $t) { id } }`,
          { t: flow.ticketId },
          reviewer,
        ),
      ),
    ).toBe('TICKET_CLOSED');
    expect(
      codeOf(
        await gql(
          server.url,
          `mutation ($t: ID!) { submitTicket(ticketId: $t) { id } }`,
          { t: flow.ticketId },
          bearer(flow.token),
        ),
      ),
    ).toBe('STEP_NOT_ALLOWED');
    await walk(flow, person, 1);
    const { ticket } = await ok(
      `query ($t: ID!) { ticket(id: $t) { ${T} events { action } } }`,
      { t: flow.ticketId },
      flow.token,
    );
    expect(ticket.status).toBe('SUBMITTED');
    expect(ticket.reason).toBeNull();
    expect(ticket.events.map((e: { action: string }) => e.action)).toEqual(
      expect.arrayContaining(['STARTED', 'SUBMITTED', 'RETURNED']),
    );
    const rejected = await gql(
      server.url,
      `mutation ($t: ID!) { rejectTicket(ticketId: $t, reason: "材料不全") { status reason } }`,
      { t: flow.ticketId },
      reviewer,
    );
    expect(rejected.data!.rejectTicket).toEqual({ status: 'REJECTED', reason: '材料不全' });
  });
});

describe('review rules', () => {
  it('refuses the agent who witnessed a ticket as its reviewer (SAME_PERSON) and customers as reviewers', async () => {
    const flow = await start(DEMO.zhangWei, 'UPDATE_OTHER_INFO');
    await walk(flow, DEMO.zhangWei);
    const [reviewerRow] = await server.db.sql.query<{ id: string }>(
      "select id from staff_users where username = 'review01'",
    );
    // as if review01 had been the witnessing agent of this ticket
    await server.db.sql.query(
      `update tickets set data = data || jsonb_build_object('VIDEO_WITNESS', jsonb_build_object('outcome', 'PASSED', 'agentStaffId', $1::text)) where id = $2`,
      [reviewerRow!.id, flow.ticketId],
    );
    const res = await gql(
      server.url,
      `mutation ($t: ID!) { approveTicket(ticketId: $t) { id } }`,
      { t: flow.ticketId },
      reviewer,
    );
    expect(codeOf(res)).toBe('SAME_PERSON');
    expect(
      codeOf(
        await gql(
          server.url,
          `mutation ($t: ID!) { approveTicket(ticketId: $t) { id } }`,
          { t: flow.ticketId },
          bearer(flow.token),
        ),
      ),
    ).toBe('FORBIDDEN');
    const agent = bearer(await loginStaff(server.url, 'agent01', 'Agent#2026'));
    expect(
      codeOf(
        await gql(server.url, `mutation ($t: ID!) { approveTicket(ticketId: $t) { id } }`, { t: flow.ticketId }, agent),
      ),
    ).toBe('FORBIDDEN');
  });
});

describe('certificate and signature checks over the API', () => {
  it('issues certificates only after a passed witness, for the customer named in the CSR, revoking the old one', async () => {
    const chen: Person = { ...DEMO.chenQiang, accountType: 'ASSET_MANAGEMENT' };
    const flow = await start(chen, 'UPDATE_OTHER_INFO');
    // 陈强 holds only an asset-management account
    expect(flow.ticketId).toBeDefined();
    const keys = await generateBrowserKeyPair();
    const early = await gql(
      server.url,
      `mutation ($t: ID!, $c: String!) { requestCertificate(ticketId: $t, csrPem: $c) { pem } }`,
      { t: flow.ticketId, c: makeCsr(keys, '陈强') },
      bearer(flow.token),
    );
    expect(codeOf(early)).toBe('WITNESS_REQUIRED');
    await walk(flow, chen, 0, 'CERTIFICATE');
    const wrongName = await gql(
      server.url,
      `mutation ($t: ID!, $c: String!) { requestCertificate(ticketId: $t, csrPem: $c) { pem } }`,
      { t: flow.ticketId, c: makeCsr(keys, '张伟') },
      bearer(flow.token),
    );
    expect(codeOf(wrongName)).toBe('CSR_INVALID');
    expect(wrongName.errors![0]!.extensions!.reason).toBe('SUBJECT_MISMATCH');
    const garbage = await gql(
      server.url,
      `mutation ($t: ID!, $c: String!) { requestCertificate(ticketId: $t, csrPem: $c) { pem } }`,
      { t: flow.ticketId, c: '-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----' },
      bearer(flow.token),
    );
    expect(codeOf(garbage)).toBe('CSR_INVALID');
    await walk(flow, chen, 0, 'AGREEMENTS');
    const first = browsers.get(DEMO.chenQiang.idNumber)!;
    const { ticket } = await ok(
      `query ($t: ID!) { ticket(id: $t) { agreements { agreement { id title } signingPayload } } }`,
      { t: flow.ticketId },
      flow.token,
    );
    const sign = (k: typeof first, payloadOf: (a: any) => Buffer) =>
      ticket.agreements.map((a: any) => ({
        agreementId: a.agreement.id,
        signature: signDetached(k.keys, k.certPem, payloadOf(a)).toString('base64'),
      }));
    const SIGN = `mutation ($t: ID!, $s: [AgreementSignatureInput!]!) { signAgreements(ticketId: $t, signatures: $s) { id currentStep } }`;
    // one missing
    const partial = await gql(
      server.url,
      SIGN,
      { t: flow.ticketId, s: sign(first, (a) => Buffer.from(a.signingPayload, 'base64')).slice(1) },
      bearer(flow.token),
    );
    expect(codeOf(partial)).toBe('AGREEMENTS_INCOMPLETE');
    // signed over other bytes: the digest check fails
    const digest = await gql(
      server.url,
      SIGN,
      { t: flow.ticketId, s: sign(first, () => Buffer.from('别的内容')) },
      bearer(flow.token),
    );
    expect(codeOf(digest)).toBe('SIGNATURE_INVALID');
    expect(digest.errors![0]!.extensions!.check).toBe('DIGEST');
    expect(digest.errors![0]!.message).toMatch(/^《/);
    // another customer's certificate: the signer check fails
    const other = browsers.get(DEMO.zhangWei.idNumber)!;
    const signer = await gql(
      server.url,
      SIGN,
      { t: flow.ticketId, s: sign(other, (a) => Buffer.from(a.signingPayload, 'base64')) },
      bearer(flow.token),
    );
    expect(codeOf(signer)).toBe('SIGNATURE_INVALID');
    expect(['SIGNER', 'REVOKED']).toContain(signer.errors![0]!.extensions!.check);
    // nothing was stored by the failed attempts
    const stored = await server.db.sql.query<{ n: number }>(
      'select count(*)::int as n from agreement_signatures s join tickets t on t.id = s.ticket_id where t.id = $1',
      [flow.ticketId],
    );
    expect(stored[0]!.n).toBe(0);
    // the right signatures pass
    const good = await gql(
      server.url,
      SIGN,
      { t: flow.ticketId, s: sign(first, (a) => Buffer.from(a.signingPayload, 'base64')) },
      bearer(flow.token),
    );
    expect(good.data!.signAgreements.currentStep).toBe('SUBMITTED');
  });

  it('refuses signatures of a revoked certificate after 重新申请', async () => {
    const flow = await start(DEMO.zhangWei, 'RESET_PASSWORD');
    const old = browsers.get(DEMO.zhangWei.idNumber)!;
    await walk(flow, DEMO.zhangWei, 0, 'AGREEMENTS'); // a fresh witness and a new certificate: the old one is revoked
    const { ticket } = await ok(
      `query ($t: ID!) { ticket(id: $t) { agreements { agreement { id } signingPayload } } }`,
      { t: flow.ticketId },
      flow.token,
    );
    const res = await gql(
      server.url,
      `mutation ($t: ID!, $s: [AgreementSignatureInput!]!) { signAgreements(ticketId: $t, signatures: $s) { id } }`,
      {
        t: flow.ticketId,
        s: ticket.agreements.map((a: any) => ({
          agreementId: a.agreement.id,
          signature: signDetached(old.keys, old.certPem, Buffer.from(a.signingPayload, 'base64')).toString('base64'),
        })),
      },
      bearer(flow.token),
    );
    expect(codeOf(res)).toBe('SIGNATURE_INVALID');
    expect(res.errors![0]!.extensions!.check).toBe('REVOKED');
    const cert = (await ok('{ me { certificate { status serialNumber } } }', {}, flow.token)).me.certificate;
    expect(cert.status).toBe('VALID');
    await ok(`mutation ($t: ID!) { cancelTicket(ticketId: $t) { id } }`, { t: flow.ticketId }, flow.token);
  });
});

describe('info pages over the API', () => {
  it('checks ID validity, phones and codes sent to the new number', async () => {
    const flow = await start(DEMO.wangFang, 'UPDATE_CONTACT_PHONE');
    await walk(flow, DEMO.wangFang, 0, 'CONTACT_PHONE');
    const t = flow.ticketId;
    const REQ = `mutation ($t: ID!, $m: String!) { requestPhoneCode(ticketId: $t, mobile: $m) { maskedPhone resendAfter } }`;
    const UPD = `mutation ($t: ID!, $i: ContactPhoneInput!) { updateContactPhone(ticketId: $t, input: $i) { currentStep } }`;
    expect(codeOf(await gql(server.url, REQ, { t, m: '010-62345678' }, bearer(flow.token)))).toBe('INVALID_PHONE');
    expect(codeOf(await gql(server.url, REQ, { t, m: '12345' }, bearer(flow.token)))).toBe('INVALID_PHONE');
    server.clock.advance(61_000);
    expect(
      (await gql(server.url, REQ, { t, m: '13711112222' }, bearer(flow.token))).data!.requestPhoneCode.maskedPhone,
    ).toBe('137****2222');
    expect(codeOf(await gql(server.url, REQ, { t, m: '13711112222' }, bearer(flow.token)))).toBe('RESEND_TOO_SOON');
    const code = await lastCode(server.url, '13711112222');
    // the code belongs to the number it was sent to
    expect(codeOf(await gql(server.url, UPD, { t, i: { phone: '13733334444', code } }, bearer(flow.token)))).toBe(
      'CODE_INVALID',
    );
    expect(codeOf(await gql(server.url, UPD, { t, i: { phone: '13711112222' } }, bearer(flow.token)))).toBe(
      'CODE_INVALID',
    );
    expect(codeOf(await gql(server.url, UPD, { t, i: { phone: 'not a phone' } }, bearer(flow.token)))).toBe(
      'INVALID_PHONE',
    );
    // a landline needs no code
    expect(
      (await gql(server.url, UPD, { t, i: { phone: '010-88886666' } }, bearer(flow.token))).data!.updateContactPhone
        .currentStep,
    ).not.toBe('CONTACT_PHONE');
    const proposed = (await ok(`query ($t: ID!) { ticket(id: $t) { proposedProfile { phone } } }`, { t }, flow.token))
      .ticket.proposedProfile;
    expect(proposed.phone).toBe('010-88886666');
    await ok(`mutation ($t: ID!) { cancelTicket(ticketId: $t) { id } }`, { t }, flow.token);

    const v = await start(DEMO.zhangWei, 'UPDATE_ID_VALIDITY');
    await walk(v, DEMO.zhangWei, 0, 'ID_VALIDITY');
    const expired = await gql(
      server.url,
      `mutation ($t: ID!, $i: IdValidityInput!) { updateIdValidity(ticketId: $t, input: $i) { id } }`,
      { t: v.ticketId, i: { validFrom: '2005-01-01', validTo: '2025-01-01', longTerm: false } },
      bearer(v.token),
    );
    expect(codeOf(expired)).toBe('INVALID_VALIDITY');
    expect(expired.errors![0]!.extensions!.fields).toEqual([
      { field: 'validTo', message: '该身份证已过期，请使用有效期内的身份证办理' },
    ]);
    const other = await gql(
      server.url,
      `mutation ($t: ID!, $i: OtherInfoInput!) { updateOtherInfo(ticketId: $t, input: $i) { id } }`,
      {
        t: v.ticketId,
        i: {
          province: '北京市',
          city: '北京市',
          address: 'x',
          postalCode: '1',
          education: '本科',
          occupation: '办事人员',
          taxResidency: 'CHINA_ONLY',
          pepRelation: 'NONE',
          investmentHorizon: 'UP_TO_1_YEAR',
          expectedReturn: 'STABLE',
          hasActualController: false,
          beneficialOwnerIsSelf: true,
          products: ['OTHER'],
          badCreditRecords: [],
        },
      },
      bearer(v.token),
    );
    expect(codeOf(other)).toBe('STEP_NOT_ALLOWED');
    await ok(`mutation ($t: ID!) { cancelTicket(ticketId: $t) { id } }`, { t: v.ticketId }, v.token);
  });

  it('refuses to submit outside service hours and accepts it when service reopens', async () => {
    server.clock.set('2026-11-23T09:20:00Z'); // Monday 17:20 in Shanghai; DEMO-HOURS closes at 17:45
    const flow = await start(DEMO.zhaoMin, 'UPDATE_ID_VALIDITY');
    await walk(flow, DEMO.zhaoMin, 0, 'SUBMITTED');
    server.clock.set('2026-11-23T09:50:00Z'); // 17:50
    const res = await gql(
      server.url,
      `mutation ($t: ID!) { submitTicket(ticketId: $t) { status } }`,
      { t: flow.ticketId },
      bearer(flow.token),
    );
    expect(codeOf(res)).toBe('OUTSIDE_SERVICE_HOURS');
    expect(res.errors![0]!.message).toContain('2026-11-24（周二）08:40');
    server.clock.set('2026-11-24T01:00:00Z'); // Tuesday 09:00: a new session, the ticket waits in 待完成业务
    const again = await loginCustomer(server, DEMO.zhaoMin);
    expect(
      (
        await gql(
          server.url,
          `mutation ($t: ID!) { submitTicket(ticketId: $t) { status } }`,
          { t: flow.ticketId },
          bearer(again),
        )
      ).data!.submitTicket.status,
    ).toBe('SUBMITTED');
  });
});

describe('the review queue', () => {
  it('lists submitted tickets of the reviewer’s broker oldest first, with cursor pagination', async () => {
    reviewer = bearer(await loginStaff(server.url, 'review01', 'Review#2026')); // the clock moved a day on above
    for (const person of [DEMO.wangFang, { ...DEMO.chenQiang, accountType: 'ASSET_MANAGEMENT' }] as Person[]) {
      const flow = await start(person, 'UPDATE_OTHER_INFO');
      server.clock.advance(1000);
      await walk(flow, person);
    }
    const Q = `query ($first: Int, $after: String) { reviewQueue(first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id status submittedAt updatedAt } } } }`;
    const all = (await gql(server.url, Q, { first: 100 }, reviewer)).data!.reviewQueue;
    expect(all.totalCount).toBeGreaterThanOrEqual(3);
    const times = all.edges.map((e: { node: { updatedAt: string } }) => e.node.updatedAt);
    expect([...times].sort()).toEqual(times);
    expect(all.edges.every((e: { node: { status: string } }) => e.node.status === 'SUBMITTED')).toBe(true);
    const pages: string[] = [];
    let after: string | null = null;
    for (let i = 0; i < 10; i++) {
      const page: any = (await gql(server.url, Q, { first: 1, after }, reviewer)).data!.reviewQueue;
      pages.push(...page.edges.map((e: { node: { id: string } }) => e.node.id));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(pages).toEqual(all.edges.map((e: { node: { id: string } }) => e.node.id));
    // 赵敏's ticket belongs to DEMO-HOURS: not in DEMO's queue
    const [zhao] = await server.db.sql.query<{ id: string }>(
      "select t.id from tickets t join brokers b on b.id = t.broker_id where b.code = 'DEMO-HOURS' and t.status = 'SUBMITTED'",
    );
    expect(pages).not.toContain(zhao!.id);
  });
});
