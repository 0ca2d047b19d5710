/** Every module of Kaihu's API, for the composition root: their tables (db/entities.ts) and resolvers (graphql/schema.ts). */
import type { KaihuModule } from './common/module';
import { agreementsModule } from './modules/agreements/module';
import { authModule } from './modules/auth/module';
import { brokersModule } from './modules/brokers/module';
import { certificatesModule } from './modules/certificates/module';
import { documentsModule } from './modules/documents/module';
import { openingModule } from './modules/opening/module';
import { partnersModule } from './modules/partners/module';
import { platformModule } from './modules/platform/module';
import { profilesModule } from './modules/profiles/module';
import { reviewModule } from './modules/review/module';
import { ticketsModule } from './modules/tickets/module';
import { witnessModule } from './modules/witness/module';

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
  openingModule,
  reviewModule,
  partnersModule,
];
