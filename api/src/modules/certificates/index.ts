/** The certificate authorities and customers' certificates; CMS signature verification. What other modules may use of it. */

export type { Certificate } from './certificate.entity';
export { CertificateType } from './certificate.types';
export { CertificateService } from './certificate.service';
