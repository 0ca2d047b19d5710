import { maskCardNumber, type Exchange } from '@kaihu/domain';
import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { ErrorCode, KaihuError } from '../../common/errors';
import { maskIdNumber, maskPhone } from '../../common/mask';
import { BusinessType, Exchange as ExchangeEnum } from '../../graphql/enums';
import type { KaihuContext } from '../../graphql/context';
import { requireProspect } from '../auth';
import { TicketType, toTicketType, type TicketRoot } from '../tickets';
import type { ExchangesData, ReturnVisitData, SettlementData, SuitabilityData } from './opening.service';
import {
  Bank,
  ExchangeOption,
  IdentityType,
  OpeningInfo,
  QuestionnaireType,
  SettlementAccount,
  SuitabilityResult,
  TicketDetail,
  TicketFlag,
  TradingCodeType,
} from './opening.types';
import type { Questionnaire } from './questionnaire.entity';
import { suitabilityResult } from './steps/suitability.step';

/** A questionnaire as the applicant sees it: questions and options, never scores or expected answers. */
function toQuestionnaireType(q: Questionnaire): QuestionnaireType {
  return {
    id: q.id,
    version: q.version,
    title: q.title,
    questions: q.definition.questions.map((x) => ({
      code: x.code,
      text: x.text,
      section: x.section ?? null,
      multiple: x.multiple,
      options: x.options.map((o) => ({ code: o.code, text: o.text })),
    })),
  };
}

async function brokerIdOf(ctx: KaihuContext, code: string): Promise<string> {
  const broker = await ctx.services.brokers.findByCode(ctx.em, code);
  if (!broker) throw new KaihuError(ErrorCode.NOT_FOUND, '期货公司不存在');
  return broker.id;
}

async function questionnaireOf(
  ctx: KaihuContext,
  brokerCode: string,
  kind: 'SUITABILITY' | 'RETURN_VISIT',
): Promise<QuestionnaireType> {
  return toQuestionnaireType(
    await ctx.services.opening.questionnaires.required(ctx.em, await brokerIdOf(ctx, brokerCode), kind),
  );
}

@Resolver()
export class OpeningResolver {
  @Query(() => [Bank], { description: 'the banks a broker accepts for settlement accounts' })
  async banks(@Arg('brokerCode', () => String) brokerCode: string, @Ctx() ctx: KaihuContext): Promise<Bank[]> {
    return ctx.services.opening
      .pack(await brokerIdOf(ctx, brokerCode))
      .banks.map((b) => ({ code: b.code, name: b.name }));
  }

  @Query(() => OpeningInfo, { description: '登录页的开户须知：投资者教育、开户帮助、支持的银行、年龄限制' })
  async openingInfo(
    @Arg('brokerCode', () => String) brokerCode: string,
    @Ctx() ctx: KaihuContext,
  ): Promise<OpeningInfo> {
    const pack = ctx.services.opening.pack(await brokerIdOf(ctx, brokerCode));
    return {
      ...pack.texts,
      banks: pack.banks.map((b) => ({ code: b.code, name: b.name })),
      minAge: pack.opening.minAge,
      maxAge: pack.opening.maxAge,
    };
  }

  @Query(() => QuestionnaireType, { description: "the broker's current 适当性评估 questionnaire" })
  async suitabilityQuestionnaire(
    @Arg('brokerCode', () => String) brokerCode: string,
    @Ctx() ctx: KaihuContext,
  ): Promise<QuestionnaireType> {
    return questionnaireOf(ctx, brokerCode, 'SUITABILITY');
  }

  @Query(() => QuestionnaireType, { description: "the broker's current 回访问卷" })
  async returnVisitQuestionnaire(
    @Arg('brokerCode', () => String) brokerCode: string,
    @Ctx() ctx: KaihuContext,
  ): Promise<QuestionnaireType> {
    return questionnaireOf(ctx, brokerCode, 'RETURN_VISIT');
  }

  @Query(() => [ExchangeOption], { description: "the exchanges the viewer may choose in this ticket's business" })
  async exchangeOptions(
    @Arg('ticketId', () => ID) ticketId: string,
    @Ctx() ctx: KaihuContext,
  ): Promise<ExchangeOption[]> {
    const ticket = await ctx.services.tickets.get(ctx.em, ctx.viewer, ticketId);
    return ctx.services.opening.exchangeOptions(ticket);
  }

  @Mutation(() => TicketType, { description: 'prospect: start (or resume) 开立期货账户 or 开立资管账户 at a branch' })
  async startAccountOpening(
    @Arg('business', () => BusinessType) business: BusinessType,
    @Arg('branchId', () => ID) branchId: string,
    @Ctx() ctx: KaihuContext,
    @Arg('referrer', () => String, { nullable: true, description: '推荐人编号（可选）' }) referrer?: string | null,
  ): Promise<TicketType> {
    const ticket = await ctx.services.tickets.startForProspect(ctx.em, requireProspect(ctx.viewer), {
      business,
      branchId,
      referrer: referrer ?? null,
    });
    return toTicketType(ticket);
  }
}

/** What an account-opening ticket holds beyond its steps, for its applicant and the broker's staff. */
@Resolver(() => TicketType)
export class OpeningTicketResolver {
  @FieldResolver(() => IdentityType, {
    nullable: true,
    description: '身份信息填写的内容（开立期货账户），填写前为 null',
  })
  async identity(@Root() t: TicketRoot, @Ctx() ctx: KaihuContext): Promise<IdentityType | null> {
    const ticket = await ctx.services.tickets.get(ctx.em, ctx.viewer, t.id);
    const d = ctx.services.opening.identity(ticket);
    if (!d) return null;
    const staff = ctx.viewer?.kind === 'STAFF';
    return {
      name: d.name,
      idNumber: ctx.viewer?.kind === 'PARTNER' ? maskIdNumber(d.idNumber) : d.idNumber,
      gender: d.gender,
      ethnicity: d.ethnicity,
      birthDate: d.birthDate,
      idAddress: d.idAddress,
      idIssuer: d.idIssuer,
      idValidFrom: d.idValidFrom,
      idValidTo: d.idValidTo,
      idLongTerm: d.idValidTo === null,
      mobile: staff ? d.mobile : maskPhone(d.mobile),
      phone: d.phone,
    };
  }

  @FieldResolver(() => [SettlementAccount])
  async settlementAccounts(@Root() t: TicketRoot, @Ctx() ctx: KaihuContext): Promise<SettlementAccount[]> {
    const ticket = await ctx.services.tickets.get(ctx.em, ctx.viewer, t.id);
    const d = ticket.data.SETTLEMENT_ACCOUNT as SettlementData | undefined;
    return (d?.accounts ?? []).map((a) => ({
      bank: { code: a.bankCode, name: a.bankName },
      cardNumber: maskCardNumber(a.cardNumber),
      holderName: a.holderName,
      primary: a.primary,
    }));
  }

  @FieldResolver(() => SuitabilityResult, { nullable: true })
  async suitability(@Root() t: TicketRoot, @Ctx() ctx: KaihuContext): Promise<SuitabilityResult | null> {
    const ticket = await ctx.services.tickets.get(ctx.em, ctx.viewer, t.id);
    const d = ticket.data.SUITABILITY as SuitabilityData | undefined;
    return d ? suitabilityResult(ctx.services, ticket.brokerId, d) : null;
  }

  @FieldResolver(() => [ExchangeEnum], { description: '申请开通的交易所' })
  async exchanges(@Root() t: TicketRoot, @Ctx() ctx: KaihuContext): Promise<Exchange[]> {
    const ticket = await ctx.services.tickets.get(ctx.em, ctx.viewer, t.id);
    return (ticket.data.EXCHANGES as ExchangesData | undefined)?.exchanges ?? [];
  }

  @FieldResolver(() => String, { nullable: true, description: '资金账号, once the counter system opened the account' })
  async accountNo(@Root() t: TicketRoot, @Ctx() ctx: KaihuContext): Promise<string | null> {
    const ticket = await ctx.services.tickets.get(ctx.em, ctx.viewer, t.id);
    return (ticket.data.ACCOUNT as { accountNo?: string } | undefined)?.accountNo ?? null;
  }

  @FieldResolver(() => [TradingCodeType])
  async tradingCodes(@Root() t: TicketRoot, @Ctx() ctx: KaihuContext): Promise<TradingCodeType[]> {
    await ctx.services.tickets.get(ctx.em, ctx.viewer, t.id);
    return (await ctx.services.opening.tradingCodes(ctx.em, t.id)).map((c) => ({
      exchange: c.exchange as Exchange,
      status: c.status === 'PENDING' ? 'APPLIED' : c.status,
      code: c.code,
      reason: c.reason,
    }));
  }

  @FieldResolver(() => [TicketFlag], { description: '需要复核人员注意的事项（工作人员可见）' })
  async flags(@Root() t: TicketRoot, @Ctx() ctx: KaihuContext): Promise<TicketFlag[]> {
    if (ctx.viewer?.kind !== 'STAFF') return [];
    const ticket = await ctx.services.tickets.get(ctx.em, ctx.viewer, t.id);
    const visit = ticket.data.RETURN_VISIT as ReturnVisitData | undefined;
    return visit?.unexpected.length
      ? [
          {
            code: 'MANUAL_RETURN_VISIT',
            title: '需人工回访',
            reasons: visit.unexpected.map((u) => `“${u.question}”回答为“${u.answer}”`),
          },
        ]
      : [];
  }

  @FieldResolver(() => [TicketDetail], {
    description: '申请内容（身份信息、结算账户、适当性、交易所、回访…）：工作人员与申请人本人可见',
  })
  async details(@Root() t: TicketRoot, @Ctx() ctx: KaihuContext): Promise<TicketDetail[]> {
    if (ctx.viewer?.kind === 'PARTNER') return [];
    const ticket = await ctx.services.tickets.get(ctx.em, ctx.viewer, t.id);
    return ctx.services.tickets.steps.reviewRows(ticket);
  }
}
