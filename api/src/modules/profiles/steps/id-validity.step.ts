/** 身份信息资料 (修改身份证有效期): the ID card's validity, dates or 长期, not already expired. */
import { chinaToday } from '@kaihu/domain';
import { Arg, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import type { KaihuContext } from '../../../graphql/context';
import { defineStep, runApplicantStep, TicketType, type StepRun } from '../../tickets';
import { validateIdValidity } from '../profile-changes';
import { IdValidityInput } from '../profile-steps.types';

export const idValidityStep = defineStep({
  kind: 'ID_VALIDITY',
  collect: ({ input, clock }: StepRun<IdValidityInput>) => validateIdValidity(input, chinaToday(clock.now())),
  profileChanges: (d) => ({ idValidFrom: d.idValidFrom, idValidTo: d.idValidTo }),
});

@Resolver()
export class IdValidityStepResolver {
  @Mutation(() => TicketType, { description: '身份信息资料：修改身份证有效期' })
  async updateIdValidity(
    @Arg('ticketId', () => ID) ticketId: string,
    @Arg('input', () => IdValidityInput) input: IdValidityInput,
    @Ctx() ctx: KaihuContext,
  ): Promise<TicketType> {
    return runApplicantStep(ctx, ticketId, idValidityStep, input);
  }
}
