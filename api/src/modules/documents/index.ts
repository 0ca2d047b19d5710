/** Photos and other documents of a ticket: upload, the image pipeline, signed URLs. What other modules may use of it. */

export { Document } from './document.entity';
export { toDocumentType } from './document.mapping';
export { DocumentService } from './document.service';
export { DocumentType } from './document.types';
