/** 复核: the review queue and its outcomes. What other modules may use of it. */

export { ReviewService } from './review.service';
