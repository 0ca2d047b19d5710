import type { EntityManager } from '@mikro-orm/postgresql';
import type { CounterSystem, SmsGateway } from '@kaihu/plugin-api';
import { ErrorCode, KaihuError } from '../../common/errors';
import { APPROVALS, applyProfileChanges } from './approvals';
import type { Services } from '../../services';
import type { Logger } from '../../common/logger';
import type { AuthService } from '../auth';
import type { Viewer } from '../auth';
import type { BrokerService } from '../brokers';
import type { ProfileService } from '../profiles';
import type { TicketStatus, TicketStepKind } from '@kaihu/domain';
import type { Ticket } from '../tickets';
import { actorOf, type TicketFilter, type TicketPage, type TicketService } from '../tickets';

type Reviewer = Viewer & { staffId: string };

/**
 * 复核: reviewers of the ticket's broker approve (the change goes to the counter and the customer
 * gets an SMS), return to a step with a reason (打回), or reject. A reviewer may not review a
 * ticket they witnessed.
 */
export class ReviewService {
  constructor(
    private readonly deps: {
      tickets: TicketService;
      profiles: ProfileService;
      brokers: BrokerService;
      auth: AuthService;
      counter: CounterSystem;
      sms: SmsGateway;
      /** the server's services, which the approvals call (constructed with this one) */
      services: () => Services;
    },
    private readonly log: Logger | null = null,
  ) {}

  /** The broker's tickets in the given statuses (default SUBMITTED), optionally narrowed. */
  queue(
    em: EntityManager,
    viewer: Reviewer,
    statuses: TicketStatus[] | null,
    first: number,
    after: string | null,
    filter: TicketFilter = {},
  ): Promise<TicketPage> {
    return this.deps.tickets.listForBroker(
      em,
      viewer.brokerId,
      statuses?.length ? statuses : ['SUBMITTED'],
      first,
      after,
      filter,
    );
  }

  /** The staff member who passed the ticket's video witness, if it had one. */
  witnessedBy(ticket: Ticket): string | null {
    const witness = ticket.data.VIDEO_WITNESS as { agentStaffId?: string } | undefined;
    return witness?.agentStaffId ?? null;
  }

  /** The name of the agent who witnessed the ticket, if any. */
  async witnessAgentName(em: EntityManager, ticket: Ticket): Promise<string | null> {
    const id = this.witnessedBy(ticket);
    return id ? ((await this.deps.auth.findStaff(em, id))?.displayName ?? null) : null;
  }

  /**
   * Whether the viewer could approve, return or reject the ticket now: a reviewer of its broker,
   * the ticket waiting for review (SUBMITTED), and not witnessed by the viewer (SAME_PERSON).
   */
  canReview(viewer: Viewer | null, ticket: Ticket): boolean {
    return (
      viewer?.kind === 'STAFF' &&
      !!viewer.staffId &&
      viewer.roles.includes('REVIEWER') &&
      viewer.brokerId === ticket.brokerId &&
      ticket.status === 'SUBMITTED' &&
      this.witnessedBy(ticket) !== viewer.staffId
    );
  }

  /**
   * The customer's name for the reviewer list: staff and partners of the ticket's broker only;
   * null for everybody else.
   */
  async customerName(em: EntityManager, viewer: Viewer | null, ticket: Ticket): Promise<string | null> {
    if (!viewer || (viewer.kind !== 'STAFF' && viewer.kind !== 'PARTNER') || viewer.brokerId !== ticket.brokerId)
      return null;
    const customer = await this.deps.profiles.findCustomer(em, ticket.customerId);
    // a prospect's application: the name they gave (the customer exists once the account is open)
    if (!customer) return this.deps.services().opening.applicantName(em, ticket);
    if (this.deps.profiles.visibility(viewer, customer) === 'NONE') return null;
    return (await this.deps.profiles.counterProfile(em, customer)).name;
  }

  private async reviewable(em: EntityManager, viewer: Reviewer, ticketId: string): Promise<Ticket> {
    const ticket = await this.deps.tickets.get(em, viewer, ticketId);
    if (this.witnessedBy(ticket) === viewer.staffId) throw new KaihuError(ErrorCode.SAME_PERSON);
    if (ticket.status !== 'SUBMITTED') throw new KaihuError(ErrorCode.TICKET_CLOSED, '该业务不在待复核状态');
    return ticket;
  }

  /**
   * Does at the counter what the business's approval does (review/approvals.ts), closes the ticket
   * APPROVED and sends the SMS. When the counter fails, nothing changes here: the ticket stays
   * SUBMITTED (COUNTER_UNAVAILABLE) and the reviewer may approve again — the counter's operations
   * are idempotent per acceptance number, so a retry cannot open or change anything twice.
   */
  async approve(em: EntityManager, viewer: Reviewer, ticketId: string, note: string | null): Promise<Ticket> {
    const ticket = await this.reviewable(em, viewer, ticketId);
    const broker = await this.deps.brokers.findById(em, ticket.brokerId);
    if (!broker) throw new KaihuError(ErrorCode.NOT_FOUND);
    const approval = APPROVALS[ticket.business] ?? applyProfileChanges;
    let result;
    try {
      result = await approval({ em, ticket, broker, services: this.deps.services() });
    } catch (e) {
      em.clear();
      if (e instanceof KaihuError) throw e;
      this.log?.error({ err: e, ticketId }, 'counter failed during an approval');
      throw new KaihuError(ErrorCode.COUNTER_UNAVAILABLE, undefined, { retryable: true });
    }
    const done = await this.deps.tickets.review(em, ticket, actorOf(viewer), { status: 'APPROVED' });
    if (note) this.deps.tickets.event(em, done, actorOf(viewer), 'REVIEW_NOTE', null, null, { note });
    await em.flush();
    await this.deps.sms.send({ ...result.message, brokerCode: broker.code });
    if (result.after)
      await result
        .after(em.fork())
        .catch((err: unknown) => this.log?.warn({ err, ticketId }, 'after an approval: left to the next poll'));
    return done;
  }

  /** 打回: the customer redoes `step` (and what follows) and submits again. */
  async returnTo(
    em: EntityManager,
    viewer: Reviewer,
    ticketId: string,
    step: TicketStepKind,
    reason: string,
  ): Promise<Ticket> {
    const text = requireReason(reason);
    const ticket = await this.reviewable(em, viewer, ticketId);
    return this.deps.tickets.review(em, ticket, actorOf(viewer), { status: 'RETURNED', step, reason: text });
  }

  async reject(em: EntityManager, viewer: Reviewer, ticketId: string, reason: string): Promise<Ticket> {
    const text = requireReason(reason);
    const ticket = await this.reviewable(em, viewer, ticketId);
    return this.deps.tickets.review(em, ticket, actorOf(viewer), { status: 'REJECTED', reason: text });
  }
}

function requireReason(reason: string): string {
  const text = (reason ?? '').trim();
  if (!text)
    throw new KaihuError(ErrorCode.BAD_USER_INPUT, '请填写原因，客户将看到该原因', {
      fields: [{ field: 'reason', message: '请填写原因' }],
    });
  if (text.length > 500) throw new KaihuError(ErrorCode.BAD_USER_INPUT, '原因不能超过500字');
  return text;
}
