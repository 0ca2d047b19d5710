import { describe, expect, it } from '@jest/globals';
import { PASSWORD_HINT, certificatePasswordProblem, newPasswordProblem } from './certificate-password';

describe('certificate password rules', () => {
  it('accepts 6 to 8 digits that are not trivial', () => {
    for (const ok of ['258036', '1357924', '20261123', '102938', '112233', '123457', '987653'])
      expect(certificatePasswordProblem(ok)).toBeNull();
  });

  it('wants 6 to 8 digits', () => {
    expect(certificatePasswordProblem('')).toBe(PASSWORD_HINT);
    for (const bad of ['25803', '258036147', 'abcdef', '25803a', ' 258036', '２５８０３６', '25 036']) {
      expect(certificatePasswordProblem(bad)).toBe('证书密码须为6-8位数字');
    }
  });

  it('refuses one digit repeated', () => {
    for (const bad of ['111111', '0000000', '99999999'])
      expect(certificatePasswordProblem(bad)).toMatch(/同一个数字重复/);
  });

  it('refuses runs up or down, also across 9 → 0', () => {
    for (const bad of [
      '123456',
      '654321',
      '12345678',
      '87654321',
      '0123456',
      '456789',
      '890123',
      '210987',
      '3456789',
    ]) {
      expect(certificatePasswordProblem(bad)).toMatch(/连续递增或递减/);
    }
  });

  it('checks the second entry after the first', () => {
    expect(newPasswordProblem('123456', '123456')).toEqual({
      field: 'password',
      message: expect.stringMatching(/连续/),
    });
    expect(newPasswordProblem('258036', '')).toEqual({ field: 'again', message: '请再次输入证书密码' });
    expect(newPasswordProblem('258036', '258063')).toEqual({ field: 'again', message: '两次输入的证书密码不一致' });
    expect(newPasswordProblem('258036', '258036')).toBeNull();
  });
});
