/** The tickets module as the composition root sees it (api/src/modules.ts): its tables, resolvers and steps. */
import type { KaihuModule } from '../../common/module';
import { TicketEvent } from './ticket-event.entity';
import { Ticket } from './ticket.entity';
import { CustomerTicketsResolver, TicketResolver, ViewerTicketsResolver } from './ticket.resolver';

export const ticketsModule: KaihuModule = {
  entities: [TicketEvent, Ticket],
  resolvers: [CustomerTicketsResolver, TicketResolver, ViewerTicketsResolver],
};
