import type { Viewer } from '../auth';
import type { Document } from './document.entity';
import type { DocumentService } from './document.service';
import type { DocumentType } from './document.types';

/** The GraphQL view of a document, with signed URLs for this viewer. */
export function toDocumentType(d: Document, viewer: Viewer, documents: DocumentService): DocumentType {
  return {
    id: d.id,
    kind: d.kind,
    sha256: d.sha256,
    width: d.width,
    height: d.height,
    url: documents.signedUrl(d, 'processed', viewer),
    thumbnailUrl: documents.signedUrl(d, 'thumbnail', viewer),
    adjustments: d.adjustments,
    reused: d.reusedFromId !== null,
    createdAt: d.createdAt,
  };
}
