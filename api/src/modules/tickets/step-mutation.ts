import type { KaihuContext } from '../../graphql/context';
import { requireCustomer } from '../auth';
import type { StepDefinition } from './steps';
import { toTicketType } from './ticket.mapping';
import type { TicketType } from './ticket.types';

/** The body of a customer's step mutation: runs the step on their own ticket and answers the ticket. */
export async function runCustomerStep<I, D>(
  { em, services, viewer }: KaihuContext,
  ticketId: string,
  step: StepDefinition<I, D>,
  input: I,
): Promise<TicketType> {
  return toTicketType((await services.tickets.runOwnStep(em, requireCustomer(viewer), ticketId, step, input)).ticket);
}
