/** What every module leans on: the secrets, rate limits and idempotency keys. What other modules may use of it. */

export { IdempotencyService, type IdempotencyHandle } from './idempotency.service';
export { RateLimitService } from './rate-limit.service';
export { Secrets } from './secrets';
