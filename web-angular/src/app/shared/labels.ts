import type {
  BadCreditSource,
  BusinessType,
  ExpectedReturn,
  InvestmentHorizon,
  InvestmentProduct,
  PepRelation,
  TaxResidency,
  TicketStatus,
} from '../graphql/generated';

/** The business-type menu, in the reference's order; `available` as the server's flows say. */
export const BUSINESSES: readonly { type: BusinessType; name: string; hint: string; available: boolean }[] = [
  { type: 'OPEN_FUTURES_ACCOUNT', name: '开立期货账户', hint: '新开期货经纪账户', available: false },
  { type: 'ADD_TRADING_CODE', name: '增开交易编码', hint: '增开交易所交易编码', available: false },
  { type: 'SUITABILITY_ASSESSMENT', name: '适当性评估', hint: '投资者适当性评估', available: false },
  { type: 'UPDATE_ID_VALIDITY', name: '修改身份证有效期', hint: '证件到期换领后更新有效期', available: true },
  { type: 'UPDATE_CONTACT_PHONE', name: '修改联系电话', hint: '更换手机号或座机号', available: true },
  { type: 'UPDATE_OTHER_INFO', name: '修改其他信息', hint: '地址、学历、职业等资料', available: true },
  { type: 'CHANGE_SETTLEMENT_ACCOUNT', name: '修改结算账户', hint: '变更银行结算账户', available: false },
  { type: 'RESET_PASSWORD', name: '密码重置', hint: '重置交易密码和资金密码', available: true },
];

export const STATUS_NAMES: Record<TicketStatus, string> = {
  IN_PROGRESS: '办理中',
  SUBMITTED: '审核中',
  RETURNED: '已打回',
  APPROVED: '已通过',
  REJECTED: '已拒绝',
  CANCELLED: '已取消',
};

export const TAX_RESIDENCY: Record<TaxResidency, string> = {
  CHINA_ONLY: '仅为中国税收居民',
  NON_RESIDENT_ONLY: '仅为非居民',
  CHINA_AND_OTHER: '既是中国税收居民又是其他国家(地区)税收居民',
};

export const PEP_RELATION: Record<PepRelation, string> = {
  FOREIGN_PEP: '外国政要',
  FOREIGN_PEP_FAMILY: '外国政要家庭成员',
  FOREIGN_PEP_CLOSE_ASSOCIATE: '与外国政要关系密切',
  INTERNATIONAL_ORG_EXECUTIVE: '国际组织的高级管理人员',
  NONE: '无关系',
};

export const INVESTMENT_HORIZON: Record<InvestmentHorizon, string> = {
  UP_TO_1_YEAR: '0年-1年',
  ONE_TO_5_YEARS: '1年-5年',
  OVER_5_YEARS: '5年以上',
};

export const EXPECTED_RETURN: Record<ExpectedReturn, string> = {
  STABLE: '稳健',
  GROWTH: '成长',
  AGGRESSIVE: '激进',
};

export const PRODUCTS: Record<InvestmentProduct, string> = {
  FUTURES_OPTIONS: '期货、期权',
  ASSET_MANAGEMENT_PRODUCTS: '资管产品',
  OTHER: '其他',
};

export const BAD_CREDIT: Record<BadCreditSource, string> = {
  PBOC_CREDIT_CENTER: '中国人民银行征信中心',
  SUPREME_COURT_DEFAULTERS: '最高人民法院失信被执行人名单',
  INDUSTRY_COMMERCE_ADMIN: '工商行政管理机构',
  TAX_AUTHORITY: '税务管理机构',
  REGULATORS_SRO: '监管机构、自律组织',
  EXCESSIVE_RIGHTS_CLAIMS: '过度维权等不当行为信息',
  FUTURES_INSTITUTION_DEFAULTS: '投资者在期货经营机构从事投资活动时产生的违约行为记录',
  OTHER_ORGANIZATIONS: '其他组织',
};

export function yesNo(v: boolean | null | undefined): string {
  return v === null || v === undefined ? '未填写' : v ? '是' : '否';
}
