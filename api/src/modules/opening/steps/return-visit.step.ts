/**
 * 回访问卷: the broker's return-visit questions (is this your own account, did anyone promise returns
 * or offer to trade for you, …). An answer the broker did not expect does not block: it flags the
 * ticket 需人工回访 for the reviewer, who sees why.
 */
import { Arg, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import type { KaihuContext } from '../../../graphql/context';
import { defineStep, runApplicantStep, TicketType, type StepRun } from '../../tickets';
import type { ReturnVisitData } from '../opening.service';
import { AnswerInput } from '../opening.types';
import type { Answer } from '../questionnaires';

export const returnVisitStep = defineStep({
  kind: 'RETURN_VISIT',
  async collect({
    em,
    ticket,
    input,
    services,
  }: StepRun<{ questionnaireId: string; answers: Answer[] }>): Promise<ReturnVisitData> {
    const { questionnaire, answers } = await services.opening.questionnaires.checkOfKind(
      em,
      ticket.brokerId,
      'RETURN_VISIT',
      input,
    );
    return {
      questionnaireId: questionnaire.id,
      version: questionnaire.version,
      answers: Object.fromEntries(answers),
      unexpected: services.opening.questionnaires.unexpectedAnswers(questionnaire, answers),
    };
  },
  reviewRows: (d) => [
    {
      label: '回访问卷',
      value: d.unexpected.length ? `需人工回访：${d.unexpected.length}项回答与预期不符` : '回答均与预期一致',
    },
    ...d.unexpected.map((u) => ({ label: `回访：${u.question}`, value: u.answer })),
  ],
});

@Resolver()
export class ReturnVisitStepResolver {
  @Mutation(() => TicketType, { description: '回访问卷' })
  answerReturnVisit(
    @Arg('ticketId', () => ID) ticketId: string,
    @Arg('questionnaireId', () => ID) questionnaireId: string,
    @Arg('answers', () => [AnswerInput]) answers: AnswerInput[],
    @Ctx() ctx: KaihuContext,
  ): Promise<TicketType> {
    return runApplicantStep(ctx, ticketId, returnVisitStep, { questionnaireId, answers });
  }
}
