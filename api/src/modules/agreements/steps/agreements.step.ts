/**
 * 签署协议: one CMS detached signature per agreement of the business, over its exact payload, all
 * verified by the server. Needs a valid certificate: without one, 视频见证 and 安装数字证书 come first.
 */
import { Arg, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import type { KaihuContext } from '../../../graphql/context';
import { defineStep, runApplicantStep, TicketType, type StepRun } from '../../tickets';
import { AgreementSignatureInput } from '../agreement.types';

export const agreementsStep = defineStep({
  kind: 'AGREEMENTS',
  collect: ({ em, ticket, input, services }: StepRun<AgreementSignatureInput[]>) =>
    services.agreements.verifySignatures(em, ticket, input, services.tickets.steps.agreementFacts(ticket)),
  needs: async ({ em, ticket, services }) =>
    (await services.certificates.hasValid(em, ticket.customerId)) ? [] : ['VIDEO_WITNESS', 'CERTIFICATE'],
});

@Resolver()
export class AgreementsStepResolver {
  @Mutation(() => TicketType, { description: '签署协议：每份协议一个 CMS 分离式签名，服务端逐一验证' })
  async signAgreements(
    @Arg('ticketId', () => ID) ticketId: string,
    @Arg('signatures', () => [AgreementSignatureInput]) signatures: AgreementSignatureInput[],
    @Ctx() ctx: KaihuContext,
  ): Promise<TicketType> {
    return runApplicantStep(ctx, ticketId, agreementsStep, signatures);
  }
}
