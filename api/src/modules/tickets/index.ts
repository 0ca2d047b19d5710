import type { TicketType } from './ticket.types';
/** Tickets (受理单): businesses as data, the steps, the event trail. What other modules may use of it. */
import type { KaihuModule } from '../../common/module';
import { TicketEvent } from './ticket-event.entity';
import { Ticket } from './ticket.entity';
import { CustomerTicketsResolver, TicketResolver } from './ticket.resolver';

export type { Ticket } from './ticket.entity';
export { toTicketType } from './ticket.resolver';
export { actorOf, encodeCursor, TicketService, type TicketFilter, type TicketPage } from './ticket.service';
export { BusinessType, PageInfo, TicketConnection, TicketStatus, TicketStepKind, TicketType } from './ticket.types';

/** For the composition root: the module's tables and GraphQL resolvers. */
export const ticketsModule: KaihuModule = {
  entities: [TicketEvent, Ticket],
  resolvers: [CustomerTicketsResolver, TicketResolver],
};

/**
 * A ticket as another module's field resolver receives it (`@Root() t: TicketRoot`): a plain type, so
 * that no class of this module is read while that module's decorators run (import cycles).
 */
export type TicketRoot = Readonly<TicketType>;
