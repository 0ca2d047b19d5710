import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * One change of a ticket: who, what, when, old → new. Append-only: a PostgreSQL trigger refuses
 * UPDATE and DELETE on this table.
 */
@Entity({ tableName: 'ticket_events' })
@Index({ properties: ['ticketId', 'id'] })
export class TicketEvent {
  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  @Property({ type: 'uuid' })
  ticketId!: string;

  /** CUSTOMER, STAFF, PARTNER or SYSTEM */
  @Property()
  actorKind!: string;

  @Property({ type: 'text', nullable: true })
  actorId!: string | null;

  /** e.g. STARTED, STEP_COMPLETED, WENT_BACK, CANCELLED, SUBMITTED, RETURNED, APPROVED */
  @Property()
  action!: string;

  @Property({ type: 'text', nullable: true })
  step!: string | null;

  @Property({ type: 'json', nullable: true })
  before!: unknown;

  @Property({ type: 'json', nullable: true })
  after!: unknown;

  @Property({ type: 'timestamptz' })
  at!: Date;
}
