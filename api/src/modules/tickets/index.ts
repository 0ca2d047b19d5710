/** Tickets (受理单): businesses as data, the steps, the event trail. What other modules may use of it. */
import type { TicketType } from './ticket.types';

export type { Ticket } from './ticket.entity';
export { toTicketType } from './ticket.mapping';
export { runApplicantStep } from './step-mutation';
export { defineStep, StepRegistry, type ReviewRow, type StepDefinition, type StepRun } from './steps';
export {
  actorOf,
  encodeCursor,
  type Actor,
  TicketService,
  type TicketChange,
  type TicketFilter,
  type TicketListener,
  type TicketPage,
  type TicketRef,
} from './ticket.service';
export { PageInfo, TicketConnection, TicketType } from './ticket.types';
export { BusinessType, TicketStatus, TicketStepKind } from '../../graphql/enums';

/**
 * A ticket as another module's field resolver receives it (`@Root() t: TicketRoot`): a plain type, so
 * that no class of this module is read while that module's decorators run (import cycles).
 */
export type TicketRoot = Readonly<TicketType>;
