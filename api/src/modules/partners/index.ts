/** Broker partners: the event stream and webhooks. What other modules may use of it. */

export { createDeliveryQueue } from './delivery-queue';
export { PartnerService } from './partner.service';
