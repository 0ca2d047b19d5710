/** The certificates module as the composition root sees it (api/src/modules.ts): its tables, resolvers and steps. */
import type { KaihuModule } from '../../common/module';
import { Certificate, CertificateAuthority } from './certificate.entity';
import { CustomerCertificateResolver, ViewerCertificateResolver } from './certificate.resolver';
import { CertificateStepResolver, certificateStep } from './steps/certificate.step';

export const certificatesModule: KaihuModule = {
  entities: [Certificate, CertificateAuthority],
  resolvers: [CustomerCertificateResolver, ViewerCertificateResolver, CertificateStepResolver],
  steps: [certificateStep],
};
