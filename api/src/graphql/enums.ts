/**
 * The GraphQL enums of @kaihu/domain's vocabulary, registered once: businesses, steps and
 * statuses, account types and the profile's fields. Any module's types use them from here.
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
} from '@kaihu/domain';
import { registerEnumType } from 'type-graphql';

/** A TypeScript-enum-shaped object of a union's values, as type-graphql wants enums. */
function asEnum<T extends string>(values: readonly T[]): { [K in T]: K } {
  return Object.fromEntries(values.map((v) => [v, v])) as { [K in T]: K };
}

const described = (names: Record<string, string>) =>
  Object.fromEntries(Object.entries(names).map(([k, v]) => [k, { description: v }]));

export const BusinessType = asEnum(BUSINESS_TYPES);
registerEnumType(BusinessType, {
  name: 'BusinessType',
  valuesConfig: Object.fromEntries(BUSINESS_TYPES.map((b) => [b, { description: BUSINESSES[b].name }])),
});

export const TicketStatus = asEnum(TICKET_STATUSES);
registerEnumType(TicketStatus, { name: 'TicketStatus', valuesConfig: described(STATUS_NAMES) });

export const TicketStepKind = asEnum(STEP_KINDS);
registerEnumType(TicketStepKind, { name: 'TicketStepKind', valuesConfig: described(STEP_NAMES) });

export const AccountType = asEnum(ACCOUNT_TYPES);
registerEnumType(AccountType, {
  name: 'AccountType',
  valuesConfig: {
    FUTURES_BROKERAGE: { description: `${ACCOUNT_TYPE_NAMES.FUTURES_BROKERAGE} — futures brokerage account` },
    ASSET_MANAGEMENT: { description: `${ACCOUNT_TYPE_NAMES.ASSET_MANAGEMENT} — asset-management account` },
  },
});

export const TaxResidency = asEnum(TAX_RESIDENCIES);
registerEnumType(TaxResidency, { name: 'TaxResidency', valuesConfig: described(TAX_RESIDENCY_NAMES) });
export const PepRelation = asEnum(PEP_RELATIONS);
registerEnumType(PepRelation, { name: 'PepRelation', valuesConfig: described(PEP_RELATION_NAMES) });
export const InvestmentHorizon = asEnum(INVESTMENT_HORIZONS);
registerEnumType(InvestmentHorizon, { name: 'InvestmentHorizon', valuesConfig: described(INVESTMENT_HORIZON_NAMES) });
export const ExpectedReturn = asEnum(EXPECTED_RETURNS);
registerEnumType(ExpectedReturn, { name: 'ExpectedReturn', valuesConfig: described(EXPECTED_RETURN_NAMES) });
export const InvestmentProduct = asEnum(INVESTMENT_PRODUCTS);
registerEnumType(InvestmentProduct, {
  name: 'InvestmentProduct',
  valuesConfig: {
    FUTURES_OPTIONS: { description: '期货、期权' },
    ASSET_MANAGEMENT_PRODUCTS: { description: '资管产品' },
  },
});
export const BadCreditSource = asEnum(BAD_CREDIT_SOURCES);
registerEnumType(BadCreditSource, { name: 'BadCreditSource', valuesConfig: described(BAD_CREDIT_SOURCE_NAMES) });
