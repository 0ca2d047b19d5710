/**
 * Test helpers of 开立期货账户 that other tests (e2e, benchmarks, the partner example) share: what an
 * applicant types on each page, answers to the demo broker's questionnaires, and bank card numbers
 * that pass (or fail) the Luhn check.
 */

export interface Applicant {
  readonly idNumber: string;
  readonly name: string;
  readonly gender: string;
}

/** 其他信息 as the identity page collects it (the same rules as 修改其他信息). */
export const OTHER_INFO = {
  province: '浙江省',
  city: '杭州市',
  address: '浙江省杭州市西湖区文三路90号东部软件园1号楼',
  postalCode: '310012',
  email: 'chenchen@example.com',
  education: '本科',
  occupation: '专业技术人员',
  taxResidency: 'CHINA_ONLY',
  pepRelation: 'NONE',
  investmentHorizon: 'ONE_TO_5_YEARS',
  expectedReturn: 'STABLE',
  hasActualController: false,
  beneficialOwnerIsSelf: true,
  products: ['FUTURES_OPTIONS'],
  badCreditRecords: [],
} as const;

/** The identity page of an applicant, as read from their ID card (valid 2016–2036). */
export function identityInput(who: Applicant, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: who.name,
    idNumber: who.idNumber,
    gender: who.gender,
    ethnicity: '汉族',
    idAddress: '浙江省杭州市西湖区文三路90号',
    idIssuer: '杭州市公安局西湖分局',
    idValidFrom: '2016-07-15',
    idValidTo: '2036-07-15',
    idLongTerm: false,
    phone: null,
    other: OTHER_INFO,
    ...overrides,
  };
}

/** Appends the Luhn check digit to `body` (digits). */
export function withLuhn(body: string): string {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    let d = Number(body[body.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return body + String((10 - (sum % 10)) % 10);
}

/** A 19-digit 工商银行 debit card number that passes the Luhn check. */
export const ICBC_CARD = withLuhn('622202100112345678');
/** A 16-digit 招商银行 card number that passes the Luhn check. */
export const CMB_CARD = withLuhn('621483011234567');

/**
 * Answers to the demo 适当性评估 questionnaire by option letter, Q1…Q19 (Q11 is multiple choice).
 * `C4` is 陈晨: 28, 本科, 专业技术人员, salary, 10–50 万 a year, 50–300 万 of assets, stocks and bonds
 * for 3–5 years, no futures yet — 55 points. `C3` scores 44, `LOWEST` has no fixed income (Q4 E).
 */
export const SUITABILITY_ANSWERS = {
  C4: ['A', 'D', 'D', 'A', 'B', 'B', 'D', 'C', 'C', 'B', ['B', 'C'], 'D', 'A', 'C', 'C', 'C', 'C', 'C', 'C'],
  C3: ['A', 'D', 'B', 'A', 'B', 'A', 'D', 'C', 'B', 'B', ['B', 'C'], 'C', 'A', 'B', 'C', 'B', 'B', 'C', 'C'],
  LOWEST: ['A', 'D', 'D', 'E', 'B', 'B', 'D', 'C', 'C', 'B', ['B', 'C'], 'D', 'A', 'C', 'C', 'C', 'C', 'C', 'C'],
} as const satisfies Record<string, readonly (string | readonly string[])[]>;

/** The AnswerInput list of a profile above. */
export function answers(profile: readonly (string | readonly string[])[]): { question: string; options: string[] }[] {
  return profile.map((a, i) => ({ question: `Q${i + 1}`, options: typeof a === 'string' ? [a] : [...a] }));
}

/** The answers the demo broker expects in its 回访问卷 (Q2, Q3: nobody promised returns or offered to trade). */
export const RETURN_VISIT_EXPECTED: Readonly<Record<string, string>> = {
  Q1: 'Y',
  Q2: 'N',
  Q3: 'N',
  Q4: 'Y',
  Q5: 'Y',
  Q6: 'Y',
  Q7: 'Y',
  Q8: 'Y',
};

/** 回访问卷 answered as the demo broker expects, except `overrides` (question code → option). */
export function returnVisitAnswers(overrides: Record<string, string> = {}): { question: string; options: string[] }[] {
  return Object.entries({ ...RETURN_VISIT_EXPECTED, ...overrides }).map(([question, option]) => ({
    question,
    options: [option],
  }));
}
