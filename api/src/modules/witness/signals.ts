/**
 * What the witness module announces on the event bus (to this node and the others): queue changes
 * for positions and the live branch queue, session changes, a party leaving or returning, a
 * session's end. Inside a transaction (see common/unit-of-work.ts) they wait for its commit.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { TOPICS, type EventBus } from '../../common/pubsub';
import { afterCommit } from '../../common/unit-of-work';
import type { Party } from './witness-media';
import type { WitnessEndReason } from './witness.entity';

export type PartyEvent =
  { type: 'PARTY_LEFT' | 'PARTY_RETURNED'; party: Party } | { type: 'ENDED'; endReason: WitnessEndReason };

export class WitnessSignals {
  constructor(private readonly bus: EventBus) {}

  /** A branch's queue changed (join, leave, claim, end, a party's connection), and whose entries. */
  queueChanged(em: EntityManager, branchId: string, tickets: string[]): void {
    afterCommit(em, () => this.bus.publish(TOPICS.QUEUE_CHANGED, branchId, { branchId, tickets }));
  }

  /** The session changed (ended, a party (dis)connected): its witnessSession subscribers reload it. */
  sessionChanged(em: EntityManager, sessionId: string): void {
    afterCommit(em, () => this.bus.publish(TOPICS.WITNESS_SESSION, sessionId, { id: sessionId }));
  }

  /** Tells both parties' witnessMedia subscriptions, on every node. */
  party(em: EntityManager, sessionId: string, payload: PartyEvent): void {
    afterCommit(em, () => this.bus.publish(TOPICS.WITNESS_PARTY, sessionId, payload));
  }

  /** The session ended: every node closes its room of it (the embedded SFU on several API nodes). */
  ended(em: EntityManager, sessionId: string): void {
    afterCommit(em, () => this.bus.publish(TOPICS.WITNESS_ENDED, 'all', { id: sessionId }));
  }
}
