// 开立期货账户 through the API on PostgreSQL (opening-server.mjs: one Kaihu process, demo data).
// (a) The whole flow, repeated: median time per request as the client sees it (request to
//     response, loopback), as business.mjs measures 修改其他信息 — the prospect login, every step, the
//     witness queue (joined, claimed and passed by the agent over the API, without cameras), the
//     certificate, the agreements, the return visit, the submission and the approval, which opens
//     the account at the counter and applies for the trading codes. The applicant's browser side
//     (key generation, CSR, CMS signatures) and the witness call's media are not timed.
// (b) The counter's 资金账号 allocation under concurrent approvals: N applications (default 50) are
//     brought to SUBMITTED, then approved all at once by several reviewers (none of them witnessed
//     the tickets: SAME_PERSON), each approveTicket its own HTTP request. No two may get the same
//     account number. Baselines of the same run: the sequential approvals of (a), and approvals of
//     修改其他信息 (a maintenance business: the counter changes a profile instead of opening an account).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import pg from 'pg';
import { ROOT, createDatabase, fmt, median, percentile, startNode, stop } from './lib.mjs';

const require = createRequire(path.join(ROOT, 'api/package.json'));
const browser = require(path.join(ROOT, 'api/dist/modules/certificates/testing/browser-like.js'));
const photos = require(path.join(ROOT, 'api/dist/modules/documents/testing/synthetic-photos.js'));
const opening = require(path.join(ROOT, 'api/dist/modules/opening/testing/index.js'));
const RUNS = Number(process.env.BENCH_OPENING_FLOWS ?? 10);
const CONCURRENT = Number(process.env.BENCH_OPENING_CONCURRENT ?? 50);
const REVIEWERS = 5;
/** the local counter's exchanges answer a trading-code application this long after it */
const TRADING_CODE_DELAY_MS = 3000;
const MAINTENANCE_RUNS = Number(process.env.BENCH_OPENING_MAINTENANCE ?? 10);

/** A valid ID number (GB 11643) of a man born `n` days after 1980-01-01 in 杭州市西湖区. */
function idNumber(n) {
  const birth = new Date(Date.UTC(1980, 0, 1) + n * 86_400_000).toISOString().slice(0, 10).replaceAll('-', '');
  const body = `330106${birth}101`;
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...body].reduce((s, d, i) => s + Number(d) * weights[i], 0);
  return body + '10X98765432'[sum % 11];
}

/** CPU time (ms) of the whole machine (busy, all cores) and of this run: this process, the Kaihu process, its database's backends. */
async function cpu(serverPid, sql, dbName) {
  const ticks = (pid) => {
    try {
      const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      return Number(f[11]) + Number(f[12]); // utime + stime, clock ticks of 10 ms
    } catch {
      return 0; // gone
    }
  };
  const all = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const busy = all.reduce((a, b) => a + b, 0) - all[3] - all[4]; // minus idle and iowait
  const backends = (await sql.query('select pid from pg_stat_activity where datname = $1', [dbName])).rows;
  const self = process.cpuUsage();
  const per = new Map(backends.map((r) => [r.pid, ticks(r.pid) * 10]));
  per.set(serverPid, ticks(serverPid) * 10);
  return { at: performance.now(), busy: busy * 10, self: (self.user + self.system) / 1000, per };
}

/** What the run and everything else on the machine used between two {@link cpu} snapshots, in % of one core. */
function cpuBetween(a, b) {
  const wall = b.at - a.at;
  let run = b.self - a.self;
  for (const [pid, ms] of b.per) run += ms - (a.per.get(pid) ?? 0);
  const busy = b.busy - a.busy;
  return { run: (100 * run) / wall, other: (100 * Math.max(0, busy - run)) / wall };
}

export async function run() {
  const db = await createDatabase();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kaihu-bench-'));
  const loadBefore = os.loadavg();
  const { child, info } = await startNode(['test/bench/opening-server.mjs'], {
    DATABASE_URL: db.url,
    KAIHU_DATA_DIR: dataDir,
    KAIHU_PLUGIN_COUNTER_OPTIONS: JSON.stringify({ tradingCodeDelayMs: TRADING_CODE_DELAY_MS }),
  });
  const sql = new pg.Client({ connectionString: db.url });
  await sql.connect();
  const url = info.kaihu;
  const times = {};
  let timing = true;
  const timed = async (step, fn) => {
    const t0 = performance.now();
    const out = await fn();
    if (timing) (times[step] ??= []).push(performance.now() - t0);
    return out;
  };
  const call = async (query, variables, token) => {
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    const body = await res.json();
    if (body.errors) throw new Error(`${query.slice(0, 60)}: ${JSON.stringify(body.errors)}`);
    return body.data;
  };
  const upload = async (token, t, kind, jpeg) => {
    const form = new FormData();
    form.append(
      'operations',
      JSON.stringify({
        query:
          'mutation ($t: ID!, $k: DocumentKind!, $f: Upload!) { uploadDocument(ticketId: $t, kind: $k, file: $f) { id } }',
        variables: { t, k: kind, f: null },
      }),
    );
    form.append('map', JSON.stringify({ 0: ['variables.f'] }));
    form.append('0', new Blob([jpeg], { type: 'image/jpeg' }), 'photo.jpg');
    await timed('uploadDocument', async () => {
      const body = await (
        await fetch(`${url}/graphql`, {
          method: 'POST',
          body: form,
          headers: { authorization: `Bearer ${token}`, 'apollo-require-preflight': 'true' },
        })
      ).json();
      if (body.errors) throw new Error(JSON.stringify(body.errors));
    });
  };
  const captcha = async () => {
    const c = (await timed('createCaptcha', () => call('mutation { createCaptcha { id } }'))).createCaptcha;
    const { answer } = await (await fetch(`${url}/dev/captcha/${c.id}`)).json();
    return { captchaId: c.id, captchaAnswer: answer };
  };
  const staff = async (username, password) =>
    (
      await call('mutation ($u: String!, $p: String!) { staffLogin(username: $u, password: $p) { token } }', {
        u: username,
        p: password,
      })
    ).staffLogin.token;
  try {
    const images = {
      ID_CARD_FRONT: (await photos.makeIdPhoto({ side: 'FRONT' })).jpeg,
      ID_CARD_BACK: (await photos.makeIdPhoto({ side: 'BACK' })).jpeg,
      SIGNATURE: (await photos.makeSignaturePhoto()).jpeg,
      BANK_CARD: (await photos.makeBankCardPhoto({ cardRotation: 90 })).jpeg,
    };
    const agent = await staff('agent01', 'Agent#2026');
    const admin = await staff('admin01', 'Admin#2026');
    // reviewers of the demo broker: review01 and four more made by its admin
    const reviewers = [await staff('review01', 'Review#2026')];
    for (let i = 2; i <= REVIEWERS; i++) {
      await call(
        'mutation ($i: CreateStaffInput!) { createStaff(input: $i) { id } }',
        {
          i: { username: `bench-review${i}`, password: 'Review#2026', displayName: `复核员${i}`, roles: ['REVIEWER'] },
        },
        admin,
      );
      reviewers.push(await staff(`bench-review${i}`, 'Review#2026'));
    }
    const { broker } = await call('{ broker(code: "DEMO") { branches { id name } } }');
    const beijing = broker.branches.find((b) => b.name === '北京营业部').id;

    /** One applicant from the login page to SUBMITTED (timed while `timing`). */
    async function apply(n) {
      const who = { idNumber: idNumber(n), name: '陈晨', gender: 'MALE' };
      const mobile = `1360000${String(n).padStart(4, '0')}`;
      const { privacyPolicy } = await timed('privacyPolicy', () =>
        call('{ privacyPolicy(brokerCode: "DEMO") { version } }'),
      );
      const c = await captcha();
      await timed('requestProspectCode', () =>
        call('mutation ($i: RequestProspectCodeInput!) { requestProspectCode(input: $i) { maskedPhone } }', {
          i: { brokerCode: 'DEMO', mobile, ...c },
        }),
      );
      const [{ code }] = await (await fetch(`${url}/dev/outbox?to=${mobile}`)).json();
      const token = (
        await timed('prospectLogin', () =>
          call('mutation ($i: ProspectLoginInput!) { prospectLogin(input: $i) { token } }', {
            i: { brokerCode: 'DEMO', mobile, code, privacyPolicyVersion: privacyPolicy.version },
          }),
        )
      ).prospectLogin.token;
      const { startAccountOpening } = await timed('startAccountOpening', () =>
        call(
          'mutation ($br: ID!) { startAccountOpening(business: OPEN_FUTURES_ACCOUNT, branchId: $br) { id acceptanceNo } }',
          { br: beijing },
          token,
        ),
      );
      const t = startAccountOpening.id;
      for (const kind of ['ID_CARD_FRONT', 'ID_CARD_BACK', 'SIGNATURE']) await upload(token, t, kind, images[kind]);
      await timed('completeDocuments', () =>
        call('mutation ($t: ID!) { completeDocuments(ticketId: $t) { id } }', { t }, token),
      );
      await timed('updateIdentity', () =>
        call(
          'mutation ($t: ID!, $i: IdentityInput!) { updateIdentity(ticketId: $t, input: $i) { currentStep } }',
          { t, i: opening.identityInput(who) },
          token,
        ),
      );
      await upload(token, t, 'BANK_CARD', images.BANK_CARD);
      await timed('updateSettlementAccounts', () =>
        call(
          'mutation ($t: ID!, $a: [SettlementAccountInput!]!) { updateSettlementAccounts(ticketId: $t, accounts: $a) { currentStep } }',
          {
            t,
            a: [
              {
                bankCode: '102',
                cardNumber: opening.withLuhn(`62220210${String(n).padStart(10, '0')}`),
                primary: true,
              },
            ],
          },
          token,
        ),
      );
      const { suitabilityQuestionnaire: q } = await timed('suitabilityQuestionnaire', () =>
        call(
          '{ suitabilityQuestionnaire(brokerCode: "DEMO") { id questions { code options { code } } } }',
          undefined,
          token,
        ),
      );
      await timed('answerSuitability', () =>
        call(
          'mutation ($t: ID!, $q: ID!, $a: [AnswerInput!]!) { answerSuitability(ticketId: $t, questionnaireId: $q, answers: $a) { tolerance } }',
          { t, q: q.id, a: opening.answers(opening.SUITABILITY_ANSWERS.C3) },
          token,
        ),
      );
      await timed('exchangeOptions', () =>
        call('query ($t: ID!) { exchangeOptions(ticketId: $t) { exchange risk unavailableReason } }', { t }, token),
      );
      // C3 and R4 exchanges: the page showed the mismatch (answerSuitability's matches), confirmed
      await timed('selectExchanges', () =>
        call(
          'mutation ($t: ID!, $e: [Exchange!]!) { selectExchanges(ticketId: $t, exchanges: $e, acceptMismatch: true) { currentStep } }',
          { t, e: ['SHFE', 'DCE'] },
          token,
        ),
      );
      await timed('joinWitnessQueue', () =>
        call('mutation ($t: ID!) { joinWitnessQueue(ticketId: $t) { id } }', { t }, token),
      );
      const { claimNextCustomer: session } = await timed('claimNextCustomer', () =>
        call('mutation ($b: ID!) { claimNextCustomer(branchId: $b) { id ticket { id } } }', { b: beijing }, agent),
      );
      if (session.ticket.id !== t) throw new Error('the agent claimed another ticket');
      await timed('completeWitness', () =>
        call(
          'mutation ($s: ID!, $i: WitnessOutcomeInput!) { completeWitness(sessionId: $s, input: $i) { outcome } }',
          {
            s: session.id,
            i: {
              outcome: 'PASSED',
              checklist: ['IDENTITY_MATCHES_ID_CARD', 'ID_CARD_SHOWN', 'AGENT_IDENTIFIED', 'RISKS_EXPLAINED'],
            },
          },
          agent,
        ),
      );
      const keys = await browser.generateBrowserKeyPair();
      const csrPem = browser.makeCsr(keys, who.name);
      const certPem = (
        await timed('requestCertificate', () =>
          call(
            'mutation ($t: ID!, $c: String!) { requestCertificate(ticketId: $t, csrPem: $c) { pem } }',
            { t, c: csrPem },
            token,
          ),
        )
      ).requestCertificate.pem;
      const agreements = (
        await timed('ticket.agreements', () =>
          call('query ($t: ID!) { ticket(id: $t) { agreements { agreement { id } signingPayload } } }', { t }, token),
        )
      ).ticket.agreements;
      const signatures = agreements.map((a) => ({
        agreementId: a.agreement.id,
        signature: browser.signDetached(keys, certPem, Buffer.from(a.signingPayload, 'base64')).toString('base64'),
      }));
      await timed('signAgreements', () =>
        call(
          'mutation ($t: ID!, $s: [AgreementSignatureInput!]!) { signAgreements(ticketId: $t, signatures: $s) { id } }',
          { t, s: signatures },
          token,
        ),
      );
      const { returnVisitQuestionnaire: rv } = await timed('returnVisitQuestionnaire', () =>
        call('{ returnVisitQuestionnaire(brokerCode: "DEMO") { id questions { code } } }', undefined, token),
      );
      await timed('answerReturnVisit', () =>
        call(
          'mutation ($t: ID!, $q: ID!, $a: [AnswerInput!]!) { answerReturnVisit(ticketId: $t, questionnaireId: $q, answers: $a) { currentStep } }',
          { t, q: rv.id, a: opening.returnVisitAnswers() },
          token,
        ),
      );
      await timed('submitTicket', () =>
        call('mutation ($t: ID!) { submitTicket(ticketId: $t) { status } }', { t }, token),
      );
      return t;
    }
    const APPROVE = 'mutation ($t: ID!) { approveTicket(ticketId: $t) { status accountNo } }';

    const dbName = new URL(db.url).pathname.slice(1);
    // (a) the whole flow, one applicant after another, approved at once
    const cpuA0 = await cpu(child.pid, sql, dbName);
    const sequential = [];
    for (let n = 0; n < RUNS; n++) {
      const t = await apply(n);
      const { approveTicket } = await timed('approveTicket', () => call(APPROVE, { t }, reviewers[0]));
      if (approveTicket.status !== 'APPROVED' || !/^8\d{9}$/.test(approveTicket.accountNo))
        throw new Error(`approval: ${JSON.stringify(approveTicket)}`);
      sequential.push(approveTicket.accountNo);
    }
    const flowTimes = times;
    const cpuA = cpuBetween(cpuA0, await cpu(child.pid, sql, dbName));

    // baseline: approvals of 修改其他信息 (UPDATE_OTHER_INFO) for a demo customer, in the same process
    timing = false;
    const maintenance = [];
    {
      const id = { idNumber: '110105198506123411', accountType: 'FUTURES_BROKERAGE' };
      await call('mutation ($i: RequestLoginCodeInput!) { requestLoginCode(input: $i) { maskedPhone } }', {
        i: { ...id, ...(await captcha()) },
      });
      const [{ code }] = await (await fetch(`${url}/dev/outbox?to=13800138000`)).json();
      const token = (await call('mutation ($i: LoginInput!) { login(input: $i) { token } }', { i: { ...id, code } }))
        .login.token;
      let keys = null;
      let certPem = null;
      for (let run = 0; run < MAINTENANCE_RUNS; run++) {
        const t = (await call('mutation { startTicket(business: UPDATE_OTHER_INFO) { id } }', undefined, token))
          .startTicket.id;
        for (let guard = 0; guard < 10; guard++) {
          const step = (await call('query ($t: ID!) { ticket(id: $t) { currentStep } }', { t }, token)).ticket
            .currentStep;
          if (step === 'SUBMITTED') break;
          if (step === 'DOCUMENTS') {
            for (const kind of ['ID_CARD_FRONT', 'ID_CARD_BACK', 'SIGNATURE'])
              await upload(token, t, kind, images[kind]);
            await call('mutation ($t: ID!) { completeDocuments(ticketId: $t) { id } }', { t }, token);
          } else if (step === 'OTHER_INFO') {
            await call(
              'mutation ($t: ID!, $i: OtherInfoInput!) { updateOtherInfo(ticketId: $t, input: $i) { id } }',
              {
                t,
                i: { ...opening.OTHER_INFO, address: `浙江省杭州市西湖区文三路${run + 100}号` },
              },
              token,
            );
          } else if (step === 'VIDEO_WITNESS') {
            await call('mutation ($t: ID!) { joinWitnessQueue(ticketId: $t) { id } }', { t }, token);
            const [row] = (await sql.query('select branch_id from tickets where id = $1', [t])).rows;
            const { claimNextCustomer: s } = await call(
              'mutation ($b: ID!) { claimNextCustomer(branchId: $b) { id } }',
              { b: row.branch_id },
              agent,
            );
            await call(
              'mutation ($s: ID!, $i: WitnessOutcomeInput!) { completeWitness(sessionId: $s, input: $i) { outcome } }',
              {
                s: s.id,
                i: {
                  outcome: 'PASSED',
                  checklist: ['IDENTITY_MATCHES_ID_CARD', 'ID_CARD_SHOWN', 'AGENT_IDENTIFIED', 'RISKS_EXPLAINED'],
                },
              },
              agent,
            );
          } else if (step === 'CERTIFICATE') {
            keys = await browser.generateBrowserKeyPair();
            certPem = (
              await call(
                'mutation ($t: ID!, $c: String!) { requestCertificate(ticketId: $t, csrPem: $c) { pem } }',
                { t, c: browser.makeCsr(keys, '张伟') },
                token,
              )
            ).requestCertificate.pem;
          } else if (step === 'AGREEMENTS') {
            const { ticket } = await call(
              'query ($t: ID!) { ticket(id: $t) { agreements { agreement { id } signingPayload } } }',
              { t },
              token,
            );
            await call(
              'mutation ($t: ID!, $s: [AgreementSignatureInput!]!) { signAgreements(ticketId: $t, signatures: $s) { id } }',
              {
                t,
                s: ticket.agreements.map((a) => ({
                  agreementId: a.agreement.id,
                  signature: browser
                    .signDetached(keys, certPem, Buffer.from(a.signingPayload, 'base64'))
                    .toString('base64'),
                })),
              },
              token,
            );
          } else throw new Error(`修改其他信息 at ${step}`);
        }
        await call('mutation ($t: ID!) { submitTicket(ticketId: $t) { status } }', { t }, token);
        const t0 = performance.now();
        const { approveTicket } = await call(APPROVE, { t }, reviewers[0]);
        maintenance.push(performance.now() - t0);
        if (approveTicket.status !== 'APPROVED') throw new Error(`approval: ${JSON.stringify(approveTicket)}`);
      }
    }

    // (b) N applications submitted, then approved all at once
    const submitted = [];
    for (let n = 0; n < CONCURRENT; n++) submitted.push(await apply(RUNS + n));
    const [{ n: codesBefore }] = (
      await sql.query("select count(*)::int as n from trading_codes where status in ('ASSIGNED', 'REFUSED')")
    ).rows;
    const loadAtBatch = os.loadavg()[0];
    const cpuB0 = await cpu(child.pid, sql, dbName);
    const batchStart = performance.now();
    const approvals = await Promise.all(
      submitted.map(async (t, i) => {
        const t0 = performance.now();
        const res = await fetch(`${url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${reviewers[i % REVIEWERS]}` },
          body: JSON.stringify({ query: APPROVE, variables: { t } }),
        });
        const body = await res.json();
        return { ms: performance.now() - t0, body };
      }),
    );
    const batchMs = performance.now() - batchStart;
    const cpuB = cpuBetween(cpuB0, await cpu(child.pid, sql, dbName));
    const failed = approvals.filter((a) => a.body.errors || a.body.data?.approveTicket.status !== 'APPROVED');
    if (failed.length) throw new Error(`${failed.length} approvals failed: ${JSON.stringify(failed[0].body)}`);
    const accountNos = approvals.map((a) => a.body.data.approveTicket.accountNo);
    const all = [...sequential, ...accountNos];
    // no two approvals got the same 资金账号: in the answers, at the counter, on the tickets
    const [counter] = (
      await sql.query(
        "select count(*)::int as n, count(distinct account_no)::int as distinct_n from counter_accounts where account_type = 'FUTURES_BROKERAGE' and acceptance_no in (select acceptance_no from tickets where business = 'OPEN_FUTURES_ACCOUNT')",
      )
    ).rows;
    const [onTickets] = (
      await sql.query(
        "select count(*)::int as n, count(distinct data->'ACCOUNT'->>'accountNo')::int as distinct_n from tickets where business = 'OPEN_FUTURES_ACCOUNT' and status = 'APPROVED'",
      )
    ).rows;
    if (
      new Set(all).size !== all.length ||
      counter.n !== all.length ||
      counter.distinct_n !== all.length ||
      onTickets.distinct_n !== all.length ||
      !all.every((a) => /^8\d{9}$/.test(a))
    )
      throw new Error(`duplicate or missing account numbers: ${JSON.stringify({ all, counter, onTickets })}`);
    const sortedNos = [...all].map(Number).sort((a, b) => a - b);
    const contiguous = sortedNos.every((v, i) => i === 0 || v === sortedNos[i - 1] + 1);
    const [applied] = (
      await sql.query(
        "select count(*)::int as n from trading_codes where status <> 'PENDING' and ticket_id = any($1::uuid[])",
        [submitted],
      )
    ).rows;
    const loadAfter = os.loadavg();

    const seqApprove = median(flowTimes.approveTicket);
    const maint = median(maintenance);
    const lat = approvals.map((a) => a.ms);
    const perApproval = batchMs / CONCURRENT;
    const flowsOf = (step) => flowTimes[step].length / RUNS;
    const rows = Object.entries(flowTimes).map(([step, ts]) => `| ${step} | ${fmt(median(ts), 1)} ms | ${ts.length} |`);
    const total = Object.entries(flowTimes).reduce((sum, [step, ts]) => sum + median(ts) * flowsOf(step), 0);
    return [
      '## Account opening',
      '',
      `Measured with \`npm run bench -- opening\` (test/bench/opening.mjs; one Kaihu process, test/bench/opening-server.mjs). Other work shares this machine: load average (1, 5, 15 min) ${loadBefore.map((l) => fmt(l, 2)).join(' / ')} at the start, ${fmt(loadAtBatch, 2)} before the concurrent batch, ${loadAfter.map((l) => fmt(l, 2)).join(' / ')} at the end; CPU (100 % = one core) of this run (the benchmark, the Kaihu process, its PostgreSQL backends) and of everything else on the machine: ${fmt(cpuA.run, 0)} % and ${fmt(cpuA.other, 0)} % during the sequential flows, ${fmt(cpuB.run, 0)} % and ${fmt(cpuB.other, 0)} % during the batch.`,
      '',
      `### One full 开立期货账户 (OPEN_FUTURES_ACCOUNT) flow on PostgreSQL, ${RUNS} applicants: median time per request`,
      '',
      'Request to response on loopback, as the client sees it (the method of the 修改其他信息 table above). Each applicant logs in with a new mobile, uploads the three ID photos and the bank card (1600×1200, the whole photo pipeline), answers the 19-question 适当性评估 (C3) and confirms the R4 mismatch of SHFE and DCE; the agent claims and passes the witness over the API without cameras (the call’s media signalling is not in the table), every applicant gets a new certificate; approveTicket opens the account at the counter (资金账号, customer, settlement card, suitability) and applies for the two trading codes before it answers.',
      '',
      '| request | median | samples |',
      '|---|---|---|',
      ...rows,
      `| **whole flow (server side, medians × occurrences per flow)** | **${fmt(total, 0)} ms** | |`,
      '',
      `### ${CONCURRENT} submitted applications approved at once (${REVIEWERS} reviewers, ${CONCURRENT} concurrent approveTicket requests)`,
      '',
      `None of the reviewers witnessed the tickets (agent01 did; a reviewer may not review a ticket they witnessed, SAME_PERSON). All ${CONCURRENT} were APPROVED; the ${all.length} account numbers of the run (${RUNS} sequential + ${CONCURRENT} concurrent) are all different, in the answers, at the counter (\`counter_accounts\`) and on the tickets, and ${contiguous ? 'form one unbroken sequence' : 'are not one unbroken sequence'} (${all.length ? `${Math.min(...sortedNos)}–${Math.max(...sortedNos)}` : ''}). ${applied.n} of the batch’s ${CONCURRENT * 2} trading codes had been applied for at the counter when the batch ended (the exchanges answer ${fmt(TRADING_CODE_DELAY_MS / 1000, 0)} s later; ${codesBefore} codes were answered before the batch, by the 2 s poll that keeps running).`,
      '',
      '| what | time | ratio |',
      '|---|---|---|',
      `| baseline: one approveTicket of 开立期货账户 at a time (median of the ${RUNS} above) | ${fmt(seqApprove, 1)} ms | 1.00 |`,
      `| baseline: one approveTicket of 修改其他信息 at a time (median of ${MAINTENANCE_RUNS}, the counter changes a profile) | ${fmt(maint, 1)} ms | ${fmt(maint / seqApprove, 2)} |`,
      `| ${CONCURRENT} at once: wall time of the batch | ${fmt(batchMs, 0)} ms | |`,
      `| ${CONCURRENT} at once: **time per approval** (wall time / ${CONCURRENT}) | **${fmt(perApproval, 1)} ms** | **${fmt(perApproval / seqApprove, 2)}** |`,
      `| ${CONCURRENT} at once: latency of one approval, median / p90 / max | ${fmt(median(lat), 0)} / ${fmt(percentile(lat, 90), 0)} / ${fmt(Math.max(...lat), 0)} ms | ${fmt(median(lat) / seqApprove, 1)} (median) |`,
      '',
      `The approval of an opening costs ${fmt(seqApprove / maint, 1)} times that of 修改其他信息: the counter allocates the 资金账号 from its sequence and writes the customer, the account, the settlement card and the suitability in one statement; Kaihu registers the new customer and keeps the account on the ticket with its trading codes and events (partner events included) in the approval's transaction, sends the SMS, and applies for the trading codes at the counter before it answers. ${CONCURRENT} at once take ${fmt(perApproval / seqApprove, 2)} of the time per approval of one at a time (the requests overlap their waits on PostgreSQL on two cores); Node interleaves them, so each one's latency is close to the batch's wall time.`,
      '',
    ].join('\n');
  } finally {
    await sql.end();
    await stop(child);
    await db.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
