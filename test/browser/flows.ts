/**
 * What a customer does on each step of a business in the portal, and what the agent's side of a
 * witness call does, for the browser tests that walk businesses (portal, witness, certificate,
 * businesses). The agent is a libwebrtc peer in a child process (agent-peer.cjs); it needs the
 * loopback-only namespace the browser tests run in.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { makeIdPhoto, makeSignaturePhoto } from '../../api/src/modules/documents/testing';
import {
  WITNESS_CHECKLIST,
  bearer,
  gql,
  loginStaff,
  tempDir,
  waitFor,
  type TestServer,
} from '../../api/src/testing/harness';
import { ROOT, screenshotBoth, seriousViolations } from './support';

/** what the tests read of a <video> (this project's Node types have no DOM) */
export type VideoEl = {
  videoWidth: number;
  videoHeight: number;
  currentTime: number;
  paused: boolean;
  srcObject: { getTracks(): { kind: string }[] } | null;
};

export async function noSeriousViolations(page: Page, where: string): Promise<void> {
  const v = await seriousViolations(page);
  if (v.length) throw new Error(`${where}: ${JSON.stringify(v, null, 1)}`);
}

/** The step the stepper marks as current. */
export const currentStep = (page: Page) => page.locator('nav[aria-label="办理步骤"] li[aria-current="step"] .t');

export type PhotoFiles = Record<'ID_CARD_FRONT' | 'ID_CARD_BACK' | 'SIGNATURE', string> & { dark: string };

/** Synthetic photos on disk: front, back (photographed rotated), signature, and a too-dark front. */
export async function makePhotoFiles(): Promise<PhotoFiles> {
  const dir = tempDir('kaihu-photos-');
  const write = (name: string, buf: Buffer) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, buf);
    return file;
  };
  return {
    ID_CARD_FRONT: write('front.jpg', (await makeIdPhoto({ side: 'FRONT' })).jpeg),
    ID_CARD_BACK: write('back.jpg', (await makeIdPhoto({ side: 'BACK', cardRotation: 90 } as never)).jpeg),
    SIGNATURE: write('signature.jpg', (await makeSignaturePhoto()).jpeg),
    dark: write('dark.jpg', (await makeIdPhoto({ side: 'FRONT', brightness: 0.15 })).jpeg),
  };
}

/** Uploads the three photos on the 上传照片 step (each until the server's ✓). */
export async function uploadPhotos(page: Page, files: PhotoFiles): Promise<void> {
  for (const kind of ['ID_CARD_FRONT', 'ID_CARD_BACK', 'SIGNATURE'] as const) {
    await page.locator(`section[data-kind=${kind}] input[data-pick=choose]`).setInputFiles(files[kind]);
    await page
      .locator(`section[data-kind=${kind}]`)
      .getByText(/✓ 已上传/)
      .waitFor();
  }
}

/** 上传照片 done: the photos on file when the page offers them (若有证件照), else new ones; the 责任书 ticked; 下一步. */
export async function documentsStep(page: Page, files: PhotoFiles): Promise<void> {
  const reuse = page.getByRole('button', { name: '使用已留存的照片' });
  // the step's component may render a moment after the step bar says 上传照片: decide once it is there
  await page.getByRole('heading', { name: '上传证件照/签名照' }).waitFor();
  if (await reuse.isVisible()) {
    await reuse.click();
    for (const kind of ['ID_CARD_FRONT', 'ID_CARD_BACK', 'SIGNATURE'])
      await page.locator(`section[data-kind=${kind}]`).getByText('✓ 已上传（使用留存照片）').waitFor();
  } else await uploadPhotos(page, files);
  await page.getByLabel('我已阅读并同意《个人数字证书申请责任书》').check();
  await page.getByRole('button', { name: '下一步' }).click();
}

/** The device check as a customer does it: camera on (unless `open` is false: already asked), microphone heard, test tone heard. */
export async function passDeviceCheck(page: Page, open = true): Promise<void> {
  const start = page.getByRole('button', { name: '开始视频通话' });
  expect(await start.isDisabled()).toBe(true);
  if (open) await page.getByRole('button', { name: '开启摄像头和麦克风' }).click();
  await page.getByText('摄像头正常：请确认能看到自己的画面。').waitFor();
  await page.getByText('麦克风正常：已检测到声音。').waitFor();
  expect(await page.locator('[data-testid=device-check] video').evaluate((v: VideoEl) => v.videoWidth)).toBeGreaterThan(
    0,
  );
  const heard = page.getByRole('button', { name: '我听到了' });
  expect(await heard.isDisabled()).toBe(true);
  await page.getByRole('button', { name: '播放测试音' }).click();
  await heard.click();
  await page.getByText('扬声器正常。').waitFor();
  await waitFor('开始视频通话 enabled', async () => start.isEnabled());
}

/** Opens each agreement and scrolls its reader to the end; the tick stays disabled until the last. */
export async function readAllAgreements(page: Page, onFirstOpen?: () => Promise<void>): Promise<void> {
  const agree = page.getByLabel('我已阅读并同意以上所有协议和业务规则内容');
  const openers = page.getByTestId('open-agreement');
  await openers.first().waitFor();
  const n = await openers.count();
  expect(n).toBeGreaterThanOrEqual(2);
  for (let i = 0; i < n; i++) {
    expect(await agree.isDisabled()).toBe(true);
    await openers.nth(i).click();
    const dialog = page.locator('dialog[open]');
    await dialog.waitFor();
    const body = dialog.getByTestId('reader-body');
    // long enough that it has to be scrolled
    expect(await body.evaluate((el) => el.scrollHeight > el.clientHeight + 50)).toBe(true);
    await expect(dialog.getByTestId('reader-state').textContent()).resolves.toContain('请滑动阅读至协议末尾');
    if (i === 0 && onFirstOpen) {
      await onFirstOpen();
      if ((await page.locator('dialog[open]').count()) === 0) {
        await openers.nth(0).click();
        await page.locator('dialog[open]').waitFor();
      }
    }
    // halfway is not the end
    await body.evaluate((el) => el.scrollTo(0, el.scrollHeight / 2));
    await page.waitForTimeout(100);
    await expect(dialog.getByTestId('reader-state').textContent()).resolves.toContain('请滑动阅读至协议末尾');
    await body.evaluate((el) => el.scrollTo(0, el.scrollHeight));
    await dialog.getByText('已阅读至末尾').waitFor();
    await dialog.getByRole('button', { name: '我已阅读' }).click();
    await expect(page.locator('dialog[open]').count()).resolves.toBe(0);
    await expect(openers.nth(i).textContent()).resolves.toContain('已阅读');
  }
  expect(await agree.isEnabled()).toBe(true);
}

/** 安装数字证书 with `password` (twice), until the 签署协议 step shows. */
export async function installCertificate(page: Page, password: string): Promise<void> {
  await page.getByLabel('设置证书密码').waitFor({ timeout: 30_000 });
  await page.getByLabel('设置证书密码').fill(password);
  await page.getByLabel('确认证书密码').fill(password);
  await page.getByRole('button', { name: '申请并安装' }).click();
  await page.getByRole('heading', { name: '签署协议' }).waitFor({ timeout: 30_000 });
}

/** 签署协议: read all, tick, sign with the certificate password, until `next` (申请提交, or 回访问卷) is current. */
export async function signAgreements(page: Page, password: string, next = '申请提交'): Promise<void> {
  await readAllAgreements(page);
  await page.getByLabel('我已阅读并同意以上所有协议和业务规则内容').check();
  await page.getByRole('button', { name: '签署协议' }).click();
  const prompt = page.locator('dialog[open]');
  await prompt.getByRole('heading', { name: '请输入数字证书密码' }).waitFor();
  await prompt.getByPlaceholder('请输入6-8位数字证书密码').fill(password);
  await prompt.getByRole('button', { name: '确认' }).click();
  await waitFor(`${next} is the current step`, async () => (await currentStep(page).textContent()) === next, 30_000);
}

export interface AgentPeer {
  close(): void;
  /** consume the customer's audio and video */
  consumeCustomer(): Promise<unknown>;
  /** inbound RTP packets by kind */
  received(): Promise<Record<string, { packets: number }>>;
}

const live = new Set<() => void>();
afterAll(() => live.forEach((close) => close()));

/**
 * The agent's side of the call (agent-peer.cjs in a child process): joins the session with a
 * synthetic camera (moving bands, 320×240, 30 fps) and microphone (440 Hz), all signalling through
 * the API with the agent's token. Closed by `close()`, or at the end of the test file.
 */
export async function agentJoins(serverUrl: string, token: string, sessionId: string): Promise<AgentPeer> {
  const child = spawn(process.execPath, [path.join(__dirname, 'agent-peer.cjs')], {
    cwd: ROOT,
    env: { ...process.env, AGENT_CALL: JSON.stringify({ url: serverUrl, token, sessionId }) },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  const waiting: ((v: any) => void)[] = [];
  const early: any[] = [];
  lines.on('line', (l) => {
    const v = JSON.parse(l);
    const next = waiting.shift();
    if (next) next(v);
    else early.push(v);
  });
  const answer = () =>
    new Promise<any>((resolve, reject) => {
      const take = (v: any) => (v.error ? reject(new Error(`agent peer: ${v.error}`)) : resolve(v));
      if (early.length) take(early.shift());
      else waiting.push(take);
    });
  const ask = (cmd: string) => {
    child.stdin!.write(`${cmd}\n`);
    return answer();
  };
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    live.delete(close);
    child.stdin!.end('close\n');
    setTimeout(() => child.kill('SIGKILL'), 3000).unref();
  };
  live.add(close);
  await answer();
  return {
    close,
    consumeCustomer: () => ask('consume'),
    received: async () => (await ask('stats')).stats,
  };
}

/** What the agent's claim shows of the ticket (the call page's 客户资料 and 申请内容). */
export interface ClaimedTicket {
  id: string;
  customerName: string | null;
  details: { step: string; label: string; value: string }[];
}

/**
 * 视频验证 from the portal's side: the device check, the queue, the agent of the ticket's branch
 * claims the customer (`checkClaim` sees what the agent's page gets) and joins as a libwebrtc peer;
 * once the agent's video plays in the page and the customer's media reaches the agent, the agent
 * takes a snapshot (`snapshot`) and passes the witness. `shots` names the screenshots (both sizes)
 * of the queue and of the call.
 */
export async function passWitness(
  server: TestServer,
  page: Page,
  ticketId: string,
  o: { shots?: { queue?: string; call: string }; checkClaim?: (t: ClaimedTicket) => void; snapshot?: boolean } = {},
): Promise<void> {
  const api = async (query: string, variables: Record<string, unknown>, token: string) => {
    const r = await gql(server.url, query, variables, bearer(token));
    if (r.errors) throw new Error(`${query.slice(0, 60)}: ${JSON.stringify(r.errors)}`);
    return r.data!;
  };
  await page.getByRole('heading', { name: '视频验证' }).waitFor();
  await passDeviceCheck(page);
  await page.getByRole('button', { name: '开始视频通话' }).click();
  await page.getByText(/当前排队共 \d+ 人，您排在第 1 位/).waitFor();
  if (o.shots?.queue) await screenshotBoth(page, o.shots.queue);
  const [row] = await server.db.sql.query<{ branch_id: string; branch: string }>(
    'select t.branch_id, b.name as branch from tickets t join branches b on b.id = t.branch_id where t.id = $1',
    [ticketId],
  );
  const agent = await loginStaff(server.url, row!.branch === '上海营业部' ? 'agent02' : 'agent01', 'Agent#2026');
  const { claimNextCustomer: session } = await api(
    'mutation ($b: ID!) { claimNextCustomer(branchId: $b) { id ticket { id customerName details { step label value } } } }',
    { b: row!.branch_id },
    agent,
  );
  expect(session.ticket.id).toBe(ticketId);
  o.checkClaim?.(session.ticket);
  const peer = await agentJoins(server.url, agent, session.id);
  try {
    // the customer sees and hears the agent, with the agent's name and licence number
    await page.getByTestId('witness-call').waitFor({ timeout: 30_000 });
    await waitFor(
      'the agent’s video plays in the page',
      async () => page.getByTestId('agent-video').evaluate((v: VideoEl) => v.videoWidth > 0 && v.currentTime > 0.5),
      30_000,
    );
    await page
      .getByText(/从业资格号/)
      .first()
      .waitFor();
    // the agent receives the customer's camera and microphone
    await waitFor(
      'the customer’s producers',
      async () => {
        const { witnessSession } = await api(
          'query ($s: ID!) { witnessSession(id: $s) { producers { kind party } } }',
          { s: session.id },
          agent,
        );
        return (witnessSession.producers as { party: string }[]).filter((p) => p.party === 'CUSTOMER').length === 2;
      },
      30_000,
    );
    await peer.consumeCustomer();
    await waitFor(
      'the customer’s media reaches the agent',
      async () => {
        const r = await peer.received();
        return (r.video?.packets ?? 0) > 30 && (r.audio?.packets ?? 0) > 30;
      },
      30_000,
    );
    if (o.shots) await screenshotBoth(page, o.shots.call);
    if (o.snapshot) {
      const snap = await api(
        'mutation ($s: ID!) { captureWitnessSnapshot(sessionId: $s) { kind width } }',
        { s: session.id },
        agent,
      );
      expect(snap.captureWitnessSnapshot.kind).toBe('WITNESS_SNAPSHOT');
    }
    const done = await api(
      'mutation ($s: ID!, $i: WitnessOutcomeInput!) { completeWitness(sessionId: $s, input: $i) { outcome } }',
      { s: session.id, i: { outcome: 'PASSED', checklist: WITNESS_CHECKLIST } },
      agent,
    );
    expect(done.completeWitness.outcome).toBe('PASSED');
  } finally {
    peer.close();
  }
}
