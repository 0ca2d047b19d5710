/**
 * The rules of the info pages (身份证有效期, 联系电话, 其他信息) as pure functions with no
 * dependencies: the server enforces them and the portal runs the same functions, so a page refuses
 * exactly what the server would, with the same words.
 */
import { isDate } from './dates';
import {
  BAD_CREDIT_SOURCES,
  EXPECTED_RETURNS,
  INVESTMENT_HORIZONS,
  INVESTMENT_PRODUCTS,
  PEP_RELATIONS,
  TAX_RESIDENCIES,
  type BadCreditSource,
  type ExpectedReturn,
  type InvestmentHorizon,
  type InvestmentProduct,
  type PepRelation,
  type TaxResidency,
} from './profile-enums';

export { isDate } from './dates';

/** The choices the 其他信息 page offers; the server accepts nothing else. */
export const EDUCATION_OPTIONS = ['博士', '硕士', '本科', '大专', '中专', '高中', '初中及以下'] as const;
export const OCCUPATION_OPTIONS = [
  '国家机关、党群组织、企事业单位负责人',
  '企业管理人员',
  '专业技术人员',
  '办事人员',
  '商业、服务业人员',
  '个体工商户',
  '农、林、牧、渔、水利业生产人员',
  '生产、运输设备操作人员',
  '军人',
  '自由职业者',
  '学生',
  '离退休人员',
  '其他从业人员',
] as const;
/** Provincial-level divisions (联系地址省). */
export const PROVINCES = [
  '北京市',
  '天津市',
  '河北省',
  '山西省',
  '内蒙古自治区',
  '辽宁省',
  '吉林省',
  '黑龙江省',
  '上海市',
  '江苏省',
  '浙江省',
  '安徽省',
  '福建省',
  '江西省',
  '山东省',
  '河南省',
  '湖北省',
  '湖南省',
  '广东省',
  '广西壮族自治区',
  '海南省',
  '重庆市',
  '四川省',
  '贵州省',
  '云南省',
  '西藏自治区',
  '陕西省',
  '甘肃省',
  '青海省',
  '宁夏回族自治区',
  '新疆维吾尔自治区',
  '台湾省',
  '香港特别行政区',
  '澳门特别行政区',
] as const;

const TAX: readonly TaxResidency[] = TAX_RESIDENCIES;
const PEP: readonly PepRelation[] = PEP_RELATIONS;
const HORIZON: readonly InvestmentHorizon[] = INVESTMENT_HORIZONS;
const RETURN: readonly ExpectedReturn[] = EXPECTED_RETURNS;
const PRODUCTS: readonly InvestmentProduct[] = INVESTMENT_PRODUCTS;
const BAD_CREDIT: readonly BadCreditSource[] = BAD_CREDIT_SOURCES;

/** One field's problem: `field` names the input field, so a page can show it beside that field. */
export interface FieldProblem {
  field: string;
  message: string;
}

// --- 身份证有效期 ------------------------------------------------------------------------------

export interface IdValidityInput {
  validFrom: string;
  validTo?: string | null;
  longTerm: boolean;
}

/** from ≤ today; 长期 or to > from and not already expired. */
export function idValidityProblems(input: IdValidityInput, today: string): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (!isDate(input.validFrom ?? '')) problems.push({ field: 'validFrom', message: '请填写身份证有效期起始日期' });
  else if (input.validFrom > today) problems.push({ field: 'validFrom', message: '有效期起始日期不能晚于今天' });
  if (input.longTerm) {
    if (input.validTo) problems.push({ field: 'validTo', message: '选择“长期”时无需填写截止日期' });
  } else if (!input.validTo || !isDate(input.validTo)) {
    problems.push({ field: 'validTo', message: '请填写身份证有效期截止日期，或选择“长期”' });
  } else if (isDate(input.validFrom ?? '') && input.validTo <= input.validFrom) {
    problems.push({ field: 'validTo', message: '有效期截止日期须晚于起始日期' });
  } else if (input.validTo < today) {
    problems.push({ field: 'validTo', message: '该身份证已过期，请使用有效期内的身份证办理' });
  }
  return problems;
}

// --- 联系电话 ------------------------------------------------------------------------------------

export type PhoneKind = 'MOBILE' | 'LANDLINE';

export const PHONE_MESSAGE = '请输入正确的联系电话：中国大陆手机号（11位）或座机号（区号-号码）';

/** Mainland mobile (11 digits, 1[3-9]…) or landline (area code + number, optional extension); null otherwise. */
export function phoneKind(raw: string): { kind: PhoneKind; phone: string } | null {
  const s = (raw ?? '').replace(/[\s]/g, '');
  if (/^1[3-9]\d{9}$/.test(s)) return { kind: 'MOBILE', phone: s };
  // area codes: 010 and 02x have three digits, all others four
  const m = /^(010|02\d|0[3-9]\d{2})-?([2-9]\d{6,7})(?:-(\d{1,6}))?$/.exec(s);
  if (m) return { kind: 'LANDLINE', phone: `${m[1]}-${m[2]}${m[3] ? `-${m[3]}` : ''}` };
  return null;
}

// --- 其他信息 ------------------------------------------------------------------------------------

export interface OtherInfoInput {
  province: string;
  city: string;
  address: string;
  postalCode: string;
  email?: string | null;
  education: string;
  occupation: string;
  taxResidency: TaxResidency;
  pepRelation: PepRelation;
  investmentHorizon: InvestmentHorizon;
  expectedReturn: ExpectedReturn;
  hasActualController: boolean;
  beneficialOwnerIsSelf: boolean;
  products: InvestmentProduct[];
  badCreditRecords: BadCreditSource[];
}

const EMAIL =
  /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

/**
 * Every field of 其他信息, as the page offers them: required text fields, 6-digit postal code,
 * optional but valid email, options from fixed lists, at least one product; an empty
 * badCreditRecords list means 无 (there is no 无 value to mix with the others).
 */
export function otherInfoProblems(input: OtherInfoInput): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const text = (field: keyof OtherInfoInput, label: string, max: number) => {
    const v = String(input[field] ?? '').trim();
    if (!v) problems.push({ field, message: `请填写${label}` });
    else if (v.length > max) problems.push({ field, message: `${label}不能超过${max}个字` });
    return v;
  };
  const province = text('province', '联系地址省', 20);
  if (province && !(PROVINCES as readonly string[]).includes(province))
    problems.push({ field: 'province', message: '请选择正确的省份' });
  text('city', '联系地址市', 30);
  text('address', '联系地址', 100);
  const postalCode = String(input.postalCode ?? '').trim();
  if (!/^\d{6}$/.test(postalCode)) problems.push({ field: 'postalCode', message: '邮政编码应为6位数字' });
  const email = (input.email ?? '').trim();
  if (email && (email.length > 100 || !EMAIL.test(email)))
    problems.push({ field: 'email', message: '电子邮箱格式不正确' });
  if (!(EDUCATION_OPTIONS as readonly string[]).includes(input.education))
    problems.push({ field: 'education', message: '请选择学历' });
  if (!(OCCUPATION_OPTIONS as readonly string[]).includes(input.occupation))
    problems.push({ field: 'occupation', message: '请选择职业' });
  const oneOf = <T>(field: string, value: T, allowed: readonly T[], label: string) => {
    if (!allowed.includes(value)) problems.push({ field, message: `请选择${label}` });
  };
  oneOf('taxResidency', input.taxResidency, TAX, '税收居民身份');
  oneOf('pepRelation', input.pepRelation, PEP, '政要人物关系');
  oneOf('investmentHorizon', input.investmentHorizon, HORIZON, '投资期限');
  oneOf('expectedReturn', input.expectedReturn, RETURN, '期望收益');
  if (typeof input.hasActualController !== 'boolean')
    problems.push({ field: 'hasActualController', message: '请选择账户是否存在实际控制关系' });
  if (typeof input.beneficialOwnerIsSelf !== 'boolean')
    problems.push({ field: 'beneficialOwnerIsSelf', message: '请选择账户交易实际受益人' });
  const products = input.products ?? [];
  if (!products.length) problems.push({ field: 'products', message: '请选择想投资的品种' });
  else if (new Set(products).size !== products.length || products.some((p) => !PRODUCTS.includes(p)))
    problems.push({ field: 'products', message: '投资品种选项有误' });
  const bad = input.badCreditRecords ?? [];
  if (new Set(bad).size !== bad.length || bad.some((b) => !BAD_CREDIT.includes(b)))
    problems.push({ field: 'badCreditRecords', message: '不良诚信记录选项有误' });
  return problems;
}
