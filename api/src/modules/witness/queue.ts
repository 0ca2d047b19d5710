import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from '../../common/clock';
import { ErrorCode, KaihuError } from '../../common/errors';
import type { AuthService, Applicant, Viewer } from '../auth';
import type { BrokerService } from '../brokers';
import { actorOf, type TicketService } from '../tickets';
import type { BranchSnapshot } from './queue-board';
import type { WitnessSignals } from './signals';
import { ACTIVE_STATES, QueueEntry, WitnessSession } from './witness.entity';

/** Used when a branch has no finished witness yet. */
export const DEFAULT_WITNESS_SECONDS = 180;

export interface QueueView {
  entry: QueueEntry;
  position: number;
  waiting: number;
  estimatedWaitSeconds: number;
}

export type Agent = Viewer & { staffId: string };

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Position-based estimate: every agent online takes one customer per witness length. */
export function estimateSeconds(position: number, agents: number, secondsPerWitness: number): number {
  return position > 0 ? Math.round(Math.ceil(position / Math.max(1, agents)) * secondsPerWitness) : 0;
}

/**
 * The video-witness queue of each branch: customers join at the VIDEO_WITNESS step, in order
 * (FIFO); an agent of the broker claims the head (SELECT … FOR UPDATE SKIP LOCKED, so two agents
 * never get the same customer), which opens a witness session.
 */
export class WitnessQueue {
  private readonly brokerOfBranch = new Map<string, string>();

  constructor(
    private readonly clock: Clock,
    private readonly signals: WitnessSignals,
    private readonly deps: { tickets: TicketService; brokers: BrokerService; auth: AuthService },
  ) {}

  /** The branch's queue in one query: the order of the waiting tickets, plus what the estimate needs. */
  async snapshot(em: EntityManager, branchId: string): Promise<BranchSnapshot> {
    const rows = (await em
      .getConnection()
      .execute(
        `select ticket_id from witness_queue_entries where branch_id = ? and state = 'WAITING' order by sort_key, id`,
        [branchId],
        'all',
      )) as { ticket_id: string }[];
    const order = new Map<string, number>();
    rows.forEach((r, i) => order.set(r.ticket_id, i));
    const brokerId = await this.brokerOf(em, branchId);
    const [secondsPerWitness, agents] = await Promise.all([
      this.averageWitnessSeconds(em, branchId),
      brokerId ? this.deps.auth.activeAgents(em, brokerId, branchId) : 0,
    ]);
    return { branchId, order, waiting: rows.length, secondsPerWitness, agents: Math.max(1, agents) };
  }

  private async brokerOf(em: EntityManager, branchId: string): Promise<string | null> {
    let id = this.brokerOfBranch.get(branchId);
    if (!id) {
      id = (await this.deps.brokers.branchById(em, branchId))?.brokerId;
      if (id) this.brokerOfBranch.set(branchId, id);
    }
    return id ?? null;
  }

  /** The entry's view from a snapshot; null when the snapshot does not know the waiting entry yet. */
  viewFrom(entry: QueueEntry, s: BranchSnapshot): QueueView | null {
    if (entry.state !== 'WAITING') return { entry, position: 0, waiting: s.waiting, estimatedWaitSeconds: 0 };
    const i = s.order.get(entry.ticketId);
    if (i === undefined) return null;
    return {
      entry,
      position: i + 1,
      waiting: s.waiting,
      estimatedWaitSeconds: estimateSeconds(i + 1, s.agents, s.secondsPerWitness),
    };
  }

  /** Joins the branch queue at the ticket's VIDEO_WITNESS step (in service hours); joining twice returns the same entry. */
  async join(em: EntityManager, viewer: Applicant, ticketId: string): Promise<QueueEntry> {
    const ticket = await this.deps.tickets.getOwn(em, viewer, ticketId);
    const active = await this.activeEntry(em, ticket.id);
    if (active) {
      if (active.disconnectedAt) {
        // asking again is a sign of life: the place is kept
        await em.nativeUpdate(QueueEntry, { id: active.id }, { disconnectedAt: null });
        active.disconnectedAt = null;
        this.signals.queueChanged(em, active.branchId, [active.ticketId]);
      }
      return active;
    }
    this.deps.tickets.assertAtStep(ticket, 'VIDEO_WITNESS');
    await this.deps.brokers.assertInServiceHours(em, ticket.brokerId);
    const now = this.clock.now();
    // FIFO: after everyone already waiting, even when the clock reads the same millisecond
    const last = await em.findOne(
      QueueEntry,
      { branchId: ticket.branchId, state: 'WAITING' },
      { orderBy: { sortKey: 'desc' }, fields: ['sortKey'], disableIdentityMap: true },
    );
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
    this.signals.queueChanged(em, entry.branchId, [entry.ticketId]);
    return entry;
  }

  async leave(em: EntityManager, viewer: Applicant, ticketId: string): Promise<boolean> {
    const ticket = await this.deps.tickets.getOwn(em, viewer, ticketId);
    const n = await em.nativeUpdate(
      QueueEntry,
      { ticketId: ticket.id, state: 'WAITING' },
      { state: 'LEFT', leftAt: this.clock.now() },
    );
    if (n) {
      this.deps.tickets.event(em, ticket, actorOf(viewer), 'QUEUE_LEFT', 'VIDEO_WITNESS', null, null);
      await em.flush();
      this.signals.queueChanged(em, ticket.branchId, [ticket.id]);
    }
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
    const agents = await this.deps.auth.activeAgents(em, entry.brokerId, entry.branchId);
    return { entry, position, waiting, estimatedWaitSeconds: estimateSeconds(position, agents, seconds) };
  }

  /** The mean length of the branch's last 20 finished witnesses. */
  async averageWitnessSeconds(em: EntityManager, branchId: string): Promise<number> {
    const recent = await em.find(
      WitnessSession,
      { branchId, endedAt: { $ne: null }, endReason: 'COMPLETED' },
      { orderBy: { endedAt: 'desc' }, limit: 20, fields: ['startedAt', 'endedAt'] },
    );
    if (!recent.length) return DEFAULT_WITNESS_SECONDS;
    return recent.reduce((s, w) => s + (w.endedAt!.getTime() - w.startedAt.getTime()) / 1000, 0) / recent.length;
  }

  /** The first `first` waiting customers of the branch in order (agents of the broker only). */
  async branchQueue(
    em: EntityManager,
    viewer: Viewer,
    branchId: string,
    first = 100,
  ): Promise<{ branchId: string; entries: QueueEntry[] }> {
    await this.assertAgentOfBranch(em, viewer, branchId);
    const entries = await em.find(
      QueueEntry,
      { branchId, state: 'WAITING' },
      { orderBy: [{ sortKey: 'asc' }, { id: 'asc' }], limit: first, disableIdentityMap: true },
    );
    return { branchId, entries };
  }

  /** Refuses unless the viewer is an agent (or broker admin) of the branch's broker. */
  async assertAgentOfBranch(em: EntityManager, viewer: Viewer | null, branchId: string): Promise<void> {
    if (viewer?.kind !== 'STAFF' || !viewer.roles.some((r) => r === 'AGENT' || r === 'BROKER_ADMIN')) {
      throw new KaihuError(ErrorCode.FORBIDDEN, '仅限本公司见证坐席');
    }
    const branch = UUID.test(branchId)
      ? await this.deps.brokers.findBranch(em, viewer.brokerId, { id: branchId })
      : null;
    if (!branch) throw new KaihuError(ErrorCode.FORBIDDEN, '无权查看其他期货公司的营业部队列');
  }

  /**
   * 接通下一位: takes the head of the queue. The row is locked with SKIP LOCKED, so concurrent
   * claims get different customers; `null` when nobody waits.
   */
  async claimNext(em: EntityManager, viewer: Agent, branchId: string): Promise<WitnessSession | null> {
    await this.assertAgentOfBranch(em, viewer, branchId);
    if (!viewer.roles.includes('AGENT')) throw new KaihuError(ErrorCode.FORBIDDEN, '仅限见证坐席接通客户');
    const now = this.clock.now();
    const session = await em.transactional(async (tx) => {
      const rows = (await tx.getConnection().execute(
        // customers whose connection dropped keep their place but are not called until they are back
        `select id from witness_queue_entries where branch_id = ? and state = 'WAITING' and disconnected_at is null order by sort_key, id limit 1 for update skip locked`,
        [branchId],
        'all',
        tx.getTransactionContext(),
      )) as { id: string }[];
      if (!rows[0]) return null;
      const entry = await tx.findOneOrFail(QueueEntry, { id: rows[0].id });
      const s = tx.create(WitnessSession, {
        ticketId: entry.ticketId,
        entryId: entry.id,
        agentStaffId: viewer.staffId,
        brokerId: entry.brokerId,
        branchId,
        startedAt: now,
      });
      entry.state = 'CALLED';
      entry.sessionId = s.id;
      return s;
    });
    if (session) {
      const ticket = await this.deps.tickets.get(em, viewer, session.ticketId);
      this.deps.tickets.event(em, ticket, actorOf(viewer), 'WITNESS_CALLED', 'VIDEO_WITNESS', null, {
        sessionId: session.id,
      });
      await em.flush();
      this.signals.queueChanged(em, branchId, [session.ticketId]);
    }
    return session;
  }
}
