/** What every module leans on: the secrets, rate limits and idempotency keys. What other modules may use of it. */
import type { KaihuModule } from '../../common/module';
import { IdempotencyKey, RateLimit } from './limits.entity';
import { Setting } from './setting.entity';

export { IdempotencyService, type IdempotencyHandle } from './idempotency.service';
export { RateLimitService } from './rate-limit.service';
export { Secrets } from './secrets';

/** For the composition root: the module's tables and GraphQL resolvers. */
export const platformModule: KaihuModule = {
  entities: [IdempotencyKey, RateLimit, Setting],
  resolvers: [],
};
