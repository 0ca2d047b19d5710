import { randomUUID } from 'node:crypto';
import { Entity, Index, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';

/**
 * One event a broker's partners can replay (`events(after:)`) and receive by webhook. `seq` is
 * gap-free and increasing per broker; the database assigns it on insert (see the migration).
 */
@Entity({ tableName: 'partner_events' })
@Unique({ properties: ['brokerId', 'seq'] })
@Index({
  name: 'partner_events_undispatched_index',
  expression:
    'create index "partner_events_undispatched_index" on "partner_events" ("created_at") where "dispatched_at" is null',
})
export class PartnerEvent {
  [OptionalProps]?: 'seq' | 'dispatchedAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  brokerId!: string;

  /** Set by the database's trigger at insert (returned by the INSERT … RETURNING). */
  @Property({ type: 'bigint', defaultRaw: '0' })
  seq!: string;

  /** one of PARTNER_EVENT_TYPES (mapping.ts) */
  @Property({ length: 64 })
  type!: string;

  @Property({ type: 'uuid' })
  ticketId!: string;

  @Property({ length: 64 })
  business!: string;

  /** The ticket's status after the change. */
  @Property({ length: 32 })
  status!: string;

  /** Small, ids and codes only (no personal data). */
  @Property({ type: 'json' })
  payload!: Record<string, unknown>;

  @Property({ type: 'timestamptz' })
  createdAt!: Date;

  /** When the webhook jobs of this event were queued (null: not yet). */
  @Property({ type: 'timestamptz', nullable: true })
  dispatchedAt: Date | null = null;
}

/** A partner's webhook endpoint. Deleting keeps the row (and its delivery log) with `deletedAt`. */
@Entity({ tableName: 'webhook_endpoints' })
@Index({ properties: ['brokerId'] })
export class WebhookEndpoint {
  [OptionalProps]?: 'deletedAt' | 'description';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  brokerId!: string;

  @Property({ type: 'text' })
  url!: string;

  @Property({ type: 'text', nullable: true })
  description: string | null = null;

  /** The signing secret, AES-256-GCM under a key derived from the deployment secret. */
  @Property({ type: 'text' })
  secretEnc!: string;

  /** PARTNER (API key id) or STAFF (staff id) */
  @Property({ length: 16 })
  createdByKind!: string;

  @Property({ type: 'text' })
  createdById!: string;

  @Property({ type: 'timestamptz' })
  createdAt!: Date;

  @Property({ type: 'timestamptz', nullable: true })
  deletedAt: Date | null = null;
}

/** One delivery attempt of one event to one endpoint. */
@Entity({ tableName: 'webhook_deliveries' })
@Index({ properties: ['endpointId', 'id'] })
@Index({ properties: ['eventId', 'endpointId'] })
export class WebhookDelivery {
  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  @Property({ type: 'uuid' })
  endpointId!: string;

  @Property({ type: 'uuid' })
  eventId!: string;

  /** 1 for the first try */
  @Property({ type: 'int' })
  attempt!: number;

  @Property({ type: 'int', nullable: true })
  statusCode!: number | null;

  @Property({ type: 'text', nullable: true })
  error!: string | null;

  @Property({ type: 'int' })
  durationMs!: number;

  @Property()
  ok!: boolean;

  @Property({ type: 'timestamptz' })
  at!: Date;
}
