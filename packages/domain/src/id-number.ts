/**
 * Resident ID numbers (居民身份证号码, GB 11643): the server refuses and the portal warns with the
 * same words.
 */
import { ageOn, chinaToday } from './dates';

export { ageOn, chinaToday } from './dates';

/** Province-level codes (first two digits) of GB/T 2260 that appear in resident ID numbers. */
const PROVINCES = new Set([
  11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63,
  64, 65, 71, 81, 82, 83, 91,
]);
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = '10X98765432';

export type IdNumberProblem = 'EMPTY' | 'TOO_LONG' | 'FORMAT' | 'REGION' | 'BIRTH_DATE' | 'CHECKSUM';

export interface ParsedIdNumber {
  /** Normalised: trimmed, trailing x upper-cased. */
  idNumber: string;
  birthDate: string;
}

/** GB 11643 check character of the first 17 digits. */
export function checkCharacter(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i]!;
  return CHECK[sum % 11]!;
}

/**
 * Validates an 18-character resident ID number (GB 11643): format, region, a real birth date not
 * in the future, and the check character (which may be X). Returns the problem, or the parsed
 * number.
 */
export function parseIdNumber(
  raw: string,
  today: string,
): { ok: true; value: ParsedIdNumber } | { ok: false; problem: IdNumberProblem } {
  const s = (raw ?? '').trim();
  if (!s) return { ok: false, problem: 'EMPTY' };
  if (s.length > 64) return { ok: false, problem: 'TOO_LONG' };
  if (!/^\d{17}[\dXx]$/.test(s)) return { ok: false, problem: 'FORMAT' };
  const id = s.toUpperCase();
  if (!PROVINCES.has(Number(id.slice(0, 2)))) return { ok: false, problem: 'REGION' };
  const birthDate = `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`;
  const [y, m, d] = birthDate.split('-').map(Number) as [number, number, number];
  const dt = new Date(Date.UTC(y, m - 1, d));
  if (
    y < 1900 ||
    dt.getUTCFullYear() !== y ||
    dt.getUTCMonth() !== m - 1 ||
    dt.getUTCDate() !== d ||
    birthDate > today
  ) {
    return { ok: false, problem: 'BIRTH_DATE' };
  }
  if (checkCharacter(id.slice(0, 17)) !== id[17]) return { ok: false, problem: 'CHECKSUM' };
  return { ok: true, value: { idNumber: id, birthDate } };
}

export const ID_PROBLEM_MESSAGES: Record<IdNumberProblem, string> = {
  EMPTY: '请输入身份证号码',
  TOO_LONG: '身份证号码过长，请输入18位身份证号码',
  FORMAT: '身份证号码应为18位，前17位为数字，最后一位为数字或X',
  REGION: '身份证号码的地区码不正确，请核对后重新输入',
  BIRTH_DATE: '身份证号码中的出生日期不正确，请核对后重新输入',
  CHECKSUM: '身份证号码校验位不正确，请核对后重新输入',
};

/** The youngest age at which a person may open or maintain an account online. */
export const MINIMUM_AGE = 18;

/** Why the portal should not send this ID number to the server, or null when it may. */
export function idNumberProblem(raw: string, now: Date): string | null {
  const today = chinaToday(now);
  const r = parseIdNumber(raw, today);
  if (!r.ok) return ID_PROBLEM_MESSAGES[r.problem];
  if (ageOn(r.value.birthDate, today) < MINIMUM_AGE) return UNDERAGE_MESSAGE;
  return null;
}

export const UNDERAGE_MESSAGE = '网上开户暂仅限年满18周岁的客户申请';

/** 性别 from the 17th digit (odd: male), and the birth date, of a valid ID number. */
export function genderOf(idNumber: string): 'MALE' | 'FEMALE' {
  return Number(idNumber[16]) % 2 === 1 ? 'MALE' : 'FEMALE';
}
