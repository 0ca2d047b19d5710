/**
 * The certificate password (数字证书密码): 6–8 digits, entered twice, and not one that anybody
 * would guess first (one digit repeated, or a run of consecutive digits up or down). It never
 * leaves the browser: it only encrypts the PKCS#12 kept in IndexedDB.
 */

export const PASSWORD_HINT = '请输入6-8位数字证书密码';

/** Whether every next digit is the one before plus `step` (mod 10: 890123 and 321098 count too). */
function isRun(digits: readonly number[], step: 1 | 9): boolean {
  return digits.every((d, i) => i === 0 || (d - digits[i - 1]! + 10) % 10 === step);
}

/** Why `password` cannot be the certificate password, or null when it can. */
export function certificatePasswordProblem(password: string): string | null {
  if (!password) return PASSWORD_HINT;
  if (!/^\d{6,8}$/.test(password)) return '证书密码须为6-8位数字';
  const digits = [...password].map(Number);
  if (digits.every((d) => d === digits[0])) return '证书密码过于简单：不能是同一个数字重复（如111111）';
  if (isRun(digits, 1) || isRun(digits, 9)) return '证书密码过于简单：不能是连续递增或递减的数字（如123456、654321）';
  return null;
}

/** Why the two entries (设置 and 再次输入) cannot be used, or null when they can. */
export function newPasswordProblem(
  password: string,
  again: string,
): { field: 'password' | 'again'; message: string } | null {
  const problem = certificatePasswordProblem(password);
  if (problem) return { field: 'password', message: problem };
  if (!again) return { field: 'again', message: '请再次输入证书密码' };
  if (again !== password) return { field: 'again', message: '两次输入的证书密码不一致' };
  return null;
}
