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
// 开立期货账户: one open application per ID number at a broker, whichever mobile it was started from
@Unique({
  name: 'tickets_one_open_application_per_id_number',
  expression: `create unique index "tickets_one_open_application_per_id_number" on "tickets" ("broker_id", "applicant_id_number") where "applicant_id_number" is not null and "status" in ('IN_PROGRESS', 'RETURNED', 'SUBMITTED')`,
})
@Check({ name: 'tickets_acceptance_no_digits', expression: `acceptance_no ~ '^[0-9]{16}$'` })
export class Ticket {
  [OptionalProps]?:
    'reason' | 'data' | 'submittedAt' | 'returnedToStep' | 'version' | 'prospectId' | 'applicantIdNumber';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  /** 受理单号: 16 digits, unique, not sequential. */
  @Property({ unique: true, length: 16 })
  acceptanceNo!: string;

  @Property()
  business!: BusinessType;

  @Property()
  status!: TicketStatus;

  /**
   * The applicant: the customer's id, or — for a prospect's account opening — the prospect's id,
   * which the customer the approval opens keeps.
   */
  @Property({ type: 'uuid' })
  customerId!: string;

  /** Set when a prospect (开户申请人) runs the ticket. */
  @Property({ type: 'uuid', nullable: true })
  prospectId: string | null = null;

  /** The ID number an account-opening application is for (one open application per broker and ID number). */
  @Property({ type: 'varchar', length: 18, nullable: true })
  applicantIdNumber: string | null = null;

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
