/** The review module as the composition root sees it (api/src/modules.ts): its tables, resolvers and steps. */
import type { KaihuModule } from '../../common/module';
import { ReviewResolver } from './review.resolver';
import { TicketReviewResolver } from './ticket-review.resolver';

export const reviewModule: KaihuModule = {
  entities: [],
  resolvers: [ReviewResolver, TicketReviewResolver],
};
