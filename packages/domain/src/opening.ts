/**
 * The words and rules of account opening (开立期货账户) both sides share: exchanges, risk levels and
 * tolerances, the 56 民族, the identity page's rules (GB 11643 with the typed birth date and gender),
 * bank cards (length, Luhn), and how a product's risk matches an investor's tolerance.
 */
import { ageOn } from './dates';
import { ID_PROBLEM_MESSAGES, parseIdNumber } from './id-number';
import { idValidityProblems, type FieldProblem } from './profile-rules';

export const EXCHANGES = ['SHFE', 'DCE', 'CZCE', 'CFFEX', 'INE', 'GFEX'] as const;
export type Exchange = (typeof EXCHANGES)[number];
export const EXCHANGE_NAMES: Record<Exchange, string> = {
  SHFE: '上海期货交易所',
  DCE: '大连商品交易所',
  CZCE: '郑州商品交易所',
  CFFEX: '中国金融期货交易所',
  INE: '上海国际能源交易中心',
  GFEX: '广州期货交易所',
};

export const PRODUCT_RISKS = ['R1', 'R2', 'R3', 'R4', 'R5'] as const;
export type ProductRisk = (typeof PRODUCT_RISKS)[number];
export const PRODUCT_RISK_NAMES: Record<ProductRisk, string> = {
  R1: '低风险',
  R2: '中低风险',
  R3: '中风险',
  R4: '中高风险',
  R5: '高风险',
};

export const RISK_TOLERANCES = ['C1', 'C2', 'C3', 'C4', 'C5'] as const;
export type RiskTolerance = (typeof RISK_TOLERANCES)[number];
export const RISK_TOLERANCE_NAMES: Record<RiskTolerance, string> = {
  C1: '保守型',
  C2: '谨慎型',
  C3: '稳健型',
  C4: '积极型',
  C5: '激进型',
};
/** What each tolerance means for the investor (the result page). */
export const RISK_TOLERANCE_MEANINGS: Record<RiskTolerance, string> = {
  C1: '您的风险承受能力较低，不愿承担本金损失，适合购买或接受低风险（R1）的产品或服务。',
  C2: '您愿意承担较低的风险，可承受少量本金损失，适合低风险、中低风险（R1–R2）的产品或服务。',
  C3: '您能承受一定的波动与本金损失，适合中风险及以下（R1–R3）的产品或服务。',
  C4: '您能承受较大的波动与本金损失，适合中高风险及以下（R1–R4）的产品或服务，包括期货、期权交易。',
  C5: '您能承受很大的波动，甚至全部本金的损失，适合各风险等级（R1–R5）的产品或服务。',
};

/** `C4（积极型）` */
export function toleranceLabel(t: RiskTolerance): string {
  return `${t}（${RISK_TOLERANCE_NAMES[t]}）`;
}

/**
 * Whether a tolerance covers a product's risk: C1 covers R1, C2 up to R2, … C5 everything. The
 * 最低风险承受能力类别 covers R1 only, whatever the score.
 */
export function toleranceCovers(tolerance: RiskTolerance, risk: ProductRisk, lowestCategory = false): boolean {
  if (lowestCategory) return risk === 'R1';
  return Number(risk.slice(1)) <= Number(tolerance.slice(1));
}

export const GENDERS = ['MALE', 'FEMALE'] as const;
export type Gender = (typeof GENDERS)[number];
export const GENDER_NAMES: Record<Gender, string> = { MALE: '男', FEMALE: '女' };

/** The 56 民族 of the resident ID card, 汉族 first. */
export const ETHNICITIES = [
  '汉族', '蒙古族', '回族', '藏族', '维吾尔族', '苗族', '彝族', '壮族', '布依族', '朝鲜族', '满族', '侗族', '瑶族',
  '白族', '土家族', '哈尼族', '哈萨克族', '傣族', '黎族', '傈僳族', '佤族', '畲族', '高山族', '拉祜族', '水族',
  '东乡族', '纳西族', '景颇族', '柯尔克孜族', '土族', '达斡尔族', '仫佬族', '羌族', '布朗族', '撒拉族', '毛南族',
  '仡佬族', '锡伯族', '阿昌族', '普米族', '塔吉克族', '怒族', '乌孜别克族', '俄罗斯族', '鄂温克族', '德昂族', '保安族',
  '裕固族', '京族', '塔塔尔族', '独龙族', '鄂伦春族', '赫哲族', '门巴族', '珞巴族', '基诺族',
] as const; // prettier-ignore

/** The gender the ID number's 17th digit gives (odd: male). */
export function genderOfIdNumber(idNumber: string): Gender {
  return Number(idNumber.trim()[16]) % 2 === 1 ? 'MALE' : 'FEMALE';
}

/** The birth date (`YYYY-MM-DD`) of a valid ID number; null when it is not one. */
export function birthDateOfIdNumber(idNumber: string, today: string): string | null {
  const r = parseIdNumber(idNumber, today);
  return r.ok ? r.value.birthDate : null;
}

export interface IdentityFields {
  name: string;
  idNumber: string;
  gender: Gender;
  ethnicity: string;
  idAddress: string;
  idIssuer: string;
  idValidFrom: string;
  idValidTo?: string | null;
  idLongTerm: boolean;
  /** 出生日期 as typed (optional): must be the one the ID number carries */
  birthDate?: string | null;
}

/** A problem of the identity page; `kind` says which rule (the server's error code follows it). */
export interface IdentityProblem extends FieldProblem {
  kind?: 'AGE' | 'ID_NUMBER' | 'MISMATCH' | 'VALIDITY';
}

/** A name as the card prints it: 2–30 Chinese characters, `·` allowed between parts (少数民族姓名). */
const NAME = /^[\u3400-\u9fff\uf900-\ufaff]+(?:[·•][\u3400-\u9fff\uf900-\ufaff]+)*$/;

/**
 * The identity page's problems, field by field: the name, the ID number (GB 11643) and that its
 * gender digit agrees with the chosen gender, the 民族, the address and issuer printed on the card,
 * the validity (not expired), and the broker's age limits.
 */
export function identityProblems(
  input: IdentityFields,
  today: string,
  ages: { minAge: number; maxAge: number },
): IdentityProblem[] {
  const problems: IdentityProblem[] = [];
  const name = (input.name ?? '').trim();
  if (!name) problems.push({ field: 'name', message: '请填写姓名' });
  else if (name.length < 2 || name.length > 30 || !NAME.test(name))
    problems.push({ field: 'name', message: '姓名须与身份证一致：2至30个汉字，少数民族姓名可含“·”' });
  const parsed = parseIdNumber(input.idNumber, today);
  if (!parsed.ok) problems.push({ field: 'idNumber', message: ID_PROBLEM_MESSAGES[parsed.problem], kind: 'ID_NUMBER' });
  else {
    if (input.gender && genderOfIdNumber(parsed.value.idNumber) !== input.gender)
      problems.push({
        field: 'gender',
        message: '性别与身份证号码不符（身份证号码第17位奇数为男、偶数为女），请核对',
        kind: 'MISMATCH',
      });
    if (input.birthDate && input.birthDate !== parsed.value.birthDate)
      problems.push({
        field: 'birthDate',
        message: `出生日期与身份证号码不符（号码中的出生日期为${parsed.value.birthDate}），请核对`,
        kind: 'MISMATCH',
      });
    const age = ageOn(parsed.value.birthDate, today);
    if (age < ages.minAge)
      problems.push({
        field: 'idNumber',
        message: `网上开户仅限年满${ages.minAge}周岁的客户申请（您现在${age}周岁）`,
        kind: 'AGE',
      });
    else if (age > ages.maxAge)
      problems.push({
        field: 'idNumber',
        message: `网上开户仅限${ages.maxAge}周岁及以下的客户申请（您现在${age}周岁），请携带身份证到营业部办理`,
        kind: 'AGE',
      });
  }
  if (!GENDERS.includes(input.gender)) problems.push({ field: 'gender', message: '请选择性别' });
  if (!(ETHNICITIES as readonly string[]).includes(input.ethnicity))
    problems.push({ field: 'ethnicity', message: '请选择与身份证一致的民族' });
  const address = (input.idAddress ?? '').trim();
  if (address.length < 5 || address.length > 100)
    problems.push({ field: 'idAddress', message: '请填写身份证上的住址（5至100个字）' });
  const issuer = (input.idIssuer ?? '').trim();
  if (issuer.length < 4 || issuer.length > 50)
    problems.push({ field: 'idIssuer', message: '请填写身份证背面的签发机关，例如“北京市公安局朝阳分局”' });
  for (const p of idValidityProblems(
    { validFrom: input.idValidFrom, validTo: input.idValidTo, longTerm: input.idLongTerm },
    today,
  ))
    problems.push({
      field: p.field === 'validFrom' ? 'idValidFrom' : 'idValidTo',
      message: p.message,
      kind: 'VALIDITY',
    });
  return problems;
}

// --- bank cards -----------------------------------------------------------------------------

/** The Luhn (mod 10) check of a string of digits. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** Digits only (spaces the customer typed removed). */
export function normalizeCardNumber(raw: string): string {
  return (raw ?? '').replace(/[\s-]/g, '');
}

/** Why a card number cannot be a settlement account of this bank, or null. */
export function cardNumberProblem(raw: string, bank: { luhn: boolean } | null): string | null {
  const card = normalizeCardNumber(raw);
  if (!card) return '请填写银行卡号';
  if (!/^\d+$/.test(card)) return '银行卡号只能包含数字';
  if (card.length < 16 || card.length > 19) return '银行卡号应为16至19位数字';
  if (bank?.luhn && !luhnValid(card)) return '银行卡号校验不通过，请核对后重新输入';
  return null;
}

/** `6222 **** **** 1234`: the last four digits only. */
export function maskCardNumber(raw: string): string {
  const card = normalizeCardNumber(raw);
  return `${card.slice(0, 4)} **** **** ${card.slice(-4)}`;
}
