import type { CounterProfile } from '@kaihu/plugin-api';
import { ErrorCode, KaihuError } from '../../common/errors';
import {
  idValidityProblems,
  otherInfoProblems,
  phoneKind,
  PHONE_MESSAGE,
  type FieldProblem,
  type IdValidityInput,
  type OtherInfoInput,
  type PhoneKind,
} from '@kaihu/domain';

export { EDUCATION_OPTIONS, OCCUPATION_OPTIONS, PROVINCES } from '@kaihu/domain';
export type { FieldProblem, IdValidityInput, OtherInfoInput, PhoneKind } from '@kaihu/domain';

function refuse(code: ErrorCode, problems: FieldProblem[]): never {
  throw new KaihuError(code, problems.map((p) => p.message).join('；'), { fields: problems });
}

/** from ≤ today; 长期 or to > from and not already expired. Returns the stored step data. */
export function validateIdValidity(
  input: IdValidityInput,
  today: string,
): { idValidFrom: string; idValidTo: string | null } {
  const problems = idValidityProblems(input, today);
  if (problems.length) refuse(ErrorCode.INVALID_VALIDITY, problems);
  return { idValidFrom: input.validFrom, idValidTo: input.longTerm ? null : input.validTo! };
}

/** Mainland mobile (11 digits, 1[3-9]…) or landline (area code + number, optional extension). */
export function classifyPhone(raw: string): { kind: PhoneKind; phone: string } {
  const r = phoneKind(raw);
  if (!r) refuse(ErrorCode.INVALID_PHONE, [{ field: 'phone', message: PHONE_MESSAGE }]);
  return r;
}

/** Every field of 其他信息 (see otherInfoProblems); returns the profile fields it sets. */
export function validateOtherInfo(input: OtherInfoInput): Partial<CounterProfile> {
  const problems = otherInfoProblems(input);
  if (problems.length) refuse(ErrorCode.BAD_USER_INPUT, problems);
  const email = (input.email ?? '').trim();
  return {
    province: String(input.province ?? '').trim(),
    city: String(input.city ?? '').trim(),
    address: String(input.address ?? '').trim(),
    postalCode: String(input.postalCode ?? '').trim(),
    email: email || null,
    education: input.education,
    occupation: input.occupation,
    taxResidency: input.taxResidency,
    pepRelation: input.pepRelation,
    investmentHorizon: input.investmentHorizon,
    expectedReturn: input.expectedReturn,
    hasActualController: input.hasActualController,
    beneficialOwnerIsSelf: input.beneficialOwnerIsSelf,
    products: [...(input.products ?? [])],
    badCreditRecords: [...(input.badCreditRecords ?? [])],
  };
}
