import { randomInt } from 'node:crypto';
import { LockMode, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from '../../common/clock';
import { ErrorCode, KaihuError } from '../../common/errors';
import { chinaToday } from '@kaihu/domain';
import type { Applicant, Viewer } from '../auth';
import type { BrokerService } from '../brokers';
import type { ProfileService } from '../profiles';
import type { Services } from '../../services';
import { afterCommit } from '../../common/unit-of-work';
import {
  BUSINESSES,
  EDITABLE_STATUSES as EDITABLE,
  OPEN_STATUSES,
  STATUS_PHRASES,
  STEP_NAMES,
  type BusinessInfo,
  type BusinessType,
  type TicketStatus,
  type TicketStepKind,
} from '@kaihu/domain';
import { currentStepOf, initialSteps, withCertificateSteps, type StepState } from './flows';
import type { StepDefinition, StepRegistry } from './steps';
import { TicketEvent } from './ticket-event.entity';
import { Ticket } from './ticket.entity';

export interface Actor {
  kind: 'CUSTOMER' | 'PROSPECT' | 'STAFF' | 'PARTNER' | 'SYSTEM';
  id: string | null;
}

export function actorOf(viewer: Viewer | null): Actor {
  return viewer ? { kind: viewer.kind, id: viewer.id } : { kind: 'SYSTEM', id: null };
}

/** What other modules know of a ticket when it changes. */
export interface TicketRef {
  id: string;
  brokerId: string;
  business: string;
  status: string;
}

/** One entry of the ticket's event trail as listeners see it. */
export interface TicketChange {
  action: string;
  step: string | null;
  before: unknown;
  after: unknown;
  actorKind: Actor['kind'];
}

/**
 * A module that reacts to tickets (the partners module's events and webhooks, the live
 * `ticketUpdated`): handed to the service at construction, never patched on afterwards.
 */
export interface TicketListener {
  /** An event is appended to the trail, before the flush that stores it: rows added to `em` are stored with it. */
  eventAppended?(em: EntityManager, ticket: TicketRef, change: TicketChange): void;
  /** A change of the ticket has been committed. */
  committed?(ticket: TicketRef): void;
}

/** Narrows a broker's ticket list; every part optional. */
export interface TicketFilter {
  business?: BusinessType | null;
  branchId?: string | null;
  /** submitted at or before this instant (how long it has waited) */
  submittedBefore?: Date | null;
}

export interface TicketPage {
  tickets: Ticket[];
  totalCount: number;
  hasNextPage: boolean;
}

/** Tickets (受理单): start, walk the steps, go back, cancel; every change leaves an event. */
export class TicketService {
  constructor(
    private readonly clock: Clock,
    private readonly deps: { brokers: BrokerService; profiles: ProfileService },
    private readonly options: {
      steps: StepRegistry;
      listeners: readonly TicketListener[];
      /** the server's services, which the step definitions call (constructed after this one) */
      services: () => Services;
      /** the businesses' flows (tests add a test-only one); @kaihu/domain's by default */
      flows?: Record<string, BusinessInfo>;
    },
  ) {}

  get steps(): StepRegistry {
    return this.options.steps;
  }

  flow(business: string): BusinessInfo {
    const flow = this.options.flows?.[business] ?? BUSINESSES[business as BusinessType];
    if (!flow) throw new KaihuError(ErrorCode.BAD_USER_INPUT, `未知的业务类型“${business}”`);
    return flow;
  }

  /**
   * Starts a business, or resumes the customer's open ticket of the same business. Refused for a
   * business of people who are not customers yet (ALREADY_CUSTOMER), when the business is not
   * offered (BUSINESS_NOT_AVAILABLE), outside service hours
   * (OUTSIDE_SERVICE_HOURS), or — for anything but UPDATE_ID_VALIDITY — when the ID has expired.
   */
  async start(em: EntityManager, viewer: Viewer & { customerId: string }, business: BusinessType): Promise<Ticket> {
    const open = await em.findOne(
      Ticket,
      { customerId: viewer.customerId, business, status: { $in: [...OPEN_STATUSES] } },
      { orderBy: { createdAt: 'desc' } },
    );
    if (open) return open;
    if (this.flow(business).prospect)
      // 开立期货账户 is for people who are not customers yet: a customer is one already
      throw new KaihuError(ErrorCode.ALREADY_CUSTOMER, undefined, {
        links: [
          { title: '我的基本资料', path: '/profile' },
          { title: '增开交易编码', path: '/start/ADD_TRADING_CODE' },
        ],
      });
    const customer = await this.deps.profiles.findCustomer(em, viewer.customerId);
    if (!customer) throw new KaihuError(ErrorCode.UNAUTHENTICATED);
    const broker = await this.deps.brokers.findById(em, customer.brokerId);
    if (!broker || !this.deps.brokers.offers(broker, business, this.flow(business))) {
      throw new KaihuError(ErrorCode.BUSINESS_NOT_AVAILABLE, `“${this.flow(business).name}”业务暂未开通，敬请期待`);
    }
    await this.deps.brokers.assertInServiceHours(em, customer.brokerId);
    if (business !== 'UPDATE_ID_VALIDITY') {
      const profile = await this.deps.profiles.counterProfile(em, customer);
      if (profile.idValidTo !== null && profile.idValidTo < chinaToday(this.clock.now())) {
        throw new KaihuError(
          ErrorCode.ID_EXPIRED,
          `您的身份证已于${profile.idValidTo}过期，请先办理“修改身份证有效期”业务`,
        );
      }
    }
    return this.create(em, viewer, {
      business,
      applicantId: customer.id,
      brokerId: customer.brokerId,
      branchId: customer.branchId,
    });
  }

  /**
   * 开立期货账户 for a prospect (开户申请人) at a branch of their broker, or their open ticket of the
   * business (one per mobile). Refused when the broker does not offer it (BUSINESS_NOT_AVAILABLE),
   * for a branch of another broker (NOT_FOUND), outside service hours (OUTSIDE_SERVICE_HOURS).
   */
  async startForProspect(
    em: EntityManager,
    viewer: Applicant & { prospectId: string },
    input: { business: BusinessType; branchId: string; referrer: string | null },
  ): Promise<Ticket> {
    const open = await em.findOne(
      Ticket,
      { customerId: viewer.applicantId, business: input.business, status: { $in: [...OPEN_STATUSES] } },
      { orderBy: { createdAt: 'desc' } },
    );
    if (open) return open;
    const broker = await this.deps.brokers.findById(em, viewer.brokerId);
    const flow = this.flow(input.business);
    if (!broker || !flow.prospect || !this.deps.brokers.offers(broker, input.business, flow))
      throw new KaihuError(ErrorCode.BUSINESS_NOT_AVAILABLE, `“${flow.name}”业务暂未开通，敬请期待`);
    const branch = /^[0-9a-f-]{36}$/i.test(input.branchId)
      ? await this.deps.brokers.findBranch(em, broker.id, { id: input.branchId })
      : null;
    if (!branch)
      throw new KaihuError(ErrorCode.NOT_FOUND, '请选择本公司的营业部', {
        fields: [{ field: 'branchId', message: '请选择营业部' }],
      });
    const referrer = (input.referrer ?? '').trim();
    if (referrer && !/^[A-Za-z0-9_-]{1,20}$/.test(referrer))
      throw new KaihuError(ErrorCode.BAD_USER_INPUT, '推荐人编号为1至20位字母或数字', {
        fields: [{ field: 'referrer', message: '推荐人编号为1至20位字母或数字' }],
      });
    await this.deps.brokers.assertInServiceHours(em, broker.id);
    return this.create(em, viewer, {
      business: input.business,
      applicantId: viewer.applicantId,
      prospectId: viewer.prospectId,
      brokerId: broker.id,
      branchId: branch.id,
      data: referrer ? { REFERRER: referrer } : {},
    });
  }

  /** A new ticket of the applicant: its steps (with what they need first), STARTED, a fresh 受理单号. */
  private async create(
    em: EntityManager,
    viewer: Viewer,
    t: {
      business: BusinessType;
      applicantId: string;
      prospectId?: string;
      brokerId: string;
      branchId: string;
      data?: Record<string, unknown>;
    },
  ): Promise<Ticket> {
    const now = this.clock.now();
    const draft = { steps: initialSteps(this.flow(t.business).steps), customerId: t.applicantId, brokerId: t.brokerId };
    const steps = await this.withNeeds(
      em,
      draft,
      draft.steps.map((s) => s.kind),
    );
    for (let attempt = 0; ; attempt++) {
      const ticket = em.create(Ticket, {
        acceptanceNo: newAcceptanceNo(now),
        business: t.business,
        status: 'IN_PROGRESS',
        customerId: t.applicantId,
        prospectId: t.prospectId ?? null,
        brokerId: t.brokerId,
        branchId: t.branchId,
        steps,
        currentStep: currentStepOf(steps),
        stepEnteredAt: now,
        data: t.data ?? {},
        createdAt: now,
        updatedAt: now,
      });
      this.event(em, ticket, actorOf(viewer), 'STARTED', null, null, {
        business: t.business,
        acceptanceNo: ticket.acceptanceNo,
      });
      try {
        await this.flushAndAnnounce(em, ticket);
        return ticket;
      } catch (e) {
        em.clear();
        if (!(e instanceof UniqueConstraintViolationException) || attempt >= 3) throw e;
        // another ticket got the same number (or the same business was started twice at once)
        const raced = await em.findOne(Ticket, {
          customerId: t.applicantId,
          business: t.business,
          status: { $in: [...OPEN_STATUSES] },
        });
        if (raced) return raced;
      }
    }
  }

  /** A ticket the viewer may see: its customer, or staff and partners of its broker. */
  async get(em: EntityManager, viewer: Viewer | null, id: string): Promise<Ticket> {
    const ticket = /^[0-9a-f-]{36}$/i.test(id) ? await em.findOne(Ticket, { id }) : null;
    if (!ticket || !viewer || !this.canSee(viewer, ticket)) throw new KaihuError(ErrorCode.NOT_FOUND, '受理单不存在');
    return ticket;
  }

  /** A ticket for the system's own actions (grace periods, timeouts): no viewer to check. */
  /** A ticket for the system's own work; `lock`: its row locked until the transaction `em` belongs to ends. */
  async getForSystem(em: EntityManager, id: string, opts: { lock?: boolean } = {}): Promise<Ticket> {
    return em.findOneOrFail(Ticket, { id }, opts.lock ? { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true } : {});
  }

  /** Tickets by id that the viewer may see (others are left out), in no particular order. */
  async getMany(em: EntityManager, viewer: Viewer, ids: string[]): Promise<Ticket[]> {
    if (!ids.length) return [];
    const found = await em.find(Ticket, { id: { $in: ids } });
    return found.filter((t) => this.canSee(viewer, t));
  }

  /** Another open application of the broker for this ID number (one at a time, whatever the mobile). */
  async otherOpenApplication(em: EntityManager, ticket: Ticket, idNumber: string): Promise<Ticket | null> {
    return em.findOne(Ticket, {
      brokerId: ticket.brokerId,
      applicantIdNumber: idNumber,
      status: { $in: [...OPEN_STATUSES] },
      id: { $ne: ticket.id },
    });
  }

  /** Its applicant (customer or prospect), or staff and partners of its broker. */
  canSee(viewer: Viewer, ticket: Ticket): boolean {
    if (viewer.kind === 'CUSTOMER' || viewer.kind === 'PROSPECT')
      return !!viewer.applicantId && viewer.applicantId === ticket.customerId;
    return viewer.brokerId === ticket.brokerId;
  }

  /** The applicant's own ticket, for changes (partners act through the applicant's session). */
  async getOwn(em: EntityManager, viewer: Applicant, id: string): Promise<Ticket> {
    const ticket = await this.get(em, viewer, id);
    if (ticket.customerId !== viewer.applicantId) throw new KaihuError(ErrorCode.NOT_FOUND, '受理单不存在');
    return ticket;
  }

  /** Refuses unless the ticket is open for the customer and at `step` (STEP_NOT_ALLOWED). */
  assertAtStep(ticket: Ticket, step: TicketStepKind): void {
    if (!EDITABLE.includes(ticket.status))
      throw new KaihuError(ErrorCode.TICKET_CLOSED, `该业务${statusText(ticket.status)}，不能再修改`);
    if (ticket.currentStep !== step) {
      throw new KaihuError(
        ErrorCode.STEP_NOT_ALLOWED,
        `当前应办理“${STEP_NAMES[ticket.currentStep]}”，不能办理“${STEP_NAMES[step]}”`,
        {
          currentStep: ticket.currentStep,
        },
      );
    }
  }

  /**
   * Runs a step: refuses unless the ticket is open and at it, lets its definition check the input
   * and say what to store, stores it, moves on (inserting what the next step needs first), appends
   * one event and flushes once. Every step of every business goes through here.
   */
  async runStep<I, D>(
    em: EntityManager,
    viewer: Viewer,
    ticket: Ticket,
    definition: StepDefinition<I, D>,
    input: I,
  ): Promise<{ ticket: Ticket; data: D }> {
    definition.precondition?.(ticket);
    this.assertAtStep(ticket, definition.kind);
    const data = await definition.collect({
      em,
      viewer,
      ticket,
      input,
      services: this.requireServices(),
      clock: this.clock,
    });
    return { ticket: await this.completeStep(em, ticket, definition.kind, data, actorOf(viewer)), data };
  }

  /** {@link runStep} on the customer's own ticket by id (the customer-facing steps' mutations). */
  async runOwnStep<I, D>(
    em: EntityManager,
    viewer: Applicant,
    ticketId: string,
    definition: StepDefinition<I, D>,
    input: I,
  ): Promise<{ ticket: Ticket; data: D }> {
    return this.runStep(em, viewer, await this.getOwn(em, viewer, ticketId), definition, input);
  }

  /**
   * Marks the current step done with its data and moves to the next one: what {@link runStep}
   * stores. Modules complete steps through runStep; tests call this to skip steps they do not test.
   */
  async completeStep(
    em: EntityManager,
    ticket: Ticket,
    step: TicketStepKind,
    data: unknown,
    actor: Actor,
  ): Promise<Ticket> {
    this.assertAtStep(ticket, step);
    const before = ticket.data[step] ?? null;
    ticket.steps = ticket.steps.map((s) => (s.kind === step ? { ...s, done: true } : s));
    if (data !== undefined) ticket.data = { ...ticket.data, [step]: data };
    ticket.steps = await this.withNeeds(em, ticket, [currentStepOf(ticket.steps)]);
    ticket.currentStep = currentStepOf(ticket.steps);
    ticket.updatedAt = ticket.stepEnteredAt = this.clock.now();
    this.event(em, ticket, actor, 'STEP_COMPLETED', step, before, data ?? null);
    await this.flushAndAnnounce(em, ticket);
    return ticket;
  }

  /** The steps with what `kinds` need inserted right before them when missing (see StepDefinition.needs). */
  private async withNeeds(
    em: EntityManager,
    ticket: Pick<Ticket, 'steps' | 'customerId' | 'brokerId'> & { data?: Ticket['data'] },
    kinds: readonly TicketStepKind[],
  ): Promise<StepState[]> {
    let steps = [...ticket.steps];
    for (const kind of kinds) {
      const needs = this.options.steps.get(kind)?.needs;
      if (!needs) continue;
      const wanted = await needs({ em, ticket: ticket as Ticket, services: this.requireServices(), clock: this.clock });
      const missing = wanted.filter((k) => !steps.some((s) => s.kind === k));
      if (!missing.length) continue;
      const i = steps.findIndex((s) => s.kind === kind);
      steps = [...steps.slice(0, i), ...missing.map((k) => ({ kind: k, done: false })), ...steps.slice(i)];
    }
    return steps;
  }

  private requireServices(): Services {
    return this.options.services();
  }

  /**
   * Stores what was added to a ticket outside its steps (a closed ticket's later news: its trading
   * codes) and, once committed, tells the listeners (partners, the live ticket page).
   */
  async announce(em: EntityManager, ticket: Ticket): Promise<void> {
    ticket.updatedAt = this.clock.now();
    await this.flushAndAnnounce(em, ticket);
  }

  /** Flushes the change and, once it is committed, tells the listeners. */
  private async flushAndAnnounce(em: EntityManager, ticket: Ticket): Promise<void> {
    await em.flush();
    // the ticket itself: listeners match it with what eventAppended gave them
    afterCommit(em, () => {
      for (const l of this.options.listeners) l.committed?.(ticket);
    });
  }

  /** 上一步: reopens the previous step, keeping what it collected. */
  async goBack(em: EntityManager, viewer: Applicant, id: string): Promise<Ticket> {
    const ticket = await this.getOwn(em, viewer, id);
    if (!EDITABLE.includes(ticket.status))
      throw new KaihuError(ErrorCode.TICKET_CLOSED, `该业务${statusText(ticket.status)}，不能返回上一步`);
    const i = ticket.steps.findIndex((s) => s.kind === ticket.currentStep);
    if (i <= 0) throw new KaihuError(ErrorCode.STEP_NOT_ALLOWED, '已经是第一步');
    const previous = ticket.steps[i - 1]!.kind;
    if (previous === 'VIDEO_WITNESS' || previous === 'CERTIFICATE') {
      // a passed witness and an issued certificate cannot be undone by the customer
      throw new KaihuError(ErrorCode.STEP_NOT_ALLOWED, `“${STEP_NAMES[previous]}”已完成，不能返回`);
    }
    const from = ticket.currentStep;
    ticket.steps = ticket.steps.map((s, j) => (j === i - 1 ? { ...s, done: false } : s));
    ticket.currentStep = previous;
    ticket.updatedAt = ticket.stepEnteredAt = this.clock.now();
    this.event(em, ticket, actorOf(viewer), 'WENT_BACK', previous, { step: from }, { step: previous });
    await this.flushAndAnnounce(em, ticket);
    return ticket;
  }

  /**
   * 重新申请 a certificate at AGREEMENTS (this browser has none, or the customer forgot its
   * password): a fresh video witness and a new certificate come before the agreements again;
   * a witness and certificate done earlier in the ticket must be done again.
   */
  async reapplyCertificate(em: EntityManager, viewer: Applicant, id: string): Promise<Ticket> {
    const ticket = await this.getOwn(em, viewer, id);
    if (!EDITABLE.includes(ticket.status))
      throw new KaihuError(ErrorCode.TICKET_CLOSED, `该业务${statusText(ticket.status)}，不能重新申请数字证书`);
    if (ticket.currentStep !== 'AGREEMENTS') {
      throw new KaihuError(
        ErrorCode.STEP_NOT_ALLOWED,
        `当前应办理“${STEP_NAMES[ticket.currentStep]}”，只有在“签署协议”时才能重新申请数字证书`,
        {
          currentStep: ticket.currentStep,
        },
      );
    }
    const before = { currentStep: ticket.currentStep, steps: ticket.steps };
    ticket.steps = withCertificateSteps(ticket.steps, { redo: true });
    ticket.currentStep = currentStepOf(ticket.steps);
    ticket.updatedAt = ticket.stepEnteredAt = this.clock.now();
    this.event(em, ticket, actorOf(viewer), 'CERTIFICATE_REAPPLIED', ticket.currentStep, before, {
      currentStep: ticket.currentStep,
      steps: ticket.steps,
    });
    await this.flushAndAnnounce(em, ticket);
    return ticket;
  }

  async cancel(em: EntityManager, viewer: Applicant, id: string): Promise<Ticket> {
    const ticket = await this.getOwn(em, viewer, id);
    if (!EDITABLE.includes(ticket.status))
      throw new KaihuError(ErrorCode.TICKET_CLOSED, `该业务${statusText(ticket.status)}，不能取消`);
    const before = ticket.status;
    ticket.status = 'CANCELLED';
    ticket.updatedAt = this.clock.now();
    this.event(
      em,
      ticket,
      actorOf(viewer),
      'CANCELLED',
      ticket.currentStep,
      { status: before },
      { status: 'CANCELLED' },
    );
    await this.flushAndAnnounce(em, ticket);
    return ticket;
  }

  /** 提交: everything before SUBMITTED is done → SUBMITTED (审核中), within service hours. */
  async submit(em: EntityManager, viewer: Applicant, id: string): Promise<Ticket> {
    const ticket = await this.getOwn(em, viewer, id);
    this.assertAtStep(ticket, 'SUBMITTED');
    await this.deps.brokers.assertInServiceHours(em, ticket.brokerId);
    const before = ticket.status;
    const now = this.clock.now();
    ticket.status = 'SUBMITTED';
    ticket.steps = ticket.steps.map((s) => (s.kind === 'SUBMITTED' ? { ...s, done: true } : s));
    ticket.submittedAt = now;
    ticket.updatedAt = now;
    ticket.reason = null;
    ticket.returnedToStep = null;
    this.event(em, ticket, actorOf(viewer), 'SUBMITTED', 'SUBMITTED', { status: before }, { status: 'SUBMITTED' });
    await this.flushAndAnnounce(em, ticket);
    return ticket;
  }

  /**
   * Review outcomes (复核), applied by the review module after its own checks:
   * APPROVED and REJECTED end the ticket; RETURNED reopens `step` and every step after it.
   */
  async review(
    em: EntityManager,
    ticket: Ticket,
    actor: Actor,
    outcome:
      | { status: 'APPROVED' }
      | { status: 'REJECTED'; reason: string }
      | { status: 'RETURNED'; step: TicketStepKind; reason: string },
  ): Promise<Ticket> {
    if (ticket.status !== 'SUBMITTED')
      throw new KaihuError(ErrorCode.TICKET_CLOSED, `该业务${statusText(ticket.status)}，不在待复核状态`);
    const before = { status: ticket.status, currentStep: ticket.currentStep };
    if (outcome.status === 'RETURNED') this.reopenFrom(ticket, outcome.step);
    ticket.status = outcome.status;
    ticket.reason = outcome.status === 'APPROVED' ? null : outcome.reason;
    ticket.returnedToStep = outcome.status === 'RETURNED' ? outcome.step : null;
    ticket.updatedAt = this.clock.now();
    this.event(em, ticket, actor, outcome.status, outcome.status === 'RETURNED' ? outcome.step : null, before, {
      status: ticket.status,
      currentStep: ticket.currentStep,
      reason: ticket.reason,
    });
    await this.flushAndAnnounce(em, ticket);
    return ticket;
  }

  /** 打回 by the witness agent: back to `step` with the reason the customer sees (RETURNED). */
  async returnFromWitness(
    em: EntityManager,
    ticket: Ticket,
    actor: Actor,
    step: TicketStepKind,
    reason: string,
  ): Promise<Ticket> {
    this.assertAtStep(ticket, 'VIDEO_WITNESS');
    const before = { status: ticket.status, currentStep: ticket.currentStep };
    this.reopenFrom(ticket, step);
    ticket.status = 'RETURNED';
    ticket.reason = reason;
    ticket.returnedToStep = step;
    ticket.updatedAt = this.clock.now();
    this.event(em, ticket, actor, 'RETURNED', step, before, { status: 'RETURNED', currentStep: step, reason });
    await this.flushAndAnnounce(em, ticket);
    return ticket;
  }

  /**
   * 打回 from the witness or the review: `step` and everything after it must be done again —
   * except a passed witness and an issued certificate after it, which stay valid unless the
   * business demands fresh ones (密码重置) or the step returned to is one of them.
   */
  reopenFrom(ticket: Ticket, step: TicketStepKind): void {
    const i = ticket.steps.findIndex((s) => s.kind === step);
    if (i < 0 || step === 'SUBMITTED') {
      throw new KaihuError(ErrorCode.BAD_USER_INPUT, `该业务没有可打回的步骤“${STEP_NAMES[step] ?? step}”`, {
        steps: ticket.steps.map((s) => s.kind),
      });
    }
    const keep = (kind: TicketStepKind) =>
      !this.flow(ticket.business).freshCertificate && (kind === 'VIDEO_WITNESS' || kind === 'CERTIFICATE');
    ticket.steps = ticket.steps.map((s, j) => (j === i || (j > i && !keep(s.kind)) ? { ...s, done: false } : s));
    ticket.currentStep = step;
    ticket.stepEnteredAt = this.clock.now();
  }

  /** Submitted tickets of a broker, oldest first (the review queue). */
  async listForBroker(
    em: EntityManager,
    brokerId: string,
    statuses: TicketStatus[],
    first: number,
    after: string | null,
    filter: TicketFilter = {},
  ): Promise<TicketPage> {
    const where: Record<string, unknown> = { brokerId, status: { $in: statuses } };
    if (filter.business) where.business = filter.business;
    if (filter.branchId) where.branchId = filter.branchId;
    if (filter.submittedBefore) where.submittedAt = { $lte: filter.submittedBefore };
    const totalCount = await em.count(Ticket, where);
    const cursor = after ? decodeCursor(after) : null;
    const page = await em.find(
      Ticket,
      cursor
        ? { ...where, $or: [{ updatedAt: { $gt: cursor.at } }, { updatedAt: cursor.at, id: { $gt: cursor.id } }] }
        : where,
      { orderBy: [{ updatedAt: 'asc' }, { id: 'asc' }], limit: first + 1 },
    );
    return { tickets: page.slice(0, first), totalCount, hasNextPage: page.length > first };
  }

  /** A customer's tickets, newest first, with a cursor. */
  async listForCustomer(
    em: EntityManager,
    customerId: string,
    statuses: TicketStatus[] | null,
    first: number,
    after: string | null,
  ): Promise<TicketPage> {
    const where: Record<string, unknown> = { customerId };
    if (statuses?.length) where.status = { $in: statuses };
    const totalCount = await em.count(Ticket, where);
    const cursor = after ? decodeCursor(after) : null;
    const page = await em.find(
      Ticket,
      cursor
        ? { ...where, $or: [{ createdAt: { $lt: cursor.at } }, { createdAt: cursor.at, id: { $lt: cursor.id } }] }
        : where,
      { orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], limit: first + 1 },
    );
    return { tickets: page.slice(0, first), totalCount, hasNextPage: page.length > first };
  }

  /** Which of `ids` are APPROVED tickets of the customer. */
  async approvedTicketIds(em: EntityManager, customerId: string, ids: string[]): Promise<string[]> {
    if (!ids.length) return [];
    const rows = await em.find(Ticket, { id: { $in: ids }, customerId, status: 'APPROVED' }, { fields: ['id'] });
    return rows.map((t) => t.id);
  }

  async events(em: EntityManager, ticketId: string): Promise<TicketEvent[]> {
    return em.find(TicketEvent, { ticketId }, { orderBy: { id: 'asc' } });
  }

  /** Appends an event (flushed with the ticket change). */
  event(
    em: EntityManager,
    ticket: Ticket,
    actor: Actor,
    action: string,
    step: string | null,
    before: unknown,
    after: unknown,
  ): void {
    em.create(TicketEvent, {
      ticketId: ticket.id,
      actorKind: actor.kind,
      actorId: actor.id,
      action,
      step,
      before,
      after,
      at: this.clock.now(),
    });
    for (const l of this.options.listeners)
      l.eventAppended?.(em, ticket, { action, step, before, after, actorKind: actor.kind });
  }
}

function statusText(status: TicketStatus): string {
  return STATUS_PHRASES[status];
}

/**
 * 受理单号: the date (YYMMDD, China time) and 10 random digits — 16 digits that another customer
 * cannot guess from their own.
 */
export function newAcceptanceNo(now: Date): string {
  const day = chinaToday(now).replace(/-/g, '').slice(2);
  let rest = '';
  for (let i = 0; i < 10; i++) rest += String(randomInt(0, 10));
  return day + rest;
}

export function encodeCursor(t: Pick<Ticket, 'createdAt' | 'id'>, at: Date = t.createdAt): string {
  return Buffer.from(`${at.toISOString()}|${t.id}`).toString('base64url');
}

function decodeCursor(cursor: string): { at: Date; id: string } {
  const [at, id] = Buffer.from(cursor, 'base64url').toString().split('|');
  const date = new Date(at ?? '');
  if (!id || Number.isNaN(date.getTime())) throw new KaihuError(ErrorCode.BAD_USER_INPUT, '分页游标无效');
  return { at: date, id };
}
