import { Migration } from '@mikro-orm/migrations';

/** The video-witness queues of the branches and the witness sessions. */
export class Migration20261122040000Witness extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "witness_queue_entries" ("id" uuid not null, "ticket_id" uuid not null, "customer_id" uuid not null, "broker_id" uuid not null, "branch_id" uuid not null, "state" varchar(255) not null, "sort_key" double precision not null, "enqueued_at" timestamptz not null, "session_id" uuid null, "left_at" timestamptz null, constraint "witness_queue_entries_pkey" primary key ("id"));`,
    );
    this.addSql(
      `create index "witness_queue_entries_branch_id_state_sort_key_index" on "witness_queue_entries" ("branch_id", "state", "sort_key");`,
    );
    this.addSql(
      `create unique index "witness_queue_one_active_per_ticket" on "witness_queue_entries" ("ticket_id") where "state" in ('WAITING', 'CALLED', 'IN_SESSION');`,
    );
    this.addSql(
      `create table "witness_sessions" ("id" uuid not null, "ticket_id" uuid not null, "entry_id" uuid not null, "agent_staff_id" uuid not null, "broker_id" uuid not null, "branch_id" uuid not null, "started_at" timestamptz not null, "ended_at" timestamptz null, "outcome" text null, "return_to_step" text null, "reason" text null, "checklist" jsonb null, constraint "witness_sessions_pkey" primary key ("id"));`,
    );
    this.addSql(
      `create index "witness_sessions_branch_id_ended_at_index" on "witness_sessions" ("branch_id", "ended_at");`,
    );
  }
}
