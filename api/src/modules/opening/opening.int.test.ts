/**
 * 开立期货账户 through the API, step by step, on both databases: the prospect login, every step
 * with its bad input (each refused with a stable code and a Chinese message, nothing stored
 * changed), the review with a counter that fails once, the account and the trading codes.
 */
import { RETURN_VISIT_QUESTIONNAIRE, SUITABILITY_QUESTIONNAIRE } from '@kaihu/broker-demo';
import { generateBrowserKeyPair, makeCsr, signDetached } from '../certificates/testing';
import { makeBankCardPhoto, makeIdPhoto, makeSignaturePhoto } from '../documents/testing';
import {
  DEMO,
  PROSPECT_LOGIN,
  REQUEST_PROSPECT_CODE,
  bearer,
  gql,
  lastCode,
  loginCustomer,
  loginProspect,
  loginStaff,
  passWitness,
  privacyPolicyVersion,
  solvedCaptcha,
  startTestServer,
  uploadDocument,
  waitFor,
  type DbKind,
  type GqlResponse,
  type TestServer,
} from '../../testing/harness';
import { CMB_CARD, ICBC_CARD, SUITABILITY_ANSWERS, answers, identityInput, returnVisitAnswers } from './testing';

const T = 'id acceptanceNo business status currentStep steps { kind done } accountNo';
const START = `mutation ($b: BusinessType!, $br: ID!, $r: String) { startAccountOpening(business: $b, branchId: $br, referrer: $r) { ${T} } }`;
const IDENTITY = `mutation ($t: ID!, $i: IdentityInput!) { updateIdentity(ticketId: $t, input: $i) { ${T} details { step label value } } }`;
const SETTLEMENT = `mutation ($t: ID!, $a: [SettlementAccountInput!]!) { updateSettlementAccounts(ticketId: $t, accounts: $a) { ${T} settlementAccounts { bank { code name } cardNumber holderName primary } } }`;
const SUITABILITY = `mutation ($t: ID!, $q: ID!, $a: [AnswerInput!]!) { answerSuitability(ticketId: $t, questionnaireId: $q, answers: $a) { score tolerance toleranceName meaning lowestCategory matches { exchange risk matched } assessedAt } }`;
const EXCHANGES = `mutation ($t: ID!, $e: [Exchange!]!, $m: Boolean) { selectExchanges(ticketId: $t, exchanges: $e, acceptMismatch: $m) { ${T} exchanges } }`;
const RETURN_VISIT = `mutation ($t: ID!, $q: ID!, $a: [AnswerInput!]!) { answerReturnVisit(ticketId: $t, questionnaireId: $q, answers: $a) { ${T} } }`;
const TICKET = `query ($t: ID!) { ticket(id: $t) { ${T} data: details { step label value } flags { code title reasons } exchanges tradingCodes { exchange status code reason } events { action } } }`;

const codeOf = (res: GqlResponse) => res.errors?.[0]?.extensions?.code;
const messageOf = (res: GqlResponse) => res.errors?.[0]?.message ?? '';

describe.each<DbKind>(['postgresql', 'pglite'])('开立期货账户 on %s', (kind) => {
  let server: TestServer;
  let token: string;
  let ticketId: string;
  let acceptanceNo: string;
  let beijing: string;
  let reviewer: Record<string, string>;
  const photos: Record<string, Buffer> = {};
  let browser: { keys: Awaited<ReturnType<typeof generateBrowserKeyPair>>; certPem: string };

  const as = (t: string) => bearer(t);
  async function ok<R = any>(query: string, variables: Record<string, unknown>, t = token): Promise<R> {
    const res = await gql(server.url, query, variables, as(t));
    if (res.errors) throw new Error(JSON.stringify(res.errors));
    return res.data as R;
  }
  const ticket = async (id = ticketId, t = token) => (await ok(TICKET, { t: id }, t)).ticket;
  /** The ticket's steps, data and events: what a refused call must leave exactly as it was. */
  const stored = async (id = ticketId) =>
    (
      await server.db.sql.query<{ s: string }>(
        `select steps::text || data::text || status || (select count(*) from ticket_events e where e.ticket_id = t.id) as s from tickets t where id = $1`,
        [id],
      )
    )[0]!.s;
  async function refused(query: string, variables: Record<string, unknown>, code: string, t = token, id = ticketId) {
    const before = await stored(id);
    const res = await gql(server.url, query, variables, as(t));
    expect({ code: codeOf(res), message: messageOf(res) }).toEqual({
      code,
      message: expect.stringMatching(/[\u4e00-\u9fff]/),
    });
    expect(await stored(id)).toBe(before);
    return res;
  }
  async function uploadIdPhotos(t: string, id: string) {
    for (const k of ['ID_CARD_FRONT', 'ID_CARD_BACK', 'SIGNATURE']) {
      const res = await uploadDocument(server.url, t, id, k, photos[k]!);
      if (res.errors) throw new Error(JSON.stringify(res.errors));
    }
    await ok('mutation ($t: ID!) { completeDocuments(ticketId: $t) { id } }', { t: id }, t);
  }

  beforeAll(async () => {
    server = await startTestServer(kind, { env: { KAIHU_PLUGIN_COUNTER_OPTIONS: '{"tradingCodeDelayMs":3000}' } });
    photos.ID_CARD_FRONT = (await makeIdPhoto({ side: 'FRONT' })).jpeg;
    photos.ID_CARD_BACK = (await makeIdPhoto({ side: 'BACK' })).jpeg;
    photos.SIGNATURE = (await makeSignaturePhoto()).jpeg;
    photos.BANK_CARD = (await makeBankCardPhoto({ cardRotation: 90 })).jpeg;
    const { broker } = (await gql(server.url, '{ broker(code: "DEMO") { branches { id name } } }')).data!;
    beijing = broker.branches.find((b: { name: string }) => b.name === '北京营业部').id;
    reviewer = as(await loginStaff(server.url, 'review01', 'Review#2026'));
  });
  afterAll(() => server?.close());

  it('reads the 隐私政策, banks and texts of the login page without logging in', async () => {
    const res = await gql(
      server.url,
      `{ privacyPolicy(brokerCode: "DEMO") { code title version content }
         banks(brokerCode: "DEMO") { code name }
         openingInfo(brokerCode: "DEMO") { investorEducation openingHelp minAge maxAge banks { code } } }`,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.privacyPolicy).toMatchObject({ code: 'PRIVACY_POLICY', title: '隐私政策', version: 1 });
    expect(res.data!.privacyPolicy.content).toContain('个人信息');
    expect(res.data!.banks).toHaveLength(15);
    expect(res.data!.banks[0]).toEqual({ code: '102', name: '中国工商银行' });
    expect(res.data!.openingInfo).toMatchObject({ minAge: 18, maxAge: 70 });
    expect(res.data!.openingInfo.investorEducation).toContain('期货');
    expect(res.data!.openingInfo.openingHelp).toContain('银行卡');
    expect(codeOf(await gql(server.url, '{ privacyPolicy(brokerCode: "NOPE") { version } }'))).toBe('NOT_FOUND');
  });

  it('logs a prospect in with a mainland mobile, the captcha, an SMS code and the consent to the current 隐私政策', async () => {
    const mobile = DEMO.chenChen.mobile;
    const request = async (m: string, captcha?: { captchaId: string; captchaAnswer: string }) =>
      gql(server.url, REQUEST_PROSPECT_CODE, {
        input: { brokerCode: 'DEMO', mobile: m, ...(captcha ?? (await solvedCaptcha(server.url))) },
      });
    const login = (code: string, version: number, m: string = mobile) =>
      gql(server.url, PROSPECT_LOGIN, {
        input: { brokerCode: 'DEMO', mobile: m, code, privacyPolicyVersion: version },
      });
    const version = await privacyPolicyVersion(server.url);
    // not a mainland mobile, a landline, a wrong captcha
    for (const m of ['12345678901', '1380013800', '010-62345678', '+85291234567'])
      expect(codeOf(await request(m))).toBe('INVALID_PHONE');
    const captcha = await solvedCaptcha(server.url);
    expect(codeOf(await request(mobile, { ...captcha, captchaAnswer: 'zzzz' }))).toBe('CAPTCHA_INVALID');
    server.clock.advance(61_000);
    const sent = await request(mobile);
    expect(sent.data!.requestProspectCode.maskedPhone).toBe('137****1111');
    expect(codeOf(await request(mobile))).toBe('RESEND_TOO_SOON');
    const code = await lastCode(server.url, mobile);
    const [sms] = (await (await fetch(`${server.url}/dev/outbox?to=${mobile}`)).json()) as { text: string }[];
    expect(sms!.text).toContain('切勿向任何人泄露');
    // no consent, an old version, a wrong code: refused, and the right code still works afterwards
    const none = await login(code, 0);
    expect(codeOf(none)).toBe('PRIVACY_POLICY_OUTDATED');
    expect(messageOf(none)).toContain('请阅读并勾选同意《隐私政策》');
    const old = await login(code, version + 1);
    expect(codeOf(old)).toBe('PRIVACY_POLICY_OUTDATED');
    expect(old.errors![0]!.extensions!.currentVersion).toBe(version);
    expect(codeOf(await login(code === '000000' ? '111111' : '000000', version))).toBe('CODE_INVALID');
    const session = await login(code, version);
    expect(session.errors).toBeUndefined();
    expect(session.data!.prospectLogin.viewer.roles).toEqual(['PROSPECT']);
    token = session.data!.prospectLogin.token;
    // the code was used: replayed, it is refused
    expect(codeOf(await login(code, version))).toMatch(/^CODE_(INVALID|EXPIRED)$/);
    const [consent] = await server.db.sql.query<{ privacy_policy_version: number }>(
      'select privacy_policy_version from prospects where mobile = $1',
      [mobile],
    );
    expect(consent!.privacy_policy_version).toBe(version);
    // an expired code
    server.clock.advance(61_000);
    await request(DEMO.linJing.mobile);
    const late = await lastCode(server.url, DEMO.linJing.mobile);
    server.clock.advance(5 * 60_000 + 1000);
    expect(codeOf(await login(late, version, DEMO.linJing.mobile))).toBe('CODE_EXPIRED');
    // five wrong codes lock the mobile, as they lock an ID number
    server.clock.advance(61_000);
    await request(DEMO.zhouGuoqiang.mobile);
    const right = await lastCode(server.url, DEMO.zhouGuoqiang.mobile);
    const wrong = right === '000000' ? '111111' : '000000';
    const codes = [];
    for (let i = 0; i < 6; i++) codes.push(codeOf(await login(wrong, version, DEMO.zhouGuoqiang.mobile)));
    expect(codes.slice(0, 4)).toEqual(Array(4).fill('CODE_INVALID'));
    expect(codes[5]).toBe('TOO_MANY_ATTEMPTS');
    expect(codeOf(await login(right, version, DEMO.zhouGuoqiang.mobile))).toBe('TOO_MANY_ATTEMPTS');
    server.clock.advance(16 * 60_000); // the lock lasts 15 minutes
  });

  it('gives a prospect public data and its own account opening, nothing of a customer or of staff', async () => {
    const viewer = await ok('{ viewer { id roles customer { id } staff { id } maskedMobile } me { id } }', {});
    expect(viewer).toEqual({
      viewer: { id: expect.any(String), roles: ['PROSPECT'], customer: null, staff: null, maskedMobile: '137****1111' },
      me: null,
    });
    expect((await ok('{ broker(code: "DEMO") { name } }', {})).broker.name).toBe('开户云演示期货有限公司');
    const customerOnly = [
      ['mutation { startTicket(business: UPDATE_OTHER_INFO) { id } }', {}],
      [`{ reviewQueue { totalCount } }`, {}],
      [`{ branchQueue(branchId: "${beijing}") { waiting } }`, {}],
      [`mutation { claimNextCustomer(branchId: "${beijing}") { id } }`, {}],
      [`mutation { approveTicket(ticketId: "00000000-0000-4000-8000-000000000000") { id } }`, {}],
      [`{ partnerEvents(first: 1) { totalCount } }`, {}],
    ] as const;
    for (const [q, v] of customerOnly) {
      const res = await gql(server.url, q, v, as(token));
      expect([q, codeOf(res)]).toEqual([
        q,
        expect.stringMatching(/^(FORBIDDEN|UNAUTHENTICATED|GRAPHQL_VALIDATION_FAILED)$/),
      ]);
    }
    // a customer cannot start an account opening
    const zhang = await loginCustomer(server, DEMO.zhangWei);
    expect(codeOf(await gql(server.url, START, { b: 'OPEN_FUTURES_ACCOUNT', br: beijing }, as(zhang)))).toBe(
      'FORBIDDEN',
    );
  });

  it('starts at a branch with an optional 推荐人, and resumes the open application of this mobile', async () => {
    expect(codeOf(await gql(server.url, START, { b: 'OPEN_FUTURES_ACCOUNT', br: 'nope' }, as(token)))).toBe(
      'NOT_FOUND',
    );
    const hours = (await gql(server.url, '{ broker(code: "DEMO-HOURS") { branches { id } } }')).data!.broker.branches[0]
      .id;
    expect(codeOf(await gql(server.url, START, { b: 'OPEN_FUTURES_ACCOUNT', br: hours }, as(token)))).toBe('NOT_FOUND');
    expect(
      codeOf(await gql(server.url, START, { b: 'OPEN_FUTURES_ACCOUNT', br: beijing, r: '推荐 人' }, as(token))),
    ).toBe('BAD_USER_INPUT');
    expect(codeOf(await gql(server.url, START, { b: 'UPDATE_OTHER_INFO', br: beijing }, as(token)))).toBe(
      'BUSINESS_NOT_AVAILABLE',
    );
    const { startAccountOpening: t } = await ok(START, { b: 'OPEN_FUTURES_ACCOUNT', br: beijing, r: 'R1001' });
    expect(t).toMatchObject({ business: 'OPEN_FUTURES_ACCOUNT', status: 'IN_PROGRESS', currentStep: 'DOCUMENTS' });
    expect(t.acceptanceNo).toMatch(/^\d{16}$/);
    expect(t.steps.map((s: { kind: string }) => s.kind)).toEqual([
      'DOCUMENTS',
      'IDENTITY',
      'SETTLEMENT_ACCOUNT',
      'SUITABILITY',
      'EXCHANGES',
      'VIDEO_WITNESS',
      'CERTIFICATE',
      'AGREEMENTS',
      'RETURN_VISIT',
      'SUBMITTED',
    ]);
    ticketId = t.id;
    acceptanceNo = t.acceptanceNo;
    expect((await ok(START, { b: 'OPEN_FUTURES_ACCOUNT', br: beijing })).startAccountOpening.id).toBe(ticketId);
    const { viewer } = await ok('{ viewer { applications { id acceptanceNo branch { name } } } }', {});
    expect(viewer.applications).toEqual([{ id: ticketId, acceptanceNo, branch: { name: '北京营业部' } }]);
    // the 8-stage bar, as a partner's app draws it
    const { broker } = await ok(
      '{ broker(code: "DEMO") { businesses { type offered forProspects stages { title } } } }',
      {},
    );
    const open = broker.businesses.find((b: { type: string }) => b.type === 'OPEN_FUTURES_ACCOUNT');
    expect(open).toMatchObject({ offered: true, forProspects: true });
    expect(open.stages.map((s: { title: string }) => s.title)).toEqual([
      '身份信息填写',
      '结算账户设置',
      '适当性评估',
      '交易所选择',
      '视频见证',
      '签署协议',
      '回访问卷',
      '申请提交',
    ]);
  });

  it('refuses every step out of order', async () => {
    await refused(IDENTITY, { t: ticketId, i: identityInput(DEMO.chenChen) }, 'STEP_NOT_ALLOWED');
    await refused(
      SETTLEMENT,
      { t: ticketId, a: [{ bankCode: '102', cardNumber: ICBC_CARD, primary: true }] },
      'STEP_NOT_ALLOWED',
    );
    const { suitabilityQuestionnaire: q } = await ok('{ suitabilityQuestionnaire(brokerCode: "DEMO") { id } }', {});
    await refused(SUITABILITY, { t: ticketId, q: q.id, a: answers(SUITABILITY_ANSWERS.C4) }, 'STEP_NOT_ALLOWED');
    await refused(EXCHANGES, { t: ticketId, e: ['SHFE'] }, 'STEP_NOT_ALLOWED');
    await refused('mutation ($t: ID!) { submitTicket(ticketId: $t) { id } }', { t: ticketId }, 'STEP_NOT_ALLOWED');
    await refused('mutation ($t: ID!) { joinWitnessQueue(ticketId: $t) { id } }', { t: ticketId }, 'STEP_NOT_ALLOWED');
    // another person's ticket is not found
    const other = await loginProspect(server, DEMO.linJing.mobile);
    expect((await gql(server.url, TICKET, { t: ticketId }, as(other))).data!.ticket).toBeNull();
    await refused(IDENTITY, { t: ticketId, i: identityInput(DEMO.chenChen) }, 'NOT_FOUND', other);
  });

  it('上传照片 + 身份信息填写: the card as typed, checked against the ID number, the age limits and the counter', async () => {
    await uploadIdPhotos(token, ticketId);
    const input = (o: Record<string, unknown>) => ({ t: ticketId, i: identityInput(DEMO.chenChen, o) });
    const gender = await refused(IDENTITY, input({ gender: 'FEMALE' }), 'IDENTITY_MISMATCH');
    expect(messageOf(gender)).toContain('第17位');
    const birth = await refused(IDENTITY, input({ birthDate: '1994-07-16' }), 'IDENTITY_MISMATCH');
    expect(messageOf(birth)).toContain('1994-07-15');
    await refused(IDENTITY, input({ idNumber: '330106199407151233' }), 'INVALID_ID_NUMBER');
    const old = await refused(IDENTITY, input({ idNumber: DEMO.zhouGuoqiang.idNumber, name: '周国强' }), 'AGE_LIMIT');
    expect(messageOf(old)).toContain('70周岁');
    const minor = await refused(IDENTITY, input({ idNumber: DEMO.underage }), 'AGE_LIMIT');
    expect(messageOf(minor)).toContain('18周岁');
    const customer = await refused(
      IDENTITY,
      input({ idNumber: DEMO.zhangWei.idNumber, name: '张伟' }),
      'ALREADY_CUSTOMER',
    );
    expect(customer.errors![0]!.extensions!.links).toEqual([
      { title: '我的基本资料', path: '/login?next=%2Fprofile' },
      { title: '增开交易编码', path: '/login?next=%2Fstart%2FADD_TRADING_CODE' },
    ]);
    await refused(IDENTITY, input({ idValidFrom: '2006-07-15', idValidTo: '2026-07-15' }), 'INVALID_VALIDITY');
    await refused(IDENTITY, input({ ethnicity: '火星族' }), 'BAD_USER_INPUT');
    await refused(IDENTITY, input({ name: 'Chen' }), 'BAD_USER_INPUT');
    await refused(IDENTITY, input({ phone: '12345' }), 'INVALID_PHONE');
    const { updateIdentity } = await ok(IDENTITY, input({ birthDate: '1994-07-15', phone: '0571-88886666' }));
    expect(updateIdentity.currentStep).toBe('SETTLEMENT_ACCOUNT');
    const rows = Object.fromEntries(
      updateIdentity.details.map((d: { label: string; value: string }) => [d.label, d.value]),
    );
    expect(rows).toMatchObject({
      客户姓名: '陈晨',
      性别: '男',
      民族: '汉族',
      出生日期: '1994-07-15',
      联系手机: '137****1111',
    });
    // what was typed comes back to fill the page again (上一步, 打回, a reload)
    const { ticket: typed } = await ok(
      'query ($t: ID!) { ticket(id: $t) { identity { name idNumber gender birthDate idIssuer idLongTerm mobile phone } proposedProfile { address education } } }',
      { t: ticketId },
    );
    expect(typed).toEqual({
      identity: {
        name: '陈晨',
        idNumber: DEMO.chenChen.idNumber,
        gender: 'MALE',
        birthDate: '1994-07-15',
        idIssuer: '杭州市公安局西湖分局',
        idLongTerm: false,
        mobile: '137****1111',
        phone: '0571-88886666',
      },
      proposedProfile: { address: '浙江省杭州市西湖区文三路90号东部软件园1号楼', education: '本科' },
    });
  });

  it('refuses a second open application of the same ID number from another mobile', async () => {
    const other = await loginProspect(server, DEMO.linJing.mobile);
    const { startAccountOpening: t } = await ok(START, { b: 'OPEN_FUTURES_ACCOUNT', br: beijing }, other);
    await uploadIdPhotos(other, t.id);
    const res = await refused(
      IDENTITY,
      { t: t.id, i: identityInput(DEMO.chenChen) },
      'APPLICATION_EXISTS',
      other,
      t.id,
    );
    expect(messageOf(res)).toContain('正在办理');
    await ok('mutation ($t: ID!) { cancelTicket(ticketId: $t) { id } }', { t: t.id }, other);
  });

  it('结算账户设置: banks of the list, card numbers, one primary, the applicant as holder, a photo of the card', async () => {
    const set = (a: unknown[]) => ({ t: ticketId, a });
    const icbc = { bankCode: '102', cardNumber: ICBC_CARD, primary: true };
    const cmb = { bankCode: '308', cardNumber: CMB_CARD, primary: false };
    const noPhoto = await refused(SETTLEMENT, set([icbc]), 'DOCUMENTS_INCOMPLETE');
    expect(messageOf(noPhoto)).toContain('银行卡的照片');
    const upload = await uploadDocument(server.url, token, ticketId, 'BANK_CARD', photos.BANK_CARD!);
    expect(upload.errors).toBeUndefined();
    expect(upload.data!.uploadDocument.adjustments).toEqual(expect.arrayContaining(['CROPPED']));
    expect(codeOf(await uploadDocument(server.url, token, ticketId, 'ID_CARD_FRONT', photos.ID_CARD_FRONT!))).toBe(
      'STEP_NOT_ALLOWED',
    );
    await refused(SETTLEMENT, set([{ ...icbc, bankCode: '999' }]), 'INVALID_BANK_CARD');
    expect(
      messageOf(await refused(SETTLEMENT, set([{ ...icbc, cardNumber: '62220210011234A' }]), 'INVALID_BANK_CARD')),
    ).toContain('只能包含数字');
    expect(
      messageOf(await refused(SETTLEMENT, set([{ ...icbc, cardNumber: '622202100112345' }]), 'INVALID_BANK_CARD')),
    ).toContain('16至19位');
    const badLuhn = ICBC_CARD.slice(0, -1) + String((Number(ICBC_CARD.slice(-1)) + 1) % 10);
    expect(
      messageOf(await refused(SETTLEMENT, set([{ ...icbc, cardNumber: badLuhn }]), 'INVALID_BANK_CARD')),
    ).toContain('校验');
    await refused(SETTLEMENT, set([]), 'BAD_USER_INPUT');
    await refused(SETTLEMENT, set([{ ...icbc, primary: false }, cmb]), 'BAD_USER_INPUT');
    await refused(SETTLEMENT, set([icbc, { ...cmb, primary: true }]), 'BAD_USER_INPUT');
    const holder = await refused(SETTLEMENT, set([{ ...icbc, holderName: '陈小晨' }]), 'INVALID_BANK_CARD');
    expect(messageOf(holder)).toContain('陈晨');
    await refused(SETTLEMENT, set([icbc, { ...cmb, cardNumber: ICBC_CARD }]), 'INVALID_BANK_CARD');
    const { updateSettlementAccounts: t } = await ok(
      SETTLEMENT,
      set([{ ...icbc, cardNumber: ICBC_CARD.replace(/(\d{4})/g, '$1 ') }, cmb]),
    );
    expect(t.currentStep).toBe('SUITABILITY');
    expect(t.settlementAccounts).toEqual([
      {
        bank: { code: '102', name: '中国工商银行' },
        cardNumber: `6222 **** **** ${ICBC_CARD.slice(-4)}`,
        holderName: '陈晨',
        primary: true,
      },
      {
        bank: { code: '308', name: '招商银行' },
        cardNumber: `6214 **** **** ${CMB_CARD.slice(-4)}`,
        holderName: '陈晨',
        primary: false,
      },
    ]);
    // the full number is never in what the API gives back
    expect(JSON.stringify(await ticket())).not.toContain(ICBC_CARD);
  });

  it('适当性评估: the broker questionnaire, every answer validated, scored on the server', async () => {
    const { suitabilityQuestionnaire: q } = await ok(
      '{ suitabilityQuestionnaire(brokerCode: "DEMO") { id version title questions { code text section multiple options { code text } } } }',
      {},
    );
    expect(q.questions).toHaveLength(19);
    expect(new Set(q.questions.map((x: { section: string }) => x.section))).toEqual(
      new Set(['基本情况', '财务状况', '投资知识', '投资经验', '风险偏好']),
    );
    expect(q.questions[10].multiple).toBe(true);
    // the scores stay on the server
    expect(
      codeOf(
        await gql(server.url, '{ suitabilityQuestionnaire(brokerCode: "DEMO") { questions { options { score } } } }'),
      ),
    ).toBe('GRAPHQL_VALIDATION_FAILED');
    const answer = (a: unknown, id = q.id) => ({ t: ticketId, q: id, a });
    const all = answers(SUITABILITY_ANSWERS.C3);
    const missing = await refused(SUITABILITY, answer(all.filter((x) => x.question !== 'Q5')), 'ANSWERS_INVALID');
    expect(messageOf(missing)).toContain('第5题');
    await refused(
      SUITABILITY,
      answer(all.map((x) => (x.question === 'Q2' ? { ...x, options: ['Z'] } : x))),
      'ANSWERS_INVALID',
    );
    await refused(
      SUITABILITY,
      answer(all.map((x) => (x.question === 'Q1' ? { ...x, options: ['A', 'B'] } : x))),
      'ANSWERS_INVALID',
    );
    await refused(SUITABILITY, answer([...all, { question: 'Q99', options: ['A'] }]), 'ANSWERS_INVALID');
    await refused(
      SUITABILITY,
      answer(all.map((x) => (x.question === 'Q3' ? { ...x, options: [] } : x))),
      'ANSWERS_INVALID',
    );
    // the broker publishes a new version while the applicant answers the old one
    await server.services.opening.questionnaires.sync(server.db.orm.em.fork() as never, (await brokerId())!, [
      { ...SUITABILITY_QUESTIONNAIRE, title: `${SUITABILITY_QUESTIONNAIRE.title}（${kind}修订）` },
    ]);
    const outdated = await refused(SUITABILITY, answer(all), 'QUESTIONNAIRE_OUTDATED');
    expect(messageOf(outdated)).toContain(`第${q.version + 1}版`);
    const current = (await ok('{ suitabilityQuestionnaire(brokerCode: "DEMO") { id version } }', {}))
      .suitabilityQuestionnaire;
    expect(current.version).toBe(q.version + 1);
    const { answerSuitability: r } = await ok(SUITABILITY, answer(all, current.id));
    // 44 points as the demo questionnaire counts them (Q11: the highest chosen option)
    const expected = SUITABILITY_ANSWERS.C3.reduce<number>((sum, a, i) => {
      const opts = SUITABILITY_QUESTIONNAIRE.questions[i]!.options;
      const chosen = (typeof a === 'string' ? [a] : [...a]).map((c) => opts.find((o) => o.code === c)!.score ?? 0);
      return sum + Math.max(...chosen);
    }, 0);
    expect(expected).toBe(44);
    expect(r).toMatchObject({ score: 44, tolerance: 'C3', toleranceName: '稳健型', lowestCategory: false });
    expect(r.meaning).toContain('R1–R3');
    expect(r.matches).toContainEqual({ exchange: 'SHFE', risk: 'R4', matched: false });
    expect((await ticket()).currentStep).toBe('EXCHANGES');
  });

  it('交易所选择: the six exchanges with their risk, conditions said, a mismatch confirmed', async () => {
    const { exchangeOptions } = await ok(
      'query ($t: ID!) { exchangeOptions(ticketId: $t) { exchange name risk unavailableReason } }',
      {
        t: ticketId,
      },
    );
    expect(exchangeOptions.map((o: { exchange: string }) => o.exchange).sort()).toEqual([
      'CFFEX',
      'CZCE',
      'DCE',
      'GFEX',
      'INE',
      'SHFE',
    ]);
    expect(exchangeOptions.every((o: { risk: string }) => o.risk === 'R4')).toBe(true);
    const cffex = exchangeOptions.find((o: { exchange: string }) => o.exchange === 'CFFEX');
    expect(cffex.name).toBe('中国金融期货交易所');
    expect(cffex.unavailableReason).toMatch(/50万元.*知识测试.*交易经历.*增开交易编码/);
    expect(exchangeOptions.find((o: { exchange: string }) => o.exchange === 'SHFE').unavailableReason).toBeNull();
    await refused(EXCHANGES, { t: ticketId, e: [] }, 'BAD_USER_INPUT');
    const unavailable = await refused(
      EXCHANGES,
      { t: ticketId, e: ['SHFE', 'CFFEX'], m: true },
      'EXCHANGE_UNAVAILABLE',
    );
    expect(messageOf(unavailable)).toContain('中国金融期货交易所');
    const mismatch = await refused(EXCHANGES, { t: ticketId, e: ['SHFE', 'DCE'] }, 'RISK_MISMATCH');
    expect(mismatch.errors![0]!.extensions!.exchanges).toEqual(['SHFE', 'DCE']);
    await refused(EXCHANGES, { t: ticketId, e: ['SHFE', 'DCE'], m: false }, 'RISK_MISMATCH');
    const { selectExchanges: t } = await ok(EXCHANGES, { t: ticketId, e: ['SHFE', 'DCE', 'SHFE'], m: true });
    expect(t).toMatchObject({ currentStep: 'VIDEO_WITNESS', exchanges: ['SHFE', 'DCE'] });
  });

  it("视频见证 with the application on the agent's page, then 安装数字证书 and 签署协议 with the 适当性匹配意见告知书", async () => {
    const agent = as(await loginStaff(server.url, 'agent01', 'Agent#2026'));
    const seen = (
      await ok(
        `query ($t: ID!) { ticket(id: $t) { customerName details { step label value } documents { kind } } }`,
        { t: ticketId },
        agent['authorization']!.slice(7),
      )
    ).ticket;
    expect(seen.customerName).toBe('陈晨');
    const rows = seen.details.map((d: { label: string; value: string }) => `${d.label}：${d.value}`);
    expect(rows).toEqual(
      expect.arrayContaining([
        '客户姓名：陈晨',
        `主结算账户：中国工商银行 6222 **** **** ${ICBC_CARD.slice(-4)}（户名：陈晨）`,
        '风险承受能力等级：C3（稳健型）',
        '申请开通的交易所：上海期货交易所（R4，不匹配）、大连商品交易所（R4，不匹配）',
        '风险不匹配警示：客户已阅读警示并确认继续',
      ]),
    );
    expect(seen.documents.map((d: { kind: string }) => d.kind).sort()).toEqual([
      'BANK_CARD',
      'ID_CARD_BACK',
      'ID_CARD_FRONT',
      'SIGNATURE',
    ]);
    await passWitness(server, token, ticketId);
    expect((await ticket()).currentStep).toBe('CERTIFICATE');
    const keys = await generateBrowserKeyPair();
    const { requestCertificate } = await ok(
      'mutation ($t: ID!, $c: String!) { requestCertificate(ticketId: $t, csrPem: $c) { pem status subject } }',
      { t: ticketId, c: makeCsr(keys, '陈晨') },
    );
    expect(requestCertificate).toMatchObject({ status: 'VALID', subject: expect.stringContaining('陈晨') });
    browser = { keys, certPem: requestCertificate.pem };
    const { ticket: t } = await ok(
      'query ($t: ID!) { ticket(id: $t) { currentStep agreements { agreement { id code title content } signingPayload } } }',
      { t: ticketId },
    );
    expect(t.currentStep).toBe('AGREEMENTS');
    expect(t.agreements.map((a: { agreement: { title: string } }) => a.agreement.title)).toEqual(
      expect.arrayContaining([
        '客户须知',
        '期货经纪合同',
        '期货交易风险说明书',
        '个人数字证书申请责任书',
        '适当性匹配意见告知书',
        '个人税收居民身份声明文件',
      ]),
    );
    const notice = t.agreements.find(
      (a: { agreement: { code: string } }) => a.agreement.code === 'SUITABILITY_MATCH_NOTICE',
    );
    expect(notice.agreement.content).toContain('陈晨');
    expect(notice.agreement.content).toContain('44');
    expect(notice.agreement.content).toContain('C3（稳健型）');
    expect(notice.agreement.content).toContain('上海期货交易所（R4）');
    expect(notice.agreement.content).toContain('仍坚持申请');
    expect(notice.agreement.content).not.toContain('{{');
    const sign = (list: typeof t.agreements) =>
      list.map((a: { agreement: { id: string }; signingPayload: string }) => ({
        agreementId: a.agreement.id,
        signature: signDetached(browser.keys, browser.certPem, Buffer.from(a.signingPayload, 'base64')).toString(
          'base64',
        ),
      }));
    const SIGN =
      'mutation ($t: ID!, $s: [AgreementSignatureInput!]!) { signAgreements(ticketId: $t, signatures: $s) { currentStep } }';
    await refused(
      SIGN,
      {
        t: ticketId,
        s: sign(
          t.agreements.filter((a: { agreement: { code: string } }) => a.agreement.code !== 'SUITABILITY_MATCH_NOTICE'),
        ),
      },
      'AGREEMENTS_INCOMPLETE',
    );
    expect((await ok(SIGN, { t: ticketId, s: sign(t.agreements) })).signAgreements.currentStep).toBe('RETURN_VISIT');
    // the notice's text as signed is kept with its signature
    const [kept] = await server.db.sql.query<{ content: string | null }>(
      `select s.content from agreement_signatures s join agreements a on a.id = s.agreement_id where s.ticket_id = $1 and a.code = 'SUITABILITY_MATCH_NOTICE'`,
      [ticketId],
    );
    expect(kept!.content).toBe(notice.agreement.content);
  });

  it('回访问卷: every question answered; an unexpected answer flags the ticket 需人工回访 for the reviewer', async () => {
    const { returnVisitQuestionnaire: q } = await ok(
      '{ returnVisitQuestionnaire(brokerCode: "DEMO") { id questions { code text options { code text } } } }',
      {},
    );
    expect(q.questions).toHaveLength(RETURN_VISIT_QUESTIONNAIRE.questions.length);
    expect(q.questions[0].options.map((o: { text: string }) => o.text)).toEqual(['是', '否', '不清楚']);
    await refused(RETURN_VISIT, { t: ticketId, q: q.id, a: returnVisitAnswers().slice(1) }, 'ANSWERS_INVALID');
    await refused(
      RETURN_VISIT,
      { t: ticketId, q: '00000000-0000-4000-8000-000000000000', a: returnVisitAnswers() },
      'NOT_FOUND',
    );
    const { answerReturnVisit: t } = await ok(RETURN_VISIT, {
      t: ticketId,
      q: q.id,
      a: returnVisitAnswers({ Q2: 'Y' }),
    });
    expect(t.currentStep).toBe('SUBMITTED');
    expect((await ticket()).flags).toEqual([]); // the applicant does not see the flags
    const { ticket: staffView } = await ok(
      'query ($t: ID!) { ticket(id: $t) { flags { code title reasons } } }',
      { t: ticketId },
      reviewer['authorization']!.slice(7),
    );
    expect(staffView.flags).toEqual([
      { code: 'MANUAL_RETURN_VISIT', title: '需人工回访', reasons: [expect.stringMatching(/承诺投资收益.*“是”/)] },
    ]);
  });

  it('审核: the reviewer sees every section; a counter failing during approval leaves the ticket SUBMITTED and opens nothing', async () => {
    await ok('mutation ($t: ID!) { submitTicket(ticketId: $t) { status } }', { t: ticketId });
    const review = (
      await ok(
        `query ($t: ID!) { ticket(id: $t) { status reviewableByMe customerName details { step label } documents { kind url } signatures { agreementCode verified } witnessAgentName suitability { tolerance } } }`,
        { t: ticketId },
        reviewer['authorization']!.slice(7),
      )
    ).ticket;
    expect(review).toMatchObject({
      status: 'SUBMITTED',
      reviewableByMe: true,
      customerName: '陈晨',
      suitability: { tolerance: 'C3' },
    });
    expect(new Set(review.details.map((d: { step: string }) => d.step))).toEqual(
      new Set(['IDENTITY', 'SETTLEMENT_ACCOUNT', 'SUITABILITY', 'EXCHANGES', 'RETURN_VISIT']),
    );
    expect(review.signatures.every((s: { verified: boolean }) => s.verified)).toBe(true);
    expect(review.signatures.map((s: { agreementCode: string }) => s.agreementCode)).toContain(
      'SUITABILITY_MATCH_NOTICE',
    );
    expect(review.documents.map((d: { kind: string }) => d.kind)).toContain('BANK_CARD');

    const APPROVE = 'mutation ($t: ID!) { approveTicket(ticketId: $t) { status accountNo } }';
    const counter = server.services.plugins.counter;
    const spy = jest
      .spyOn(counter, 'openAccount')
      .mockRejectedValueOnce(new Error('connect ECONNREFUSED 10.0.0.9:7001'));
    const failed = await refused(APPROVE, { t: ticketId }, 'COUNTER_UNAVAILABLE', reviewer['authorization']!.slice(7));
    expect(messageOf(failed)).toContain('柜台');
    spy.mockRestore();
    expect(
      await server.services.plugins.counter.findCustomer('DEMO', DEMO.chenChen.idNumber, 'FUTURES_BROKERAGE'),
    ).toBeNull();
    const [customers] = await server.db.sql.query<{ n: string }>(
      'select count(*)::text as n from customers where id_number = $1',
      [DEMO.chenChen.idNumber],
    );
    expect(customers!.n).toBe('0');
    expect((await ticket()).status).toBe('SUBMITTED');
  });

  it('审核通过: the counter opens the account, the codes come back per exchange, the customer is told and can log in', async () => {
    // the 统一开户 system is down when the approval commits: the codes wait, the next poll applies
    const apply = jest
      .spyOn(server.services.plugins.counter, 'applyTradingCodes')
      .mockRejectedValueOnce(new Error('connect ETIMEDOUT 10.0.0.9:7002'));
    const { approveTicket } = await ok(
      'mutation ($t: ID!) { approveTicket(ticketId: $t) { status accountNo } }',
      { t: ticketId },
      reviewer['authorization']!.slice(7),
    );
    expect(approveTicket.status).toBe('APPROVED');
    const statuses = async () =>
      (
        await server.db.sql.query<{ status: string }>('select status from trading_codes where ticket_id = $1', [
          ticketId,
        ])
      ).map((r) => r.status);
    await waitFor('the failed application given back', async () => apply.mock.calls.length === 1);
    // this node's poll (or the background one, whichever comes first) applies again
    expect(await server.services.opening.poll(server.db.orm.em.fork() as never)).toBe(0);
    expect(await statuses()).toEqual(['APPLIED', 'APPLIED']);
    expect(apply).toHaveBeenCalledTimes(2);
    apply.mockRestore();
    expect(approveTicket.accountNo).toMatch(/^8\d{9}$/);
    const accountNo = approveTicket.accountNo as string;
    const outbox = async () =>
      ((await (await fetch(`${server.url}/dev/outbox?to=${DEMO.chenChen.mobile}`)).json()) as { text: string }[]).map(
        (m) => m.text,
      );
    expect((await outbox())[0]).toContain(`资金账号为${accountNo}`);
    let t = await ticket();
    expect(t).toMatchObject({ acceptanceNo, accountNo, status: 'APPROVED' });
    expect(t.tradingCodes).toEqual([
      { exchange: 'DCE', status: 'APPLIED', code: null, reason: null },
      { exchange: 'SHFE', status: 'APPLIED', code: null, reason: null },
    ]);
    // the exchanges answer after the counter's delay (3 s of the pinned clock)
    expect(await server.services.opening.poll(server.db.orm.em.fork() as never)).toBe(0);
    server.clock.advance(3000);
    // two nodes poll at the same moment: each answer is recorded once
    const polls = await Promise.all([1, 2].map(() => server.services.opening.poll(server.db.orm.em.fork() as never)));
    expect(polls[0]! + polls[1]!).toBe(2);
    t = await ticket();
    expect(t.tradingCodes).toEqual([
      { exchange: 'DCE', status: 'ASSIGNED', code: expect.stringMatching(/^\d{8}$/), reason: null },
      { exchange: 'SHFE', status: 'ASSIGNED', code: expect.stringMatching(/^\d{8}$/), reason: null },
    ]);
    expect(t.events.map((e: { action: string }) => e.action)).toEqual(
      expect.arrayContaining(['APPROVED', 'ACCOUNT_OPENED', 'TRADING_CODES_APPLIED', 'TRADING_CODE_ASSIGNED']),
    );
    expect(t.events.filter((e: { action: string }) => e.action === 'TRADING_CODE_ASSIGNED')).toHaveLength(2);
    expect((await outbox())[0]).toMatch(
      new RegExp(`资金账号${accountNo}交易编码申请结果：大连商品交易所\\d{8}；上海期货交易所\\d{8}`),
    );
    // partners hear of it
    const [events] = await server.db.sql.query<{ n: string }>(
      `select count(*)::text as n from partner_events where ticket_id = $1 and type in ('REVIEW_COMPLETED', 'ACCOUNT_OPENED', 'TRADING_CODE_ANSWERED')`,
      [ticketId],
    );
    expect(events!.n).toBe('4');
    // the new customer logs in with the ID number to 我的基本资料
    const customer = await loginCustomer(server, { idNumber: DEMO.chenChen.idNumber, mobile: DEMO.chenChen.mobile });
    const { me } = await ok('{ me { accountType branch { name } profile { name mobile address } } }', {}, customer);
    expect(me).toMatchObject({
      accountType: 'FUTURES_BROKERAGE',
      branch: { name: '北京营业部' },
      profile: { name: '陈晨', mobile: '137****1111', address: '浙江省杭州市西湖区文三路90号东部软件园1号楼' },
    });
    // and opening again with that ID number is ALREADY_CUSTOMER
    const again = await loginProspect(server, '13700009999');
    const { startAccountOpening: t2 } = await ok(START, { b: 'OPEN_FUTURES_ACCOUNT', br: beijing }, again);
    await uploadIdPhotos(again, t2.id);
    await refused(IDENTITY, { t: t2.id, i: identityInput(DEMO.chenChen) }, 'ALREADY_CUSTOMER', again, t2.id);
    // card numbers and the applicant's ID number are never logged
    const log = server.lines.join('\n');
    for (const secret of [ICBC_CARD, CMB_CARD, DEMO.chenChen.idNumber]) expect(log).not.toContain(secret);
    expect(log).toContain('/graphql'); // the requests were logged, without them
  });

  it('refuses an R4 product to the 最低风险承受能力类别, whatever is confirmed', async () => {
    const lin = await loginProspect(server, DEMO.linJing.mobile);
    const { startAccountOpening: t } = await ok(START, { b: 'OPEN_FUTURES_ACCOUNT', br: beijing }, lin);
    await uploadIdPhotos(lin, t.id);
    await ok(IDENTITY, { t: t.id, i: identityInput(DEMO.linJing) }, lin);
    await uploadDocument(server.url, lin, t.id, 'BANK_CARD', photos.BANK_CARD!);
    await ok(SETTLEMENT, { t: t.id, a: [{ bankCode: '308', cardNumber: CMB_CARD, primary: true }] }, lin);
    const { suitabilityQuestionnaire: q } = await ok(
      '{ suitabilityQuestionnaire(brokerCode: "DEMO") { id } }',
      {},
      lin,
    );
    const { answerSuitability: r } = await ok(
      SUITABILITY,
      { t: t.id, q: q.id, a: answers(SUITABILITY_ANSWERS.LOWEST) },
      lin,
    );
    expect(r).toMatchObject({ score: 53, tolerance: 'C1', lowestCategory: true });
    expect(r.meaning).toContain('最低风险承受能力类别');
    const res = await refused(EXCHANGES, { t: t.id, e: ['SHFE'], m: true }, 'RISK_NOT_ALLOWED', lin, t.id);
    expect(messageOf(res)).toContain('最低风险承受能力类别');
    // 上一步 and a new assessment: the step is taken again
    await ok('mutation ($t: ID!) { goBack(ticketId: $t) { currentStep } }', { t: t.id }, lin);
    const { answerSuitability: again } = await ok(
      SUITABILITY,
      { t: t.id, q: q.id, a: answers(SUITABILITY_ANSWERS.C4) },
      lin,
    );
    expect(again).toMatchObject({ score: 55, tolerance: 'C4', lowestCategory: false });
    expect((await ok(EXCHANGES, { t: t.id, e: ['SHFE'] }, lin)).selectExchanges.currentStep).toBe('VIDEO_WITNESS');
  });

  async function brokerId(): Promise<string | undefined> {
    return (await server.db.sql.query<{ id: string }>(`select id from brokers where code = 'DEMO'`))[0]?.id;
  }
});
