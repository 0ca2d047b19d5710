/** Broker partners: the event stream and webhooks. What other modules may use of it. */
import type { KaihuModule } from '../../common/module';
import { PartnerEvent, WebhookDelivery, WebhookEndpoint } from './partner.entity';
import { PartnerResolver } from './partner.resolver';

export { createDeliveryQueue } from './delivery-queue';
export { PartnerService } from './partner.service';

/** For the composition root: the module's tables and GraphQL resolvers. */
export const partnersModule: KaihuModule = {
  entities: [PartnerEvent, WebhookDelivery, WebhookEndpoint],
  resolvers: [PartnerResolver],
};
