import { GraphQLSchema, lexicographicSortSchema, printSchema } from 'graphql';
import { buildSchema, type NonEmptyArray } from 'type-graphql';
import {
  AgreementAdminResolver,
  AgreementResolver,
  CustomerCertificateResolver,
  TicketAgreementsResolver,
} from '../modules/agreements/agreement.resolver';
import { ApiKeyResolver } from '../modules/auth/api-key.resolver';
import { AuthResolver } from '../modules/auth/auth.resolver';
import { CaptchaResolver } from '../modules/auth/captcha.resolver';
import { StaffResolver } from '../modules/auth/staff.resolver';
import { BrokerResolver } from '../modules/brokers/broker.resolver';
import { DocumentResolver } from '../modules/documents/document.resolver';
import { ProfileStepResolver } from '../modules/profiles/profile-steps.resolver';
import { CustomerResolver } from '../modules/profiles/profile.resolver';
import { ReviewResolver } from '../modules/review/review.resolver';
import { TicketReviewResolver } from '../modules/review/ticket-review.resolver';
import { PartnerResolver } from '../modules/partners/partner.resolver';
import { WitnessResolver, WitnessSessionResolver } from '../modules/witness/witness.resolver';
import { CustomerTicketsResolver, TicketResolver } from '../modules/tickets/ticket.resolver';
import { createInProcessBus, type EventBus } from '../common/pubsub';
import { CONTRACT_SCALARS, DateTimeScalar } from './scalars';

/** Every module's resolvers. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export const RESOLVERS: NonEmptyArray<Function> = [
  BrokerResolver,
  CaptchaResolver,
  AuthResolver,
  StaffResolver,
  ApiKeyResolver,
  CustomerResolver,
  TicketResolver,
  CustomerTicketsResolver,
  DocumentResolver,
  ProfileStepResolver,
  ReviewResolver,
  AgreementResolver,
  AgreementAdminResolver,
  TicketAgreementsResolver,
  CustomerCertificateResolver,
  TicketReviewResolver,
  WitnessResolver,
  WitnessSessionResolver,
  PartnerResolver,
];

/** Builds the executable schema; scalars the contract names are always present. */
export async function createSchema(bus: EventBus = createInProcessBus()): Promise<GraphQLSchema> {
  const schema = await buildSchema({
    resolvers: RESOLVERS,
    pubSub: bus,
    scalarsMap: [{ type: Date, scalar: DateTimeScalar }],
    validate: false,
    emitSchemaFile: false,
  });
  const config = schema.toConfig();
  const present = new Set(config.types.map((t) => t.name));
  return new GraphQLSchema({
    ...config,
    types: [...config.types, ...CONTRACT_SCALARS.filter((s) => !present.has(s.name))],
  });
}

/** The SDL committed as schema/schema.graphql (sorted, so diffs stay small). */
export function printKaihuSchema(schema: GraphQLSchema): string {
  return printSchema(lexicographicSortSchema(schema)) + '\n';
}
