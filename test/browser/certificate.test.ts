/**
 * 安装数字证书 and 签署协议 in Chromium: the certificate password rules, the key and CSR made in
 * the page, the PKCS#12 kept in IndexedDB; every agreement read to its end in the reader before
 * "我已阅读并同意…" can be ticked; a wrong certificate password refused, the right one signs and the
 * ticket reaches 申请提交. The password never appears in any request the page sends. Without a
 * certificate in the browser ("没有检测到证书") and with 重新申请 the ticket goes back to 视频见证.
 * Also 协议下载 without login. Screenshots at 390×844 and 1280×800; axe finds nothing serious.
 */
import fs from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { generateBrowserKeyPair, makeCsr } from '../../api/src/modules/certificates/testing';
import {
  DEMO,
  bearer,
  gql,
  loginCustomer,
  passWitness,
  ticketAtWitness,
  type TestServer,
} from '../../api/src/testing/harness';
import { currentStep, noSeriousViolations, readAllAgreements } from './flows';
import {
  browserTestsCanRun,
  launchChromium,
  loginThroughPage,
  newContext,
  screenshotBoth,
  startPortalServer,
  until,
} from './support';

const run = browserTestsCanRun() ? describe : describe.skip;
let server: TestServer;
let browser: Browser;

/** Every password typed in these tests: none may be sent anywhere. */
const PASSWORDS = ['258036', '258037', '123456', '111111', '258063'];
const GOOD = '258036';

interface Sent {
  url: string;
  body: string;
}

/** Records the URL and body of every request the context's pages send (HTTP and WebSocket frames). */
function recordRequests(context: BrowserContext): Sent[] {
  const sent: Sent[] = [];
  context.on('request', (r) => sent.push({ url: r.url(), body: r.postData() ?? '' }));
  context.on('page', (p) =>
    p.on('websocket', (ws) => ws.on('framesent', (f) => sent.push({ url: ws.url(), body: String(f.payload) }))),
  );
  return sent;
}

function expectNoPassword(sent: Sent[]): void {
  expect(sent.length).toBeGreaterThan(5);
  for (const s of sent)
    for (const p of PASSWORDS)
      expect({ url: s.url, leaked: s.url.includes(p) || s.body.includes(p) }).toEqual({ url: s.url, leaked: false });
}

async function login(page: Page, person: { idNumber: string; mobile: string }): Promise<void> {
  server.clock.advance(61_000); // past the resend wait of the code the API login sent
  await loginThroughPage(page, server, person);
}

async function ticketStep(token: string, ticketId: string): Promise<string> {
  const res = await gql(
    server.url,
    'query ($t: ID!) { ticket(id: $t) { currentStep status } }',
    { t: ticketId },
    bearer(token),
  );
  return res.data!.ticket.currentStep as string;
}

/** What the info steps collect, in the shape the profile module reads it (for the ticket's proposed profile). */
const STEP_DATA: Record<string, unknown> = {
  ID_VALIDITY: { idValidFrom: '2020-03-01', idValidTo: '2040-03-01' },
  CONTACT_PHONE: { kind: 'MOBILE', phone: '13600009876' },
};

/**
 * A ticket at AGREEMENTS for a customer who already holds a valid certificate: the business has
 * no witness of its own; its steps before AGREEMENTS are completed through the ticket service.
 */
async function ticketAtAgreements(
  person: { idNumber: string; mobile: string },
  business: string,
): Promise<{ token: string; ticketId: string }> {
  const token = await loginCustomer(server, person);
  const started = await gql(
    server.url,
    'mutation ($b: BusinessType!) { startTicket(business: $b) { id steps { kind } } }',
    { b: business },
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
  for (const { kind } of started.data.startTicket.steps as { kind: string }[]) {
    if (kind === 'AGREEMENTS') break;
    await server.services.tickets.completeStep(em, ticket, kind as never, STEP_DATA[kind] ?? { fixture: true }, actor);
  }
  expect(await ticketStep(token, ticketId)).toBe('AGREEMENTS');
  return { token, ticketId };
}

run('certificate and agreements in the browser', () => {
  let context: BrowserContext;
  let page: Page;
  let sent: Sent[];

  beforeAll(async () => {
    server = await startPortalServer();
    browser = await launchChromium();
    context = await newContext(browser);
    sent = recordRequests(context);
    page = await context.newPage();
  }, 120_000);
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.close();
  });

  it('installs a certificate with a good password, reads and signs every agreement, and never sends the password', async () => {
    const { token, ticketId } = await ticketAtWitness(server, DEMO.zhangWei);
    await passWitness(server, token, ticketId);
    expect(await ticketStep(token, ticketId)).toBe('CERTIFICATE');

    await login(page, DEMO.zhangWei);
    await page.goto(`${server.url}/ticket/${ticketId}`);
    await page.getByRole('heading', { name: '数字证书' }).waitFor();
    await page.getByText('数字证书是唯一识别的凭证').waitFor();
    await page.getByText('请牢记证书密码并且不要外传').waitFor();
    await screenshotBoth(page, 'certificate');
    await noSeriousViolations(page, 'certificate');

    const password = page.getByLabel('设置证书密码');
    const again = page.getByLabel('确认证书密码');
    const install = page.getByRole('button', { name: '申请并安装' });
    for (const [p, a, msg] of [
      ['123456', '123456', '不能是连续递增或递减的数字'],
      ['111111', '111111', '不能是同一个数字重复'],
      ['2580', '2580', '证书密码须为6-8位数字'],
      ['258036', '258063', '两次输入的证书密码不一致'],
    ] as const) {
      await password.fill(p);
      await again.fill(a);
      await install.click();
      await page.getByText(msg).waitFor();
    }
    // refused in the page: nothing was asked of the server
    expect(sent.filter((s) => s.body.includes('requestCertificate'))).toHaveLength(0);
    await screenshotBoth(page, 'certificate-refused');

    await password.fill(GOOD);
    await again.fill(GOOD);
    await install.click();
    await page.getByText('数字证书已经安装成功！').first().waitFor({ timeout: 30_000 });
    await page.getByRole('heading', { name: '签署协议' }).waitFor();
    await expect(currentStep(page).textContent()).resolves.toBe('签署协议');
    // what the page sent: a CSR, no key and no password
    const csr = sent.find((s) => s.body.includes('requestCertificate'));
    expect(csr?.body).toContain('BEGIN CERTIFICATE REQUEST');
    expect(sent.some((s) => s.body.includes('PRIVATE KEY'))).toBe(false);
    // the PKCS#12 is in this browser's IndexedDB, under the customer's id
    const stored = await page.evaluate(
      () =>
        new Promise<{ keys: string[]; size: number }>((resolve, reject) => {
          const req = (globalThis as any).indexedDB.open('kaihu-certificates');
          req.onsuccess = () => {
            const all = req.result.transaction('pkcs12').objectStore('pkcs12').getAll();
            all.onsuccess = () =>
              resolve({
                keys: all.result.map((r: { customerId: string }) => r.customerId),
                size: all.result[0]?.pkcs12?.byteLength ?? 0,
              });
            all.onerror = () => reject(all.error);
          };
          req.onerror = () => reject(req.error);
        }),
    );
    const me = await gql(server.url, 'query { me { id certificate { status } } }', {}, bearer(token));
    expect(stored.keys).toEqual([me.data!.me.id]);
    expect(stored.size).toBeGreaterThan(2000);
    expect(me.data!.me.certificate.status).toBe('VALID');

    await screenshotBoth(page, 'agreements');
    await noSeriousViolations(page, 'agreements');
    await readAllAgreements(page, async () => {
      await screenshotBoth(page, 'agreement-reader');
      await noSeriousViolations(page, 'agreement reader');
      // Esc closes without counting it as read
      await page.keyboard.press('Escape');
      await until(() => page.locator('dialog[open]').count(), 0);
      await expect(page.getByTestId('open-agreement').nth(0).textContent()).resolves.toContain('未阅读');
    });
    const agree = page.getByLabel('我已阅读并同意以上所有协议和业务规则内容');
    const signButton = page.getByRole('button', { name: '签署协议' });
    expect(await signButton.isDisabled()).toBe(true);
    await agree.check();
    await signButton.click();

    const prompt = page.locator('dialog[open]');
    await prompt.getByRole('heading', { name: '请输入数字证书密码' }).waitFor();
    const signPassword = prompt.getByPlaceholder('请输入6-8位数字证书密码');
    await signPassword.fill('258037');
    await prompt.getByRole('button', { name: '确认' }).click();
    await prompt.getByText(/证书密码错误，请重新输入/).waitFor();
    await noSeriousViolations(page, 'password prompt');
    await screenshotBoth(page, 'agreements-password');
    expect(await ticketStep(token, ticketId)).toBe('AGREEMENTS');
    expect(sent.filter((s) => s.body.includes('signAgreements'))).toHaveLength(0);

    await signPassword.fill(GOOD);
    await prompt.getByRole('button', { name: '确认' }).click();
    await until(() => currentStep(page).textContent(), '申请提交', 20_000);
    expect(await ticketStep(token, ticketId)).toBe('SUBMITTED');
    const signedBody = JSON.parse(sent.find((s) => s.body.includes('signAgreements'))!.body) as {
      variables: { signatures: { signature: string }[] };
    };
    expect(signedBody.variables.signatures.length).toBeGreaterThanOrEqual(2);
    const signed = await gql(
      server.url,
      'query ($t: ID!) { ticket(id: $t) { agreements { signedAt } } }',
      { t: ticketId },
      bearer(token),
    );
    expect(signed.data!.ticket.agreements.every((a: { signedAt: string | null }) => a.signedAt)).toBe(true);
    expectNoPassword(sent);
  }, 180_000);

  it('重新申请 in the password prompt sends the ticket back to the video witness', async () => {
    const { token, ticketId } = await ticketAtAgreements(DEMO.zhangWei, 'UPDATE_CONTACT_PHONE');
    await page.goto(`${server.url}/ticket/${ticketId}`);
    await page.getByRole('heading', { name: '签署协议' }).waitFor();
    await readAllAgreements(page);
    await page.getByLabel('我已阅读并同意以上所有协议和业务规则内容').check();
    await page.getByRole('button', { name: '签署协议' }).click();
    const prompt = page.locator('dialog[open]');
    await prompt.getByRole('heading', { name: '请输入数字证书密码' }).waitFor();
    await prompt.getByRole('button', { name: '重新申请' }).click();
    await until(() => currentStep(page).textContent(), '视频见证', 15_000);
    expect(await ticketStep(token, ticketId)).toBe('VIDEO_WITNESS');
    const steps = await gql(
      server.url,
      'query ($t: ID!) { ticket(id: $t) { steps { kind done } } }',
      { t: ticketId },
      bearer(token),
    );
    expect(steps.data!.ticket.steps.map((s: { kind: string }) => s.kind)).toEqual([
      'DOCUMENTS',
      'CONTACT_PHONE',
      'VIDEO_WITNESS',
      'CERTIFICATE',
      'AGREEMENTS',
      'SUBMITTED',
    ]);
    expectNoPassword(sent);
  }, 120_000);

  it('without a certificate in this browser: "没有检测到证书" and 确认 lead to the video witness', async () => {
    const { token, ticketId } = await ticketAtAgreements(DEMO.zhangWei, 'UPDATE_ID_VALIDITY');
    const fresh = await newContext(browser, { width: 1280, height: 800 });
    const freshSent = recordRequests(fresh);
    try {
      const other = await fresh.newPage();
      await login(other, DEMO.zhangWei);
      await other.goto(`${server.url}/ticket/${ticketId}`);
      await other.getByRole('heading', { name: '签署协议' }).waitFor();
      await readAllAgreements(other);
      await other.getByLabel('我已阅读并同意以上所有协议和业务规则内容').check();
      await other.getByRole('button', { name: '签署协议' }).click();
      const prompt = other.locator('dialog[open]');
      await prompt.getByText('没有检测到证书,点击确定安装证书').waitFor();
      await noSeriousViolations(other, 'no certificate prompt');
      await screenshotBoth(other, 'agreements-no-certificate');
      await prompt.getByRole('button', { name: '确认' }).click();
      await until(() => currentStep(other).textContent(), '视频见证', 15_000);
      expect(await ticketStep(token, ticketId)).toBe('VIDEO_WITNESS');
      expect(freshSent.some((s) => s.body.includes('reapplyCertificate'))).toBe(true);
    } finally {
      await fresh.close();
    }
  }, 120_000);

  it('a certificate in this browser that was replaced from elsewhere is not used: a new one is installed via the witness', async () => {
    // the same customer gets a new certificate on another device (made here through the API)
    const { token, ticketId } = await ticketAtWitness(server, DEMO.zhangWei, 'RESET_PASSWORD');
    await passWitness(server, token, ticketId);
    const keys = await generateBrowserKeyPair();
    const issued = await gql(
      server.url,
      'mutation ($t: ID!, $c: String!) { requestCertificate(ticketId: $t, csrPem: $c) { serialNumber } }',
      { t: ticketId, c: makeCsr(keys, DEMO.zhangWei.name) },
      bearer(token),
    );
    expect(issued.errors).toBeUndefined();
    expect(await ticketStep(token, ticketId)).toBe('AGREEMENTS');
    // this browser still holds the earlier one
    await page.goto(`${server.url}/ticket/${ticketId}`);
    await page.getByRole('heading', { name: '签署协议' }).waitFor();
    await readAllAgreements(page);
    await page.getByLabel('我已阅读并同意以上所有协议和业务规则内容').check();
    await page.getByRole('button', { name: '签署协议' }).click();
    const prompt = page.locator('dialog[open]');
    await prompt.getByText('本机的数字证书已失效或已被新证书替换,点击确定重新安装证书').waitFor();
    // no password was asked for, nothing was signed
    expect(await prompt.getByPlaceholder('请输入6-8位数字证书密码').count()).toBe(0);
    await prompt.getByRole('button', { name: '确认' }).click();
    await until(() => currentStep(page).textContent(), '视频见证', 15_000);
    expect(await ticketStep(token, ticketId)).toBe('VIDEO_WITNESS');
    expectNoPassword(sent);
  }, 120_000);

  it("协议下载 lists each business's agreements without login, to read and to download as text", async () => {
    const anon = await newContext(browser);
    try {
      const p = await anon.newPage();
      await p.goto(`${server.url}/agreements`);
      await p.getByRole('heading', { name: '协议下载' }).waitFor();
      await p
        .getByRole('button', { name: /^阅读《/ })
        .first()
        .waitFor();
      const titles = await p.locator('.list .title').allTextContents();
      expect(titles.length).toBeGreaterThanOrEqual(2);
      for (const t of titles) expect(t).toMatch(/^《.+》第 \d+ 版$/);
      await screenshotBoth(p, 'agreements-download');
      await noSeriousViolations(p, 'agreements download');
      await p.getByLabel('业务类型').selectOption({ label: '密码重置' });
      await p
        .getByRole('button', { name: /^阅读《/ })
        .first()
        .waitFor();
      await p
        .getByRole('button', { name: /^阅读《/ })
        .first()
        .click();
      const dialog = p.locator('dialog[open]');
      await dialog.getByTestId('reader-body').waitFor();
      await p.keyboard.press('Escape');
      await until(() => p.locator('dialog[open]').count(), 0);
      const [download] = await Promise.all([
        p.waitForEvent('download'),
        p
          .getByRole('button', { name: /^下载《/ })
          .first()
          .click(),
      ]);
      expect(download.suggestedFilename()).toMatch(/（第\d+版）\.txt$/);
      const text = fs.readFileSync((await download.path())!, 'utf8');
      expect(text).toMatch(/^《.+》\n第 \d+ 版 · 适用业务：密码重置\nSHA-256：[0-9a-f]{64}\n\n/);
      expect(text).toContain('演示文本');
      expect(text).not.toMatch(/^#|\*\*/m);
    } finally {
      await anon.close();
    }
  }, 60_000);
});
