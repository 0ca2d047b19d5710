import type { KaihuContext } from '../../graphql/context';
import { requireApplicant } from '../auth';
import type { StepDefinition } from './steps';
import { toTicketType } from './ticket.mapping';
import type { TicketType } from './ticket.types';

/** The body of a customer's or prospect's step mutation: runs the step on their own ticket and answers the ticket. */
export async function runApplicantStep<I, D>(
  { em, services, viewer }: KaihuContext,
  ticketId: string,
  step: StepDefinition<I, D>,
  input: I,
): Promise<TicketType> {
  return toTicketType((await services.tickets.runOwnStep(em, requireApplicant(viewer), ticketId, step, input)).ticket);
}
