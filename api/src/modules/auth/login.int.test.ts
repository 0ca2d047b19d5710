import {
  DEMO,
  LOGIN,
  REQUEST_CODE,
  gql,
  lastCode,
  solvedCaptcha,
  startTestServer,
  type DbKind,
  type TestServer,
} from '../../testing/harness';

const codeOf = (res: { errors?: { extensions?: { code?: string } }[] }) => res.errors?.[0]?.extensions?.code;

async function requestCode(
  server: TestServer,
  idNumber: string,
  accountType = 'FUTURES_BROKERAGE',
  headers: Record<string, string> = {},
) {
  return gql(
    server.url,
    REQUEST_CODE,
    { input: { idNumber, accountType, ...(await solvedCaptcha(server.url)) } },
    headers,
  );
}

describe.each<DbKind>(['postgresql', 'pglite'])('customer login on %s', (kind) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(kind);
  });
  afterAll(() => server?.close());
  beforeEach(() => server.clock.advance(16 * 60_000)); // no resend wait or lock carries over

  describe('createCaptcha', () => {
    it('renders an image as a data: URL and stores only a hash of the answer', async () => {
      const res = await gql(server.url, 'mutation { createCaptcha { id image expiresAt } }');
      const c = res.data!.createCaptcha;
      expect(c.image).toMatch(/^data:image\/svg\+xml;base64,/);
      expect(Buffer.from(c.image.split(',')[1], 'base64').toString()).toMatch(/^<svg[\s\S]*<path/);
      expect(new Date(c.expiresAt).getTime() - server.clock.now().getTime()).toBe(5 * 60_000);
      const { answer } = (await (await fetch(`${server.url}/dev/captcha/${c.id}`)).json()) as { answer: string };
      const [row] = await server.db.sql.query<{ answer_hash: string }>(
        'select answer_hash from captchas where id = $1',
        [c.id],
      );
      expect(row!.answer_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(row!.answer_hash).not.toContain(answer);
    });

    it('accepts the answer in any case, once', async () => {
      const captcha = await solvedCaptcha(server.url);
      const input = {
        idNumber: DEMO.zhangWei.idNumber,
        accountType: 'FUTURES_BROKERAGE',
        ...captcha,
        captchaAnswer: captcha.captchaAnswer.toUpperCase(),
      };
      expect(codeOf(await gql(server.url, REQUEST_CODE, { input }))).toBeUndefined();
      server.clock.advance(61_000);
      const replay = await gql(server.url, REQUEST_CODE, { input });
      expect(codeOf(replay)).toBe('CAPTCHA_INVALID');
      expect(replay.errors![0]!.message).toMatch(/图形验证码/);
    });

    it('expires after 5 minutes', async () => {
      const captcha = await solvedCaptcha(server.url);
      server.clock.advance(5 * 60_000 + 1);
      const res = await gql(server.url, REQUEST_CODE, {
        input: { idNumber: DEMO.zhangWei.idNumber, accountType: 'FUTURES_BROKERAGE', ...captcha },
      });
      expect(codeOf(res)).toBe('CAPTCHA_INVALID');
      expect(res.errors![0]!.message).toContain('已过期');
    });
  });

  describe('requestLoginCode', () => {
    it('checks the captcha before anything about the ID number', async () => {
      for (const idNumber of [DEMO.notCustomer, DEMO.badChecksum, DEMO.underage, DEMO.zhangWei.idNumber, '']) {
        const { captchaId } = await solvedCaptcha(server.url);
        const res = await gql(server.url, REQUEST_CODE, {
          input: { idNumber, accountType: 'FUTURES_BROKERAGE', captchaId, captchaAnswer: 'zzzz' },
        });
        expect(codeOf(res)).toBe('CAPTCHA_INVALID');
        expect(res.errors![0]!.message).toBe('图形验证码错误，请刷新后重新输入');
      }
    });

    it.each([
      ['', 'INVALID_ID_NUMBER', '请输入身份证号码'],
      ['1'.repeat(65), 'INVALID_ID_NUMBER', '过长'],
      ['１１０１０５１９８５０６１２３４１１', 'INVALID_ID_NUMBER', '18位'],
      ['11010519850612341Ｘ', 'INVALID_ID_NUMBER', '18位'],
      [DEMO.badChecksum, 'INVALID_ID_NUMBER', '校验位'],
      [DEMO.underage, 'UNDERAGE', '年满18周岁'],
      [DEMO.notCustomer, 'CUSTOMER_NOT_FOUND', '柜台校验客户不存在'],
    ])('refuses %j with %s', async (idNumber, code, message) => {
      const res = await requestCode(server, idNumber);
      expect(codeOf(res)).toBe(code);
      expect(res.errors![0]!.message).toContain(message);
    });

    it('refuses an account type the customer does not hold at the counter', async () => {
      const res = await requestCode(server, DEMO.chenQiang.idNumber, 'FUTURES_BROKERAGE');
      expect(codeOf(res)).toBe('CUSTOMER_NOT_FOUND');
      expect(res.errors![0]!.message).toMatch(/^柜台校验客户不存在/);
      expect(codeOf(await requestCode(server, DEMO.chenQiang.idNumber, 'ASSET_MANAGEMENT'))).toBeUndefined();
    });

    it('refuses an unknown account type in Chinese', async () => {
      const res = await requestCode(server, DEMO.zhangWei.idNumber, 'STOCKS');
      expect(codeOf(res)).toBe('INVALID_ACCOUNT_TYPE');
      expect(res.errors![0]!.message).toBe('账户类型无效，请选择期货经纪或非期货经纪');
    });

    it('sends a 6-digit code to the mobile on file and says where, until when, and when to resend', async () => {
      const now = server.clock.now().getTime();
      const res = await requestCode(server, DEMO.zhangWei.idNumber);
      expect(res.data!.requestLoginCode).toEqual({
        maskedPhone: '138****8000',
        expiresAt: new Date(now + 5 * 60_000).toISOString(),
        resendAfter: new Date(now + 60_000).toISOString(),
      });
      expect(await lastCode(server.url, DEMO.zhangWei.mobile)).toMatch(/^\d{6}$/);
      const again = await requestCode(server, DEMO.zhangWei.idNumber);
      expect(codeOf(again)).toBe('RESEND_TOO_SOON');
      expect(again.errors![0]!.message).toMatch(/请\d+秒后再试/);
      server.clock.advance(60_000);
      expect(codeOf(await requestCode(server, DEMO.zhangWei.idNumber))).toBeUndefined();
    });

    it('accepts a lower-case x and finds a customer of the second broker', async () => {
      expect(codeOf(await requestCode(server, DEMO.wangFang.idNumber.toLowerCase()))).toBeUndefined();
      expect((await requestCode(server, DEMO.zhaoMin.idNumber)).data!.requestLoginCode.maskedPhone).toBe('137****1111');
    });
  });

  describe('login', () => {
    const loginWith = (code: string, idNumber: string = DEMO.zhangWei.idNumber) =>
      gql(server.url, LOGIN, { input: { idNumber, accountType: 'FUTURES_BROKERAGE', code } });

    it('refuses a wrong code, an expired code and a used code', async () => {
      expect(codeOf(await requestCode(server, DEMO.zhangWei.idNumber))).toBeUndefined();
      const code = await lastCode(server.url, DEMO.zhangWei.mobile);
      const wrong = code === '000000' ? '111111' : '000000';
      const res = await loginWith(wrong);
      expect(codeOf(res)).toBe('CODE_INVALID');
      expect(res.errors![0]!.message).toBe('短信验证码错误，还可尝试4次');
      server.clock.advance(5 * 60_000);
      expect(codeOf(await loginWith(code))).toBe('CODE_EXPIRED');

      server.clock.advance(60_000);
      await requestCode(server, DEMO.zhangWei.idNumber);
      const fresh = await lastCode(server.url, DEMO.zhangWei.mobile);
      expect(codeOf(await loginWith(fresh))).toBeUndefined();
      expect(codeOf(await loginWith(fresh))).toBe('CODE_INVALID'); // replayed
    });

    it('only the newest code counts', async () => {
      await requestCode(server, DEMO.wangFang.idNumber);
      const first = await lastCode(server.url, DEMO.wangFang.mobile);
      server.clock.advance(61_000);
      await requestCode(server, DEMO.wangFang.idNumber);
      const second = await lastCode(server.url, DEMO.wangFang.mobile);
      if (first !== second) expect(codeOf(await loginWith(first, DEMO.wangFang.idNumber))).toBe('CODE_INVALID');
      expect(codeOf(await loginWith(second, DEMO.wangFang.idNumber))).toBeUndefined();
    });

    it('locks the ID and account type for 15 minutes after 5 wrong codes', async () => {
      await requestCode(server, DEMO.zhangWei.idNumber);
      const code = await lastCode(server.url, DEMO.zhangWei.mobile);
      const wrong = code === '999999' ? '888888' : '999999';
      for (let i = 1; i <= 4; i++) expect(codeOf(await loginWith(wrong))).toBe('CODE_INVALID');
      const fifth = await loginWith(wrong);
      expect(codeOf(fifth)).toBe('TOO_MANY_ATTEMPTS');
      expect(fifth.errors![0]!.message).toContain('15分钟');
      expect(codeOf(await loginWith(code))).toBe('TOO_MANY_ATTEMPTS'); // even the right code
      expect(codeOf(await requestCode(server, DEMO.zhangWei.idNumber))).toBe('TOO_MANY_ATTEMPTS');
      // the other account type of another customer is not affected
      expect(codeOf(await requestCode(server, DEMO.liNa.idNumber, 'ASSET_MANAGEMENT'))).toBeUndefined();
      server.clock.advance(14 * 60_000);
      expect(codeOf(await loginWith(code))).toBe('TOO_MANY_ATTEMPTS');
      server.clock.advance(60_000 + 1);
      expect(codeOf(await loginWith(code))).toBe('CODE_EXPIRED'); // unlocked; that code is long expired
      await requestCode(server, DEMO.zhangWei.idNumber);
      expect(codeOf(await loginWith(await lastCode(server.url, DEMO.zhangWei.mobile)))).toBeUndefined();
    });
  });
});
