import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { KaihuContext } from '../../graphql/context';
import { ViewerType } from '../auth';
import { CustomerType, type CustomerRoot } from '../profiles';
import type { Certificate } from './certificate.entity';
import type { CertificateService } from './certificate.service';
import { CertificateType } from './certificate.types';

export async function toCertificateType(
  em: KaihuContext['em'],
  c: Certificate,
  certificates: CertificateService,
): Promise<CertificateType> {
  return {
    serialNumber: c.serialNumber,
    subject: c.subject,
    notBefore: c.notBefore,
    notAfter: c.notAfter,
    status: certificates.status(c),
    pem: c.certPem,
    chainPem: await certificates.chainPem(em, c.brokerId),
  };
}

@Resolver(() => CustomerType)
export class CustomerCertificateResolver {
  @FieldResolver(() => CertificateType, { nullable: true, description: '最新的数字证书（可能已作废或过期）' })
  async certificate(@Root() c: CustomerRoot, @Ctx() { em, services }: KaihuContext): Promise<CertificateType | null> {
    const cert = await services.certificates.latest(em, c.id);
    return cert ? toCertificateType(em, cert, services.certificates) : null;
  }
}

@Resolver(() => ViewerType)
export class ViewerCertificateResolver {
  @FieldResolver(() => CertificateType, {
    nullable: true,
    description: '客户或开户申请人本人最新的数字证书（可能已作废或过期）；其他调用者为 null',
  })
  async certificate(@Ctx() { em, services, viewer }: KaihuContext): Promise<CertificateType | null> {
    if ((viewer?.kind !== 'CUSTOMER' && viewer?.kind !== 'PROSPECT') || !viewer.applicantId) return null;
    const cert = await services.certificates.latest(em, viewer.applicantId);
    return cert ? toCertificateType(em, cert, services.certificates) : null;
  }
}
