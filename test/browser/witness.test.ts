/**
 * 视频见证 in the customer portal, in Chromium with its fake camera and microphone, against the
 * real server with the embedded SFU: the device check, the live queue, the call with an agent
 * (a Node libwebrtc peer driven by mediasoup-client through the API, as in
 * test/e2e/witness-call.peer.mjs) and its outcomes; the queue place kept through a network drop.
 */
import type { Socket } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  DEMO,
  WITNESS_CHECKLIST,
  bearer,
  gql,
  loginStaff,
  ticketAtWitness,
  waitFor,
  type TestServer,
} from '../../api/src/testing/harness';
import { agentJoins, passDeviceCheck, type VideoEl } from './flows';
import {
  DESKTOP,
  PHONE,
  browserTestsCanRun,
  launchChromium,
  loginThroughPage,
  newContext,
  screenshotBoth,
  seriousViolations,
  startPortalServer,
} from './support';

const runs = process.env.KAIHU_BROWSER_TESTS === '1' && browserTestsCanRun();
const d = runs ? describe : describe.skip;

type Person = { idNumber: string; mobile: string; accountType?: string };

d('视频见证 in the portal', () => {
  let server: TestServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const cleanups: (() => void)[] = [];

  beforeAll(async () => {
    // a PASSED witness needs both parties' audio and video recorded (2 s each here)
    server = await startPortalServer({
      KAIHU_WITNESS_REQUIRE_RECORDING: 'true',
      KAIHU_WITNESS_RECORDING_MIN_SECONDS: '2',
    });
    browser = await launchChromium();
  }, 60_000);

  afterEach(async () => {
    cleanups.splice(0).forEach((f) => f());
    for (const c of contexts.splice(0)) await c.close().catch(() => undefined);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function q<T = any>(query: string, variables: Record<string, unknown>, token: string): Promise<T> {
    const r = await gql<T>(server.url, query, variables, bearer(token));
    if (r.errors)
      throw Object.assign(new Error(`${query.slice(0, 50)}: ${JSON.stringify(r.errors)}`), { errors: r.errors });
    return r.data as T;
  }

  /** A customer at VIDEO_WITNESS, logged in through the login page, on the ticket's page. */
  async function customerAtWitness(
    person: Person,
    business?: string,
  ): Promise<{ page: Page; context: BrowserContext; ticketId: string; branchId: string }> {
    const { ticketId } = await ticketAtWitness(server, person, business);
    const [row] = await server.db.sql.query<{ branch_id: string }>('select branch_id from tickets where id = $1', [
      ticketId,
    ]);
    const context = await newContext(browser, PHONE);
    contexts.push(context);
    const page = await context.newPage();
    await loginThroughPage(page, server, person, `/ticket/${ticketId}`);
    if (!page.url().endsWith(`/ticket/${ticketId}`)) await page.goto(`${server.url}/ticket/${ticketId}`);
    await page
      .getByRole('heading', { name: '视频验证' })
      .waitFor()
      .catch(async (e) => {
        throw new Error(`${e}; the page shows: ${await page.locator('main').textContent()}`);
      });
    return { page, context, ticketId, branchId: row!.branch_id };
  }

  /** Screenshots at phone and desktop size; on the desktop axe must find nothing serious at all. */
  async function bothSizes(page: Page, name: string, checkA11y = false): Promise<void> {
    await screenshotBoth(page, name);
    if (!checkA11y) return;
    await page.setViewportSize(DESKTOP);
    expect(await seriousViolations(page)).toEqual([]);
    await page.setViewportSize(PHONE);
  }

  const queueText = (page: Page) => page.getByTestId('queue-position').textContent();

  it('checks the devices, queues, calls the agent with real media both ways, and moves on to 安装数字证书 when the witness passes', async () => {
    const { page, ticketId, branchId } = await customerAtWitness(DEMO.zhangWei);
    const logs: string[] = [];
    page.on('console', (m) => logs.push(`${m.type()}: ${m.text()}`));
    for (const text of [
      '光线充足',
      '工作日',
      '相关证件',
      '您将和客服人员进行视频通话,客服人员将对您进行身份确认。',
      '有时因网络原因,视频见证可能长时间(超过五分钟)显示仅您 1人在排队,可尝试切换网络 4G 重新接入。',
    ]) {
      await page.getByText(text, { exact: false }).first().waitFor();
    }
    await passDeviceCheck(page);
    expect(await seriousViolations(page)).toEqual([]);
    await bothSizes(page, 'witness-devices', true);

    await page.getByRole('button', { name: '开始视频通话' }).click();
    await page.getByText('当前排队共 1 人，您排在第 1 位').waitFor();
    await page.getByText(/预计等待约 \d+ 分钟/).waitFor();
    expect(await page.getByTestId('witness-queue').locator('[aria-live=polite]').count()).toBe(1);
    expect(await page.getByRole('button', { name: '取消排队' }).boundingBox()).toMatchObject({
      height: expect.any(Number),
    });
    expect((await page.getByRole('button', { name: '取消排队' }).boundingBox())!.height).toBeGreaterThanOrEqual(44);
    expect(await seriousViolations(page)).toEqual([]);
    await bothSizes(page, 'witness-queue', true);

    // the agent of 北京营业部 calls the customer and joins the call from Node
    const agent = await loginStaff(server.url, 'agent01', 'Agent#2026');
    const { claimNextCustomer: s } = await q(
      'mutation ($b: ID!) { claimNextCustomer(branchId: $b) { id agentName agentLicenseNo ticket { id } } }',
      { b: branchId },
      agent,
    );
    expect(s.ticket.id).toBe(ticketId);
    expect(s.agentName).toBeTruthy();
    expect(s.agentLicenseNo).toBeTruthy();
    const peer = await agentJoins(server.url, agent, s.id);

    await page.getByTestId('witness-call').waitFor();
    await page.getByTestId('agent-name').getByText(s.agentName).waitFor();
    await page.getByTestId('agent-license').getByText(s.agentLicenseNo).waitFor();
    await page.getByText('从业资格号').waitFor();

    // the server has the customer's camera and microphone; the agent receives them
    const producers = await waitFor(
      'the customer’s producers',
      async () => {
        const { witnessSession } = await q(
          'query ($s: ID!) { witnessSession(id: $s) { producers { id kind party paused } } }',
          { s: s.id },
          agent,
        );
        const mine = (witnessSession.producers as { kind: string; party: string }[])
          .filter((p) => p.party === 'CUSTOMER')
          .map((p) => p.kind)
          .sort();
        return mine.length === 2 ? witnessSession.producers : null;
      },
      20_000,
    );
    expect(
      producers
        .filter((p: { party: string }) => p.party === 'CUSTOMER')
        .map((p: { kind: string }) => p.kind)
        .sort(),
    ).toEqual(['audio', 'video']);
    await peer.consumeCustomer();

    // the customer's page plays the agent's video (frames decoded, time running)
    const agentVideo = page.getByTestId('agent-video');
    await waitFor(
      'the agent’s video playing in the page',
      async () => agentVideo.evaluate((v: VideoEl) => v.videoWidth > 0 && v.currentTime > 0.3),
      30_000,
    ).catch(async (e) => {
      const state = await agentVideo.evaluate((v: any) => ({
        w: v.videoWidth,
        t: v.currentTime,
        paused: v.paused,
        rs: v.readyState,
        tracks: v.srcObject?.getTracks().map((x: any) => [x.kind, x.readyState, x.muted]),
      }));
      throw new Error(
        `${e}: ${JSON.stringify(state)} call-state=${await page.getByTestId('call-state').textContent()} ${await page.getByTestId('witness-call').getAttribute('data-call-state')} agent=${JSON.stringify(await peer.received())} text=${await page.getByTestId('witness-call').textContent()} console=${JSON.stringify(logs.slice(-30))}`,
      );
    });
    const t1 = await agentVideo.evaluate((v: VideoEl) => v.currentTime);
    await page.waitForTimeout(1000);
    const played = await agentVideo.evaluate((v: VideoEl) => ({
      t: v.currentTime,
      w: v.videoWidth,
      h: v.videoHeight,
      paused: v.paused,
      tracks: v
        .srcObject!.getTracks()
        .map((t) => t.kind)
        .sort(),
    }));
    expect(played.t).toBeGreaterThan(t1 + 0.5);
    expect(played.w).toBe(320);
    expect(played.h).toBe(240);
    expect(played.paused).toBe(false);
    expect(played.tracks).toEqual(['audio', 'video']);
    expect(await page.getByTestId('own-video').evaluate((v: VideoEl) => v.videoWidth)).toBeGreaterThan(0);
    await page.getByTestId('call-state').getByText('视频通话中').waitFor();
    // and the agent receives the customer's video and audio
    const got = await waitFor(
      'the agent receiving the customer',
      async () => {
        const r = await peer.received();
        return r.video?.packets > 20 && r.audio?.packets > 20 ? r : null;
      },
      20_000,
    );
    expect(got.video.packets).toBeGreaterThan(20);
    await bothSizes(page, 'witness-call');

    // PASSED once the recording holds 2 s of both parties (each refusal cuts the recording so far
    // and starts a new one: ask every 3 s, not faster): the page moves on by itself
    await page.waitForTimeout(3000);
    const done = await waitFor(
      'completeWitness PASSED',
      async () => {
        const r = await gql(
          server.url,
          'mutation ($s: ID!, $i: WitnessOutcomeInput!) { completeWitness(sessionId: $s, input: $i) { outcome } }',
          { s: s.id, i: { outcome: 'PASSED', checklist: WITNESS_CHECKLIST } },
          bearer(agent),
        );
        if (r.errors?.[0]?.extensions?.code === 'RECORDING_MISSING') {
          await new Promise((res) => setTimeout(res, 3000));
          return null;
        }
        if (r.errors) throw new Error(JSON.stringify(r.errors));
        return r.data!.completeWitness;
      },
      45_000,
    ).catch(async (e) => {
      const r = await gql(
        server.url,
        'query ($s: ID!) { witnessSession(id: $s) { recordings { durationSeconds streams { party kind durationSeconds } } producers { party kind paused } } }',
        { s: s.id },
        bearer(agent),
      );
      throw new Error(
        `${e}: ${JSON.stringify(r.data ?? r.errors)} agent received ${JSON.stringify(await peer.received())}`,
      );
    });
    expect(done.outcome).toBe('PASSED');
    peer.close();
    await waitFor('the certificate step', async () =>
      (await page.locator('nav[aria-label=办理步骤] li[aria-current=step]').textContent())?.includes('安装数字证书'),
    );
    await page.getByTestId('witness-call').waitFor({ state: 'detached' });
    const { ticket } = await q('query ($t: ID!) { ticket(id: $t) { currentStep } }', { t: ticketId }, agent);
    expect(ticket.currentStep).toBe('CERTIFICATE');
  }, 180_000);

  it('says in Chinese what to do when the camera is refused, and shows the agent’s reason and the step to redo when the witness is returned (打回)', async () => {
    const { page, ticketId, branchId } = await customerAtWitness(DEMO.wangFang);
    // the customer first refuses the camera (the browser's answer, as a refusal gives it), then allows it
    await page.evaluate(() => {
      const md = (globalThis as any).navigator.mediaDevices;
      md.realGetUserMedia = md.getUserMedia.bind(md);
      md.getUserMedia = () =>
        Promise.reject(new (globalThis as any).DOMException('Permission denied', 'NotAllowedError'));
    });
    await page.getByRole('button', { name: '开启摄像头和麦克风' }).click();
    await page.getByTestId('device-error').getByText('您未允许本网站使用摄像头或麦克风', { exact: false }).waitFor();
    expect(await page.getByRole('button', { name: '开始视频通话' }).isDisabled()).toBe(true);
    await page.evaluate(() => {
      const md = (globalThis as any).navigator.mediaDevices;
      md.getUserMedia = md.realGetUserMedia;
    });
    await page.getByRole('button', { name: '重新检测' }).click();
    await page.getByTestId('device-error').waitFor({ state: 'detached' });
    await passDeviceCheck(page, false);
    await page.getByRole('button', { name: '开始视频通话' }).click();
    await page.getByText('当前排队共 1 人，您排在第 1 位').waitFor();
    const agent = await loginStaff(server.url, 'agent01', 'Agent#2026');
    const { claimNextCustomer: s } = await q(
      'mutation ($b: ID!) { claimNextCustomer(branchId: $b) { id ticket { id } } }',
      { b: branchId },
      agent,
    );
    expect(s.ticket.id).toBe(ticketId);
    await page.getByTestId('witness-call').waitFor();
    const reason = '视频中出示的身份证与所填职业信息不一致，请核对后重新填写';
    await q(
      'mutation ($s: ID!, $i: WitnessOutcomeInput!) { completeWitness(sessionId: $s, input: $i) { outcome } }',
      { s: s.id, i: { outcome: 'RETURNED', checklist: [], returnToStep: 'OTHER_INFO', reason } },
      agent,
    );
    const banner = page.getByTestId('returned-banner');
    await banner.getByText(reason, { exact: false }).waitFor();
    expect(await banner.textContent()).toContain('其他信息资料');
    await waitFor('back at 其他信息资料', async () =>
      (await page.locator('nav[aria-label=办理步骤] li[aria-current=step]').textContent())?.includes('其他信息资料'),
    );
    expect(await page.getByTestId('witness-call').count()).toBe(0);
  }, 120_000);

  it('keeps the customer’s place through a network drop and lets them leave the queue', async () => {
    // the server's ends of the page's graphql-ws sockets, to cut them as a lost network would
    // (Chromium's offline emulation stops new connections but leaves an open WebSocket alone)
    const sockets: Socket[] = [];
    const onUpgrade = (_req: unknown, socket: Socket) => sockets.push(socket);
    server.httpServer.on('upgrade', onUpgrade);
    cleanups.push(() => server.httpServer.off('upgrade', onUpgrade));
    const { page, context, ticketId } = await customerAtWitness({ ...DEMO.chenQiang, accountType: 'ASSET_MANAGEMENT' });
    await passDeviceCheck(page);
    await page.getByRole('button', { name: '开始视频通话' }).click();
    await page.getByText('当前排队共 1 人，您排在第 1 位').waitFor();
    const before = await queueText(page);
    const entry = async () =>
      (
        await server.db.sql.query<{ state: string; disconnected_at: Date | null }>(
          'select state, disconnected_at from witness_queue_entries where ticket_id = $1 order by enqueued_at desc limit 1',
          [ticketId],
        )
      )[0]!;
    expect((await entry()).disconnected_at).toBeNull();

    await context.setOffline(true);
    const open = sockets.filter((x) => !x.destroyed);
    expect(open.length).toBeGreaterThan(0);
    open.forEach((x) => x.destroy());
    // the server saw the customer go and keeps the place (grace period)
    await waitFor('the server to see the drop', async () => (await entry()).disconnected_at !== null);
    await page.waitForTimeout(4000);
    expect((await entry()).state).toBe('WAITING');
    const opened = sockets.length;
    await context.setOffline(false);

    // back: the page reconnected by itself, same place, and the server sees the customer present
    await waitFor('the customer present again', async () => (await entry()).disconnected_at === null, 20_000);
    expect(sockets.length).toBeGreaterThan(opened);
    expect((await entry()).state).toBe('WAITING');
    await page.getByTestId('offline-banner').waitFor({ state: 'detached' });
    expect(await queueText(page)).toBe(before);

    // a reload finds the place too (no new device check, no new place)
    await page.reload();
    await page.getByText(before!).waitFor();
    expect((await entry()).state).toBe('WAITING');

    await page.getByRole('button', { name: '取消排队' }).click();
    await page.getByText('您已取消排队。', { exact: false }).waitFor();
    await page.getByRole('button', { name: '开始视频通话' }).waitFor();
    expect((await entry()).state).toBe('LEFT');
  }, 120_000);
});
