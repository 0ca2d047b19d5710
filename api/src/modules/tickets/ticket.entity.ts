import { randomUUID } from 'node:crypto';
import { Check, Entity, Index, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import type { BusinessType, TicketStatus, TicketStepKind } from '@kaihu/domain';
import type { StepState } from './flows';

/** A business (业务) a customer runs: 受理单. The steps and their data are owned by the server. */
@Entity({ tableName: 'tickets' })
@Index({ properties: ['customerId', 'status'] })
@Index({ properties: ['brokerId', 'status', 'submittedAt'] })
@Unique({
  name: 'tickets_one_open_per_business',
  expression: `create unique index "tickets_one_open_per_business" on "tickets" ("customer_id", "business") where "status" in ('IN_PROGRESS', 'RETURNED', 'SUBMITTED')`,
})
@Check({ name: 'tickets_acceptance_no_digits', expression: `acceptance_no ~ '^[0-9]{16}$'` })
export class Ticket {
  [OptionalProps]?: 'reason' | 'data' | 'submittedAt' | 'returnedToStep' | 'version';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  /** 受理单号: 16 digits, unique, not sequential. */
  @Property({ unique: true, length: 16 })
  acceptanceNo!: string;

  @Property()
  business!: BusinessType;

  @Property()
  status!: TicketStatus;

  @Property({ type: 'uuid' })
  customerId!: string;

  @Property({ type: 'uuid' })
  brokerId!: string;

  @Property({ type: 'uuid' })
  branchId!: string;

  @Property({ type: 'json' })
  steps!: StepState[];

  @Property()
  currentStep!: TicketStepKind;

  /** When the ticket reached its current step (the time in the agreements' signing payload). */
  @Property({ type: 'timestamptz' })
  stepEnteredAt!: Date;

  /** Why it was returned (打回) or rejected. */
  @Property({ type: 'text', nullable: true })
  reason: string | null = null;

  /** The step a RETURNED ticket must redo. */
  @Property({ type: 'text', nullable: true })
  returnedToStep: TicketStepKind | null = null;

  /** What each step collected, by step kind. */
  @Property({ type: 'json' })
  data: Record<string, unknown> = {};

  /** Optimistic lock: every change bumps it. */
  @Property({ version: true })
  version: number = 1;

  @Property({ type: 'timestamptz' })
  createdAt!: Date;

  @Property({ type: 'timestamptz' })
  updatedAt!: Date;

  @Property({ type: 'timestamptz', nullable: true })
  submittedAt: Date | null = null;
}
