import { Migration } from '@mikro-orm/migrations';

/**
 * Partner events (replayable, gap-free `seq` per broker), partners' webhook endpoints and the
 * delivery log. `seq` is allocated by a BEFORE INSERT trigger from a per-broker counter row in the
 * same transaction as the event: a rolled-back change gives its number back, and the counter row
 * stays locked until commit, so a broker's events commit in `seq` order.
 */
export class Migration20261122090000Partners extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "partner_event_counters" ("broker_id" uuid not null primary key, "seq" bigint not null);`,
    );
    this.addSql(`create table "partner_events" (
      "id" uuid not null primary key, "broker_id" uuid not null, "seq" bigint not null default 0, "type" varchar(64) not null,
      "ticket_id" uuid not null, "business" varchar(64) not null, "status" varchar(32) not null, "payload" jsonb not null,
      "created_at" timestamptz not null, "dispatched_at" timestamptz null);`);
    this.addSql(
      `alter table "partner_events" add constraint "partner_events_broker_id_seq_unique" unique ("broker_id", "seq");`,
    );
    this.addSql(
      `create index "partner_events_undispatched_index" on "partner_events" ("created_at") where "dispatched_at" is null;`,
    );
    this.addSql(`create function kaihu_partner_events_seq() returns trigger language plpgsql as $$
begin
  insert into partner_event_counters (broker_id, seq) values (new.broker_id, 1)
    on conflict (broker_id) do update set seq = partner_event_counters.seq + 1
    returning seq into new.seq;
  return new;
end;
$$;`);
    this.addSql(
      `create trigger partner_events_seq before insert on "partner_events" for each row execute function kaihu_partner_events_seq();`,
    );
    this.addSql(`create table "webhook_endpoints" (
      "id" uuid not null primary key, "broker_id" uuid not null, "url" text not null, "description" text null,
      "secret_enc" text not null, "created_by_kind" varchar(16) not null, "created_by_id" text not null,
      "created_at" timestamptz not null, "deleted_at" timestamptz null);`);
    this.addSql(`create index "webhook_endpoints_broker_id_index" on "webhook_endpoints" ("broker_id");`);
    this.addSql(`create table "webhook_deliveries" (
      "id" bigserial primary key, "endpoint_id" uuid not null, "event_id" uuid not null, "attempt" int not null,
      "status_code" int null, "error" text null, "duration_ms" int not null, "ok" boolean not null, "at" timestamptz not null);`);
    this.addSql(
      `create index "webhook_deliveries_endpoint_id_id_index" on "webhook_deliveries" ("endpoint_id", "id");`,
    );
    this.addSql(
      `create index "webhook_deliveries_event_id_endpoint_id_index" on "webhook_deliveries" ("event_id", "endpoint_id");`,
    );
  }
}
