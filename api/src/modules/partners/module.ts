/** The partners module as the composition root sees it (api/src/modules.ts): its tables, resolvers and steps. */
import type { KaihuModule } from '../../common/module';
import { PartnerEvent, WebhookDelivery, WebhookEndpoint } from './partner.entity';
import { PartnerResolver } from './partner.resolver';

export const partnersModule: KaihuModule = {
  entities: [PartnerEvent, WebhookDelivery, WebhookEndpoint],
  resolvers: [PartnerResolver],
};
