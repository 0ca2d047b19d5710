/**
 * The four seed businesses in Chromium, each from the login page to 审核中 and the reviewer's
 * approval arriving live: photos, the info page, the video witness with a real call (the agent a
 * libwebrtc peer driven through the API), the certificate made in the browser, the agreements
 * read and signed with it, the submission. 张伟 runs two businesses in the same browser, so the
 * second finds his certificate in IndexedDB (密码重置 still asks for a fresh witness and one).
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { DEMO, bearer, gql, lastCode, loginStaff, waitFor, type TestServer } from '../../api/src/testing/harness';
import {
  currentStep,
  documentsStep,
  installCertificate,
  makePhotoFiles,
  noSeriousViolations,
  passWitness,
  signAgreements,
  type PhotoFiles,
} from './flows';
import {
  PHONE,
  browserTestsCanRun,
  launchChromium,
  loginThroughPage,
  newContext,
  screenshotBoth,
  startPortalServer,
} from './support';

const run = browserTestsCanRun() ? describe : describe.skip;
const PASSWORD = '582039';

let server: TestServer;
let browser: Browser;
let photos: PhotoFiles;
let reviewer: Record<string, string>;
const contexts = new Map<string, BrowserContext>();

type Person = { idNumber: string; mobile: string; name: string };

async function api<T = any>(
  query: string,
  variables: Record<string, unknown>,
  headers: Record<string, string>,
): Promise<T> {
  const r = await gql<T>(server.url, query, variables, headers);
  if (r.errors) throw new Error(`${query.slice(0, 60)}: ${JSON.stringify(r.errors)}`);
  return r.data as T;
}

/** Fills the business's info page as the customer would. */
const INFO: Record<string, (page: Page, person: Person) => Promise<void>> = {
  身份信息资料: async (page) => {
    await page.getByLabel('自').fill('2020-03-01');
    await page.getByLabel('至').fill('2040-03-01');
    await page.getByRole('button', { name: '下一步' }).click();
  },
  联系电话信息资料: async (page) => {
    await page.getByLabel('* 联系电话').fill('13600001234');
    await page.getByRole('button', { name: '获取短信验证码' }).click();
    await page.getByText(/验证码已发送至 136\*\*\*\*1234/).waitFor();
    await page.getByLabel('短信验证码').fill(await lastCode(server.url, '13600001234'));
    await page.getByRole('button', { name: '下一步' }).click();
  },
  其他信息资料: async (page) => {
    await page.getByRole('heading', { name: '其他信息', exact: true }).waitFor();
    await page.getByLabel('* 联系地址', { exact: true }).fill('北京市朝阳区建国路99号');
    await page.getByLabel('1年-5年').check();
    await page.getByLabel('稳健').check();
    await page.getByLabel('不存在').check();
    await page.getByLabel('本人').check();
    if (!(await page.getByLabel('期货、期权').isChecked())) await page.getByLabel('期货、期权').check();
    if (!(await page.getByLabel('无', { exact: true }).isChecked()))
      await page.getByLabel('无', { exact: true }).check();
    await page.getByRole('button', { name: '下一步' }).click();
  },
};

/** Login → business → every step → 审核中; returns the ticket id. */
async function runBusiness(
  person: Person,
  business: string,
  title: string,
  shots: boolean,
): Promise<{ page: Page; ticketId: string }> {
  let context = contexts.get(person.idNumber);
  if (!context) {
    context = await newContext(browser, PHONE);
    contexts.set(person.idNumber, context);
  }
  const page = await context.newPage();
  await loginThroughPage(page, server, person, `/start/${business}`);
  await page.waitForURL(/\/ticket\//);
  await page.getByRole('heading', { name: title }).waitFor();
  const ticketId = page.url().split('/ticket/')[1]!;
  const walked: string[] = [];
  for (let guard = 0; guard < 10; guard++) {
    const step = (await currentStep(page).textContent())!.trim();
    walked.push(step);
    if (step === '上传照片') await documentsStep(page, photos);
    else if (INFO[step]) await INFO[step]!(page, person);
    else if (step === '视频见证')
      await passWitness(server, page, ticketId, {
        shots: shots ? { queue: 'flow-witness-queue', call: 'flow-witness-call' } : undefined,
        snapshot: true,
      });
    else if (step === '安装数字证书')
      await installCertificate(page, PASSWORD).catch(async (e) => {
        await page.screenshot({ path: '/tmp/cert-fail.png', fullPage: true });
        throw e;
      });
    else if (step === '签署协议') await signAgreements(page, PASSWORD);
    else if (step === '申请提交') {
      if (shots) {
        await screenshotBoth(page, 'flow-submit');
        await noSeriousViolations(page, '申请提交');
      }
      await page.getByRole('button', { name: '提交申请' }).click();
      await page.getByRole('heading', { name: '提交成功，审核中…' }).waitFor();
      const no = await page.getByTestId('submitted-acceptance-no').textContent();
      expect(no).toMatch(/^\d{16}$/);
      if (shots) {
        await screenshotBoth(page, 'flow-submitted');
        await noSeriousViolations(page, '提交成功，审核中');
      }
      return { page, ticketId };
    } else throw new Error(`unexpected step ${step}`);
    await waitFor(`leaving ${step}`, async () => (await currentStep(page).textContent())?.trim() !== step, 30_000);
  }
  throw new Error(`did not reach 申请提交: ${walked.join(' → ')}`);
}

run('the four seed businesses in the browser', () => {
  beforeAll(async () => {
    server = await startPortalServer();
    browser = await launchChromium();
    photos = await makePhotoFiles();
    reviewer = bearer(await loginStaff(server.url, 'review01', 'Review#2026'));
  }, 120_000);
  afterAll(async () => {
    for (const c of contexts.values()) await c.close().catch(() => undefined);
    await browser?.close();
    await server?.close();
  });

  it.each([
    [
      'UPDATE_ID_VALIDITY',
      '修改身份证有效期',
      DEMO.liNa,
      ['上传照片', '身份信息资料', '视频见证', '安装数字证书', '签署协议', '申请提交'],
    ],
    [
      'UPDATE_CONTACT_PHONE',
      '修改联系电话',
      DEMO.wangFang,
      ['上传照片', '联系电话信息资料', '视频见证', '安装数字证书', '签署协议', '申请提交'],
    ],
    [
      'UPDATE_OTHER_INFO',
      '修改其他信息',
      DEMO.zhangWei,
      ['上传照片', '其他信息资料', '视频见证', '安装数字证书', '签署协议', '申请提交'],
    ],
    [
      'RESET_PASSWORD',
      '密码重置',
      DEMO.zhangWei,
      ['上传照片', '其他信息资料', '视频见证', '安装数字证书', '签署协议', '申请提交'],
    ],
  ] as const)(
    '%s runs from login to 审核中 in the page, and the approval shows up live',
    async (business, title, person, steps) => {
      const { page, ticketId } = await runBusiness(person, business, title, business === 'UPDATE_OTHER_INFO');
      expect(await page.locator('nav[aria-label="办理步骤"] li .t').allTextContents()).toEqual([...steps]);
      // the reviewer sees it with verified signatures, and approves
      const { ticket } = await api(
        'query ($t: ID!) { ticket(id: $t) { status signatures { verified } documents { kind reused } } }',
        { t: ticketId },
        reviewer,
      );
      expect(ticket.status).toBe('SUBMITTED');
      expect(ticket.signatures.length).toBeGreaterThanOrEqual(2);
      expect(ticket.signatures.every((s: { verified: boolean }) => s.verified)).toBe(true);
      expect(ticket.documents.map((d: { kind: string }) => d.kind)).toEqual(
        expect.arrayContaining(['ID_CARD_FRONT', 'ID_CARD_BACK', 'SIGNATURE', 'WITNESS_SNAPSHOT']),
      );
      await api(
        'mutation ($t: ID!) { approveTicket(ticketId: $t, note: "资料核对无误") { status } }',
        { t: ticketId },
        reviewer,
      );
      // no reload: ticketUpdated brings it
      await page.getByRole('heading', { name: '业务已办理完成' }).waitFor({ timeout: 15_000 });
      expect(await page.getByTestId('ticket-status').textContent()).toBe('已通过');
      if (business === 'UPDATE_OTHER_INFO') {
        await screenshotBoth(page, 'flow-approved');
        await noSeriousViolations(page, '业务已办理完成');
      }
      // 张伟's second business took the photos of his approved first one (若有证件照则不会提示)
      if (business === 'RESET_PASSWORD')
        expect(
          ticket.documents
            .filter((d: { reused: boolean }) => d.reused)
            .map((d: { kind: string }) => d.kind)
            .sort(),
        ).toEqual(['ID_CARD_BACK', 'ID_CARD_FRONT', 'SIGNATURE']);
      await page.close();
    },
    240_000,
  );
});
