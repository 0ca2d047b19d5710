/**
 * 适当性评估: the broker's questionnaire in force, every question answered with its own options,
 * scored on the server into C1–C5, with the rules that make someone 最低风险承受能力类别.
 */
import {
  RISK_TOLERANCE_MEANINGS,
  RISK_TOLERANCE_NAMES,
  toleranceCovers,
  toleranceLabel,
  type ProductRisk,
} from '@kaihu/domain';
import { Arg, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import type { KaihuContext } from '../../../graphql/context';
import type { Services } from '../../../services';
import { requireApplicant } from '../../auth';
import { defineStep, type StepRun } from '../../tickets';
import type { SuitabilityData } from '../opening.service';
import type { Answer } from '../questionnaires';
import { AnswerInput, SuitabilityResult } from '../opening.types';

export const suitabilityStep = defineStep({
  kind: 'SUITABILITY',
  async collect({
    em,
    ticket,
    input,
    services,
    clock,
  }: StepRun<{ questionnaireId: string; answers: Answer[] }>): Promise<SuitabilityData> {
    const { questionnaire, answers } = await services.opening.questionnaires.checkOfKind(
      em,
      ticket.brokerId,
      'SUITABILITY',
      input,
    );
    const result = services.opening.questionnaires.scoreSuitability(questionnaire, answers);
    return {
      questionnaireId: questionnaire.id,
      version: questionnaire.version,
      answers: Object.fromEntries(answers),
      ...result,
      assessedAt: clock.now().toISOString(),
    };
  },
  reviewRows: (d) => [
    { label: '适当性评估得分', value: `${d.score}分（问卷第${d.version}版）` },
    { label: '风险承受能力等级', value: toleranceLabel(d.tolerance) },
    { label: '最低风险承受能力类别', value: d.lowestCategory ? '是' : '否' },
  ],
  agreementFacts: (d) => ({
    score: String(d.score),
    tolerance: toleranceLabel(d.tolerance),
    lowestCategory: d.lowestCategory ? '是' : '否',
    assessedAt: d.assessedAt.slice(0, 10),
  }),
});

/** The result as the API returns it: with how the broker's exchanges' risk matches the tolerance. */
export function suitabilityResult(services: Services, brokerId: string, d: SuitabilityData): SuitabilityResult {
  return {
    score: d.score,
    tolerance: d.tolerance,
    toleranceName: RISK_TOLERANCE_NAMES[d.tolerance],
    meaning: d.lowestCategory
      ? `您属于最低风险承受能力类别，${RISK_TOLERANCE_MEANINGS.C1.replace(/^您/, '')}`
      : RISK_TOLERANCE_MEANINGS[d.tolerance],
    lowestCategory: d.lowestCategory,
    matches: services.opening.pack(brokerId).exchanges.map((r) => ({
      exchange: r.exchange as SuitabilityResult['matches'][number]['exchange'],
      risk: r.risk,
      matched: toleranceCovers(d.tolerance, r.risk as ProductRisk, d.lowestCategory),
    })),
    assessedAt: new Date(d.assessedAt),
  };
}

@Resolver()
export class SuitabilityStepResolver {
  @Mutation(() => SuitabilityResult, { description: "适当性评估: answers to the broker's questionnaire" })
  async answerSuitability(
    @Arg('ticketId', () => ID) ticketId: string,
    @Arg('questionnaireId', () => ID) questionnaireId: string,
    @Arg('answers', () => [AnswerInput]) answers: AnswerInput[],
    @Ctx() { em, services, viewer }: KaihuContext,
  ): Promise<SuitabilityResult> {
    const { ticket, data } = await services.tickets.runOwnStep(
      em,
      requireApplicant(viewer),
      ticketId,
      suitabilityStep,
      {
        questionnaireId,
        answers,
      },
    );
    return suitabilityResult(services, ticket.brokerId, data);
  }
}
