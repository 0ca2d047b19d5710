import { createHash } from 'node:crypto';
import { generateBrowserKeyPair, makeCsr, signDetached } from '../certificates/testing';
import {
  DEMO,
  bearer,
  gql,
  loginCustomer,
  loginStaff,
  passWitness,
  startTestServer,
  ticketAtWitness,
  type TestServer,
} from '../../testing/harness';

const codeOf = (res: { errors?: { extensions?: { code?: string } }[] }) => res.errors?.[0]?.extensions?.code;

const A = 'id code version title content sha256 businesses createdAt';
const TEXTS = `{ agreementTexts { ${A} } }`;
const VERSIONS = `query ($c: String!) { agreementVersions(code: $c) { ${A} } }`;
const UPDATE = `mutation ($c: String!, $t: String!, $x: String!) { updateAgreement(code: $c, title: $t, content: $x) { ${A} } }`;
const CODE = 'CUSTOMER_ACCOUNT_COMMITMENT';

type Agreement = {
  id: string;
  code: string;
  version: number;
  title: string;
  content: string;
  sha256: string;
  businesses: string[];
  createdAt: string;
};

describe('broker admin: agreement texts and versions (PostgreSQL)', () => {
  let server: TestServer;
  let admin: Record<string, string>;
  beforeAll(async () => {
    server = await startTestServer('postgresql');
    admin = bearer(await loginStaff(server.url, 'admin01', 'Admin#2026'));
  });
  afterAll(() => server?.close());

  /** A ticket of the person brought to AGREEMENTS (real witness and certificate); returns what signs. */
  async function atAgreements(person: { idNumber: string; mobile: string; name: string }) {
    const { token, ticketId } = await ticketAtWitness(server, person);
    await passWitness(server, token, ticketId);
    const keys = await generateBrowserKeyPair();
    const cert = await gql(
      server.url,
      'mutation ($t: ID!, $c: String!) { requestCertificate(ticketId: $t, csrPem: $c) { pem } }',
      { t: ticketId, c: makeCsr(keys, person.name) },
      bearer(token),
    );
    if (cert.errors) throw new Error(JSON.stringify(cert.errors));
    const toSign = (
      await gql(
        server.url,
        'query ($t: ID!) { ticket(id: $t) { currentStep agreements { agreement { id code version } signingPayload } } }',
        { t: ticketId },
        bearer(token),
      )
    ).data!.ticket;
    expect(toSign.currentStep).toBe('AGREEMENTS');
    return {
      token,
      ticketId,
      keys,
      pem: cert.data!.requestCertificate.pem as string,
      agreements: toSign.agreements as {
        agreement: { id: string; code: string; version: number };
        signingPayload: string;
      }[],
    };
  }

  it('lists the latest version of each agreement of the broker, with the businesses that sign it, to admins only', async () => {
    const res = await gql(server.url, TEXTS, undefined, admin);
    expect(res.errors).toBeUndefined();
    const texts = res.data!.agreementTexts as Agreement[];
    expect(texts.map((t) => t.code)).toEqual(
      expect.arrayContaining([CODE, 'CUSTOMER_NOTICE', 'FUTURES_BROKERAGE_CONTRACT']),
    );
    expect(new Set(texts.map((t) => t.code)).size).toBe(texts.length);
    const commitment = texts.find((t) => t.code === CODE)!;
    expect(commitment).toMatchObject({ version: 1, title: '客户账户业务办理承诺书' });
    expect(commitment.businesses).toEqual(expect.arrayContaining(['UPDATE_OTHER_INFO', 'UPDATE_ID_VALIDITY']));
    expect(commitment.sha256).toBe(createHash('sha256').update(commitment.content).digest('hex'));
    expect(codeOf(await gql(server.url, TEXTS))).toBe('UNAUTHENTICATED');
    const reviewer = bearer(await loginStaff(server.url, 'review01', 'Review#2026'));
    expect(codeOf(await gql(server.url, TEXTS, undefined, reviewer))).toBe('FORBIDDEN');
    expect(codeOf(await gql(server.url, VERSIONS, { c: CODE }, reviewer))).toBe('FORBIDDEN');
    expect(codeOf(await gql(server.url, UPDATE, { c: CODE, t: 'x', x: 'y' }, reviewer))).toBe('FORBIDDEN');
    expect(codeOf(await gql(server.url, UPDATE, { c: CODE, t: 'x', x: 'y' }, bearer(DEMO.partnerKey)))).toBe(
      'FORBIDDEN',
    );
    expect(
      codeOf(
        await gql(server.url, UPDATE, { c: CODE, t: 'x', x: 'y' }, bearer(await loginCustomer(server, DEMO.liNa))),
      ),
    ).toBe('FORBIDDEN');
  });

  it.each([
    ['a blank title', { t: '  ' }, '请填写协议标题'],
    ['an empty text', { x: '' }, '请填写协议内容'],
    ['a text over 100,000 characters', { x: '条'.repeat(100_001) }, '协议内容不能超过100000字'],
    ['a title over 100 characters', { t: '标'.repeat(101) }, '协议标题不能超过100字'],
  ])('refuses %s with BAD_USER_INPUT', async (_label, change, message) => {
    const res = await gql(server.url, UPDATE, { c: CODE, t: '新标题', x: '新内容', ...change }, admin);
    expect(codeOf(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0]!.message).toBe(message);
    expect((await gql(server.url, VERSIONS, { c: CODE }, admin)).data!.agreementVersions).toHaveLength(1);
  });

  it('adds a new version: earlier versions and signatures stay, new tickets sign the newest, a restart keeps it', async () => {
    // 张伟 signs version 1
    const signer = await atAgreements(DEMO.zhangWei);
    expect(signer.agreements.find((a) => a.agreement.code === CODE)!.agreement.version).toBe(1);
    const signed = await gql(
      server.url,
      'mutation ($t: ID!, $s: [AgreementSignatureInput!]!) { signAgreements(ticketId: $t, signatures: $s) { currentStep } }',
      {
        t: signer.ticketId,
        s: signer.agreements.map((a) => ({
          agreementId: a.agreement.id,
          signature: signDetached(signer.keys, signer.pem, Buffer.from(a.signingPayload, 'base64')).toString('base64'),
        })),
      },
      bearer(signer.token),
    );
    expect(signed.data!.signAgreements.currentStep).toBe('SUBMITTED');
    const v1 = (await gql(server.url, VERSIONS, { c: CODE }, admin)).data!.agreementVersions[0] as Agreement;

    const content = `${v1.content}\n\n第十条 本承诺书自客户电子签署之日起生效。`;
    const res = await gql(server.url, UPDATE, { c: CODE, t: '客户账户业务办理承诺书（2026版）', x: content }, admin);
    expect(res.errors).toBeUndefined();
    const v2 = res.data!.updateAgreement as Agreement;
    expect(v2).toMatchObject({
      code: CODE,
      version: 2,
      title: '客户账户业务办理承诺书（2026版）',
      content,
      businesses: v1.businesses,
      sha256: createHash('sha256').update(content).digest('hex'),
    });
    // the same text again adds nothing
    expect((await gql(server.url, UPDATE, { c: CODE, t: v2.title, x: content }, admin)).data!.updateAgreement.id).toBe(
      v2.id,
    );
    const versions = (await gql(server.url, VERSIONS, { c: CODE }, admin)).data!.agreementVersions as Agreement[];
    expect(versions.map((v) => v.version)).toEqual([2, 1]);
    expect(versions[1]).toEqual(v1);
    expect(
      (await gql(server.url, TEXTS, undefined, admin)).data!.agreementTexts.find((t: Agreement) => t.code === CODE)
        .version,
    ).toBe(2);
    expect(codeOf(await gql(server.url, UPDATE, { c: 'NO_SUCH_AGREEMENT', t: 't', x: 'x' }, admin))).toBe('NOT_FOUND');
    expect((await gql(server.url, VERSIONS, { c: 'NO_SUCH_AGREEMENT' }, admin)).data!.agreementVersions).toEqual([]);

    // the signed ticket keeps its verified signature on version 1
    const review = bearer(await loginStaff(server.url, 'review01', 'Review#2026'));
    const sigs = (
      await gql(
        server.url,
        'query ($t: ID!) { ticket(id: $t) { signatures { agreementCode agreementVersion agreementTitle verified } } }',
        { t: signer.ticketId },
        review,
      )
    ).data!.ticket.signatures;
    expect(sigs.find((s: { agreementCode: string }) => s.agreementCode === CODE)).toEqual({
      agreementCode: CODE,
      agreementVersion: 1,
      agreementTitle: '客户账户业务办理承诺书',
      verified: true,
    });

    // what customers download and new tickets sign: version 2
    const download = await gql(
      server.url,
      'query { agreements(business: UPDATE_OTHER_INFO, brokerCode: "DEMO") { code version } }',
    );
    expect(download.data!.agreements.find((a: { code: string }) => a.code === CODE).version).toBe(2);
    const next = await atAgreements(DEMO.wangFang);
    expect(next.agreements.find((a) => a.agreement.code === CODE)!.agreement).toEqual({
      id: v2.id,
      code: CODE,
      version: 2,
    });

    // a restart syncs the BrokerPack's agreement texts again: the admin's version stays in force
    const em = server.db.orm.em.fork() as never;
    const demo = (await server.services.brokers.findByCode(em, 'DEMO'))!;
    const pack = (await server.services.plugins.brokers.brokers()).find((b) => b.code === 'DEMO')!;
    expect(await server.services.agreements.sync(em, demo.id, pack.agreements)).toBe(0);
    expect(
      (await gql(server.url, TEXTS, undefined, admin)).data!.agreementTexts.find((t: Agreement) => t.code === CODE).id,
    ).toBe(v2.id);
  });
});
