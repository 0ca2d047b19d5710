/** The platform module as the composition root sees it (api/src/modules.ts): its tables, resolvers and steps. */
import type { KaihuModule } from '../../common/module';
import { IdempotencyKey, RateLimit } from './limits.entity';
import { Setting } from './setting.entity';

export const platformModule: KaihuModule = {
  entities: [IdempotencyKey, RateLimit, Setting],
  resolvers: [],
};
