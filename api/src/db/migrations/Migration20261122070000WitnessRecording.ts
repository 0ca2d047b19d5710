import { Migration } from '@mikro-orm/migrations';

/** Witness recordings, the SFU services' registry, the SFU carrying each session, and brokers' retention period of recordings. */
export class Migration20261122070000WitnessRecording extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "witness_recordings" (
      "id" uuid not null primary key, "session_id" uuid not null, "ticket_id" uuid not null, "broker_id" uuid not null,
      "name" varchar(255) not null, "sha256" varchar(64) not null, "size" bigint not null, "mime_type" varchar(255) not null,
      "duration_ms" int not null, "streams" jsonb not null, "created_at" timestamptz not null, "retain_until" timestamptz not null);`);
    this.addSql(`create index "witness_recordings_ticket_id_index" on "witness_recordings" ("ticket_id");`);
    this.addSql(
      `alter table "witness_recordings" add constraint "witness_recordings_session_id_name_unique" unique ("session_id", "name");`,
    );
    this.addSql(`create index "witness_recordings_retain_until_index" on "witness_recordings" ("retain_until");`);
    this.addSql(
      `create table "sfu_nodes" ("id" text not null primary key, "url" text not null, "capacity" int not null, "rooms" int not null, "workers" int not null, "started_at" timestamptz not null, "heartbeat_at" timestamptz not null);`,
    );
    this.addSql(`alter table "witness_sessions" add column "sfu_node_id" text null;`);
    this.addSql(`alter table "brokers" add column "recording_retention_years" int not null default 20;`);
  }
}
