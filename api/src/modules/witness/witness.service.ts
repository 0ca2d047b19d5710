import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from '../../common/clock';
import { ErrorCode, KaihuError } from '../../common/errors';
import { TOPICS, type EventBus } from '../../common/pubsub';
import type { AuthService } from '../auth/auth.service';
import type { Viewer } from '../auth/viewer';
import type { BrokerService } from '../brokers/broker.service';
import { STEP_NAMES, type TicketStepKind } from '../tickets/flows';
import type { Ticket } from '../tickets/ticket.entity';
import { actorOf, type TicketService } from '../tickets/ticket.service';
import { ACTIVE_STATES, QueueEntry, WitnessSession } from './witness.entity';

/** What the agent confirms during the witness (the reference's checks). */
export const CHECKLIST = {
  IDENTITY_MATCHES_ID_CARD: '本人与身份证照片一致',
  ID_CARD_SHOWN: '客户已向镜头出示身份证原件',
  AGENT_IDENTIFIED: '坐席已出示姓名及从业资格号',
  RISKS_EXPLAINED: '客户已知晓相关开户知识及风险',
} as const;
export type ChecklistItem = keyof typeof CHECKLIST;

/** Used when a branch has no finished witness yet. */
export const DEFAULT_WITNESS_SECONDS = 180;

export interface QueueView {
  entry: QueueEntry;
  position: number;
  waiting: number;
  estimatedWaitSeconds: number;
}

type Agent = Viewer & { staffId: string };

/**
 * The video-witness queue of each branch and the witness sessions: customers join at the
 * VIDEO_WITNESS step, agents of the broker claim the head (SELECT … FOR UPDATE SKIP LOCKED, so two
 * agents never get the same customer), and complete with PASSED or RETURNED (打回 to a step).
 * Every change is published on the event bus for the live queue and positions.
 */
export class WitnessService {
  constructor(
    private readonly clock: Clock,
    private readonly bus: EventBus,
    private readonly deps: { tickets: TicketService; brokers: BrokerService; auth: AuthService },
  ) {}

  private changed(branchId: string): void {
    this.bus.publish(TOPICS.QUEUE_CHANGED, branchId, { branchId });
  }

  /** Joins the branch queue at the ticket's VIDEO_WITNESS step (in service hours); joining twice returns the same entry. */
  async join(em: EntityManager, viewer: Viewer & { customerId: string }, ticketId: string): Promise<QueueEntry> {
    const ticket = await this.deps.tickets.getOwn(em, viewer, ticketId);
    const active = await this.activeEntry(em, ticket.id);
    if (active) return active;
    this.deps.tickets.assertAtStep(ticket, 'VIDEO_WITNESS');
    await this.deps.brokers.assertInServiceHours(em, ticket.brokerId);
    const now = this.clock.now();
    // FIFO: after everyone already waiting, even when the clock reads the same millisecond
    const last = await em.findOne(QueueEntry, { branchId: ticket.branchId, state: 'WAITING' }, { orderBy: { sortKey: 'desc' }, fields: ['sortKey'], disableIdentityMap: true });
    const entry = em.create(QueueEntry, {
      ticketId: ticket.id,
      customerId: ticket.customerId,
      brokerId: ticket.brokerId,
      branchId: ticket.branchId,
      state: 'WAITING',
      sortKey: Math.max(now.getTime(), (last?.sortKey ?? 0) + 0.001),
      enqueuedAt: now,
    });
    this.deps.tickets.event(em, ticket, actorOf(viewer), 'QUEUE_JOINED', 'VIDEO_WITNESS', null, { entryId: entry.id });
    await em.flush();
    this.changed(entry.branchId);
    return entry;
  }

  async leave(em: EntityManager, viewer: Viewer & { customerId: string }, ticketId: string): Promise<boolean> {
    const ticket = await this.deps.tickets.getOwn(em, viewer, ticketId);
    const n = await em.nativeUpdate(QueueEntry, { ticketId: ticket.id, state: 'WAITING' }, { state: 'LEFT', leftAt: this.clock.now() });
    if (n) this.changed(ticket.branchId);
    return n > 0;
  }

  activeEntry(em: EntityManager, ticketId: string): Promise<QueueEntry | null> {
    return em.findOne(QueueEntry, { ticketId, state: { $in: [...ACTIVE_STATES] } }, { disableIdentityMap: true });
  }

  latestEntry(em: EntityManager, ticketId: string): Promise<QueueEntry | null> {
    return em.findOne(QueueEntry, { ticketId }, { orderBy: { enqueuedAt: 'desc' }, disableIdentityMap: true });
  }

  /** Position (1 = next, counting the customer), how many wait, and the estimated wait. */
  async view(em: EntityManager, entry: QueueEntry): Promise<QueueView> {
    const waiting = await em.count(QueueEntry, { branchId: entry.branchId, state: 'WAITING' });
    const ahead =
      entry.state === 'WAITING'
        ? await em.count(QueueEntry, {
            branchId: entry.branchId,
            state: 'WAITING',
            $or: [{ sortKey: { $lt: entry.sortKey } }, { sortKey: entry.sortKey, id: { $lt: entry.id } }],
          })
        : 0;
    const position = entry.state === 'WAITING' ? ahead + 1 : 0;
    const seconds = await this.averageWitnessSeconds(em, entry.branchId);
    const agents = Math.max(1, await this.deps.auth.activeAgents(em, entry.brokerId, entry.branchId));
    return { entry, position, waiting, estimatedWaitSeconds: position ? Math.round(Math.ceil(position / agents) * seconds) : 0 };
  }

  /** The mean length of the branch's last 20 finished witnesses. */
  async averageWitnessSeconds(em: EntityManager, branchId: string): Promise<number> {
    const recent = await em.find(
      WitnessSession,
      { branchId, endedAt: { $ne: null }, outcome: { $in: ['PASSED', 'RETURNED'] } },
      { orderBy: { endedAt: 'desc' }, limit: 20, fields: ['startedAt', 'endedAt'] },
    );
    if (!recent.length) return DEFAULT_WITNESS_SECONDS;
    return recent.reduce((s, w) => s + (w.endedAt!.getTime() - w.startedAt.getTime()) / 1000, 0) / recent.length;
  }

  /** The branch's waiting customers in order (agents of the broker only). */
  async branchQueue(em: EntityManager, viewer: Viewer, branchId: string): Promise<{ branchId: string; entries: QueueEntry[] }> {
    await this.agentBranch(em, viewer, branchId);
    const entries = await em.find(QueueEntry, { branchId, state: 'WAITING' }, { orderBy: [{ sortKey: 'asc' }, { id: 'asc' }], disableIdentityMap: true });
    return { branchId, entries };
  }

  private async agentBranch(em: EntityManager, viewer: Viewer | null, branchId: string): Promise<void> {
    if (viewer?.kind !== 'STAFF' || !viewer.roles.some((r) => r === 'AGENT' || r === 'BROKER_ADMIN')) {
      throw new KaihuError(ErrorCode.FORBIDDEN, '仅限本公司见证坐席');
    }
    const branch = /^[0-9a-f-]{36}$/i.test(branchId) ? await this.deps.brokers.findBranch(em, viewer.brokerId, { id: branchId }) : null;
    if (!branch) throw new KaihuError(ErrorCode.FORBIDDEN, '无权查看其他期货公司的营业部队列');
  }

  /**
   * 接通下一位: takes the head of the queue. The row is locked with SKIP LOCKED, so concurrent
   * claims get different customers; `null` when nobody waits.
   */
  async claimNext(em: EntityManager, viewer: Agent, branchId: string): Promise<WitnessSession | null> {
    await this.agentBranch(em, viewer, branchId);
    if (!viewer.roles.includes('AGENT')) throw new KaihuError(ErrorCode.FORBIDDEN, '仅限见证坐席接通客户');
    const now = this.clock.now();
    const session = await em.transactional(async (tx) => {
      const rows = (await tx.getConnection().execute(
        `select id from witness_queue_entries where branch_id = ? and state = 'WAITING' order by sort_key, id limit 1 for update skip locked`,
        [branchId],
        'all',
        tx.getTransactionContext(),
      )) as { id: string }[];
      if (!rows[0]) return null;
      const entry = await tx.findOneOrFail(QueueEntry, { id: rows[0].id });
      const s = tx.create(WitnessSession, { ticketId: entry.ticketId, entryId: entry.id, agentStaffId: viewer.staffId, brokerId: entry.brokerId, branchId, startedAt: now });
      entry.state = 'CALLED';
      entry.sessionId = s.id;
      return s;
    });
    if (session) {
      const ticket = await this.deps.tickets.get(em, viewer, session.ticketId);
      this.deps.tickets.event(em, ticket, actorOf(viewer), 'WITNESS_CALLED', 'VIDEO_WITNESS', null, { sessionId: session.id });
      await em.flush();
      this.changed(branchId);
    }
    return session;
  }

  async session(em: EntityManager, viewer: Viewer | null, id: string): Promise<WitnessSession> {
    const s = /^[0-9a-f-]{36}$/i.test(id) ? await em.findOne(WitnessSession, { id }) : null;
    const mine = s && viewer && (viewer.kind === 'STAFF' ? viewer.brokerId === s.brokerId : (await this.deps.tickets.get(em, viewer, s.ticketId).catch(() => null)) !== null);
    if (!s || !mine) throw new KaihuError(ErrorCode.NOT_FOUND, '见证会话不存在');
    return s;
  }

  /**
   * Ends the witness. PASSED completes VIDEO_WITNESS (recording the agent, for SAME_PERSON);
   * RETURNED sends the ticket back to `returnToStep` with the reason the customer sees.
   */
  async complete(
    em: EntityManager,
    viewer: Agent,
    sessionId: string,
    input: { outcome: 'PASSED' | 'RETURNED'; returnToStep?: TicketStepKind | null; reason?: string | null; checklist: string[] },
  ): Promise<WitnessSession> {
    const s = await this.session(em, viewer, sessionId);
    if (s.agentStaffId !== viewer.staffId) throw new KaihuError(ErrorCode.FORBIDDEN, '只能结束本人接通的见证');
    if (s.endedAt) throw new KaihuError(ErrorCode.TICKET_CLOSED, '该见证已结束');
    const unknown = input.checklist.filter((c) => !(c in CHECKLIST));
    if (unknown.length) throw new KaihuError(ErrorCode.BAD_USER_INPUT, `未知的核对项：${unknown.join('、')}`, { allowed: Object.keys(CHECKLIST) });
    const ticket: Ticket = await this.deps.tickets.get(em, viewer, s.ticketId);
    const now = this.clock.now();
    if (input.outcome === 'PASSED') {
      const missing = (Object.keys(CHECKLIST) as ChecklistItem[]).filter((c) => !input.checklist.includes(c));
      if (missing.length) throw new KaihuError(ErrorCode.BAD_USER_INPUT, `通过前请完成全部核对项：${missing.map((m) => CHECKLIST[m]).join('、')}`, { missing });
      await this.deps.tickets.completeStep(em, ticket, 'VIDEO_WITNESS', { outcome: 'PASSED', sessionId: s.id, agentStaffId: s.agentStaffId, checklist: input.checklist }, actorOf(viewer));
    } else {
      const reason = (input.reason ?? '').trim();
      if (!input.returnToStep || !reason) throw new KaihuError(ErrorCode.BAD_USER_INPUT, '打回时请选择需要重新填写的步骤并填写原因');
      const i = ticket.steps.findIndex((x) => x.kind === input.returnToStep);
      const here = ticket.steps.findIndex((x) => x.kind === 'VIDEO_WITNESS');
      if (i < 0 || i >= here) throw new KaihuError(ErrorCode.BAD_USER_INPUT, `只能打回到视频见证之前的步骤，不能打回到“${STEP_NAMES[input.returnToStep] ?? input.returnToStep}”`);
      await this.deps.tickets.returnFromWitness(em, ticket, actorOf(viewer), input.returnToStep, reason);
    }
    s.endedAt = now;
    s.outcome = input.outcome;
    s.returnToStep = input.returnToStep ?? null;
    s.reason = input.reason ?? null;
    s.checklist = [...input.checklist];
    await em.nativeUpdate(QueueEntry, { id: s.entryId }, { state: 'DONE' });
    await em.flush();
    this.changed(s.branchId);
    return s;
  }
}
