/**
 * 上传照片: the ID card's front and back and the handwritten signature (uploaded or reused one by one
 * through the documents service); the step completes once all three are there.
 */
import { Arg, Ctx, ID, Mutation, Resolver } from 'type-graphql';
import { ErrorCode, KaihuError } from '../../../common/errors';
import type { KaihuContext } from '../../../graphql/context';
import { defineStep, runApplicantStep, TicketType, type StepRun } from '../../tickets';
import { KIND_NAMES, REQUIRED_KINDS } from '../document.service';

export const documentsStep = defineStep({
  kind: 'DOCUMENTS',
  async collect({ em, ticket, services }: StepRun<void>) {
    const docs = await services.documents.listForTicket(em, ticket.id);
    const missing = REQUIRED_KINDS.filter((k) => !docs.some((d) => d.kind === k));
    if (missing.length) {
      throw new KaihuError(
        ErrorCode.DOCUMENTS_INCOMPLETE,
        `请上传${missing.map((k) => KIND_NAMES[k]).join('、')}后再进入下一步`,
        { missing },
      );
    }
    return { documents: docs.map((d) => ({ id: d.id, kind: d.kind, sha256: d.sha256 })) };
  },
});

@Resolver()
export class DocumentsStepResolver {
  @Mutation(() => TicketType, { description: '照片上传完成，进入下一步' })
  async completeDocuments(@Arg('ticketId', () => ID) ticketId: string, @Ctx() ctx: KaihuContext): Promise<TicketType> {
    return runApplicantStep(ctx, ticketId, documentsStep, undefined);
  }
}
