/**
 * An example partner integration: a broker partner's app embedding Kaihu through GraphQL only,
 * with plain `fetch` and the `graphql-ws` client. README "Embedding Kaihu" walks through it.
 *
 *  1. The partner's server holds an API key (`Authorization: Bearer kh_…`) made by the broker's
 *     admin (`createApiKey`); with it, it follows the broker's events (`events` subscription,
 *     replayed from the last id it stored, then live), and may have Kaihu POST them to its own
 *     endpoint (`createWebhook`; {@link registerWebhook}, {@link verifyWebhook}).
 *  2. It logs its user in the Kaihu way: image captcha → SMS code → `login`, each call carrying
 *     the partner key, so the session is the partner's.
 *  3. It runs 修改其他信息 (UPDATE_OTHER_INFO) with the customer's session: photos, the 其他信息
 *     page, the video witness if the customer has no certificate (queue; the broker's agent
 *     answers), a certificate made on the device, the agreements signed with it, and submits
 *     ({@link runPartnerExample}).
 *  4. For somebody who is not a customer yet it runs 开立期货账户 (OPEN_FUTURES_ACCOUNT)
 *     ({@link runPartnerOpening}): the prospect login with a mobile (captcha → SMS code → the
 *     broker's 《隐私政策》 agreed → `prospectLogin`, each call with the partner key: a key only
 *     opens accounts at its own broker), then `startAccountOpening` at a branch and every step to
 *     submission; after the broker's review its back end hears ACCOUNT_OPENED (the 资金账号) and
 *     one TRADING_CODE_ANSWERED per exchange from the event stream.
 *
 * What a real app gets from its user (the captcha answer, the SMS code, the photos, the key pair,
 * what they type and answer) comes in through {@link PartnerExampleOptions} and
 * {@link PartnerOpeningOptions}; in demo mode the test reads the captcha and code from Kaihu's
 * `/dev` pages.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

/** The device's certificate: a CSR for the customer's name, and a detached CMS signature with the issued certificate. */
export interface DeviceCertificate {
  csr: (name: string) => Promise<string>;
  sign: (certPem: string, payload: Buffer) => Buffer;
}

export interface PartnerExampleOptions {
  /** Kaihu's base URL, e.g. http://localhost:4000 */
  url: string;
  /** The partner's API key (scopes LOGIN and EVENTS). */
  partnerKey: string;
  customer: { idNumber: string; accountType: 'FUTURES_BROKERAGE' | 'ASSET_MANAGEMENT' };
  /** Shows the captcha image (a data URL) to the user and returns what they typed. */
  solveCaptcha: (captcha: { id: string; image: string }) => Promise<string>;
  /** Returns the SMS code the user received on the phone Kaihu masked. */
  readSmsCode: (maskedPhone: string) => Promise<string>;
  /** The three photos the user took: ID card front, back, signature (JPEG). */
  photos: { front: Buffer; back: Buffer; signature: Buffer };
  certificate: DeviceCertificate;
  /** Where the app remembers the last event it processed (so a restart replays from there). */
  lastEventId?: string | null;
  log?: (line: string) => void;
}

export interface PartnerEvent {
  id: string;
  seq: number;
  type: string;
  ticketId: string;
  business: string;
  status: string;
  payload: Record<string, unknown>;
}

export interface PartnerExampleResult {
  ticketId: string;
  acceptanceNo: string;
  status: string;
  /** The broker's events the app received while it ran (its own ticket's among them). */
  events: PartnerEvent[];
  close(): Promise<void>;
}

/** One answer of a questionnaire: the question's code and the chosen options' codes. */
export interface Answer {
  question: string;
  options: string[];
}

export interface Questionnaire {
  id: string;
  version: number;
  title: string;
  questions: { code: string; text: string; multiple: boolean; options: { code: string; text: string }[] }[];
}

export interface PartnerOpeningOptions {
  /** Kaihu's base URL, e.g. http://localhost:4000 */
  url: string;
  /** The partner's API key (scopes LOGIN and EVENTS), of the broker the account is opened at. */
  partnerKey: string;
  brokerCode: string;
  /** The mainland mobile the applicant logs in with (the SMS go there). */
  mobile: string;
  /** The 营业部 the applicant chose from the broker's branches. */
  branchName: string;
  /** 推荐人, if the app knows one. */
  referrer?: string | null;
  solveCaptcha: (captcha: { id: string; image: string }) => Promise<string>;
  readSmsCode: (maskedPhone: string) => Promise<string>;
  /** Shows the broker's current 《隐私政策》; true when the user ticked 同意. */
  agreePrivacyPolicy: (policy: { title: string; version: number; content: string }) => Promise<boolean>;
  /** ID card front, back, signature, and the settlement bank card (JPEG). */
  photos: { front: Buffer; back: Buffer; signature: Buffer; bankCard: Buffer };
  /** 身份信息填写 as the user typed it (IdentityInput: name, ID number, gender, … and `other`). */
  identity: Record<string, unknown>;
  /** 结算账户设置: the bank cards (one primary). */
  settlementAccounts: { bankCode: string; cardNumber: string; primary: boolean }[];
  /** 适当性评估: shows the broker's questionnaire, returns the user's answers. */
  answerSuitability: (q: Questionnaire) => Promise<Answer[]>;
  /** 交易所选择: the exchanges the user picked (from `exchangeOptions`). */
  chooseExchanges: (
    options: { exchange: string; name: string; risk: string; unavailableReason: string | null }[],
  ) => Promise<string[]>;
  /** Shows Kaihu's risk-mismatch warning; true when the user confirms they go on (acceptMismatch). */
  confirmRiskMismatch: (warning: { message: string; exchanges: string[] }) => Promise<boolean>;
  /** 回访问卷: shows the broker's questionnaire, returns the user's answers. */
  answerReturnVisit: (q: Questionnaire) => Promise<Answer[]>;
  certificate: DeviceCertificate;
  lastEventId?: string | null;
  log?: (line: string) => void;
}

export interface OpenedAccount {
  /** 资金账号 (ACCOUNT_OPENED) */
  accountNo: string;
  /** one per exchange applied for (TRADING_CODE_ANSWERED), in the order of the application's exchanges */
  tradingCodes: { exchange: string; status: 'ASSIGNED' | 'REFUSED'; code: string | null }[];
}

export interface PartnerOpeningResult extends PartnerExampleResult {
  /** The exchanges applied for. */
  exchanges: string[];
  /** Resolves from the broker's events once the review approved, the account is open and every exchange answered. */
  account(timeoutMs?: number): Promise<OpenedAccount>;
}

class GraphQLError extends Error {
  constructor(readonly errors: { message: string; extensions?: { code?: string } & Record<string, unknown> }[]) {
    super(errors.map((e) => `${e.extensions?.code ?? 'ERROR'}: ${e.message}`).join('; '));
  }
  get code(): string | undefined {
    return this.errors[0]?.extensions?.code;
  }
}

/** One GraphQL request over HTTP: the data, or a thrown error with Kaihu's codes and messages. */
async function graphql<T = any>(
  url: string,
  token: string | null,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<T> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: T; errors?: GraphQLError['errors'] };
  if (body.errors?.length) throw new GraphQLError(body.errors);
  return body.data as T;
}

/** Photos go as GraphQL multipart requests (the `Upload` scalar). */
async function upload(url: string, token: string, ticketId: string, kind: string, jpeg: Buffer): Promise<void> {
  const form = new FormData();
  form.append(
    'operations',
    JSON.stringify({
      query:
        'mutation ($t: ID!, $k: DocumentKind!, $f: Upload!) { uploadDocument(ticketId: $t, kind: $k, file: $f) { id adjustments } }',
      variables: { t: ticketId, k: kind, f: null },
    }),
  );
  form.append('map', JSON.stringify({ 0: ['variables.f'] }));
  form.append('0', new Blob([new Uint8Array(jpeg)], { type: 'image/jpeg' }), `${kind}.jpg`);
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    body: form,
    headers: { authorization: `Bearer ${token}`, 'apollo-require-preflight': 'true' },
  });
  const body = (await res.json()) as { errors?: GraphQLError['errors'] };
  if (body.errors?.length) throw new GraphQLError(body.errors);
}

/** 上传照片: the ID card's front and back and the signature, then the step done. */
async function idPhotos(
  url: string,
  token: string,
  ticketId: string,
  photos: { front: Buffer; back: Buffer; signature: Buffer },
): Promise<void> {
  await upload(url, token, ticketId, 'ID_CARD_FRONT', photos.front);
  await upload(url, token, ticketId, 'ID_CARD_BACK', photos.back);
  await upload(url, token, ticketId, 'SIGNATURE', photos.signature);
  await graphql(url, token, 'mutation ($t: ID!) { completeDocuments(ticketId: $t) { id } }', { t: ticketId });
}

function socket(url: string, token: string): Client {
  // graphql-ws reconnects by itself (here up to 10 times); the token goes in connectionParams
  return createClient({
    url: url.replace(/^http/, 'ws') + '/graphql',
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: 10,
    lazy: false,
  });
}

const EVENT = 'id seq type ticketId business status payload';
const TICKET = 'id acceptanceNo status currentStep reason';

interface EventFeed {
  events: PartnerEvent[];
  waitForEvent(match: (e: PartnerEvent) => boolean, what: string, ms?: number): Promise<PartnerEvent>;
  close(): Promise<void>;
}

/** 1. The broker's events, replayed after the last one we processed, then live. */
async function followEvents(
  url: string,
  partnerKey: string,
  after: string | null,
  log: (line: string) => void,
): Promise<EventFeed> {
  const events: PartnerEvent[] = [];
  let lastEventId = after;
  const waiters: { match: (e: PartnerEvent) => boolean; resolve: (e: PartnerEvent) => void }[] = [];
  const partnerWs = socket(url, partnerKey);
  let caughtUp!: () => void;
  const replayed = new Promise<void>((r) => (caughtUp = r));
  partnerWs.subscribe<{ events: { events: PartnerEvent[]; endCursor: string | null; caughtUp: boolean } }>(
    {
      query: `subscription ($after: ID) { events(after: $after) { events { ${EVENT} } endCursor caughtUp } }`,
      variables: { after: lastEventId },
    },
    {
      next: ({ data, errors }) => {
        if (errors) log(`events: ${JSON.stringify(errors)}`);
        for (const e of data?.events.events ?? []) {
          events.push(e);
          lastEventId = String(e.seq); // a real app stores it with the work the event caused
          for (const w of [...waiters]) {
            if (!w.match(e)) continue;
            waiters.splice(waiters.indexOf(w), 1);
            w.resolve(e);
          }
        }
        if (data?.events.caughtUp) caughtUp();
      },
      error: (e) => log(`events subscription ended: ${String(e)}`),
      complete: () => {},
    },
  );
  await replayed;
  return {
    events,
    waitForEvent: (match, what, ms = 20_000) =>
      new Promise<PartnerEvent>((resolve, reject) => {
        const seen = events.find(match);
        if (seen) return resolve(seen);
        const timer = setTimeout(() => reject(new Error(`no ${what} event within ${ms} ms`)), ms);
        waiters.push({ match, resolve: (e) => (clearTimeout(timer), resolve(e)) });
      }),
    close: () => partnerWs.dispose() as Promise<void>,
  };
}

/** The captcha shown to the user and their answer, asked with the partner key. */
async function captcha(o: {
  url: string;
  partnerKey: string;
  solveCaptcha: PartnerExampleOptions['solveCaptcha'];
}): Promise<{ captchaId: string; captchaAnswer: string }> {
  const { createCaptcha } = await graphql(o.url, o.partnerKey, 'mutation { createCaptcha { id image } }');
  return { captchaId: createCaptcha.id, captchaAnswer: await o.solveCaptcha(createCaptcha) };
}

/**
 * 没有检测到证书: a video witness. Holding queuePosition keeps the place; the step is done when the
 * broker's agent passes the witness (ticketUpdated says so).
 */
async function videoWitness(
  url: string,
  token: string,
  ws: Client,
  ticketId: string,
  log: (line: string) => void,
): Promise<void> {
  await graphql(url, token, 'mutation ($t: ID!) { joinWitnessQueue(ticketId: $t) { position waiting } }', {
    t: ticketId,
  });
  await new Promise<void>((resolve, reject) => {
    const stopQueue = ws.subscribe<any>(
      {
        query: 'subscription ($t: ID!) { queuePosition(ticketId: $t) { state position waiting } }',
        variables: { t: ticketId },
      },
      {
        next: ({ data }) =>
          data &&
          log(`queue: ${data.queuePosition.state} ${data.queuePosition.position}/${data.queuePosition.waiting}`),
        error: reject,
        complete: () => {},
      },
    );
    const stopTicket = ws.subscribe<any>(
      { query: `subscription ($t: ID!) { ticketUpdated(ticketId: $t) { ${TICKET} } }`, variables: { t: ticketId } },
      {
        next: ({ data }) => {
          if (data && data.ticketUpdated.currentStep !== 'VIDEO_WITNESS') {
            stopQueue();
            stopTicket();
            resolve();
          }
        },
        error: reject,
        complete: () => {},
      },
    );
  });
}

/** 签署协议: a detached CMS signature of each agreement's signing payload, with the device's certificate. */
async function signAgreements(
  url: string,
  token: string,
  ticketId: string,
  certificate: DeviceCertificate,
  certPem: string | null,
): Promise<void> {
  if (!certPem)
    throw new Error('this device has no certificate: the app should have run the witness and CERTIFICATE steps');
  const { ticket: t } = await graphql(
    url,
    token,
    'query ($t: ID!) { ticket(id: $t) { agreements { agreement { id title } signingPayload } } }',
    { t: ticketId },
  );
  const signatures = t.agreements.map((a: { agreement: { id: string }; signingPayload: string }) => ({
    agreementId: a.agreement.id,
    signature: certificate.sign(certPem, Buffer.from(a.signingPayload, 'base64')).toString('base64'),
  }));
  await graphql(
    url,
    token,
    'mutation ($t: ID!, $s: [AgreementSignatureInput!]!) { signAgreements(ticketId: $t, signatures: $s) { id } }',
    { t: ticketId, s: signatures },
  );
}

/** 安装数字证书: the CSR made on the device; returns the issued certificate (PEM). */
async function installCertificate(
  url: string,
  token: string,
  ticketId: string,
  certificate: DeviceCertificate,
  name: string,
): Promise<string> {
  const { requestCertificate } = await graphql(
    url,
    token,
    'mutation ($t: ID!, $c: String!) { requestCertificate(ticketId: $t, csrPem: $c) { pem status } }',
    { t: ticketId, c: await certificate.csr(name) },
  );
  return requestCertificate.pem as string;
}

export async function runPartnerExample(o: PartnerExampleOptions): Promise<PartnerExampleResult> {
  const log = o.log ?? (() => {});
  const feed = await followEvents(o.url, o.partnerKey, o.lastEventId ?? null, log);

  // 2. login: captcha → SMS code → session, every call with the partner key
  const { requestLoginCode } = await graphql(
    o.url,
    o.partnerKey,
    'mutation ($i: RequestLoginCodeInput!) { requestLoginCode(input: $i) { maskedPhone } }',
    { i: { ...o.customer, ...(await captcha(o)) } },
  );
  const code = await o.readSmsCode(requestLoginCode.maskedPhone);
  const { login } = await graphql(
    o.url,
    o.partnerKey,
    'mutation ($i: LoginInput!) { login(input: $i) { token viewer { customer { profile { name } } } } }',
    { i: { ...o.customer, code } },
  );
  const token: string = login.token;
  const name: string = login.viewer.customer.profile.name;
  log(`logged in ${name}`);

  // 3. the business, step by step as the server says (it holds the state)
  const { startTicket } = await graphql(
    o.url,
    token,
    `mutation { startTicket(business: UPDATE_OTHER_INFO) { ${TICKET} } }`,
  );
  const ticketId: string = startTicket.id;
  const customerWs = socket(o.url, token);
  let certPem: string | null = null;
  for (let guard = 0; guard < 12; guard++) {
    const { ticket } = await graphql(o.url, token, `query ($t: ID!) { ticket(id: $t) { ${TICKET} } }`, { t: ticketId });
    log(`at ${ticket.currentStep}`);
    switch (ticket.currentStep as string) {
      case 'DOCUMENTS':
        await idPhotos(o.url, token, ticketId, o.photos);
        break;
      case 'OTHER_INFO':
        await graphql(
          o.url,
          token,
          'mutation ($t: ID!, $i: OtherInfoInput!) { updateOtherInfo(ticketId: $t, input: $i) { id } }',
          {
            t: ticketId,
            i: {
              province: '上海市',
              city: '上海市',
              address: '上海市浦东新区世纪大道200号',
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
              products: ['FUTURES_OPTIONS'],
              badCreditRecords: [],
            },
          },
        );
        break;
      case 'VIDEO_WITNESS':
        await videoWitness(o.url, token, customerWs, ticketId, log);
        break;
      case 'CERTIFICATE':
        certPem = await installCertificate(o.url, token, ticketId, o.certificate, name);
        break;
      case 'AGREEMENTS':
        await signAgreements(o.url, token, ticketId, o.certificate, certPem);
        break;
      case 'SUBMITTED': {
        const { submitTicket } = await graphql(
          o.url,
          token,
          `mutation ($t: ID!) { submitTicket(ticketId: $t) { ${TICKET} } }`,
          { t: ticketId },
        );
        // the broker's event stream tells the partner's back end too
        await feed.waitForEvent(
          (e) => e.ticketId === ticketId && e.type === 'TICKET_STATUS_CHANGED' && e.status === 'SUBMITTED',
          'SUBMITTED',
        );
        return {
          ticketId,
          acceptanceNo: submitTicket.acceptanceNo,
          status: submitTicket.status,
          events: feed.events,
          async close() {
            await customerWs.dispose();
            await feed.close();
          },
        };
      }
      default:
        throw new Error(`this example does not handle the step ${String(ticket.currentStep)}`);
    }
  }
  throw new Error('the ticket did not reach submission');
}

const QUESTIONNAIRE = 'id version title questions { code text multiple options { code text } }';

/** 4. 开立期货账户 for a prospect, through the partner's key, to submission; then the account from the events. */
export async function runPartnerOpening(o: PartnerOpeningOptions): Promise<PartnerOpeningResult> {
  const log = o.log ?? (() => {});
  const feed = await followEvents(o.url, o.partnerKey, o.lastEventId ?? null, log);

  // the login page: the broker's 《隐私政策》 (read before login) and its branches
  const { privacyPolicy, broker } = await graphql(
    o.url,
    o.partnerKey,
    'query ($b: String!) { privacyPolicy(brokerCode: $b) { title version content } broker(code: $b) { branches { id name } } }',
    { b: o.brokerCode },
  );
  if (!(await o.agreePrivacyPolicy(privacyPolicy)))
    throw new Error('the user did not agree to the 隐私政策: no account opening');
  const branch = (broker.branches as { id: string; name: string }[]).find((b) => b.name === o.branchName);
  if (!branch) throw new Error(`the broker has no branch ${o.branchName}`);

  // the prospect login: captcha → SMS code → session, every call with the partner key
  const { requestProspectCode } = await graphql(
    o.url,
    o.partnerKey,
    'mutation ($i: RequestProspectCodeInput!) { requestProspectCode(input: $i) { maskedPhone } }',
    { i: { brokerCode: o.brokerCode, mobile: o.mobile, ...(await captcha(o)) } },
  );
  const code = await o.readSmsCode(requestProspectCode.maskedPhone);
  const { prospectLogin } = await graphql(
    o.url,
    o.partnerKey,
    'mutation ($i: ProspectLoginInput!) { prospectLogin(input: $i) { token } }',
    { i: { brokerCode: o.brokerCode, mobile: o.mobile, code, privacyPolicyVersion: privacyPolicy.version } },
  );
  const token: string = prospectLogin.token;
  log(`logged in ${requestProspectCode.maskedPhone}`);

  // the application (an open one of this mobile is resumed), step by step as the server says
  const { startAccountOpening } = await graphql(
    o.url,
    token,
    `mutation ($br: ID!, $r: String) { startAccountOpening(business: OPEN_FUTURES_ACCOUNT, branchId: $br, referrer: $r) { ${TICKET} } }`,
    { br: branch.id, r: o.referrer ?? null },
  );
  const ticketId: string = startAccountOpening.id;
  const applicantWs = socket(o.url, token);
  const name = String(o.identity.name);
  let certPem: string | null = null;
  let exchanges: string[] = [];
  for (let guard = 0; guard < 16; guard++) {
    const { ticket } = await graphql(o.url, token, `query ($t: ID!) { ticket(id: $t) { ${TICKET} exchanges } }`, {
      t: ticketId,
    });
    log(`at ${ticket.currentStep}`);
    switch (ticket.currentStep as string) {
      case 'DOCUMENTS':
        await idPhotos(o.url, token, ticketId, o.photos);
        break;
      case 'IDENTITY':
        await graphql(
          o.url,
          token,
          'mutation ($t: ID!, $i: IdentityInput!) { updateIdentity(ticketId: $t, input: $i) { id } }',
          { t: ticketId, i: o.identity },
        );
        break;
      case 'SETTLEMENT_ACCOUNT':
        // the card's photo first (the step refuses without it)
        await upload(o.url, token, ticketId, 'BANK_CARD', o.photos.bankCard);
        await graphql(
          o.url,
          token,
          'mutation ($t: ID!, $a: [SettlementAccountInput!]!) { updateSettlementAccounts(ticketId: $t, accounts: $a) { id } }',
          { t: ticketId, a: o.settlementAccounts },
        );
        break;
      case 'SUITABILITY': {
        const { suitabilityQuestionnaire: q } = await graphql(
          o.url,
          token,
          `query ($b: String!) { suitabilityQuestionnaire(brokerCode: $b) { ${QUESTIONNAIRE} } }`,
          { b: o.brokerCode },
        );
        const { answerSuitability } = await graphql(
          o.url,
          token,
          'mutation ($t: ID!, $q: ID!, $a: [AnswerInput!]!) { answerSuitability(ticketId: $t, questionnaireId: $q, answers: $a) { tolerance toleranceName } }',
          { t: ticketId, q: q.id, a: await o.answerSuitability(q) },
        );
        log(`suitability ${answerSuitability.tolerance}（${answerSuitability.toleranceName}）`);
        break;
      }
      case 'EXCHANGES': {
        const { exchangeOptions } = await graphql(
          o.url,
          token,
          'query ($t: ID!) { exchangeOptions(ticketId: $t) { exchange name risk unavailableReason } }',
          { t: ticketId },
        );
        const chosen = await o.chooseExchanges(exchangeOptions);
        const select = (acceptMismatch: boolean) =>
          graphql(
            o.url,
            token,
            'mutation ($t: ID!, $e: [Exchange!]!, $m: Boolean) { selectExchanges(ticketId: $t, exchanges: $e, acceptMismatch: $m) { exchanges } }',
            { t: ticketId, e: chosen, m: acceptMismatch },
          );
        try {
          exchanges = (await select(false)).selectExchanges.exchanges;
        } catch (e) {
          // riskier than the applicant's tolerance: Kaihu's warning is shown, the applicant decides
          if (!(e instanceof GraphQLError) || e.code !== 'RISK_MISMATCH') throw e;
          const warning = {
            message: e.errors[0]!.message,
            exchanges: (e.errors[0]!.extensions?.exchanges as string[] | undefined) ?? chosen,
          };
          log(`risk mismatch: ${warning.exchanges.join(',')}`);
          if (!(await o.confirmRiskMismatch(warning))) throw e;
          exchanges = (await select(true)).selectExchanges.exchanges;
        }
        break;
      }
      case 'VIDEO_WITNESS':
        await videoWitness(o.url, token, applicantWs, ticketId, log);
        break;
      case 'CERTIFICATE':
        certPem = await installCertificate(o.url, token, ticketId, o.certificate, name);
        break;
      case 'AGREEMENTS':
        await signAgreements(o.url, token, ticketId, o.certificate, certPem);
        break;
      case 'RETURN_VISIT': {
        const { returnVisitQuestionnaire: q } = await graphql(
          o.url,
          token,
          `query ($b: String!) { returnVisitQuestionnaire(brokerCode: $b) { ${QUESTIONNAIRE} } }`,
          { b: o.brokerCode },
        );
        await graphql(
          o.url,
          token,
          'mutation ($t: ID!, $q: ID!, $a: [AnswerInput!]!) { answerReturnVisit(ticketId: $t, questionnaireId: $q, answers: $a) { id } }',
          { t: ticketId, q: q.id, a: await o.answerReturnVisit(q) },
        );
        break;
      }
      case 'SUBMITTED': {
        const { submitTicket } = await graphql(
          o.url,
          token,
          `mutation ($t: ID!) { submitTicket(ticketId: $t) { ${TICKET} exchanges } }`,
          { t: ticketId },
        );
        exchanges = submitTicket.exchanges;
        await feed.waitForEvent(
          (e) => e.ticketId === ticketId && e.type === 'TICKET_STATUS_CHANGED' && e.status === 'SUBMITTED',
          'SUBMITTED',
        );
        return {
          ticketId,
          acceptanceNo: submitTicket.acceptanceNo,
          status: submitTicket.status,
          exchanges,
          events: feed.events,
          // the broker reviews later: the partner's back end learns the outcome from the events
          async account(timeoutMs = 60_000) {
            const opened = await feed.waitForEvent(
              (e) => e.ticketId === ticketId && e.type === 'ACCOUNT_OPENED',
              'ACCOUNT_OPENED',
              timeoutMs,
            );
            const tradingCodes: OpenedAccount['tradingCodes'] = [];
            for (const exchange of exchanges) {
              const e = await feed.waitForEvent(
                (x) => x.ticketId === ticketId && x.type === 'TRADING_CODE_ANSWERED' && x.payload.exchange === exchange,
                `TRADING_CODE_ANSWERED ${exchange}`,
                timeoutMs,
              );
              tradingCodes.push({
                exchange,
                status: e.payload.status as 'ASSIGNED' | 'REFUSED',
                code: (e.payload.code as string | null) ?? null,
              });
            }
            return { accountNo: String(opened.payload.accountNo), tradingCodes };
          },
          async close() {
            await applicantWs.dispose();
            await feed.close();
          },
        };
      }
      default:
        throw new Error(`this example does not handle the step ${String(ticket.currentStep)}`);
    }
  }
  throw new Error('the application did not reach submission');
}

/**
 * Registers the partner's endpoint (key scope WEBHOOKS): Kaihu POSTs every event of the broker to
 * it, signed. The secret comes back only here: the partner keeps it to check {@link verifyWebhook}.
 */
export async function registerWebhook(
  url: string,
  partnerKey: string,
  endpoint: string,
  description = '合作方 App',
): Promise<{ id: string; secret: string }> {
  const { createWebhook } = await graphql(
    url,
    partnerKey,
    'mutation ($u: String!, $d: String) { createWebhook(url: $u, description: $d) { webhook { id } secret } }',
    { u: endpoint, d: description },
  );
  return { id: createWebhook.webhook.id, secret: createWebhook.secret };
}

/**
 * What the partner's endpoint checks before it trusts a delivery: `Kaihu-Signature:
 * t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">` under the endpoint's secret, made
 * less than `maxAgeSeconds` before `now` (a replayed old delivery is refused). Returns the event,
 * or null.
 */
export function verifyWebhook(
  secret: string,
  signature: string | undefined,
  rawBody: string,
  now: Date = new Date(),
  maxAgeSeconds = 300,
): PartnerEvent | null {
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(signature ?? '');
  if (!m) return null;
  const expected = createHmac('sha256', secret).update(`${m[1]}.${rawBody}`).digest();
  const given = Buffer.from(m[2]!, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  if (Math.abs(now.getTime() / 1000 - Number(m[1])) > maxAgeSeconds) return null;
  return JSON.parse(rawBody) as PartnerEvent;
}
