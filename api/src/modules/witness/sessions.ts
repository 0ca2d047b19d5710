import type { EntityManager } from '@mikro-orm/postgresql';
import type { MediaRooms, RecordingInfo } from '@kaihu/sfu';
import { STEP_NAMES, WITNESS_CHECKLIST_LABELS, type TicketStepKind, type WitnessChecklistItem } from '@kaihu/domain';
import type { Clock } from '../../common/clock';
import { ErrorCode, KaihuError } from '../../common/errors';
import type { Logger } from '../../common/logger';
import { inTransaction } from '../../common/unit-of-work';
import type { Viewer } from '../auth';
import { actorOf, type Actor, type TicketService } from '../tickets';
import { visibleSession } from './access';
import type { Agent } from './queue';
import type { WitnessRecordings } from './recordings';
import type { WitnessSignals } from './signals';
import { videoWitnessStep } from './steps/video-witness.step';
import { QueueEntry, WitnessSession, type WitnessEndReason } from './witness.entity';

/** What an agent may give as the reason for abandoning a witness. */
export type AbandonReason = 'AGENT_ABANDONED' | 'CUSTOMER_ABSENT';

export interface WitnessOutcomeInput {
  outcome: 'PASSED' | 'RETURNED';
  returnToStep?: TicketStepKind | null;
  reason?: string | null;
  checklist: string[];
}

/** Endings that put the customer back at the head of the queue (the agent or the media failed them). */
const BACK_TO_HEAD: readonly WitnessEndReason[] = ['AGENT_ABANDONED', 'AGENT_DISCONNECTED', 'TIMEOUT', 'MEDIA_FAILED'];

/**
 * A witness session from the agent's claim to its end: PASSED (VIDEO_WITNESS done), RETURNED (打回
 * to an earlier step), or ended without an outcome (the agent abandoned it, a party stayed away,
 * the media failed, it went on too long). An end is one transaction; what it announces follows the
 * commit, and the call's room closes (its recording kept) after that.
 */
export class WitnessSessions {
  log: Logger | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly signals: WitnessSignals,
    private readonly recordings: WitnessRecordings,
    private readonly deps: { tickets: TicketService },
  ) {}

  session(em: EntityManager, viewer: Viewer | null, id: string): Promise<WitnessSession> {
    return visibleSession(em, this.deps.tickets, viewer, id);
  }

  /**
   * Ends the witness. PASSED completes VIDEO_WITNESS (recording the agent, for SAME_PERSON) once
   * the checklist is complete and both parties are on record; RETURNED sends the ticket back to
   * `returnToStep` with the reason the customer sees. The session's end, the ticket's step and the
   * partner events commit together or not at all (a concurrent end wins: TICKET_CLOSED).
   */
  async complete(
    em: EntityManager,
    viewer: Agent,
    sessionId: string,
    input: WitnessOutcomeInput,
  ): Promise<WitnessSession> {
    const s = await this.session(em, viewer, sessionId);
    if (s.agentStaffId !== viewer.staffId) throw new KaihuError(ErrorCode.FORBIDDEN, '只能结束本人接通的见证');
    if (s.endedAt) throw new KaihuError(ErrorCode.TICKET_CLOSED, '该见证已结束');
    const unknown = input.checklist.filter((c) => !(c in WITNESS_CHECKLIST_LABELS));
    if (unknown.length)
      throw new KaihuError(ErrorCode.BAD_USER_INPUT, `未知的核对项：${unknown.join('、')}`, {
        allowed: Object.keys(WITNESS_CHECKLIST_LABELS),
      });
    if (input.outcome === 'PASSED') {
      const missing = (Object.keys(WITNESS_CHECKLIST_LABELS) as WitnessChecklistItem[]).filter(
        (c) => !input.checklist.includes(c),
      );
      if (missing.length)
        throw new KaihuError(
          ErrorCode.BAD_USER_INPUT,
          `通过前请完成全部核对项：${missing.map((m) => WITNESS_CHECKLIST_LABELS[m]).join('、')}`,
          { missing },
        );
      // the recording so far is stored whatever happens next: it is evidence of the call
      await this.recordings.assertRecorded(em, s);
    }
    const reason = (input.reason ?? '').trim();
    await inTransaction(em, async (tx) => {
      const ticket = await this.deps.tickets.getForSystem(tx, s.ticketId);
      if (input.outcome === 'RETURNED') {
        if (!input.returnToStep || !reason)
          throw new KaihuError(ErrorCode.BAD_USER_INPUT, '打回时请选择需要重新填写的步骤并填写原因');
        const i = ticket.steps.findIndex((x) => x.kind === input.returnToStep);
        const here = ticket.steps.findIndex((x) => x.kind === 'VIDEO_WITNESS');
        if (i < 0 || i >= here)
          throw new KaihuError(
            ErrorCode.BAD_USER_INPUT,
            `只能打回到视频见证之前的步骤，不能打回到“${STEP_NAMES[input.returnToStep] ?? input.returnToStep}”`,
          );
      }
      const ended = await tx.nativeUpdate(
        WitnessSession,
        { id: s.id, endedAt: null },
        {
          endedAt: this.clock.now(),
          outcome: input.outcome,
          endReason: 'COMPLETED',
          returnToStep: input.returnToStep ?? null,
          reason: input.reason ?? null,
          checklist: [...input.checklist],
        },
      );
      if (!ended) throw new KaihuError(ErrorCode.TICKET_CLOSED, '该见证已结束');
      await tx.nativeUpdate(QueueEntry, { id: s.entryId }, { state: 'DONE' });
      if (input.outcome === 'PASSED') {
        await this.deps.tickets.runStep(tx, viewer, ticket, videoWitnessStep, {
          session: s,
          checklist: input.checklist,
        });
      } else {
        await this.deps.tickets.returnFromWitness(tx, ticket, actorOf(viewer), input.returnToStep!, reason);
      }
      this.signals.queueChanged(tx, s.branchId, [s.ticketId]);
      this.signals.sessionChanged(tx, s.id);
    });
    await this.ended(em, s.id, 'COMPLETED');
    return this.session(em, viewer, s.id);
  }

  /**
   * The agent gives up a witness: AGENT_ABANDONED puts the customer back at the head of the queue
   * (the agent could not go on); CUSTOMER_ABSENT takes them out of it (nobody answered), and they
   * may join again.
   */
  async abandon(em: EntityManager, viewer: Agent, sessionId: string, reason: AbandonReason): Promise<WitnessSession> {
    const s = await this.session(em, viewer, sessionId);
    if (s.agentStaffId !== viewer.staffId) throw new KaihuError(ErrorCode.FORBIDDEN, '只能结束本人接通的见证');
    if (s.endedAt || !(await this.endSession(em, s, reason, actorOf(viewer))))
      throw new KaihuError(ErrorCode.TICKET_CLOSED, '该见证已结束');
    return this.session(em, viewer, s.id);
  }

  /**
   * Ends an open session without an outcome, in one transaction with the customer's queue entry (back
   * at the head, or out of the queue) and the ticket's event; false when it had ended already.
   */
  async endSession(
    em: EntityManager,
    s: WitnessSession,
    reason: Exclude<WitnessEndReason, 'COMPLETED'>,
    actor: Actor,
  ): Promise<boolean> {
    const now = this.clock.now();
    const backToHead = BACK_TO_HEAD.includes(reason);
    const ended = await inTransaction(em, async (tx) => {
      const n = await tx.nativeUpdate(WitnessSession, { id: s.id, endedAt: null }, { endedAt: now, endReason: reason });
      if (!n) return false;
      if (backToHead) {
        const head = await tx.findOne(
          QueueEntry,
          { branchId: s.branchId, state: 'WAITING' },
          { orderBy: { sortKey: 'asc' }, fields: ['sortKey'], disableIdentityMap: true },
        );
        await tx.nativeUpdate(
          QueueEntry,
          { id: s.entryId, state: { $in: ['CALLED', 'IN_SESSION'] } },
          { state: 'WAITING', sessionId: null, sortKey: head ? head.sortKey - 1 : now.getTime() },
        );
      } else {
        await tx.nativeUpdate(
          QueueEntry,
          { id: s.entryId, state: { $in: ['CALLED', 'IN_SESSION'] } },
          { state: 'LEFT', leftAt: now },
        );
      }
      const ticket = await this.deps.tickets.getForSystem(tx, s.ticketId);
      this.deps.tickets.event(
        tx,
        ticket,
        actor,
        backToHead ? 'WITNESS_REQUEUED' : 'WITNESS_ENDED',
        'VIDEO_WITNESS',
        null,
        {
          sessionId: s.id,
          reason,
        },
      );
      await tx.flush();
      this.signals.queueChanged(tx, s.branchId, [s.ticketId]);
      this.signals.sessionChanged(tx, s.id);
      return true;
    });
    if (ended) await this.ended(em, s.id, reason);
    return ended;
  }

  /** The call's room died with its worker (or its SFU service): the session ends, the customer goes back to the head. */
  async mediaLost(
    em: EntityManager,
    sessionId: string,
    recording: RecordingInfo | null,
    rooms: MediaRooms | null,
  ): Promise<void> {
    const s = await em.findOne(WitnessSession, { id: sessionId }, { disableIdentityMap: true });
    if (!s) return;
    if (recording && rooms)
      await this.recordings
        .storeRecording(em, sessionId, recording, rooms)
        .catch((err: unknown) =>
          this.log?.error({ err, sessionId }, 'witness media: keeping the recording of a lost call failed'),
        );
    if (!s.endedAt) await this.endSession(em, s, 'MEDIA_FAILED', { kind: 'SYSTEM', id: null });
  }

  /** After a session ended (committed): its room closes here (the recording is kept), then both parties and every node are told. */
  private async ended(em: EntityManager, sessionId: string, endReason: WitnessEndReason): Promise<void> {
    // the room first: its tracks' PRODUCER_CLOSED reach the parties before ENDED
    await this.recordings
      .closeRoom(em, sessionId)
      .catch((err: unknown) => this.log?.error({ err, sessionId }, 'witness media: closing the call failed'));
    this.signals.party(em, sessionId, { type: 'ENDED', endReason });
    this.signals.ended(em, sessionId);
  }
}
