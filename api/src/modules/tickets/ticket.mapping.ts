import { BUSINESSES, STEP_NAMES } from '@kaihu/domain';
import type { Ticket } from './ticket.entity';
import { TicketType } from './ticket.types';

/** The GraphQL view of a ticket. */
export function toTicketType(t: Ticket): TicketType {
  return Object.assign(new TicketType(), {
    id: t.id,
    acceptanceNo: t.acceptanceNo,
    business: t.business,
    businessName: BUSINESSES[t.business]?.name ?? t.business,
    status: t.status,
    steps: t.steps.map((s) => ({ kind: s.kind, done: s.done, title: STEP_NAMES[s.kind] })),
    currentStep: t.currentStep,
    reason: t.reason,
    returnedToStep: t.returnedToStep,
    createdAt: t.createdAt,
    updatedAt: t.updatedAt,
    submittedAt: t.submittedAt,
    customerId: t.customerId,
    brokerId: t.brokerId,
    branchId: t.branchId,
  });
}
