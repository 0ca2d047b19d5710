/** 复核: the review queue and its outcomes. What other modules may use of it. */
import type { KaihuModule } from '../../common/module';
import { ReviewResolver } from './review.resolver';
import { TicketReviewResolver } from './ticket-review.resolver';

export { ReviewService } from './review.service';

/** For the composition root: the module's tables and GraphQL resolvers. */
export const reviewModule: KaihuModule = {
  entities: [],
  resolvers: [ReviewResolver, TicketReviewResolver],
};
