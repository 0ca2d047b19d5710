import GraphQLUpload from 'graphql-upload/GraphQLUpload.mjs';
import { Arg, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from 'type-graphql';
import type { KaihuContext } from '../../graphql/context';
import { requireApplicant } from '../auth';
import { toTicketType, type TicketRoot } from '../tickets';
import { TicketType } from '../tickets';
import type { DocumentKind as DocumentKindValue } from './document.entity';
import type { FileUpload } from './document.service';
import { DocumentKind, DocumentType } from './document.types';
import { toDocumentType } from './document.mapping';

@Resolver(() => TicketType)
export class DocumentResolver {
  @Mutation(() => DocumentType, {
    description: '上传身份证正面、反面或手写签名照（JPG，不超过10M）；自动切边、旋转并检查质量',
  })
  async uploadDocument(
    @Arg('ticketId', () => ID) ticketId: string,
    @Arg('kind', () => DocumentKind) kind: DocumentKindValue,
    @Arg('file', () => GraphQLUpload) file: Promise<FileUpload>,
    @Ctx() { em, services, viewer }: KaihuContext,
  ): Promise<DocumentType> {
    const customer = requireApplicant(viewer);
    const doc = await services.documents.upload(em, customer, ticketId, kind, file);
    return toDocumentType(doc, customer, services.documents);
  }

  @Mutation(() => TicketType, { description: "keep the photos already on file for this ticket's DOCUMENTS step" })
  async reuseDocuments(
    @Arg('ticketId', () => ID) ticketId: string,
    @Ctx() { em, services, viewer }: KaihuContext,
  ): Promise<TicketType> {
    const customer = requireApplicant(viewer);
    await services.documents.reuse(em, customer, ticketId);
    return toTicketType(await services.tickets.getOwn(em, customer, ticketId));
  }

  @FieldResolver(() => [DocumentType])
  async documents(@Root() t: TicketRoot, @Ctx() { em, services, viewer }: KaihuContext): Promise<DocumentType[]> {
    if (!viewer) return [];
    return (await services.documents.listForTicket(em, t.id)).map((d) => toDocumentType(d, viewer, services.documents));
  }

  @FieldResolver(() => Boolean, { description: '是否有已审核通过的证件照可以复用（有则不再提示拍照规范）' })
  async hasPhotosOnFile(@Root() t: TicketRoot, @Ctx() { em, services }: KaihuContext): Promise<boolean> {
    return (await services.documents.photosOnFile(em, t.customerId, t.id)).length > 0;
  }
}
