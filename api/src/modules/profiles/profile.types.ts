import type {
  AccountType as AccountTypeValue,
  BadCreditSource as BadCreditSourceValue,
  ExpectedReturn as ExpectedReturnValue,
  InvestmentHorizon as InvestmentHorizonValue,
  InvestmentProduct as InvestmentProductValue,
  PepRelation as PepRelationValue,
  TaxResidency as TaxResidencyValue,
} from '@kaihu/plugin-api';
import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { DateScalar } from '../../graphql/scalars';

/** Builds a TypeScript-enum-shaped object for type-graphql from a union's values. */
function values<T extends string>(list: readonly T[]): { [K in T]: K } {
  return Object.fromEntries(list.map((v) => [v, v])) as { [K in T]: K };
}

export const AccountType = values<AccountTypeValue>(['FUTURES_BROKERAGE', 'ASSET_MANAGEMENT']);
registerEnumType(AccountType, {
  name: 'AccountType',
  valuesConfig: {
    FUTURES_BROKERAGE: { description: '期货经纪 — futures brokerage account' },
    ASSET_MANAGEMENT: { description: '非期货经纪 — asset-management account' },
  },
});
export const ACCOUNT_TYPE_NAMES: Record<AccountTypeValue, string> = {
  FUTURES_BROKERAGE: '期货经纪',
  ASSET_MANAGEMENT: '非期货经纪',
};

export const TaxResidency = values<TaxResidencyValue>(['CHINA_ONLY', 'NON_RESIDENT_ONLY', 'CHINA_AND_OTHER']);
export const TAX_RESIDENCY_NAMES: Record<TaxResidencyValue, string> = {
  CHINA_ONLY: '仅为中国税收居民',
  NON_RESIDENT_ONLY: '仅为非居民',
  CHINA_AND_OTHER: '既是中国税收居民又是其他国家(地区)税收居民',
};
export const PepRelation = values<PepRelationValue>([
  'FOREIGN_PEP',
  'FOREIGN_PEP_FAMILY',
  'FOREIGN_PEP_CLOSE_ASSOCIATE',
  'INTERNATIONAL_ORG_EXECUTIVE',
  'NONE',
]);
export const PEP_RELATION_NAMES: Record<PepRelationValue, string> = {
  FOREIGN_PEP: '外国政要',
  FOREIGN_PEP_FAMILY: '外国政要家庭成员',
  FOREIGN_PEP_CLOSE_ASSOCIATE: '与外国政要关系密切',
  INTERNATIONAL_ORG_EXECUTIVE: '国际组织的高级管理人员',
  NONE: '无关系',
};
export const InvestmentHorizon = values<InvestmentHorizonValue>(['UP_TO_1_YEAR', 'ONE_TO_5_YEARS', 'OVER_5_YEARS']);
export const INVESTMENT_HORIZON_NAMES: Record<InvestmentHorizonValue, string> = {
  UP_TO_1_YEAR: '0年-1年',
  ONE_TO_5_YEARS: '1年-5年',
  OVER_5_YEARS: '5年以上',
};
export const ExpectedReturn = values<ExpectedReturnValue>(['STABLE', 'GROWTH', 'AGGRESSIVE']);
export const EXPECTED_RETURN_NAMES: Record<ExpectedReturnValue, string> = {
  STABLE: '稳健',
  GROWTH: '成长',
  AGGRESSIVE: '激进',
};
export const InvestmentProduct = values<InvestmentProductValue>([
  'FUTURES_OPTIONS',
  'ASSET_MANAGEMENT_PRODUCTS',
  'OTHER',
]);
export const INVESTMENT_PRODUCT_NAMES: Record<InvestmentProductValue, string> = {
  FUTURES_OPTIONS: '期货、期权',
  ASSET_MANAGEMENT_PRODUCTS: '资管产品',
  OTHER: '其他',
};
export const BadCreditSource = values<BadCreditSourceValue>([
  'PBOC_CREDIT_CENTER',
  'SUPREME_COURT_DEFAULTERS',
  'INDUSTRY_COMMERCE_ADMIN',
  'TAX_AUTHORITY',
  'REGULATORS_SRO',
  'EXCESSIVE_RIGHTS_CLAIMS',
  'FUTURES_INSTITUTION_DEFAULTS',
  'OTHER_ORGANIZATIONS',
]);
export const BAD_CREDIT_SOURCE_NAMES: Record<BadCreditSourceValue, string> = {
  PBOC_CREDIT_CENTER: '中国人民银行征信中心',
  SUPREME_COURT_DEFAULTERS: '最高人民法院失信被执行人名单',
  INDUSTRY_COMMERCE_ADMIN: '工商行政管理机构',
  TAX_AUTHORITY: '税务管理机构',
  REGULATORS_SRO: '监管机构、自律组织',
  EXCESSIVE_RIGHTS_CLAIMS: '过度维权等不当行为信息',
  FUTURES_INSTITUTION_DEFAULTS: '投资者在期货经营机构从事投资活动时产生的违约行为记录',
  OTHER_ORGANIZATIONS: '其他组织',
};

const describe = (names: Record<string, string>) =>
  Object.fromEntries(Object.entries(names).map(([k, v]) => [k, { description: v }]));
registerEnumType(TaxResidency, { name: 'TaxResidency', valuesConfig: describe(TAX_RESIDENCY_NAMES) });
registerEnumType(PepRelation, { name: 'PepRelation', valuesConfig: describe(PEP_RELATION_NAMES) });
registerEnumType(InvestmentHorizon, { name: 'InvestmentHorizon', valuesConfig: describe(INVESTMENT_HORIZON_NAMES) });
registerEnumType(ExpectedReturn, { name: 'ExpectedReturn', valuesConfig: describe(EXPECTED_RETURN_NAMES) });
registerEnumType(InvestmentProduct, {
  name: 'InvestmentProduct',
  valuesConfig: {
    FUTURES_OPTIONS: { description: '期货、期权' },
    ASSET_MANAGEMENT_PRODUCTS: { description: '资管产品' },
  },
});
registerEnumType(BadCreditSource, { name: 'BadCreditSource', valuesConfig: describe(BAD_CREDIT_SOURCE_NAMES) });

/** 我的基本资料: identity (身份信息), contact (联系电话) and other information (其他信息). */
@ObjectType({ description: '我的基本资料' })
export class Profile {
  @Field({ description: '姓名' }) name!: string;
  @Field({ description: '身份证号（客户本人看到的是脱敏号码）' }) idNumber!: string;
  @Field({ description: '身份证地址' }) idAddress!: string;
  @Field(() => DateScalar, { description: '身份证有效期起' }) idValidFrom!: string;
  @Field(() => DateScalar, { nullable: true, description: 'null when the ID is long-term (长期)' }) idValidTo!:
    string | null;
  @Field({ description: '长期有效' }) idLongTerm!: boolean;
  @Field(() => String, { nullable: true, description: '联系电话 (may be a landline)' }) phone!: string | null;
  @Field({ description: '联系手机' }) mobile!: string;
  @Field({ description: '联系地址省' }) province!: string;
  @Field({ description: '联系地址市' }) city!: string;
  @Field({ description: '联系地址' }) address!: string;
  @Field({ description: '邮政编码' }) postalCode!: string;
  @Field(() => String, { nullable: true, description: '电子邮箱' }) email!: string | null;
  @Field({ description: '学历' }) education!: string;
  @Field({ description: '职业' }) occupation!: string;
  @Field(() => TaxResidency) taxResidency!: TaxResidencyValue;
  @Field(() => PepRelation) pepRelation!: PepRelationValue;
  @Field(() => InvestmentHorizon, { nullable: true }) investmentHorizon!: InvestmentHorizonValue | null;
  @Field(() => ExpectedReturn, { nullable: true }) expectedReturn!: ExpectedReturnValue | null;
  @Field(() => Boolean, { nullable: true, description: '账户是否存在实际控制关系' }) hasActualController!:
    boolean | null;
  @Field(() => Boolean, { nullable: true, description: '账户交易实际受益人为本人' }) beneficialOwnerIsSelf!:
    boolean | null;
  @Field(() => [InvestmentProduct]) products!: InvestmentProductValue[];
  @Field(() => [BadCreditSource], { description: '不良诚信记录来源；空列表表示“无”' })
  badCreditRecords!: BadCreditSourceValue[];
}
