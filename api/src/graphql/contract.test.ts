import fs from 'node:fs';
import path from 'node:path';
import { buildSchema, findBreakingChanges } from 'graphql';
import { createSchema, printKaihuSchema } from './schema';

/**
 * The public contract (`../shared/api/contract.graphql`, beside the clone) is checked whole by
 * `npm test`'s report; here the parts that have landed must be exactly compatible. Each issue adds
 * what it delivers to LANDED.
 */
const CONTRACT = path.resolve(__dirname, '../../../../shared/api/contract.graphql');
const LANDED = [
  // foundation
  'Broker',
  'Branch',
  'Date',
  'DateTime',
  'JSONObject',
  'Upload',
  'Query.broker',
  // login, sessions, 我的基本资料
  'Captcha',
  'CodeDelivery',
  'Session',
  'Viewer',
  'Profile',
  'AccountType',
  'TaxResidency',
  'PepRelation',
  'InvestmentHorizon',
  'ExpectedReturn',
  'InvestmentProduct',
  'BadCreditSource',
  'RequestLoginCodeInput',
  'LoginInput',
  'Customer.id',
  'Customer.accountType',
  'Customer.broker',
  'Customer.branch',
  'Customer.profile',
  'Query.viewer',
  'Query.me',
  'Mutation.createCaptcha',
  'Mutation.requestLoginCode',
  'Mutation.login',
  'Mutation.logout',
  'Mutation.staffLogin',
  // ID photos
  'Document',
  'DocumentKind',
  'Mutation.uploadDocument',
  'Mutation.reuseDocuments',
  'Mutation.completeDocuments',
  // business core: tickets, certificates, agreements, review
  'BusinessType',
  'TicketStatus',
  'TicketStepKind',
  'TicketStep',
  'TicketEdge',
  'PageInfo',
  'TicketConnection',
  'Agreement',
  'AgreementToSign',
  'Certificate',
  'CertificateStatus',
  'IdValidityInput',
  'ContactPhoneInput',
  'OtherInfoInput',
  'AgreementSignatureInput',
  'Customer.certificate',
  'Customer.tickets',
  'Ticket.id',
  'Ticket.acceptanceNo',
  'Ticket.business',
  'Ticket.status',
  'Ticket.steps',
  'Ticket.currentStep',
  'Ticket.reason',
  'Ticket.documents',
  'Ticket.agreements',
  'Ticket.proposedProfile',
  'Ticket.createdAt',
  'Ticket.updatedAt',
  'Ticket.submittedAt',
  'Query.ticket',
  'Query.agreements',
  'Query.reviewQueue',
  'Mutation.startTicket',
  'Mutation.goBack',
  'Mutation.cancelTicket',
  'Mutation.updateIdValidity',
  'Mutation.requestPhoneCode',
  'Mutation.updateContactPhone',
  'Mutation.updateOtherInfo',
  'Mutation.requestCertificate',
  'Mutation.signAgreements',
  'Mutation.submitTicket',
  'Mutation.approveTicket',
  'Mutation.returnTicket',
  'Mutation.rejectTicket',
  'Subscription.ticketUpdated',
  // account opening (开立期货账户)
  'Gender',
  'RiskTolerance',
  'ProductRisk',
  'Exchange',
  'TradingCodeStatus',
  'Bank',
  'SettlementAccount',
  'QuestionOption',
  'Question',
  'Questionnaire',
  'ProductMatch',
  'SuitabilityResult',
  'ExchangeOption',
  'TradingCode',
  'RequestProspectCodeInput',
  'ProspectLoginInput',
  'IdentityInput',
  'SettlementAccountInput',
  'AnswerInput',
  'Ticket.settlementAccounts',
  'Ticket.suitability',
  'Ticket.exchanges',
  'Ticket.accountNo',
  'Ticket.tradingCodes',
  'Query.privacyPolicy',
  'Query.banks',
  'Query.suitabilityQuestionnaire',
  'Query.returnVisitQuestionnaire',
  'Query.exchangeOptions',
  'Mutation.requestProspectCode',
  'Mutation.prospectLogin',
  'Mutation.startAccountOpening',
  'Mutation.updateIdentity',
  'Mutation.updateSettlementAccounts',
  'Mutation.answerSuitability',
  'Mutation.selectExchanges',
  'Mutation.answerReturnVisit',
];

const concerns = (description: string) =>
  LANDED.some((name) =>
    name.includes('.')
      ? description.startsWith(`${name} `) || description.includes(` ${name} `)
      : new RegExp(`^${name}[ .]`).test(description),
  );

(fs.existsSync(CONTRACT) ? describe : describe.skip)('the public contract', () => {
  it('has every landed type, field and operation, compatible', async () => {
    const contract = buildSchema(fs.readFileSync(CONTRACT, 'utf8'));
    const generated = buildSchema(printKaihuSchema(await createSchema()));
    const broken = findBreakingChanges(contract, generated)
      .map((c) => `${c.type}: ${c.description}`)
      .filter((d) => concerns(d.split(': ')[1]!));
    expect(broken).toEqual([]);
  });
});
