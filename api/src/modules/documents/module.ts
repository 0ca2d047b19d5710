/** The documents module as the composition root sees it (api/src/modules.ts): its tables, resolvers and steps. */
import type { KaihuModule } from '../../common/module';
import { Document } from './document.entity';
import { DocumentResolver } from './document.resolver';
import { DocumentsStepResolver, documentsStep } from './steps/documents.step';

export const documentsModule: KaihuModule = {
  entities: [Document],
  resolvers: [DocumentResolver, DocumentsStepResolver],
  steps: [documentsStep],
};
