// The server's own ID-number rules (api/src/modules/auth/id-number.ts), so the page says exactly
// what the server would.
import { parseIdNumber, chinaToday, ageOn, ID_PROBLEM_MESSAGES } from '../../../../api/src/modules/auth/id-number';

/** The problem with an ID number as the server would word it, or null when it is acceptable. */
export function idNumberProblem(raw: string, now = new Date()): string | null {
  const today = chinaToday(now);
  const r = parseIdNumber(raw, today);
  if (!r.ok) return ID_PROBLEM_MESSAGES[r.problem];
  if (ageOn(r.value.birthDate, today) < 18) return '网上开户暂仅限年满18周岁的客户申请';
  return null;
}
