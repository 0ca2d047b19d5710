/** Photos and other documents of a ticket: upload, the image pipeline, signed URLs. What other modules may use of it. */
import type { KaihuModule } from '../../common/module';
import { Document } from './document.entity';
import { DocumentResolver } from './document.resolver';

export { Document } from './document.entity';
export { toDocumentType } from './document.resolver';
export { DocumentService } from './document.service';
export { DocumentType } from './document.types';

/** For the composition root: the module's tables and GraphQL resolvers. */
export const documentsModule: KaihuModule = {
  entities: [Document],
  resolvers: [DocumentResolver],
};
