/** Every module of Kaihu's API, for the composition root: their tables (db/entities.ts) and resolvers (graphql/schema.ts). */
import type { KaihuModule } from './common/module';
import { agreementsModule } from './modules/agreements';
import { authModule } from './modules/auth';
import { brokersModule } from './modules/brokers';
import { certificatesModule } from './modules/certificates';
import { documentsModule } from './modules/documents';
import { partnersModule } from './modules/partners';
import { platformModule } from './modules/platform';
import { profilesModule } from './modules/profiles';
import { reviewModule } from './modules/review';
import { ticketsModule } from './modules/tickets';
import { witnessModule } from './modules/witness';

export const MODULES: readonly KaihuModule[] = [
  platformModule,
  brokersModule,
  authModule,
  profilesModule,
  ticketsModule,
  documentsModule,
  agreementsModule,
  certificatesModule,
  witnessModule,
  reviewModule,
  partnersModule,
];
