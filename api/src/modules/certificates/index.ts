/** The certificate authorities and customers' certificates; CMS signature verification. What other modules may use of it. */
import type { KaihuModule } from '../../common/module';
import { Certificate, CertificateAuthority } from './certificate.entity';

export { Certificate } from './certificate.entity';
export { CertificateService } from './certificate.service';

/** For the composition root: the module's tables and GraphQL resolvers. */
export const certificatesModule: KaihuModule = {
  entities: [Certificate, CertificateAuthority],
  resolvers: [],
};
