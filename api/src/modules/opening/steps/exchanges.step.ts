/**
 * 交易所选择: at least one exchange the business offers; a product above the investor's tolerance is
 * refused for the 最低风险承受能力类别 and otherwise needs the confirmation of the 风险不匹配警示
 * (`acceptMismatch`); the match goes into the 《适当性匹配意见告知书》 signed with the agreements.
 */
import { EXCHANGE_NAMES, toleranceCovers, type Exchange, type ProductRisk } from '@kaihu/domain';
import { Arg, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import { ErrorCode, KaihuError } from '../../../common/errors';
import { Exchange as ExchangeEnum } from '../../../graphql/enums';
import type { KaihuContext } from '../../../graphql/context';
import { defineStep, runApplicantStep, TicketType, type StepRun } from '../../tickets';
import type { ExchangesData, SuitabilityData } from '../opening.service';

export const exchangesStep = defineStep({
  kind: 'EXCHANGES',
  collect({ ticket, input, services }: StepRun<{ exchanges: string[]; acceptMismatch: boolean }>): ExchangesData {
    const chosen = [...new Set(input.exchanges)];
    if (!chosen.length)
      throw new KaihuError(ErrorCode.BAD_USER_INPUT, '请至少选择一个交易所', {
        fields: [{ field: 'exchanges', message: '请至少选择一个交易所' }],
      });
    const options = services.opening.exchangeOptions(ticket);
    for (const e of chosen) {
      const o = options.find((x) => x.exchange === e);
      if (!o)
        throw new KaihuError(
          ErrorCode.EXCHANGE_UNAVAILABLE,
          `期货公司不提供${EXCHANGE_NAMES[e as Exchange] ?? e}的开户`,
          { exchange: e },
        );
      if (o.unavailableReason)
        throw new KaihuError(ErrorCode.EXCHANGE_UNAVAILABLE, `${o.name}：${o.unavailableReason}`, { exchange: e });
    }
    const suitability = ticket.data.SUITABILITY as SuitabilityData | undefined;
    if (!suitability) throw new KaihuError(ErrorCode.STEP_NOT_ALLOWED, '请先完成适当性评估');
    const matches = chosen.map((e) => {
      const risk = options.find((x) => x.exchange === e)!.risk as ProductRisk;
      return {
        exchange: e as Exchange,
        risk,
        matched: toleranceCovers(suitability.tolerance, risk, suitability.lowestCategory),
      };
    });
    const mismatched = matches.filter((m) => !m.matched);
    if (mismatched.length && suitability.lowestCategory)
      throw new KaihuError(
        ErrorCode.RISK_NOT_ALLOWED,
        `您属于最低风险承受能力类别，不能开通风险等级高于R1的产品：${mismatched.map((m) => `${EXCHANGE_NAMES[m.exchange]}（${m.risk}）`).join('、')}`,
        { exchanges: mismatched.map((m) => m.exchange) },
      );
    if (mismatched.length && !input.acceptMismatch)
      throw new KaihuError(
        ErrorCode.RISK_MISMATCH,
        `${mismatched.map((m) => `${EXCHANGE_NAMES[m.exchange]}的产品风险等级为${m.risk}`).join('、')}，高于您的风险承受能力，请阅读风险不匹配警示并确认后再继续`,
        { exchanges: mismatched.map((m) => m.exchange) },
      );
    return { exchanges: chosen as Exchange[], matches, mismatchAccepted: mismatched.length > 0 };
  },
  reviewRows: (d) => [
    {
      label: '申请开通的交易所',
      value: d.matches
        .map((m) => `${EXCHANGE_NAMES[m.exchange]}（${m.risk}，${m.matched ? '匹配' : '不匹配'}）`)
        .join('、'),
    },
    ...(d.mismatchAccepted ? [{ label: '风险不匹配警示', value: '客户已阅读警示并确认继续' }] : []),
  ],
  agreementFacts: (d) => ({
    products: d.matches.map((m) => `${EXCHANGE_NAMES[m.exchange]}（${m.risk}）`).join('、'),
    opinion: d.mismatchAccepted
      ? `您申请开通的${d.matches
          .filter((m) => !m.matched)
          .map((m) => EXCHANGE_NAMES[m.exchange])
          .join(
            '、',
          )}的产品风险等级高于您的风险承受能力，本公司已向您提示风险不匹配，您经审慎考虑后仍坚持申请，由此产生的风险由您自行承担。`
      : '经评估，您的风险承受能力等级与所申请开通产品的风险等级相匹配。',
  }),
});

@Resolver()
export class ExchangesStepResolver {
  @Mutation(() => TicketType, {
    description: '交易所选择; acceptMismatch confirms the risk-mismatch warning where the rules allow it',
  })
  selectExchanges(
    @Arg('ticketId', () => ID) ticketId: string,
    @Arg('exchanges', () => [ExchangeEnum]) exchanges: string[],
    @Ctx() ctx: KaihuContext,
    @Arg('acceptMismatch', () => Boolean, { nullable: true }) acceptMismatch?: boolean | null,
  ): Promise<TicketType> {
    return runApplicantStep(ctx, ticketId, exchangesStep, { exchanges, acceptMismatch: acceptMismatch ?? false });
  }
}
