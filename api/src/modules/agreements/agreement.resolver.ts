import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { ErrorCode, KaihuError } from '../../common/errors';
import type { KaihuContext } from '../../graphql/context';
import { requireCustomer, requireStaff } from '../auth';
import type { Certificate } from '../certificates';
import type { CertificateService } from '../certificates';
import { CustomerType, type CustomerRoot } from '../profiles';
import type { BusinessType as BusinessTypeValue } from '@kaihu/domain';
import { toTicketType, type TicketRoot } from '../tickets';
import { BusinessType, TicketType } from '../tickets';
import type { Agreement } from './agreement.entity';
import { AgreementSignatureInput, AgreementToSign, AgreementType, CertificateType } from './agreement.types';

const toAgreementType = (a: Agreement): AgreementType => ({
  id: a.id,
  code: a.code,
  title: a.title,
  version: a.version,
  content: a.content,
  sha256: a.sha256,
  businesses: a.businesses as BusinessTypeValue[],
  createdAt: a.createdAt,
});

async function toCertificateType(
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

@Resolver(() => TicketType)
export class AgreementResolver {
  @Query(() => [AgreementType], { description: '某业务需签署的协议（协议下载）；未登录时需给出期货公司代码' })
  async agreements(
    @Arg('business', () => BusinessType) business: BusinessTypeValue,
    @Ctx() { em, services, viewer }: KaihuContext,
    @Arg('brokerCode', () => String, { nullable: true }) brokerCode?: string | null,
  ): Promise<AgreementType[]> {
    const broker = brokerCode
      ? await services.brokers.findByCode(em, brokerCode)
      : viewer
        ? await services.brokers.findById(em, viewer.brokerId)
        : null;
    if (!broker)
      throw new KaihuError(
        brokerCode ? ErrorCode.NOT_FOUND : ErrorCode.UNAUTHENTICATED,
        brokerCode ? '期货公司不存在' : '请先登录，或指定期货公司代码',
      );
    return (await services.agreements.forBusiness(em, broker.id, business)).map(toAgreementType);
  }

  @Mutation(() => TicketType, { description: '签署协议：每份协议一个 CMS 分离式签名，服务端逐一验证' })
  async signAgreements(
    @Arg('ticketId', () => ID) ticketId: string,
    @Arg('signatures', () => [AgreementSignatureInput]) signatures: AgreementSignatureInput[],
    @Ctx() { em, services, viewer }: KaihuContext,
  ): Promise<TicketType> {
    return toTicketType(await services.agreements.sign(em, requireCustomer(viewer), ticketId, signatures));
  }

  @Mutation(() => CertificateType, {
    description: 'PKCS#10 CSR (PEM) generated in the browser; allowed after a passed witness',
  })
  async requestCertificate(
    @Arg('ticketId', () => ID) ticketId: string,
    @Arg('csrPem', () => String) csrPem: string,
    @Ctx() { em, services, viewer }: KaihuContext,
  ): Promise<CertificateType> {
    const cert = await services.certificates.request(em, requireCustomer(viewer), ticketId, csrPem);
    return toCertificateType(em, cert, services.certificates);
  }
}

/** Broker admins maintain their broker's agreement texts (BROKER_ADMIN only). */
@Resolver()
export class AgreementAdminResolver {
  @Query(() => [AgreementType], { description: '期货公司管理员：本公司每份协议的最新版本' })
  async agreementTexts(@Ctx() { em, services, viewer }: KaihuContext): Promise<AgreementType[]> {
    const admin = requireStaff(viewer, 'BROKER_ADMIN');
    return (await services.agreements.latestAll(em, admin.brokerId)).map(toAgreementType);
  }

  @Query(() => [AgreementType], { description: '期货公司管理员：一份协议的全部版本，新版本在前' })
  async agreementVersions(
    @Arg('code', () => String) code: string,
    @Ctx() { em, services, viewer }: KaihuContext,
  ): Promise<AgreementType[]> {
    const admin = requireStaff(viewer, 'BROKER_ADMIN');
    return (await services.agreements.versions(em, admin.brokerId, code)).map(toAgreementType);
  }

  @Mutation(() => AgreementType, {
    description: '期货公司管理员：修改协议文本——生成新版本，已签署的旧版本不变，此后签署的业务使用新版本',
  })
  async updateAgreement(
    @Arg('code', () => String) code: string,
    @Arg('title', () => String) title: string,
    @Arg('content', () => String, { description: 'Markdown，最多 100000 字' }) content: string,
    @Ctx() { em, services, viewer }: KaihuContext,
  ): Promise<AgreementType> {
    const admin = requireStaff(viewer, 'BROKER_ADMIN');
    return toAgreementType(await services.agreements.update(em, admin, code, title, content));
  }
}

@Resolver(() => TicketType)
export class TicketAgreementsResolver {
  @FieldResolver(() => [AgreementToSign], { description: '本业务需签署的协议及签名原文' })
  async agreements(@Root() t: TicketRoot, @Ctx() { em, services, viewer }: KaihuContext): Promise<AgreementToSign[]> {
    const ticket = await services.tickets.get(em, viewer, t.id);
    return (await services.agreements.toSign(em, ticket)).map((a) => ({
      ...a,
      agreement: toAgreementType(a.agreement),
    }));
  }
}

@Resolver(() => CustomerType)
export class CustomerCertificateResolver {
  @FieldResolver(() => CertificateType, { nullable: true, description: '最新的数字证书（可能已作废或过期）' })
  async certificate(@Root() c: CustomerRoot, @Ctx() { em, services }: KaihuContext): Promise<CertificateType | null> {
    const cert = await services.certificates.latest(em, c.id);
    return cert ? toCertificateType(em, cert, services.certificates) : null;
  }
}
