import type { EntityManager } from '@mikro-orm/postgresql';
import type { CounterSystem, SmsGateway } from '@kaihu/plugin-api';
import { ErrorCode, KaihuError } from '../../common/errors';
import { APPROVALS, approvedMessage } from './approvals';
import type { AuthService } from '../auth';
import type { Viewer } from '../auth';
import type { BrokerService } from '../brokers';
import type { ProfileService } from '../profiles';
import { BUSINESSES as FLOWS, type TicketStatus, type TicketStepKind } from '@kaihu/domain';
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
    },
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
    if (!customer || this.deps.profiles.visibility(viewer, customer) === 'NONE') return null;
    return (await this.deps.profiles.counterProfile(em, customer)).name;
  }

  private async reviewable(em: EntityManager, viewer: Reviewer, ticketId: string): Promise<Ticket> {
    const ticket = await this.deps.tickets.get(em, viewer, ticketId);
    if (this.witnessedBy(ticket) === viewer.staffId) throw new KaihuError(ErrorCode.SAME_PERSON);
    if (ticket.status !== 'SUBMITTED') throw new KaihuError(ErrorCode.TICKET_CLOSED, '该业务不在待复核状态');
    return ticket;
  }

  /** Applies the change through the CounterSystem, sends the SMS, and closes the ticket APPROVED. */
  async approve(em: EntityManager, viewer: Reviewer, ticketId: string, note: string | null): Promise<Ticket> {
    const ticket = await this.reviewable(em, viewer, ticketId);
    const customer = await this.deps.profiles.findCustomer(em, ticket.customerId);
    const broker = await this.deps.brokers.findById(em, ticket.brokerId);
    if (!customer || !broker) throw new KaihuError(ErrorCode.NOT_FOUND);
    const business = FLOWS[ticket.business].name;
    const changes = this.deps.tickets.steps.profileChanges(ticket);
    const current = (await this.deps.profiles.counterProfile(em, customer)) as unknown as Record<string, unknown>;
    // keep what the fields were, so the diff stays readable after the counter changed
    ticket.data = {
      ...ticket.data,
      PROFILE_BEFORE: Object.fromEntries(Object.keys(changes).map((k) => [k, current[k] ?? null])),
    };
    if (Object.keys(changes).length) {
      await this.deps.counter.applyChange(broker.code, customer.idNumber, {
        acceptanceNo: ticket.acceptanceNo,
        business: ticket.business,
        changes,
      });
    }
    const profile = await this.deps.profiles.counterProfile(em, customer);
    const context = {
      em,
      ticket,
      broker,
      customer: { idNumber: customer.idNumber, accountType: customer.accountType, profile },
      counter: this.deps.counter,
    };
    const approval = APPROVALS[ticket.business];
    const message = approval ? await approval(context) : approvedMessage(context, business);
    const done = await this.deps.tickets.review(em, ticket, actorOf(viewer), { status: 'APPROVED' });
    if (note) this.deps.tickets.event(em, done, actorOf(viewer), 'REVIEW_NOTE', null, null, { note });
    await em.flush();
    await this.deps.sms.send({ to: profile.mobile, ...message, brokerCode: broker.code });
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
