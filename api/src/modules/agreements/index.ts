/** Agreements (协议): versioned texts per business, what a ticket signs, and the verified signatures. What other modules may use of it. */
import type { KaihuModule } from '../../common/module';
import { Agreement, AgreementSignature } from './agreement.entity';
import {
  AgreementAdminResolver,
  AgreementResolver,
  CustomerCertificateResolver,
  TicketAgreementsResolver,
} from './agreement.resolver';

export { AgreementService } from './agreement.service';

/** For the composition root: the module's tables and GraphQL resolvers. */
export const agreementsModule: KaihuModule = {
  entities: [Agreement, AgreementSignature],
  resolvers: [AgreementAdminResolver, AgreementResolver, CustomerCertificateResolver, TicketAgreementsResolver],
};
