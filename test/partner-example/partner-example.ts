/**
 * An example partner integration: a broker partner's app embedding Kaihu through GraphQL only,
 * with plain `fetch` and the `graphql-ws` client. README "Embedding Kaihu" walks through it.
 *
 *  1. The partner's server holds an API key (`Authorization: Bearer kh_…`) made by the broker's
 *     admin (`createApiKey`); with it, it follows the broker's events (`events` subscription,
 *     replayed from the last id it stored, then live).
 *  2. It logs its user in the Kaihu way: image captcha → SMS code → `login`, each call carrying
 *     the partner key, so the session is the partner's.
 *  3. It runs 修改其他信息 (UPDATE_OTHER_INFO) with the customer's session: photos, the 其他信息
 *     page, the video witness if the customer has no certificate (queue; the broker's agent
 *     answers), a certificate made on the device, the agreements signed with it, and submits.
 *
 * What a real app gets from its user (the captcha answer, the SMS code, the photos, the key pair)
 * comes in through {@link PartnerExampleOptions}; in demo mode the test reads the captcha and code
 * from Kaihu's `/dev` pages.
 */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

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
  /** The device's certificate: a CSR for the customer's name, and a detached CMS signature with the issued certificate. */
  certificate: { csr: (name: string) => Promise<string>; sign: (certPem: string, payload: Buffer) => Buffer };
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

class GraphQLError extends Error {
  constructor(readonly errors: { message: string; extensions?: { code?: string } }[]) {
    super(errors.map((e) => `${e.extensions?.code ?? 'ERROR'}: ${e.message}`).join('; '));
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

export async function runPartnerExample(o: PartnerExampleOptions): Promise<PartnerExampleResult> {
  const log = o.log ?? (() => {});
  const events: PartnerEvent[] = [];
  let lastEventId = o.lastEventId ?? null;
  const waiters: { match: (e: PartnerEvent) => boolean; resolve: (e: PartnerEvent) => void }[] = [];

  // 1. the broker's events, replayed after the last one we processed, then live
  const partnerWs = socket(o.url, o.partnerKey);
  let caughtUp!: () => void;
  const replayed = new Promise<void>((r) => (caughtUp = r));
  const follow = () =>
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
  follow();
  await replayed;
  const waitForEvent = (match: (e: PartnerEvent) => boolean, what: string, ms = 20_000) =>
    new Promise<PartnerEvent>((resolve, reject) => {
      const seen = events.find(match);
      if (seen) return resolve(seen);
      const timer = setTimeout(() => reject(new Error(`no ${what} event within ${ms} ms`)), ms);
      waiters.push({ match, resolve: (e) => (clearTimeout(timer), resolve(e)) });
    });

  // 2. login: captcha → SMS code → session, every call with the partner key
  const { createCaptcha } = await graphql(o.url, o.partnerKey, 'mutation { createCaptcha { id image } }');
  const captchaAnswer = await o.solveCaptcha(createCaptcha);
  const { requestLoginCode } = await graphql(
    o.url,
    o.partnerKey,
    'mutation ($i: RequestLoginCodeInput!) { requestLoginCode(input: $i) { maskedPhone } }',
    {
      i: { ...o.customer, captchaId: createCaptcha.id, captchaAnswer },
    },
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
        await upload(o.url, token, ticketId, 'ID_CARD_FRONT', o.photos.front);
        await upload(o.url, token, ticketId, 'ID_CARD_BACK', o.photos.back);
        await upload(o.url, token, ticketId, 'SIGNATURE', o.photos.signature);
        await graphql(o.url, token, 'mutation ($t: ID!) { completeDocuments(ticketId: $t) { id } }', { t: ticketId });
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
      case 'VIDEO_WITNESS': {
        // 没有检测到证书: a video witness first. Holding queuePosition keeps the place; the step
        // is done when the broker's agent passes the witness (ticketUpdated says so).
        await graphql(o.url, token, 'mutation ($t: ID!) { joinWitnessQueue(ticketId: $t) { position waiting } }', {
          t: ticketId,
        });
        await new Promise<void>((resolve, reject) => {
          const stopQueue = customerWs.subscribe<any>(
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
          const stopTicket = customerWs.subscribe<any>(
            {
              query: `subscription ($t: ID!) { ticketUpdated(ticketId: $t) { ${TICKET} } }`,
              variables: { t: ticketId },
            },
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
        break;
      }
      case 'CERTIFICATE': {
        const { requestCertificate } = await graphql(
          o.url,
          token,
          'mutation ($t: ID!, $c: String!) { requestCertificate(ticketId: $t, csrPem: $c) { pem status } }',
          { t: ticketId, c: await o.certificate.csr(name) },
        );
        certPem = requestCertificate.pem;
        break;
      }
      case 'AGREEMENTS': {
        if (!certPem)
          throw new Error('this device has no certificate: the app should have run the witness and CERTIFICATE steps');
        const { ticket: t } = await graphql(
          o.url,
          token,
          'query ($t: ID!) { ticket(id: $t) { agreements { agreement { id title } signingPayload } } }',
          { t: ticketId },
        );
        const signatures = t.agreements.map((a: { agreement: { id: string }; signingPayload: string }) => ({
          agreementId: a.agreement.id,
          signature: o.certificate.sign(certPem!, Buffer.from(a.signingPayload, 'base64')).toString('base64'),
        }));
        await graphql(
          o.url,
          token,
          'mutation ($t: ID!, $s: [AgreementSignatureInput!]!) { signAgreements(ticketId: $t, signatures: $s) { id } }',
          { t: ticketId, s: signatures },
        );
        break;
      }
      case 'SUBMITTED': {
        const { submitTicket } = await graphql(
          o.url,
          token,
          `mutation ($t: ID!) { submitTicket(ticketId: $t) { ${TICKET} } }`,
          { t: ticketId },
        );
        // the broker's event stream tells the partner's back end too
        await waitForEvent(
          (e) => e.ticketId === ticketId && e.type === 'TICKET_STATUS_CHANGED' && e.status === 'SUBMITTED',
          'SUBMITTED',
        );
        return {
          ticketId,
          acceptanceNo: submitTicket.acceptanceNo,
          status: submitTicket.status,
          events,
          async close() {
            await customerWs.dispose();
            await partnerWs.dispose();
          },
        };
      }
      default:
        throw new Error(`this example does not handle the step ${String(ticket.currentStep)}`);
    }
  }
  throw new Error('the ticket did not reach submission');
}
