import type { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from '../../common/clock';
import type { Logger } from '../../common/logger';
import type { WitnessConfig } from '../../config';
import type { TicketService } from '../tickets';
import type { WitnessCalls } from './calls';
import type { WitnessQueue } from './queue';
import type { WitnessRecordings } from './recordings';
import type { WitnessSessions } from './sessions';
import type { WitnessSignals } from './signals';
import { ACTIVE_STATES, QueueEntry, WitnessSession } from './witness.entity';

/**
 * Who is here: a customer is present while they hold a queuePosition subscription (on any node), an
 * agent while they hold their session's witnessSession subscription. A dropped connection starts a
 * grace period; the periodic sweep (every node, idempotent) applies them, ends calls that went on
 * too long or lost their SFU service, and has expired recordings deleted.
 */
export class WitnessPresence {
  log: Logger | null = null;
  /** ticket id → the customer's queuePosition subscriptions on this node (their presence) */
  private readonly customersHere = new Map<string, number>();
  /** session id → the agent's witnessSession subscriptions on this node (their presence) */
  private readonly agentsHere = new Map<string, number>();

  constructor(
    private readonly clock: Clock,
    private readonly config: WitnessConfig,
    private readonly signals: WitnessSignals,
    private readonly parts: {
      queue: WitnessQueue;
      sessions: WitnessSessions;
      recordings: WitnessRecordings;
      calls: WitnessCalls;
    },
    private readonly deps: { tickets: TicketService },
  ) {}

  private get queue(): WitnessQueue {
    return this.parts.queue;
  }
  private get sessions(): WitnessSessions {
    return this.parts.sessions;
  }
  private get recordings(): WitnessRecordings {
    return this.parts.recordings;
  }
  private get calls(): WitnessCalls {
    return this.parts.calls;
  }

  /** At start: everyone this node had is gone until they come back (a crash told nobody). */
  async markAllGone(em: EntityManager): Promise<void> {
    const now = this.clock.now();
    await em.nativeUpdate(
      QueueEntry,
      { state: { $in: [...ACTIVE_STATES] }, disconnectedAt: null },
      { disconnectedAt: now },
    );
    await em.nativeUpdate(WitnessSession, { endedAt: null, agentDisconnectedAt: null }, { agentDisconnectedAt: now });
  }

  /** The customer's connection changed while they are called or in the call: tell the call. */
  private async customerPresence(
    em: EntityManager,
    ticketId: string,
    type: 'PARTY_LEFT' | 'PARTY_RETURNED',
  ): Promise<void> {
    const e = await this.queue.activeEntry(em, ticketId);
    if (e?.sessionId) this.signals.party(em, e.sessionId, { type, party: 'CUSTOMER' });
  }

  /** The customer holds a queuePosition subscription on this node; true when that ended a grace period. */
  async customerConnected(em: EntityManager, ticketId: string, branchId: string): Promise<boolean> {
    const n = (this.customersHere.get(ticketId) ?? 0) + 1;
    this.customersHere.set(ticketId, n);
    if (n > 1) return false;
    const healed = await em.nativeUpdate(
      QueueEntry,
      { ticketId, state: { $in: [...ACTIVE_STATES] }, disconnectedAt: { $ne: null } },
      { disconnectedAt: null },
    );
    if (healed) {
      this.signals.queueChanged(em, branchId, [ticketId]);
      await this.customerPresence(em, ticketId, 'PARTY_RETURNED');
    }
    return healed > 0;
  }

  /** The customer's last subscription on this node ended (closed, or the socket dropped): the grace period starts. */
  async customerDisconnected(em: EntityManager, ticketId: string, branchId: string): Promise<void> {
    const n = (this.customersHere.get(ticketId) ?? 1) - 1;
    if (n > 0) {
      this.customersHere.set(ticketId, n);
      return;
    }
    this.customersHere.delete(ticketId);
    const marked = await em.nativeUpdate(
      QueueEntry,
      { ticketId, state: { $in: [...ACTIVE_STATES] }, disconnectedAt: null },
      { disconnectedAt: this.clock.now() },
    );
    if (marked) {
      this.signals.queueChanged(em, branchId, [ticketId]);
      await this.customerPresence(em, ticketId, 'PARTY_LEFT');
    }
  }

  /** The agent of the session holds its witnessSession subscription on this node. */
  async agentConnected(em: EntityManager, sessionId: string): Promise<void> {
    const n = (this.agentsHere.get(sessionId) ?? 0) + 1;
    this.agentsHere.set(sessionId, n);
    if (
      n === 1 &&
      (await em.nativeUpdate(
        WitnessSession,
        { id: sessionId, endedAt: null, agentDisconnectedAt: { $ne: null } },
        { agentDisconnectedAt: null },
      ))
    ) {
      this.signals.sessionChanged(em, sessionId);
      this.signals.party(em, sessionId, { type: 'PARTY_RETURNED', party: 'AGENT' });
    }
  }

  async agentDisconnected(em: EntityManager, sessionId: string): Promise<void> {
    const n = (this.agentsHere.get(sessionId) ?? 1) - 1;
    if (n > 0) {
      this.agentsHere.set(sessionId, n);
      return;
    }
    this.agentsHere.delete(sessionId);
    if (
      await em.nativeUpdate(
        WitnessSession,
        { id: sessionId, endedAt: null, agentDisconnectedAt: null },
        { agentDisconnectedAt: this.clock.now() },
      )
    ) {
      this.signals.sessionChanged(em, sessionId);
      this.signals.party(em, sessionId, { type: 'PARTY_LEFT', party: 'AGENT' });
    }
  }

  /** Marks the parties connected to this node as present (after another node marked them gone). */
  async heal(em: EntityManager): Promise<void> {
    const customers = [...this.customersHere.keys()];
    if (customers.length) {
      const healed = (await em
        .getConnection()
        .execute(
          `update witness_queue_entries set disconnected_at = null where ticket_id in (?) and state in ('WAITING', 'CALLED', 'IN_SESSION') and disconnected_at is not null returning ticket_id, branch_id`,
          [customers],
          'all',
        )) as { ticket_id: string; branch_id: string }[];
      for (const h of healed) this.signals.queueChanged(em, h.branch_id, [h.ticket_id]);
    }
    const agents = [...this.agentsHere.keys()];
    if (agents.length)
      await em.nativeUpdate(
        WitnessSession,
        { id: { $in: agents }, endedAt: null, agentDisconnectedAt: { $ne: null } },
        { agentDisconnectedAt: null },
      );
  }

  /**
   * Applies the grace periods (every `sweepMs` on each node; idempotent, so nodes may race):
   * parties connected here are marked present; a waiting customer gone longer than the grace
   * period leaves the queue; a called customer gone that long ends the session; an agent gone
   * longer than the agent grace period abandons the session and the customer returns to the head.
   */
  async sweep(em: EntityManager): Promise<{ left: number; ended: number }> {
    const now = this.clock.now();
    await this.heal(em);

    const customerDeadline = new Date(now.getTime() - this.config.customerGraceMs);
    const gone = (await em
      .getConnection()
      .execute(
        `update witness_queue_entries set state = 'LEFT', left_at = ? where state = 'WAITING' and disconnected_at <= ? returning ticket_id, branch_id`,
        [now, customerDeadline],
        'all',
      )) as { ticket_id: string; branch_id: string }[];
    const byBranch = new Map<string, string[]>();
    for (const g of gone) byBranch.set(g.branch_id, [...(byBranch.get(g.branch_id) ?? []), g.ticket_id]);
    for (const g of gone)
      this.deps.tickets.event(
        em,
        await this.deps.tickets.getForSystem(em, g.ticket_id),
        { kind: 'SYSTEM', id: null },
        'QUEUE_EXPIRED',
        'VIDEO_WITNESS',
        null,
        { graceMs: this.config.customerGraceMs },
      );
    if (gone.length) await em.flush();
    for (const [branchId, tickets] of byBranch) this.signals.queueChanged(em, branchId, tickets);

    let ended = 0;
    const calledGone = await em.find(
      QueueEntry,
      {
        state: { $in: ['CALLED', 'IN_SESSION'] },
        disconnectedAt: { $lte: customerDeadline },
        sessionId: { $ne: null },
      },
      { disableIdentityMap: true },
    );
    for (const e of calledGone) {
      const s = await em.findOne(WitnessSession, { id: e.sessionId!, endedAt: null }, { disableIdentityMap: true });
      if (s && (await this.sessions.endSession(em, s, 'CUSTOMER_DISCONNECTED', { kind: 'SYSTEM', id: null }))) ended++;
    }
    const agentDeadline = new Date(now.getTime() - this.config.agentGraceMs);
    const agentsGone = await em.find(
      WitnessSession,
      { endedAt: null, agentDisconnectedAt: { $lte: agentDeadline } },
      { disableIdentityMap: true },
    );
    for (const s of agentsGone)
      if (await this.sessions.endSession(em, s, 'AGENT_DISCONNECTED', { kind: 'SYSTEM', id: null })) ended++;
    // calls that went on too long, and calls whose SFU service stopped answering
    const tooOld = new Date(now.getTime() - this.config.sessionTimeoutMs);
    for (const s of await em.find(
      WitnessSession,
      { endedAt: null, startedAt: { $lte: tooOld } },
      { disableIdentityMap: true },
    )) {
      if (await this.sessions.endSession(em, s, 'TIMEOUT', { kind: 'SYSTEM', id: null })) ended++;
    }
    if (this.config.sfuMode === 'remote') {
      for (const s of await this.calls.orphanedSessions(em))
        if (await this.sessions.endSession(em, s, 'MEDIA_FAILED', { kind: 'SYSTEM', id: null })) ended++;
    }
    const expired = await this.recordings.expire(em);
    if (gone.length || ended) this.log?.info({ left: gone.length, ended, expired }, 'witness grace periods applied');
    return { left: gone.length, ended };
  }
}
