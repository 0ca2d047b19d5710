/** 其他信息资料 (修改其他信息, and the confirmation page of 密码重置): every field of 其他信息. */
import { Arg, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import type { KaihuContext } from '../../../graphql/context';
import { defineStep, runApplicantStep, TicketType, type StepRun } from '../../tickets';
import { validateOtherInfo } from '../profile-changes';
import { OtherInfoInput } from '../profile-steps.types';

export const otherInfoStep = defineStep({
  kind: 'OTHER_INFO',
  collect: ({ input }: StepRun<OtherInfoInput>) => validateOtherInfo(input),
  profileChanges: (d) => d,
});

@Resolver()
export class OtherInfoStepResolver {
  @Mutation(() => TicketType, { description: '其他信息资料' })
  async updateOtherInfo(
    @Arg('ticketId', () => ID) ticketId: string,
    @Arg('input', () => OtherInfoInput) input: OtherInfoInput,
    @Ctx() ctx: KaihuContext,
  ): Promise<TicketType> {
    return runApplicantStep(ctx, ticketId, otherInfoStep, input);
  }
}
