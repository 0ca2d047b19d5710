/**
 * Which ticket-trail events (TicketService.event's `action`) become partner events:
 *
 * | ticket action | step | partner events |
 * |---|---|---|
 * | STARTED | — | TICKET_STATUS_CHANGED (→ IN_PROGRESS) |
 * | SUBMITTED, CANCELLED | — | TICKET_STATUS_CHANGED |
 * | STEP_COMPLETED | VIDEO_WITNESS | WITNESS_COMPLETED { outcome: PASSED } (status unchanged) |
 * | RETURNED, before.status ≠ SUBMITTED (the witness agent's 打回) | the step returned to | WITNESS_COMPLETED { outcome: RETURNED }, TICKET_STATUS_CHANGED |
 * | RETURNED, before.status = SUBMITTED (复核 打回) | the step returned to | REVIEW_COMPLETED { outcome: RETURNED }, TICKET_STATUS_CHANGED |
 * | APPROVED, REJECTED | — | REVIEW_COMPLETED { outcome }, TICKET_STATUS_CHANGED |
 * | ACCOUNT_OPENED (开立期货账户 approved) | — | ACCOUNT_OPENED { accountNo } |
 * | TRADING_CODE_ASSIGNED, TRADING_CODE_REFUSED | — | TRADING_CODE_ANSWERED { exchange, status, code } |
 *
 * Everything else (other steps, queue joins, documents, notes, witness calls that end without an
 * outcome) stays in the ticket's own trail only. Payloads carry ids and codes (the 资金账号 and
 * 交易编码 are the broker's identifiers of the account), never personal data or free text (the
 * reasons stay in the ticket).
 */
export const PARTNER_EVENT_TYPES = [
  'TICKET_STATUS_CHANGED',
  'WITNESS_COMPLETED',
  'REVIEW_COMPLETED',
  'ACCOUNT_OPENED',
  'TRADING_CODE_ANSWERED',
] as const;
export type PartnerEventTypeValue = (typeof PARTNER_EVENT_TYPES)[number];

export interface TicketChange {
  action: string;
  step: string | null;
  before: unknown;
  after: unknown;
  /** the ticket's status after the change */
  status: string;
  actorKind: string;
}

export interface MappedEvent {
  type: PartnerEventTypeValue;
  payload: Record<string, unknown>;
}

const STATUS_ACTIONS = new Set(['STARTED', 'SUBMITTED', 'CANCELLED', 'RETURNED', 'APPROVED', 'REJECTED']);

function field(v: unknown, key: string): unknown {
  return v && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined;
}

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

export function partnerEventsFor(change: TicketChange): MappedEvent[] {
  const out: MappedEvent[] = [];
  const { action, step, before, after, status, actorKind } = change;
  const beforeStatus = str(field(before, 'status'));
  if (action === 'STEP_COMPLETED' && step === 'VIDEO_WITNESS') {
    out.push({ type: 'WITNESS_COMPLETED', payload: { outcome: 'PASSED', sessionId: str(field(after, 'sessionId')) } });
  }
  if (action === 'RETURNED') {
    const kind = beforeStatus === 'SUBMITTED' ? 'REVIEW_COMPLETED' : 'WITNESS_COMPLETED';
    out.push({ type: kind, payload: { outcome: 'RETURNED', returnedToStep: step } });
  }
  if (action === 'APPROVED' || action === 'REJECTED') {
    out.push({ type: 'REVIEW_COMPLETED', payload: { outcome: action } });
  }
  if (action === 'ACCOUNT_OPENED')
    out.push({ type: 'ACCOUNT_OPENED', payload: { accountNo: str(field(after, 'accountNo')) } });
  if (action === 'TRADING_CODE_ASSIGNED' || action === 'TRADING_CODE_REFUSED')
    out.push({
      type: 'TRADING_CODE_ANSWERED',
      payload: {
        exchange: str(field(after, 'exchange')),
        status: action === 'TRADING_CODE_ASSIGNED' ? 'ASSIGNED' : 'REFUSED',
        code: str(field(after, 'code')),
      },
    });
  if (STATUS_ACTIONS.has(action)) {
    out.push({
      type: 'TICKET_STATUS_CHANGED',
      payload: { from: action === 'STARTED' ? null : beforeStatus, to: status, action, actorKind },
    });
  }
  return out;
}
