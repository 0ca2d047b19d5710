import { Arg, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import { ErrorCode, KaihuError } from '../../common/errors';
import type { KaihuContext } from '../../graphql/context';
import { requireStaff } from '../auth';
import { type TicketRoot } from '../tickets';
import { BusinessType, TicketType } from '../tickets';
import type { Agreement } from './agreement.entity';
import { AgreementToSign, AgreementType } from './agreement.types';

const toAgreementType = (a: Agreement): AgreementType => ({
  id: a.id,
  code: a.code,
  title: a.title,
  version: a.version,
  content: a.content,
  sha256: a.sha256,
  businesses: a.businesses as BusinessType[],
  createdAt: a.createdAt,
});

@Resolver(() => TicketType)
export class AgreementResolver {
  @Query(() => AgreementType, { description: "the broker's current 《隐私政策》, agreed to at prospectLogin" })
  async privacyPolicy(
    @Arg('brokerCode', () => String) brokerCode: string,
    @Ctx() { em, services }: KaihuContext,
  ): Promise<AgreementType> {
    const broker = await services.brokers.findByCode(em, brokerCode);
    if (!broker) throw new KaihuError(ErrorCode.NOT_FOUND, '期货公司不存在');
    const policy = await services.agreements.privacyPolicy(em, broker.id);
    if (!policy) throw new KaihuError(ErrorCode.NOT_FOUND, '该期货公司尚未发布隐私政策');
    return toAgreementType(policy);
  }

  @Query(() => [AgreementType], { description: '某业务需签署的协议（协议下载）；未登录时需给出期货公司代码' })
  async agreements(
    @Arg('business', () => BusinessType) business: BusinessType,
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
    return (await services.agreements.toSign(em, ticket, services.tickets.steps.agreementFacts(ticket))).map((a) => ({
      ...a,
      agreement: toAgreementType(a.agreement),
    }));
  }
}
