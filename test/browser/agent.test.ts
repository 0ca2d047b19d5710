/**
 * The staff console (/agent) in Chromium against the real server (embedded SFU, PostgreSQL):
 * staff login and the nav by role; a witness call between a customer (the portal, one browser
 * context) and agent01 (the console, another) with real media both ways, snapshot, checklist and
 * 通过; review01 approving in the console and the customer's page following live; the reviewer's
 * diff, filters and 打回. Screenshots of each console page at 1280×800 and 1920×1080.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { generateBrowserKeyPair, makeCsr, signDetached } from '../../api/src/modules/certificates/testing';
import {
  DEMO,
  bearer,
  gql,
  loginCustomer,
  loginStaff,
  passWitness,
  waitFor,
  type TestServer,
} from '../../api/src/testing/harness';
import {
  DESKTOP,
  browserTestsCanRun,
  launchChromium,
  loginThroughPage,
  newContext,
  screenshot,
  seriousViolations,
  startPortalServer,
  until,
} from './support';

const runs = process.env.KAIHU_BROWSER_TESTS === '1' && browserTestsCanRun();
const d = runs ? describe : describe.skip;
const WIDE = { width: 1920, height: 1080 } as const;
const PASSWORDS: Record<string, string> = {
  agent01: 'Agent#2026',
  agent02: 'Agent#2026',
  review01: 'Review#2026',
  admin01: 'Admin#2026',
};

/** what the tests read of a <video> (this project's Node types have no DOM) */
type VideoEl = { videoWidth: number; videoHeight: number };

d('the staff console', () => {
  let server: TestServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    // a PASSED witness needs both parties' audio and video recorded (2 s each here)
    server = await startPortalServer({
      KAIHU_WITNESS_REQUIRE_RECORDING: 'true',
      KAIHU_WITNESS_RECORDING_MIN_SECONDS: '2',
    });
    browser = await launchChromium();
  }, 60_000);
  afterEach(async () => {
    for (const c of contexts.splice(0)) await c.close().catch(() => undefined);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function desktop(): Promise<Page> {
    const context = await newContext(browser, DESKTOP);
    contexts.push(context);
    return context.newPage();
  }

  async function staffLogin(page: Page, username: string): Promise<void> {
    await page.goto(`${server.url}/agent/login`);
    await page.getByLabel('用户名').fill(username);
    await page.getByLabel('密码').fill(PASSWORDS[username]!);
    await page.getByRole('button', { name: '登录', exact: true }).click();
    await page.waitForURL((u) => u.pathname.startsWith('/agent/') && !u.pathname.startsWith('/agent/login'));
  }

  /** 1280×800 and 1920×1080 PNGs of the page as it is; axe finds nothing serious. */
  async function bothSizes(page: Page, name: string): Promise<void> {
    await page.setViewportSize(DESKTOP);
    await page.waitForTimeout(200);
    await screenshot(page, name);
    await page.setViewportSize(WIDE);
    await page.waitForTimeout(200);
    await screenshot(page, `${name}-1920`);
    await page.setViewportSize(DESKTOP);
    expect(await seriousViolations(page)).toEqual([]);
  }

  const navLinks = (page: Page) =>
    page.getByRole('navigation', { name: '工作台导航' }).getByRole('link').allTextContents();

  /** CERTIFICATE → AGREEMENTS → submitted, through the API as the customer's browser would (businesses.test.ts). */
  async function submitThroughApi(token: string, ticketId: string, name: string): Promise<void> {
    const ok = async (query: string, variables: Record<string, unknown>) => {
      const res = await gql(server.url, query, variables, bearer(token));
      if (res.errors) throw new Error(JSON.stringify(res.errors));
      return res.data as Record<string, any>;
    };
    const keys = await generateBrowserKeyPair();
    const { requestCertificate } = await ok(
      'mutation ($t: ID!, $c: String!) { requestCertificate(ticketId: $t, csrPem: $c) { pem } }',
      { t: ticketId, c: makeCsr(keys, name) },
    );
    const { ticket } = await ok(
      'query ($t: ID!) { ticket(id: $t) { agreements { agreement { id } signingPayload } } }',
      { t: ticketId },
    );
    const signatures = ticket.agreements.map((a: { agreement: { id: string }; signingPayload: string }) => ({
      agreementId: a.agreement.id,
      signature: signDetached(keys, requestCertificate.pem, Buffer.from(a.signingPayload, 'base64')).toString('base64'),
    }));
    await ok(
      'mutation ($t: ID!, $s: [AgreementSignatureInput!]!) { signAgreements(ticketId: $t, signatures: $s) { id } }',
      { t: ticketId, s: signatures },
    );
    const { ticket: now } = await ok('query ($t: ID!) { ticket(id: $t) { currentStep status } }', { t: ticketId });
    if (now.status !== 'SUBMITTED')
      await ok('mutation ($t: ID!) { submitTicket(ticketId: $t) { status } }', { t: ticketId });
  }

  /**
   * 修改其他信息 brought to VIDEO_WITNESS: the photos as the harness's fixture, 其他信息资料 through
   * the API with a real change (a new address and education), so that the review has a diff the
   * counter accepts.
   */
  async function ticketAtWitness(
    person: { idNumber: string; mobile: string; accountType?: string },
    address: string,
  ): Promise<{ token: string; ticketId: string }> {
    server.clock.advance(61_000);
    const token = await loginCustomer(server, person);
    const started = await gql(
      server.url,
      'mutation { startTicket(business: UPDATE_OTHER_INFO) { id } }',
      {},
      bearer(token),
    );
    if (!started.data) throw new Error(JSON.stringify(started.errors));
    const ticketId = started.data.startTicket.id as string;
    const [row] = await server.db.sql.query<{ customer_id: string }>('select customer_id from tickets where id = $1', [
      ticketId,
    ]);
    const em = server.db.orm.em.fork() as never;
    const actor = { kind: 'CUSTOMER' as const, id: row!.customer_id };
    const ticket = await server.services.tickets.getOwn(
      em,
      { kind: 'CUSTOMER', id: row!.customer_id, customerId: row!.customer_id, applicantId: row!.customer_id } as never,
      ticketId,
    );
    await server.services.tickets.completeStep(em, ticket, 'DOCUMENTS' as never, { fixture: true }, actor);
    const info = await gql(
      server.url,
      'mutation ($t: ID!, $i: OtherInfoInput!) { updateOtherInfo(ticketId: $t, input: $i) { currentStep } }',
      {
        t: ticketId,
        i: {
          province: '上海市',
          city: '上海市',
          address,
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
      bearer(token),
    );
    if (info.data?.updateOtherInfo.currentStep !== 'VIDEO_WITNESS') throw new Error(JSON.stringify(info));
    return { token, ticketId };
  }

  it('logs staff in by username and password; the nav shows what their roles may use; a wrong password is refused', async () => {
    const page = await desktop();
    await page.goto(`${server.url}/agent`);
    await page.waitForURL(/\/agent\/login/);
    await page.getByRole('heading', { name: '开户云 · 工作台登录' }).waitFor();
    await bothSizes(page, 'console-login');
    await page.getByLabel('用户名').fill('agent01');
    await page.getByLabel('密码').fill('wrong-password');
    await page.getByRole('button', { name: '登录', exact: true }).click();
    await page
      .getByRole('alert')
      .getByText(/用户名或密码错误/)
      .waitFor();
    expect(page.url()).toContain('/agent/login');

    await staffLogin(page, 'agent01');
    expect(new URL(page.url()).pathname).toBe('/agent/witness');
    expect(await navLinks(page)).toEqual(['视频见证队列']);
    // a reviewer's page is not the agent's
    await page.goto(`${server.url}/agent/review`);
    await page.waitForURL(/\/agent\/witness/);

    for (const [user, home, links] of [
      ['review01', '/agent/review', ['待复核业务']],
      ['admin01', '/agent/admin/branches', ['营业部', '服务时间', '协议', '人员']],
    ] as const) {
      const p = await desktop();
      await staffLogin(p, user);
      expect(new URL(p.url()).pathname).toBe(home);
      expect(await navLinks(p)).toEqual(links);
    }
  }, 60_000);

  it('agent01 calls the queued customer with real media both ways, snaps, checks, passes; review01 approves and the customer sees it live', async () => {
    // the customer: 视频见证 in the portal (another browser context, phone size as customers use it)
    const person = DEMO.zhangWei;
    const { token, ticketId } = await ticketAtWitness(person, '上海市浦东新区世纪大道200号');
    const customerContext = await newContext(browser, { width: 390, height: 844 });
    contexts.push(customerContext);
    const customer = await customerContext.newPage();
    server.clock.advance(61_000);
    await loginThroughPage(customer, server, person, `/ticket/${ticketId}`);
    if (!customer.url().endsWith(`/ticket/${ticketId}`)) await customer.goto(`${server.url}/ticket/${ticketId}`);
    await customer.getByRole('heading', { name: '视频验证' }).waitFor();

    // the agent: the console's queue, empty and live
    const agent = await desktop();
    const logs: string[] = [];
    agent.on('console', (m) => logs.push(`agent ${m.type()}: ${m.text()}`));
    agent.on('pageerror', (m) => logs.push(`agent pageerror: ${m}`));
    customer.on('console', (m) => logs.push(`customer ${m.type()}: ${m.text()}`));
    await staffLogin(agent, 'agent01');
    await agent.getByRole('status').getByText('实时').waitFor();
    await agent.getByText('当前没有客户排队').waitFor();
    expect(await agent.getByRole('button', { name: /接通下一位/ }).isDisabled()).toBe(true);

    // the customer checks the devices and queues: the agent's queue shows them at once
    await customer.getByRole('button', { name: '开启摄像头和麦克风' }).click();
    await customer.getByText('麦克风正常：已检测到声音。').waitFor();
    await customer.getByRole('button', { name: '播放测试音' }).click();
    await customer.getByRole('button', { name: '我听到了' }).click();
    await waitFor('开始视频通话 enabled', async () =>
      customer.getByRole('button', { name: '开始视频通话' }).isEnabled(),
    );
    await customer.getByRole('button', { name: '开始视频通话' }).click();
    const row = agent.getByTestId('queue-row').first();
    await row.getByText('张伟').waitFor();
    await row.getByText('修改其他信息').waitFor();
    expect(await agent.getByTestId('queue-waiting').textContent()).toBe('1');
    // the waiting time ticks every second, computed from enqueuedAt
    const first = await row.getByTestId('waiting-time').textContent();
    await until(async () => (await row.getByTestId('waiting-time').textContent()) !== first, true, 3000);
    expect(first).toMatch(/^\d\d:\d\d$/);
    await bothSizes(agent, 'console-queue');

    // N = 接通下一位: the call page, the customer's video large, the agent's own small
    await agent.locator('body').click({ position: { x: 5, y: 5 } });
    await agent.keyboard.press('n');
    await agent.waitForURL(/\/agent\/witness\/[^/]+$/);
    await agent.getByRole('heading', { name: /视频见证 · 张伟/ }).waitFor();
    await waitFor(
      "the customer's video in the console",
      async () => (await agent.getByTestId('customer-video').evaluate((v: VideoEl) => v.videoWidth)) > 0,
      30_000,
    ).catch(async (e) => {
      await agent.screenshot({ path: '/tmp/agent-call-fail.png' });
      await customer.screenshot({ path: '/tmp/customer-call-fail.png' });
      throw new Error(`${e}\n${logs.join('\n')}`);
    });
    await waitFor(
      "the agent's own video",
      async () => (await agent.getByTestId('agent-video').evaluate((v: VideoEl) => v.videoWidth)) > 0,
    );
    await agent.getByTestId('call-state').getByText('通话中').waitFor();
    // and the customer sees the agent (their witness step's remote video)
    await waitFor(
      "the agent's video at the customer",
      async () =>
        customer.locator('video').evaluateAll((vs: VideoEl[]) => vs.some((v) => v.videoWidth > 0 && v !== undefined)),
      30_000,
    );
    // the agent's name and licence number are on screen for the customer
    await customer.getByTestId('agent-name').getByText('刘洋').waitFor();
    await customer.getByTestId('agent-license').getByText('F3040001').waitFor();

    // a snapshot: a WITNESS_SNAPSHOT photo of the ticket
    await agent.getByRole('button', { name: /截图/ }).click();
    await agent.getByRole('button', { name: '查看大图：视频见证截图' }).click();
    // full size in a dialog
    const full = agent.getByRole('dialog', { name: '照片大图' }).getByTestId('photo-full');
    await waitFor(
      'the full-size snapshot',
      async () => (await full.evaluate((i: { naturalWidth: number }) => i.naturalWidth)) >= 640,
    );
    await agent.getByRole('dialog', { name: '照片大图' }).getByRole('button', { name: '关闭' }).click();
    await agent.getByRole('dialog', { name: '照片大图' }).waitFor({ state: 'hidden' });
    const snaps = await server.db.sql.query<{ n: string }>(
      `select count(*) as n from documents where ticket_id = $1 and kind = 'WITNESS_SNAPSHOT'`,
      [ticketId],
    );
    expect(Number(snaps[0]!.n)).toBe(1);
    // the checklist: labelled checkboxes (keys 1–4 too); 通过 only once all are checked
    const pass = agent.getByRole('button', { name: '通过', exact: true });
    await agent.getByLabel('客户本人与身份证照片一致').check();
    await agent.getByLabel('客户已向镜头出示身份证原件').check();
    expect(await pass.isDisabled()).toBe(true);
    await agent.locator('body').click({ position: { x: 5, y: 5 } });
    await agent.keyboard.press('3');
    await agent.keyboard.press('4');
    // the page re-renders after the key (zoneless change detection runs a moment later)
    await until(() => agent.getByLabel('已出示本人姓名及从业资格号').isChecked(), true);
    await until(() => agent.getByLabel('已向客户揭示风险').isChecked(), true);
    await until(() => pass.isEnabled(), true);
    await bothSizes(agent, 'console-call');
    // the recording needs 2 s of both parties
    await agent.waitForTimeout(2500);
    await pass.click();
    await agent.getByTestId('call-ended').getByText('见证通过').waitFor();
    // the customer moves on to 安装数字证书
    await customer.getByRole('heading', { name: '数字证书' }).waitFor({ timeout: 20_000 });
    const [session] = await server.db.sql.query<{ outcome: string; checklist: string[] }>(
      'select outcome, checklist from witness_sessions where ticket_id = $1',
      [ticketId],
    );
    expect(session!.outcome).toBe('PASSED');
    expect([...session!.checklist].sort()).toEqual(
      ['AGENT_IDENTIFIED', 'ID_CARD_SHOWN', 'IDENTITY_MATCHES_ID_CARD', 'RISKS_EXPLAINED'].sort(),
    );

    // certificate and agreements as the customer's browser would, then 复核 in the console
    await submitThroughApi(token, ticketId, person.name);
    const reviewer = await desktop();
    await staffLogin(reviewer, 'review01');
    await reviewer.getByTestId('review-row').filter({ hasText: '张伟' }).getByRole('link', { name: '复核' }).click();
    await reviewer.getByRole('heading', { name: /修改其他信息 · 张伟/ }).waitFor();
    await reviewer.getByRole('heading', { name: '资料变更' }).waitFor();
    expect(await reviewer.getByTestId('signature-row').count()).toBeGreaterThan(0);
    expect(await reviewer.getByTestId('signature-row').first().textContent()).toContain('验证通过');
    // the witness recording plays
    const video = reviewer.getByTestId('witness-recording').first();
    await waitFor(
      'recording metadata',
      async () => (await video.evaluate((v: VideoEl & { duration: number }) => v.duration)) > 0,
      20_000,
    );
    await bothSizes(reviewer, 'console-review');
    await reviewer.getByLabel('通过').check();
    await reviewer.getByRole('button', { name: '确认通过' }).click();
    await reviewer
      .getByTestId('review-status')
      .getByText('已通过')
      .waitFor()
      .catch(async (e) => {
        throw new Error(`${e}: ${await reviewer.locator('.banner').allTextContents()}`);
      });
    // the customer's page follows live: no reload
    await customer.getByRole('heading', { name: '业务已办理完成' }).waitFor({ timeout: 20_000 });
  }, 240_000);

  // a witness passed through the API has no media: this part runs on a server that does not
  // require the recording (the call above showed the real thing)
  describe('without media', () => {
    let withMedia: TestServer;
    beforeAll(async () => {
      withMedia = server;
      // an agent who closed the tab is given 1.5 s to come back
      server = await startPortalServer({
        KAIHU_WITNESS_REQUIRE_RECORDING: 'false',
        KAIHU_WITNESS_AGENT_GRACE_MS: '1500',
      });
    }, 60_000);
    afterAll(async () => {
      await server.close();
      server = withMedia;
    });

    it('review01 filters the list, sees the diff highlighted and returns a ticket to a step with a reason', async () => {
      const person = DEMO.wangFang;
      const { token, ticketId } = await ticketAtWitness(person, '上海市浦东新区世纪大道300号');
      await passWitness(server, token, ticketId);
      await submitThroughApi(token, ticketId, person.name);
      const [{ branch_id: branchId }] = await server.db.sql.query<{ branch_id: string }>(
        'select branch_id from tickets where id = $1',
        [ticketId],
      );
      const [{ name: branchName }] = await server.db.sql.query<{ name: string }>(
        'select name from branches where id = $1',
        [branchId],
      );

      const page = await desktop();
      await staffLogin(page, 'review01');
      const rows = page.getByTestId('review-row');
      await rows.filter({ hasText: '王芳' }).waitFor();
      await bothSizes(page, 'console-review-list');
      // filters, applied by the API: business, branch, waiting time
      await page.getByLabel('业务类型').selectOption({ label: '修改联系电话' });
      await page.getByText('没有待复核的业务').waitFor();
      await page.getByLabel('业务类型').selectOption({ label: '修改其他信息' });
      await rows.filter({ hasText: '王芳' }).waitFor();
      const other = (await page.getByLabel('营业部').locator('option').allTextContents()).find(
        (n) => n !== branchName && n !== '全部营业部',
      )!;
      await page.getByLabel('营业部').selectOption({ label: other });
      await page.getByText('没有待复核的业务').waitFor();
      await page.getByLabel('营业部').selectOption({ label: branchName });
      await rows.filter({ hasText: '王芳' }).waitFor();
      await page.getByLabel('等待时间').selectOption({ label: '超过 1 天' });
      await page.getByText('没有待复核的业务').waitFor();
      await page.getByLabel('等待时间').selectOption({ label: '全部' });
      const row = rows.filter({ hasText: '王芳' });
      await row.waitFor();
      expect(await row.textContent()).toContain(branchName);
      await row.getByRole('link', { name: '复核' }).click();

      // the diff: 字段 / 修改前 / 修改后, the changed rows marked
      await page.getByRole('heading', { name: /修改其他信息 · 王芳/ }).waitFor();
      const changed = page.locator('[data-testid=diff-row][data-changed=true]');
      expect(await changed.count()).toBeGreaterThan(0);
      expect(await changed.allTextContents()).toEqual(
        expect.arrayContaining([expect.stringContaining('世纪大道300号')]),
      );
      expect(
        await page
          .locator('[data-testid=diff-row][data-changed=true] td.after')
          .first()
          .evaluate(
            (td: unknown) =>
              (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }).getComputedStyle(
                td,
              ).backgroundColor,
          ),
      ).toBe('rgb(255, 244, 214)');
      // 打回 to 其他信息资料 with a reason
      await page.getByLabel('打回到某一步').check();
      await page.getByRole('button', { name: '确认打回' }).click();
      await page.getByText('请填写原因').waitFor();
      await page.getByLabel('需要重新办理的步骤').selectOption({ label: '其他信息资料' });
      await page.getByLabel('原因（客户可见）').fill('联系地址与身份证地址不一致，请补充说明');
      await page.getByRole('button', { name: '确认打回' }).click();
      await page.getByTestId('review-status').getByText('已打回').waitFor();
      const { data } = await gql(
        server.url,
        'query ($t: ID!) { ticket(id: $t) { status currentStep reason } }',
        { t: ticketId },
        bearer(token),
      );
      expect(data!.ticket).toEqual({
        status: 'RETURNED',
        currentStep: 'OTHER_INFO',
        reason: '联系地址与身份证地址不一致，请补充说明',
      });
    }, 120_000);

    it('does not let a reviewer who is also an agent review a ticket they witnessed', async () => {
      const admin = bearer(await loginStaff(server.url, 'admin01', 'Admin#2026'));
      const person = { ...DEMO.chenQiang, accountType: 'ASSET_MANAGEMENT' };
      const { token, ticketId } = await ticketAtWitness(person, '上海市浦东新区世纪大道500号');
      const [{ branch_id: branchId }] = await server.db.sql.query<{ branch_id: string }>(
        'select branch_id from tickets where id = $1',
        [ticketId],
      );
      const created = await gql(
        server.url,
        'mutation ($i: CreateStaffInput!) { createStaff(input: $i) { id } }',
        {
          i: {
            username: 'duo01',
            displayName: '郑双',
            password: 'Duo#20260',
            roles: ['AGENT', 'REVIEWER'],
            branchId,
            licenseNo: 'F3040077',
          },
        },
        admin,
      );
      expect(created.errors).toBeUndefined();
      const duo = bearer(await loginStaff(server.url, 'duo01', 'Duo#20260'));
      await gql(
        server.url,
        'mutation ($t: ID!) { joinWitnessQueue(ticketId: $t) { id } }',
        { t: ticketId },
        bearer(token),
      );
      const claim = await gql(
        server.url,
        'mutation ($b: ID!) { claimNextCustomer(branchId: $b) { id } }',
        { b: branchId },
        duo,
      );
      const done = await gql(
        server.url,
        'mutation ($s: ID!, $i: WitnessOutcomeInput!) { completeWitness(sessionId: $s, input: $i) { outcome } }',
        {
          s: claim.data!.claimNextCustomer.id,
          i: {
            outcome: 'PASSED',
            checklist: ['IDENTITY_MATCHES_ID_CARD', 'ID_CARD_SHOWN', 'AGENT_IDENTIFIED', 'RISKS_EXPLAINED'],
          },
        },
        duo,
      );
      expect(done.data!.completeWitness.outcome).toBe('PASSED');
      await submitThroughApi(token, ticketId, person.name);

      const page = await desktop();
      PASSWORDS['duo01'] = 'Duo#20260';
      await staffLogin(page, 'duo01');
      expect(await navLinks(page)).toEqual(['视频见证队列', '待复核业务']);
      await page.goto(`${server.url}/agent/review/${ticketId}`);
      await page.getByTestId('not-reviewable').getByText('不能复核本人见证的业务').waitFor();
      expect(await page.getByRole('button', { name: /确认/ }).count()).toBe(0);
      // review01 may
      const other = await desktop();
      await staffLogin(other, 'review01');
      await other.goto(`${server.url}/agent/review/${ticketId}`);
      await other.getByRole('button', { name: '确认通过' }).waitFor();
      await other.getByText(/见证坐席 郑双/).waitFor();
    }, 60_000);

    it('puts the customer back at the head of the queue when the agent closes the call tab', async () => {
      const person = DEMO.zhangWei;
      const { token, ticketId } = await ticketAtWitness(person, '上海市浦东新区世纪大道100号');
      const joined = await gql(
        server.url,
        'mutation ($t: ID!) { joinWitnessQueue(ticketId: $t) { state position } }',
        { t: ticketId },
        bearer(token),
      );
      expect(joined.data!.joinWitnessQueue).toEqual({ state: 'WAITING', position: 1 });
      const agent = await desktop();
      await staffLogin(agent, 'agent01');
      await agent.getByTestId('queue-row').filter({ hasText: '张伟' }).waitFor();
      await agent.getByRole('button', { name: /接通下一位/ }).click();
      await agent.getByRole('heading', { name: /视频见证 · 张伟/ }).waitFor();
      const entry = async () =>
        (
          await gql(
            server.url,
            'query ($t: ID!) { ticket(id: $t) { queueEntry { state position } } }',
            { t: ticketId },
            bearer(token),
          )
        ).data!.ticket.queueEntry;
      expect((await entry()).state).not.toBe('WAITING');
      // the tab closes: the session's subscription drops, and after the grace period the customer waits again, first
      await agent.close();
      await waitFor('the customer back at the head', async () => {
        const e = await entry();
        return e.state === 'WAITING' && e.position === 1;
      });
      // another agent page sees them at the head, live
      const other = await desktop();
      await staffLogin(other, 'agent01');
      const head = other.getByTestId('queue-row').first();
      await head.getByText('张伟').waitFor();
      await gql(server.url, 'mutation ($t: ID!) { leaveWitnessQueue(ticketId: $t) }', { t: ticketId }, bearer(token));
      await other.getByText('当前没有客户排队').waitFor();
    }, 60_000);
  });

  it('admin01 adds a branch, sets service hours and a holiday, creates an agent, disables them, and edits an agreement into a new version', async () => {
    const page = await desktop();
    await staffLogin(page, 'admin01');
    // 营业部
    await page.getByTestId('branch-row').filter({ hasText: '北京营业部' }).waitFor();
    await page.getByLabel('营业部名称').fill('广州营业部');
    await page.getByLabel('营业部代码').fill('GZ');
    await page.getByRole('button', { name: '新增', exact: true }).click();
    await page.getByTestId('branch-row').filter({ hasText: '广州营业部' }).waitFor();
    await bothSizes(page, 'console-admin-branches');

    // 服务时间: weekdays 08:40-17:45, a holiday
    await page.getByRole('link', { name: '服务时间' }).click();
    await page.getByRole('heading', { name: '每周服务时段' }).waitFor();
    await page.getByRole('button', { name: '周一至周五 08:40-17:45' }).click();
    await page.getByRole('button', { name: '保存服务时段' }).click();
    await page.getByRole('status').getByText('服务时段已保存').waitFor();
    await page
      .getByTestId('hours-text')
      .getByText(/周一至周五 08:40-17:45/)
      .waitFor();
    await page.getByLabel('日期').fill('2026-12-25');
    await page.getByLabel('名称').fill('测试假日');
    await page.getByRole('button', { name: '添加节假日' }).click();
    await page.getByTestId('holiday').filter({ hasText: '2026-12-25' }).waitFor();
    await bothSizes(page, 'console-admin-hours');

    // 人员: a new agent who can log in, then disabled and refused
    await page.getByRole('link', { name: '人员' }).click();
    await page.getByTestId('staff-row').first().waitFor();
    await page.getByLabel('用户名').fill('agent09');
    await page.getByLabel('姓名').fill('钱坤');
    await page.getByLabel('初始密码').fill('Agent#2099');
    await page.getByLabel('营业部').selectOption({ label: '北京营业部' });
    await page.getByLabel('从业资格号（坐席必填）').fill('F3040009');
    await page.getByRole('button', { name: '新增', exact: true }).click();
    const row = page.locator('[data-testid=staff-row][data-username=agent09]');
    await row.getByText('钱坤').waitFor();
    expect(await row.textContent()).toContain('正常');
    expect(await loginStaff(server.url, 'agent09', 'Agent#2099')).toMatch(/.+/);
    await row.getByRole('button', { name: '停用 agent09' }).click();
    await row.getByText('已停用').waitFor();
    const refused = await gql(
      server.url,
      'mutation { staffLogin(username: "agent09", password: "Agent#2099") { token } }',
      {},
    );
    expect(refused.errors?.[0]?.message).toBe('账号已停用，请联系期货公司管理员');
    await bothSizes(page, 'console-admin-staff');
    // enabled again, with a new password: the old one no longer works
    await row.getByRole('button', { name: '启用 agent09' }).click();
    await row.getByText('正常').waitFor();
    await row.getByRole('button', { name: '重置密码 agent09' }).click();
    await row.getByLabel('新密码 agent09').fill('Kaihu#2027x');
    await row.getByRole('button', { name: '确定' }).click();
    await page.getByRole('status').getByText('agent09 的密码已重置，需用新密码重新登录').waitFor();
    expect(
      (await gql(server.url, 'mutation { staffLogin(username: "agent09", password: "Agent#2099") { token } }', {}))
        .errors?.[0]?.message,
    ).toMatch(/用户名或密码错误/);
    expect(await loginStaff(server.url, 'agent09', 'Kaihu#2027x')).toMatch(/.+/);

    // 协议: an edit is a new version, previewed before saving
    await page.getByRole('link', { name: '协议' }).click();
    const editor = page.getByLabel('正文（Markdown）');
    await editor.waitFor();
    const before = await page.getByTestId('agreement-version').count();
    await editor.fill(`${await editor.inputValue()}\n\n**第九条** 本协议自客户签署之日起生效。`);
    await page.getByTestId('agreement-preview').getByText('本协议自客户签署之日起生效。').waitFor();
    expect(await page.getByTestId('agreement-preview').locator('strong', { hasText: '第九条' }).count()).toBe(1);
    await bothSizes(page, 'console-admin-agreements');
    await page.getByRole('button', { name: '保存为新版本' }).click();
    await page
      .getByRole('status')
      .getByText(/已保存为 v\d+/)
      .waitFor();
    expect(await page.getByTestId('agreement-version').count()).toBe(before + 1);
  }, 120_000);
});
