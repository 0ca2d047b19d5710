import { hashPassword, passwordProblem, verifyPassword } from './passwords';

describe('password hashing', () => {
  it('verifies the right password and refuses others', async () => {
    const hash = await hashPassword('Agent#2026');
    expect(hash).toMatch(/^scrypt\$32768\$8\$1\$[\w-]+\$[\w-]+$/);
    expect(hash).not.toContain('Agent#2026');
    await expect(verifyPassword('Agent#2026', hash)).resolves.toBe(true);
    await expect(verifyPassword('agent#2026', hash)).resolves.toBe(false);
    await expect(verifyPassword('', hash)).resolves.toBe(false);
  });

  it('salts every hash', async () => {
    expect(await hashPassword('same')).not.toBe(await hashPassword('same'));
  });

  it('never matches a malformed hash', async () => {
    await expect(verifyPassword('x', 'plain')).resolves.toBe(false);
    await expect(verifyPassword('x', 'scrypt$0$8$1$AA$AA')).resolves.toBe(false);
  });
});

describe('staff password rules', () => {
  it.each([
    ['Admin#2026', 'admin01', null],
    ['Short#1', 'x', '密码至少8位'],
    ['a'.repeat(60) + 'A#1234', 'x', '密码不能超过64位'],
    ['With Space#1', 'x', '密码不能包含空格'],
    ['lowercase1', 'x', '密码须包含大写字母、小写字母、数字、符号中的至少三种'],
    ['lowercase#', 'x', '密码须包含大写字母、小写字母、数字、符号中的至少三种'],
    ['lowercase#1', 'x', null],
    ['My#Agent03pw', 'agent03', '密码不能包含用户名'],
  ])('%s (user %s) → %s', (password, username, problem) => {
    expect(passwordProblem(password, username)).toBe(problem);
  });
});
