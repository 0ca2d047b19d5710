import { randomUUID } from 'node:crypto';
import { Entity, Index, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';

export type QueueState = 'WAITING' | 'CALLED' | 'IN_SESSION' | 'DONE' | 'LEFT';
export type WitnessEndReason =
  | 'COMPLETED'
  | 'AGENT_ABANDONED'
  | 'AGENT_DISCONNECTED'
  | 'CUSTOMER_ABSENT'
  | 'CUSTOMER_DISCONNECTED'
  | 'CUSTOMER_LEFT'
  | 'TIMEOUT'
  | 'MEDIA_FAILED';
export const ACTIVE_STATES: readonly QueueState[] = ['WAITING', 'CALLED', 'IN_SESSION'];

/** A customer waiting for a video witness in a branch's queue (FIFO by `sortKey`). */
@Entity({ tableName: 'witness_queue_entries' })
@Index({ properties: ['branchId', 'state', 'sortKey'] })
@Unique({
  name: 'witness_queue_one_active_per_ticket',
  expression: `create unique index "witness_queue_one_active_per_ticket" on "witness_queue_entries" ("ticket_id") where "state" in ('WAITING', 'CALLED', 'IN_SESSION')`,
})
export class QueueEntry {
  [OptionalProps]?: 'sessionId' | 'leftAt' | 'disconnectedAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  ticketId!: string;

  @Property({ type: 'uuid' })
  customerId!: string;

  @Property({ type: 'uuid' })
  brokerId!: string;

  @Property({ type: 'uuid' })
  branchId!: string;

  @Property()
  state!: QueueState;

  /** Order in the queue (FIFO): the enqueue time in ms, kept strictly after the last waiting entry. */
  @Property({ type: 'double' })
  sortKey!: number;

  @Property({ type: 'timestamptz' })
  enqueuedAt!: Date;

  @Property({ type: 'uuid', nullable: true })
  sessionId: string | null = null;

  @Property({ type: 'timestamptz', nullable: true })
  leftAt: Date | null = null;

  /** Set while the customer's socket is gone: the place is kept for the grace period, then the entry is LEFT. */
  @Property({ type: 'timestamptz', nullable: true })
  disconnectedAt: Date | null = null;
}

/** One video witness between an agent and a customer, and its outcome. */
@Entity({ tableName: 'witness_sessions' })
@Index({ properties: ['branchId', 'endedAt'] })
export class WitnessSession {
  [OptionalProps]?:
    'endedAt' | 'outcome' | 'returnToStep' | 'reason' | 'checklist' | 'agentDisconnectedAt' | 'endReason' | 'sfuNodeId';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  ticketId!: string;

  @Property({ type: 'uuid' })
  entryId!: string;

  @Property({ type: 'uuid' })
  agentStaffId!: string;

  @Property({ type: 'uuid' })
  brokerId!: string;

  @Property({ type: 'uuid' })
  branchId!: string;

  @Property({ type: 'timestamptz' })
  startedAt!: Date;

  @Property({ type: 'timestamptz', nullable: true })
  endedAt: Date | null = null;

  /** PASSED or RETURNED when the agent completed the witness; null when it ended otherwise (see endReason) */
  @Property({ type: 'text', nullable: true })
  outcome: string | null = null;

  /** Why the session ended: COMPLETED, AGENT_ABANDONED, AGENT_DISCONNECTED, CUSTOMER_ABSENT, CUSTOMER_DISCONNECTED, CUSTOMER_LEFT, TIMEOUT, MEDIA_FAILED */
  @Property({ type: 'text', nullable: true })
  endReason: WitnessEndReason | null = null;

  /** Set while the agent's socket is gone; after the agent grace period the session is abandoned. */
  @Property({ type: 'timestamptz', nullable: true })
  agentDisconnectedAt: Date | null = null;

  @Property({ type: 'text', nullable: true })
  returnToStep: string | null = null;

  @Property({ type: 'text', nullable: true })
  reason: string | null = null;

  @Property({ type: 'json', nullable: true })
  checklist: string[] | null = null;

  /** The SFU service carrying the call (`sfu_nodes.id`) with `KAIHU_SFU=remote`; null with the embedded SFU. */
  @Property({ type: 'text', nullable: true })
  sfuNodeId: string | null = null;
}

/**
 * A recording of a witness session (normally one; more when the agent tried to pass before both
 * parties were recorded long enough, or the media failed mid-call): the file in the DocumentStore
 * by hash, what ffprobe found in it, and until when it must be kept.
 */
@Entity({ tableName: 'witness_recordings' })
@Index({ properties: ['ticketId'] })
@Index({ properties: ['retainUntil'] })
@Unique({ properties: ['sessionId', 'name'] })
export class WitnessRecording {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  sessionId!: string;

  @Property({ type: 'uuid' })
  ticketId!: string;

  @Property({ type: 'uuid' })
  brokerId!: string;

  /** The SFU's file name (unique per session). */
  @Property()
  name!: string;

  @Property({ length: 64 })
  sha256!: string;

  @Property({ type: 'bigint' })
  size!: number;

  @Property()
  mimeType!: string;

  @Property()
  durationMs!: number;

  /** Each stream: its party (label), kind, codec and duration. */
  @Property({ type: 'json' })
  streams!: Array<{ label: string; kind: 'audio' | 'video'; codec: string; durationMs: number }>;

  @Property({ type: 'timestamptz' })
  createdAt!: Date;

  /** Kept until then (the broker's retention period); the sweep deletes it afterwards. */
  @Property({ type: 'timestamptz' })
  retainUntil!: Date;
}
