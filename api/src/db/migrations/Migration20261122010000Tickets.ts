import { Migration } from '@mikro-orm/migrations';

/** Tickets (受理单) and their append-only event trail. */
export class Migration20261122010000Tickets extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "tickets" ("id" uuid not null, "acceptance_no" varchar(16) not null, "business" varchar(255) not null, "status" varchar(255) not null, "customer_id" uuid not null, "broker_id" uuid not null, "branch_id" uuid not null, "steps" jsonb not null, "current_step" varchar(255) not null, "step_entered_at" timestamptz not null, "reason" text null, "returned_to_step" text null, "data" jsonb not null, "version" int not null default 1, "created_at" timestamptz not null, "updated_at" timestamptz not null, "submitted_at" timestamptz null, constraint "tickets_pkey" primary key ("id"));`,
    );
    this.addSql(`alter table "tickets" add constraint "tickets_acceptance_no_unique" unique ("acceptance_no");`);
    this.addSql(
      `create index "tickets_broker_id_status_submitted_at_index" on "tickets" ("broker_id", "status", "submitted_at");`,
    );
    this.addSql(`create index "tickets_customer_id_status_index" on "tickets" ("customer_id", "status");`);
    this.addSql(
      `alter table "tickets" add constraint "tickets_acceptance_no_digits" check ("acceptance_no" ~ '^[0-9]{16}$');`,
    );
    // one open ticket per business per customer
    this.addSql(
      `create unique index "tickets_one_open_per_business" on "tickets" ("customer_id", "business") where "status" in ('IN_PROGRESS', 'RETURNED', 'SUBMITTED');`,
    );
    this.addSql(
      `create table "ticket_events" ("id" bigserial primary key, "ticket_id" uuid not null, "actor_kind" varchar(255) not null, "actor_id" text null, "action" varchar(255) not null, "step" text null, "before" jsonb null, "after" jsonb null, "at" timestamptz not null);`,
    );
    this.addSql(`create index "ticket_events_ticket_id_id_index" on "ticket_events" ("ticket_id", "id");`);
    // events are append-only: no UPDATE, no DELETE, no TRUNCATE
    this.addSql(`create function kaihu_ticket_events_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'ticket_events is append-only: % refused', tg_op using errcode = 'restrict_violation';
end
$$;`);
    this.addSql(
      `create trigger ticket_events_no_update_delete before update or delete on "ticket_events" for each row execute function kaihu_ticket_events_append_only();`,
    );
    this.addSql(
      `create trigger ticket_events_no_truncate before truncate on "ticket_events" for each statement execute function kaihu_ticket_events_append_only();`,
    );
  }
}
