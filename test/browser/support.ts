/**
 * Browser tests: Debian's Chromium driven by playwright-core against the real server (in-process,
 * fresh PostgreSQL database) serving the built Angular app (web-angular/dist/browser).
 *
 * `npm test` runs this folder in a loopback-only network namespace (`unshare -n`, see
 * scripts/test.mjs) so WebRTC offers 127.0.0.1 only; PostgreSQL is then reached through its Unix
 * socket (KAIHU_TEST_PG_URL). Run one file by hand the same way:
 *   KAIHU_BROWSER_TESTS=1 node scripts/test.mjs --browser test/browser/<file>
 */
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { RunningClock } from '../../api/src/common/clock';
import { lastCode, startTestServer, type TestServer } from '../../api/src/testing/harness';

export const ROOT = path.resolve(__dirname, '../..');
export const CHROMIUM = process.env.KAIHU_CHROMIUM ?? '/usr/bin/chromium';
export const SCREENSHOTS = path.join(ROOT, 'docs/screenshots');
export const PHONE = { width: 390, height: 844 } as const;
export const DESKTOP = { width: 1280, height: 800 } as const;

/** Whether this machine can run the browser tests (Chromium and the built app are there). */
export function browserTestsCanRun(): boolean {
  return fs.existsSync(CHROMIUM) && fs.existsSync(path.join(ROOT, 'web-angular/dist/browser/index.html'));
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
      '--disable-quic',
      // in the loopback-only namespace Chromium gathers no ICE candidate at all without this
      '--allow-loopback-in-peer-connection',
    ],
  });
}

/**
 * The server for browser tests: a clock that follows real time (the browser's countdowns and
 * expiry checks use the real time too), recordings not required unless a test says so.
 */
export async function startPortalServer(env: Record<string, string> = {}): Promise<TestServer> {
  return startTestServer('postgresql', { clock: new RunningClock(), env });
}

export async function newContext(
  browser: Browser,
  viewport: { width: number; height: number } = PHONE,
): Promise<BrowserContext> {
  const context = await browser.newContext({
    viewport,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    permissions: ['camera', 'microphone'],
  });
  context.setDefaultTimeout(15_000);
  return context;
}

/** Logs a demo customer in through the login page (captcha answer and SMS code from the demo endpoints). */
export async function loginThroughPage(
  page: Page,
  server: TestServer,
  person: { idNumber: string; mobile: string; accountType?: string },
  next?: string,
): Promise<void> {
  // past the resend wait of a code an earlier test sent to the same person
  server.clock.advance(61_000);
  await page.goto(`${server.url}/login${next ? `?next=${encodeURIComponent(next)}` : ''}`);
  await page.getByLabel('身份证号码').fill(person.idNumber);
  if (person.accountType === 'ASSET_MANAGEMENT') await page.getByLabel('非期货经纪').check();
  const img = page.locator('img[data-captcha-id]');
  await img.waitFor();
  const captchaId = await img.getAttribute('data-captcha-id');
  const { answer } = (await (await fetch(`${server.url}/dev/captcha/${captchaId}`)).json()) as { answer: string };
  await page.getByLabel('图形验证码', { exact: true }).fill(answer);
  await page.getByRole('button', { name: '获取短信验证码' }).click();
  await page.getByText(/验证码已发送至/).waitFor();
  await page.getByLabel('短信验证码').fill(await lastCode(server.url, person.mobile));
  await page.getByRole('button', { name: '登录', exact: true }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
}

/** A full-page PNG in docs/screenshots/<name>-<phone|desktop>.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  const size = page.viewportSize();
  const kind = size && size.width < 600 ? 'phone' : 'desktop';
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({
    path: path.join(SCREENSHOTS, `${name}-${kind}.png`),
    fullPage: true,
    animations: 'disabled',
  });
}

/** axe-core's serious and critical violations of the page as it is now (WCAG 2 A/AA rules). */
export async function seriousViolations(
  page: Page,
): Promise<{ id: string; impact: string; help: string; nodes: string[] }[]> {
  const { AxeBuilder } = await import('@axe-core/playwright');
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact!, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')) }));
}

/** The page at both sizes (phone 390×844 and desktop 1280×800), back at the size it had. */
export async function screenshotBoth(page: Page, name: string): Promise<void> {
  const before = page.viewportSize() ?? PHONE;
  for (const size of [PHONE, DESKTOP]) {
    await page.setViewportSize(size);
    await page.waitForTimeout(150);
    await screenshot(page, name);
  }
  await page.setViewportSize(before);
}

/** Polls `probe` until it returns `expected` (the page updates asynchronously); throws with the last value after `timeoutMs`. */
export async function until<T>(probe: () => Promise<T>, expected: T, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  let last: T = await probe();
  while (last !== expected) {
    if (Date.now() > end)
      throw new Error(`expected ${JSON.stringify(expected)}, still ${JSON.stringify(last)} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
    last = await probe();
  }
}
