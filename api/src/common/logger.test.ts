import { captureLogger } from '../testing/harness';

describe('the logger', () => {
  it('redacts secrets and masks personal data wherever they appear', () => {
    const { logger, lines } = captureLogger('info');
    logger.info(
      {
        code: '123456',
        password: 'Agent#2026',
        token: 'abc.def',
        idNumber: '110105198506123411',
        mobile: '13800138000',
        input: { idNumber: '42010619920211005X', phone: '010-62345678', captchaAnswer: 'k7Pq' },
        variables: { input: { code: '654321' } },
      },
      'login',
    );
    const line = lines.join('\n');
    for (const secret of [
      '123456',
      'Agent#2026',
      'abc.def',
      '110105198506123411',
      '13800138000',
      '42010619920211005X',
      '62345678',
      'k7Pq',
      '654321',
    ]) {
      expect(line).not.toContain(secret);
    }
    const parsed = JSON.parse(lines[0]!);
    expect(parsed).toMatchObject({
      code: '[REDACTED]',
      idNumber: '110105********3411',
      mobile: '138****8000',
      input: { phone: '010-******78' },
    });
  });
});
