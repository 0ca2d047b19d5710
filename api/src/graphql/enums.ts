/**
 * The GraphQL enums of @kaihu/domain's vocabulary, registered once: businesses, steps and
 * statuses, account types and the profile's fields. Each name is both the enum object type-graphql
 * needs (`@Field(() => TaxResidency)`) and the TypeScript type (`taxResidency!: TaxResidency`).
 */
import {
  ACCOUNT_TYPES,
  ACCOUNT_TYPE_NAMES,
  BAD_CREDIT_SOURCES,
  BAD_CREDIT_SOURCE_NAMES,
  BUSINESSES,
  BUSINESS_TYPES,
  EXPECTED_RETURNS,
  EXPECTED_RETURN_NAMES,
  INVESTMENT_HORIZONS,
  INVESTMENT_HORIZON_NAMES,
  INVESTMENT_PRODUCTS,
  PEP_RELATIONS,
  PEP_RELATION_NAMES,
  STATUS_NAMES,
  STEP_KINDS,
  STEP_NAMES,
  TAX_RESIDENCIES,
  TAX_RESIDENCY_NAMES,
  TICKET_STATUSES,
  EXCHANGES,
  EXCHANGE_NAMES,
  GENDERS,
  GENDER_NAMES,
  PRODUCT_RISKS,
  PRODUCT_RISK_NAMES,
  RISK_TOLERANCES,
  RISK_TOLERANCE_NAMES,
} from '@kaihu/domain';
import { registerEnumType } from 'type-graphql';
import type {
  BusinessType as DomainBusinessType,
  TicketStatus as DomainTicketStatus,
  TicketStepKind as DomainTicketStepKind,
  AccountType as DomainAccountType,
  TaxResidency as DomainTaxResidency,
  PepRelation as DomainPepRelation,
  InvestmentHorizon as DomainInvestmentHorizon,
  ExpectedReturn as DomainExpectedReturn,
  InvestmentProduct as DomainInvestmentProduct,
  BadCreditSource as DomainBadCreditSource,
  Exchange as DomainExchange,
  Gender as DomainGender,
  ProductRisk as DomainProductRisk,
  RiskTolerance as DomainRiskTolerance,
} from '@kaihu/domain';

/** A TypeScript-enum-shaped object of a union's values, as type-graphql wants enums. */
function asEnum<T extends string>(values: readonly T[]): { [K in T]: K } {
  return Object.fromEntries(values.map((v) => [v, v])) as { [K in T]: K };
}

const described = (names: Record<string, string>) =>
  Object.fromEntries(Object.entries(names).map(([k, v]) => [k, { description: v }]));

export type BusinessType = DomainBusinessType;
export const BusinessType = asEnum(BUSINESS_TYPES);
registerEnumType(BusinessType, {
  name: 'BusinessType',
  valuesConfig: Object.fromEntries(BUSINESS_TYPES.map((b) => [b, { description: BUSINESSES[b].name }])),
});

export type TicketStatus = DomainTicketStatus;
export const TicketStatus = asEnum(TICKET_STATUSES);
registerEnumType(TicketStatus, { name: 'TicketStatus', valuesConfig: described(STATUS_NAMES) });

export type TicketStepKind = DomainTicketStepKind;
export const TicketStepKind = asEnum(STEP_KINDS);
registerEnumType(TicketStepKind, { name: 'TicketStepKind', valuesConfig: described(STEP_NAMES) });

export type AccountType = DomainAccountType;
export const AccountType = asEnum(ACCOUNT_TYPES);
registerEnumType(AccountType, {
  name: 'AccountType',
  valuesConfig: {
    FUTURES_BROKERAGE: { description: `${ACCOUNT_TYPE_NAMES.FUTURES_BROKERAGE} — futures brokerage account` },
    ASSET_MANAGEMENT: { description: `${ACCOUNT_TYPE_NAMES.ASSET_MANAGEMENT} — asset-management account` },
  },
});

export type TaxResidency = DomainTaxResidency;
export const TaxResidency = asEnum(TAX_RESIDENCIES);
registerEnumType(TaxResidency, { name: 'TaxResidency', valuesConfig: described(TAX_RESIDENCY_NAMES) });
export type PepRelation = DomainPepRelation;
export const PepRelation = asEnum(PEP_RELATIONS);
registerEnumType(PepRelation, { name: 'PepRelation', valuesConfig: described(PEP_RELATION_NAMES) });
export type InvestmentHorizon = DomainInvestmentHorizon;
export const InvestmentHorizon = asEnum(INVESTMENT_HORIZONS);
registerEnumType(InvestmentHorizon, { name: 'InvestmentHorizon', valuesConfig: described(INVESTMENT_HORIZON_NAMES) });
export type ExpectedReturn = DomainExpectedReturn;
export const ExpectedReturn = asEnum(EXPECTED_RETURNS);
registerEnumType(ExpectedReturn, { name: 'ExpectedReturn', valuesConfig: described(EXPECTED_RETURN_NAMES) });
export type InvestmentProduct = DomainInvestmentProduct;
export const InvestmentProduct = asEnum(INVESTMENT_PRODUCTS);
registerEnumType(InvestmentProduct, {
  name: 'InvestmentProduct',
  valuesConfig: {
    FUTURES_OPTIONS: { description: '期货、期权' },
    ASSET_MANAGEMENT_PRODUCTS: { description: '资管产品' },
  },
});
export type BadCreditSource = DomainBadCreditSource;
export const BadCreditSource = asEnum(BAD_CREDIT_SOURCES);
registerEnumType(BadCreditSource, { name: 'BadCreditSource', valuesConfig: described(BAD_CREDIT_SOURCE_NAMES) });

export type Gender = DomainGender;
export const Gender = asEnum(GENDERS);
registerEnumType(Gender, { name: 'Gender', valuesConfig: described(GENDER_NAMES) });

export type RiskTolerance = DomainRiskTolerance;
export const RiskTolerance = asEnum(RISK_TOLERANCES);
registerEnumType(RiskTolerance, {
  name: 'RiskTolerance',
  description: '适当性：投资者风险承受能力等级 (C1 lowest … C5 highest)',
  valuesConfig: described(RISK_TOLERANCE_NAMES),
});

export type ProductRisk = DomainProductRisk;
export const ProductRisk = asEnum(PRODUCT_RISKS);
registerEnumType(ProductRisk, {
  name: 'ProductRisk',
  description: '产品或服务风险等级 (R1 lowest … R5 highest)',
  valuesConfig: described(PRODUCT_RISK_NAMES),
});

export type Exchange = DomainExchange;
export const Exchange = asEnum(EXCHANGES);
registerEnumType(Exchange, { name: 'Exchange', valuesConfig: described(EXCHANGE_NAMES) });

export const TRADING_CODE_STATUSES = ['APPLIED', 'ASSIGNED', 'REFUSED'] as const;
export type TradingCodeStatus = (typeof TRADING_CODE_STATUSES)[number];
export const TradingCodeStatus = asEnum(TRADING_CODE_STATUSES);
registerEnumType(TradingCodeStatus, {
  name: 'TradingCodeStatus',
  valuesConfig: {
    APPLIED: { description: 'applied for, the exchange has not answered yet' },
    ASSIGNED: { description: '已分配' },
    REFUSED: { description: '未通过' },
  },
});
