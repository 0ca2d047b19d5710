/**
 * The enumerated fields of a customer's profile, as the reference lists them, with their words.
 * The counter plugin API, the GraphQL enums and the portal's options all come from these lists.
 */

/** Account types a customer can hold at the counter: 期货经纪 / 非期货经纪 (资管). */
export const ACCOUNT_TYPES = ['FUTURES_BROKERAGE', 'ASSET_MANAGEMENT'] as const;
export type AccountType = (typeof ACCOUNT_TYPES)[number];
export const ACCOUNT_TYPE_NAMES: Record<AccountType, string> = {
  FUTURES_BROKERAGE: '期货经纪',
  ASSET_MANAGEMENT: '非期货经纪',
};

/** 税收居民身份 */
export const TAX_RESIDENCIES = ['CHINA_ONLY', 'NON_RESIDENT_ONLY', 'CHINA_AND_OTHER'] as const;
export type TaxResidency = (typeof TAX_RESIDENCIES)[number];
export const TAX_RESIDENCY_NAMES: Record<TaxResidency, string> = {
  CHINA_ONLY: '仅为中国税收居民',
  NON_RESIDENT_ONLY: '仅为非居民',
  CHINA_AND_OTHER: '既是中国税收居民又是其他国家(地区)税收居民',
};

/** 政要人物关系 */
export const PEP_RELATIONS = [
  'FOREIGN_PEP',
  'FOREIGN_PEP_FAMILY',
  'FOREIGN_PEP_CLOSE_ASSOCIATE',
  'INTERNATIONAL_ORG_EXECUTIVE',
  'NONE',
] as const;
export type PepRelation = (typeof PEP_RELATIONS)[number];
export const PEP_RELATION_NAMES: Record<PepRelation, string> = {
  FOREIGN_PEP: '外国政要',
  FOREIGN_PEP_FAMILY: '外国政要家庭成员',
  FOREIGN_PEP_CLOSE_ASSOCIATE: '与外国政要关系密切',
  INTERNATIONAL_ORG_EXECUTIVE: '国际组织的高级管理人员',
  NONE: '无关系',
};

/** 投资期限 */
export const INVESTMENT_HORIZONS = ['UP_TO_1_YEAR', 'ONE_TO_5_YEARS', 'OVER_5_YEARS'] as const;
export type InvestmentHorizon = (typeof INVESTMENT_HORIZONS)[number];
export const INVESTMENT_HORIZON_NAMES: Record<InvestmentHorizon, string> = {
  UP_TO_1_YEAR: '0年-1年',
  ONE_TO_5_YEARS: '1年-5年',
  OVER_5_YEARS: '5年以上',
};

/** 期望收益 */
export const EXPECTED_RETURNS = ['STABLE', 'GROWTH', 'AGGRESSIVE'] as const;
export type ExpectedReturn = (typeof EXPECTED_RETURNS)[number];
export const EXPECTED_RETURN_NAMES: Record<ExpectedReturn, string> = {
  STABLE: '稳健',
  GROWTH: '成长',
  AGGRESSIVE: '激进',
};

/** 想投资的品种 */
export const INVESTMENT_PRODUCTS = ['FUTURES_OPTIONS', 'ASSET_MANAGEMENT_PRODUCTS', 'OTHER'] as const;
export type InvestmentProduct = (typeof INVESTMENT_PRODUCTS)[number];
export const INVESTMENT_PRODUCT_NAMES: Record<InvestmentProduct, string> = {
  FUTURES_OPTIONS: '期货、期权',
  ASSET_MANAGEMENT_PRODUCTS: '资管产品',
  OTHER: '其他',
};

/** 不良诚信记录的来源 (an empty list means 无) */
export const BAD_CREDIT_SOURCES = [
  'PBOC_CREDIT_CENTER',
  'SUPREME_COURT_DEFAULTERS',
  'INDUSTRY_COMMERCE_ADMIN',
  'TAX_AUTHORITY',
  'REGULATORS_SRO',
  'EXCESSIVE_RIGHTS_CLAIMS',
  'FUTURES_INSTITUTION_DEFAULTS',
  'OTHER_ORGANIZATIONS',
] as const;
export type BadCreditSource = (typeof BAD_CREDIT_SOURCES)[number];
export const BAD_CREDIT_SOURCE_NAMES: Record<BadCreditSource, string> = {
  PBOC_CREDIT_CENTER: '中国人民银行征信中心',
  SUPREME_COURT_DEFAULTERS: '最高人民法院失信被执行人名单',
  INDUSTRY_COMMERCE_ADMIN: '工商行政管理机构',
  TAX_AUTHORITY: '税务管理机构',
  REGULATORS_SRO: '监管机构、自律组织',
  EXCESSIVE_RIGHTS_CLAIMS: '过度维权等不当行为信息',
  FUTURES_INSTITUTION_DEFAULTS: '投资者在期货经营机构从事投资活动时产生的违约行为记录',
  OTHER_ORGANIZATIONS: '其他组织',
};

/** Every enum value of the profile, in words (for diffs and event trails). */
export const PROFILE_ENUM_WORDS: Record<string, string> = {
  ...TAX_RESIDENCY_NAMES,
  ...PEP_RELATION_NAMES,
  ...INVESTMENT_HORIZON_NAMES,
  ...EXPECTED_RETURN_NAMES,
  ...INVESTMENT_PRODUCT_NAMES,
  ...BAD_CREDIT_SOURCE_NAMES,
};

/** The reviewer's and the console's names of profile fields (the reference's labels). */
export const PROFILE_FIELD_LABELS: Record<string, string> = {
  name: '客户姓名',
  idNumber: '身份证号',
  idAddress: '证件地址',
  idValidFrom: '身份证有效期（起）',
  idValidTo: '身份证有效期（止，空为长期）',
  phone: '联系电话',
  mobile: '联系手机',
  province: '联系地址省',
  city: '联系地址市',
  address: '联系地址',
  postalCode: '邮政编码',
  email: '电子邮箱',
  education: '学历',
  occupation: '职业',
  taxResidency: '税收居民身份',
  pepRelation: '政要人物关系',
  investmentHorizon: '投资期限',
  expectedReturn: '期望收益',
  hasActualController: '是否存在实际控制关系',
  beneficialOwnerIsSelf: '交易实际受益人为本人',
  products: '想投资的品种',
  badCreditRecords: '不良诚信记录',
};
