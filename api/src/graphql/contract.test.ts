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
  'Broker', 'Branch', 'Date', 'DateTime', 'JSONObject', 'Upload', 'Query.broker',
  // login, sessions, 我的基本资料
  'Captcha', 'CodeDelivery', 'Session', 'Viewer', 'Profile', 'AccountType', 'TaxResidency', 'PepRelation', 'InvestmentHorizon',
  'ExpectedReturn', 'InvestmentProduct', 'BadCreditSource', 'RequestLoginCodeInput', 'LoginInput',
  'Customer.id', 'Customer.accountType', 'Customer.broker', 'Customer.branch', 'Customer.profile',
  'Query.viewer', 'Query.me', 'Mutation.createCaptcha', 'Mutation.requestLoginCode', 'Mutation.login', 'Mutation.logout', 'Mutation.staffLogin',
];

const concerns = (description: string) =>
  LANDED.some((name) => (name.includes('.') ? description.startsWith(`${name} `) || description.includes(` ${name} `) : new RegExp(`^${name}[ .]`).test(description)));

(fs.existsSync(CONTRACT) ? describe : describe.skip)('the public contract', () => {
  it('has every landed type, field and operation, compatible', async () => {
    const contract = buildSchema(fs.readFileSync(CONTRACT, 'utf8'));
    const generated = buildSchema(printKaihuSchema(await createSchema()));
    const broken = findBreakingChanges(contract, generated).map((c) => `${c.type}: ${c.description}`).filter((d) => concerns(d.split(': ')[1]!));
    expect(broken).toEqual([]);
  });
});
