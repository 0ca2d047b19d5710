/** The agreements module as the composition root sees it (api/src/modules.ts): its tables, resolvers and steps. */
import type { KaihuModule } from '../../common/module';
import { Agreement, AgreementSignature } from './agreement.entity';
import { AgreementAdminResolver, AgreementResolver, TicketAgreementsResolver } from './agreement.resolver';
import { AgreementsStepResolver, agreementsStep } from './steps/agreements.step';

export const agreementsModule: KaihuModule = {
  entities: [Agreement, AgreementSignature],
  resolvers: [AgreementAdminResolver, AgreementResolver, TicketAgreementsResolver, AgreementsStepResolver],
  steps: [agreementsStep],
};
