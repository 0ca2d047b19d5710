/**
 * The customer portal in Chromium: login (captcha, SMS countdown, 温馨提示), the business menu,
 * 我的基本资料, photo upload (progress, the server's adjustments, a refused dark photo with its
 * advice), the three info pages with the server's own validation, back and refresh mid-flow.
 * Screenshots of each page at 390×844 and 1280×800; axe finds no serious violation on any.
 */
import type { Browser } from 'playwright-core';
import { DEMO, type TestServer } from '../../api/src/testing/harness';
import { currentStep, makePhotoFiles, noSeriousViolations, uploadPhotos, type PhotoFiles } from './flows';
import {
  until,
  browserTestsCanRun,
  launchChromium,
  loginThroughPage,
  newContext,
  screenshotBoth,
  startPortalServer,
} from './support';

const run = browserTestsCanRun() ? describe : describe.skip;
let server: TestServer;
let browser: Browser;
let photos: PhotoFiles;

run('the customer portal', () => {
  beforeAll(async () => {
    server = await startPortalServer();
    browser = await launchChromium();
    photos = await makePhotoFiles();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('logs in with ID number, account type, image captcha and SMS code; refuses bad input next to its field', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    await page.goto(`${server.url}/login`);
    await page.getByRole('heading', { name: '温馨提示' }).waitFor();
    // the broker's service hours and what to prepare
    await page.locator('.tips').getByText('网上开户服务时间：每天 00:00-24:00').waitFor();
    expect(await page.locator('.prepare li').allTextContents()).toEqual(
      expect.arrayContaining([
        expect.stringContaining('二代身份证'),
        expect.stringContaining('银行卡'),
        expect.stringContaining('网络环境'),
      ]),
    );
    await page.locator('img[data-captcha-id]').waitFor();
    await screenshotBoth(page, 'login');
    await noSeriousViolations(page, 'login');
    // a wrong check digit: the server's words, beside the field, before any request
    await page.getByLabel('身份证号码').fill(DEMO.badChecksum);
    await page.getByRole('button', { name: '获取短信验证码' }).click();
    await page.getByText('身份证号码校验位不正确，请核对后重新输入').waitFor();
    // a wrong captcha answer: refused by the server, a new captcha appears
    const firstCaptcha = await page.locator('img[data-captcha-id]').getAttribute('data-captcha-id');
    await page.getByLabel('身份证号码').fill(DEMO.zhangWei.idNumber);
    await page.getByLabel('图形验证码', { exact: true }).fill('zzzz');
    await page.getByRole('button', { name: '获取短信验证码' }).click();
    await page.getByText(/图形验证码错误/).waitFor();
    await until(
      async () => (await page.locator('img[data-captcha-id]').getAttribute('data-captcha-id')) !== firstCaptcha,
      true,
    );
    // 换一张 changes it too
    const second = await page.locator('img[data-captcha-id]').getAttribute('data-captcha-id');
    await page.getByRole('button', { name: '换一张图形验证码' }).click();
    await until(
      async () => (await page.locator('img[data-captcha-id]').getAttribute('data-captcha-id')) !== second,
      true,
    );
    await loginThroughPage(page, server, DEMO.zhangWei);
    await page.getByRole('heading', { name: '我的基本资料' }).waitFor();
    await context.close();
  });

  it('shows the countdown after sending the code and the menu with businesses not yet built marked', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    await page.goto(`${server.url}/`);
    await page.getByRole('heading', { name: '选择需要办理的业务类型' }).waitFor();
    // the tiles come from the API (Broker.businesses)
    await page.getByRole('button', { name: /开立期货账户/ }).waitFor();
    for (const name of [
      '开立期货账户',
      '增开交易编码',
      '适当性评估',
      '我的基本资料',
      '修改结算账户',
      '协议下载',
      '密码重置',
    ]) {
      expect(await page.getByText(name, { exact: true }).count()).toBeGreaterThan(0);
    }
    expect(await page.getByText('暂未开通，敬请期待').count()).toBe(4);
    await screenshotBoth(page, 'menu');
    await noSeriousViolations(page, 'menu');
    // a business needs a login first, then comes back to it
    await page.getByRole('button', { name: /密码重置/ }).click();
    await page.waitForURL(/\/login\?next=/);
    await page.getByLabel('身份证号码').fill(DEMO.liNa.idNumber);
    const img = page.locator('img[data-captcha-id]');
    await img.waitFor();
    const { answer } = (await (
      await fetch(`${server.url}/dev/captcha/${await img.getAttribute('data-captcha-id')}`)
    ).json()) as { answer: string };
    await page.getByLabel('图形验证码', { exact: true }).fill(answer);
    await page.getByRole('button', { name: '获取短信验证码' }).click();
    await page.getByRole('button', { name: /秒后重新获取/ }).waitFor();
    expect(await page.getByRole('button', { name: /秒后重新获取/ }).isDisabled()).toBe(true);
    await page.getByText(/验证码已发送至 139\*\*\*\*5678/).waitFor();
    await context.close();
  });

  it('shows 我的基本资料 and runs 修改身份证有效期 through photos and the info page; refresh and back keep the step', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    await loginThroughPage(page, server, DEMO.liNa);
    await page.getByRole('heading', { name: '我的基本资料' }).waitFor();
    for (const h of ['身份信息', '联系电话', '其他信息']) await page.getByRole('heading', { name: h }).waitFor();
    expect(await page.getByTestId('id-validity').textContent()).toContain('2010-03-01 至 2020-03-01');
    await screenshotBoth(page, 'profile');
    await noSeriousViolations(page, 'profile');
    await page.getByRole('button', { name: '修改身份信息（仅可修改身份证有效期）' }).click();
    await page.waitForURL(/\/ticket\//);
    await page.getByRole('heading', { name: '修改身份证有效期' }).waitFor();
    await page.getByRole('heading', { name: '拍照规范' }).waitFor();
    await screenshotBoth(page, 'step-documents');
    await noSeriousViolations(page, 'documents');
    // a dark photo: the server's message and how to retake
    await page.locator('section[data-kind=ID_CARD_FRONT] input[data-pick=camera]').setInputFiles(photos.dark);
    await page.getByText(/照片太暗.*请到光线充足的地方/).waitFor();
    await screenshotBoth(page, 'step-documents-refused');
    await uploadPhotos(page, photos);
    // the server's adjustments are shown (the back was photographed rotated)
    expect(await page.locator('section[data-kind=ID_CARD_BACK]').textContent()).toMatch(
      /已自动旋转|已按拍摄方向自动摆正|已自动切边/,
    );
    await until(() => page.getByRole('button', { name: '下一步' }).isDisabled(), true);
    await page.getByLabel('我已阅读并同意《个人数字证书申请责任书》').check();
    await screenshotBoth(page, 'step-documents-done');
    // refresh mid-step: the uploaded photos are still there (the server holds them)
    await page.reload();
    await page
      .locator('section[data-kind=SIGNATURE]')
      .getByText(/✓ 已上传/)
      .waitFor();
    await page.getByLabel('我已阅读并同意《个人数字证书申请责任书》').check();
    await page.getByRole('button', { name: '下一步' }).click();
    await page.getByRole('heading', { name: '身份信息', exact: true }).waitFor();
    // the page refuses what the server would, with its words
    await page.getByLabel('至').fill('2019-01-01');
    await page.getByRole('button', { name: '下一步' }).click();
    await page.getByText('该身份证已过期，请使用有效期内的身份证办理').waitFor();
    await screenshotBoth(page, 'step-id-validity');
    await noSeriousViolations(page, 'id validity');
    // browser back goes to the menu page, forward returns to the same step (the server holds it)
    const url = page.url();
    await page.goBack();
    await page.goto(url);
    await page.getByRole('heading', { name: '身份信息', exact: true }).waitFor();
    await page.getByLabel('长期').check();
    await until(() => page.getByLabel('至').isDisabled(), true);
    await page.getByRole('button', { name: '下一步' }).click();
    // 李娜 has no certificate: the witness comes before 签署协议
    await page.getByText('视频见证', { exact: true }).first().waitFor();
    await until(async () => (await currentStep(page).textContent())?.trim(), '视频见证');
    // 待完成业务 on the menu page lists it; 继续办理 resumes it where it stands
    await page.goto(`${server.url}/`);
    const pending = page.getByTestId('pending');
    await pending.getByText('修改身份证有效期').waitFor();
    expect(await pending.textContent()).toContain('当前步骤：视频见证');
    await screenshotBoth(page, 'menu-pending');
    await noSeriousViolations(page, 'menu with 待完成业务');
    await pending.getByRole('link', { name: '继续办理' }).click();
    await until(async () => (await currentStep(page).textContent())?.trim(), '视频见证');
    await context.close();
  });

  it('validates 联系电话 (SMS code for a mobile only) and 其他信息 (every field, 无 exclusive) like the server', async () => {
    const context = await newContext(browser, { width: 1280, height: 800 });
    const page = await context.newPage();
    await loginThroughPage(page, server, DEMO.wangFang);
    await page.goto(`${server.url}/start/UPDATE_CONTACT_PHONE`);
    await page.getByRole('heading', { name: '修改联系电话' }).waitFor();
    await uploadPhotos(page, photos);
    await page.getByLabel('我已阅读并同意《个人数字证书申请责任书》').check();
    await page.getByRole('button', { name: '下一步' }).click();
    await page.getByLabel('* 联系电话').fill('12345');
    await page.getByRole('button', { name: '下一步' }).click();
    await page.getByText('请输入正确的联系电话：中国大陆手机号（11位）或座机号（区号-号码）').waitFor();
    // a landline needs no code: the code field is not there
    await page.getByLabel('* 联系电话').fill('010-62345679');
    await until(() => page.getByLabel('短信验证码').count(), 0);
    // a mobile does
    await page.getByLabel('* 联系电话').fill('13600007777');
    await page.getByLabel('短信验证码').waitFor();
    await page.getByRole('button', { name: '下一步' }).click();
    await page.getByText('请先获取短信验证码').waitFor();
    await page.getByRole('button', { name: '获取短信验证码' }).click();
    await page.getByText(/验证码已发送至 136\*\*\*\*7777/).waitFor();
    await page.getByLabel('短信验证码').fill('000000');
    await page.getByRole('button', { name: '下一步' }).click();
    await page.getByText('短信验证码错误').waitFor();
    await screenshotBoth(page, 'step-contact-phone');
    await noSeriousViolations(page, 'contact phone');
    await context.close();

    const c2 = await newContext(browser);
    const p2 = await c2.newPage();
    await loginThroughPage(p2, server, DEMO.zhangWei);
    await p2.goto(`${server.url}/start/UPDATE_OTHER_INFO`);
    await uploadPhotos(p2, photos);
    await p2.getByLabel('我已阅读并同意《个人数字证书申请责任书》').check();
    await p2.getByRole('button', { name: '下一步' }).click();
    await p2.getByRole('heading', { name: '其他信息' }).waitFor();
    // prefilled from the profile; a bad postal code and no product, no 无
    await p2.getByLabel('* 邮政编码').fill('1000');
    await p2.getByRole('button', { name: '下一步' }).click();
    await p2.getByText('邮政编码应为6位数字').waitFor();
    await p2.getByText('请选择想投资的品种').waitFor();
    await p2.getByText('请选择投资期限').waitFor();
    await screenshotBoth(p2, 'step-other-info-errors');
    // 无 is exclusive
    await p2.getByLabel('中国人民银行征信中心').check();
    await p2.getByLabel('无', { exact: true }).check();
    await until(() => p2.getByLabel('中国人民银行征信中心').isChecked(), false);
    await p2.getByLabel('* 联系地址省').selectOption('上海市');
    await until(() => p2.getByLabel('* 联系地址市').inputValue(), '上海市');
    await p2.getByLabel('* 联系地址', { exact: true }).fill('上海市浦东新区世纪大道200号');
    await p2.getByLabel('* 邮政编码').fill('200120');
    await p2.getByLabel('1年-5年').check();
    await p2.getByLabel('稳健').check();
    await p2.getByLabel('不存在').check();
    await p2.getByLabel('本人').check();
    await p2.getByLabel('期货、期权').check();
    await screenshotBoth(p2, 'step-other-info');
    await noSeriousViolations(p2, 'other info');
    await p2.getByRole('button', { name: '下一步' }).click();
    await until(async () => (await currentStep(p2).textContent())?.trim() !== '其他信息资料', true);
    await c2.close();
  });
});
