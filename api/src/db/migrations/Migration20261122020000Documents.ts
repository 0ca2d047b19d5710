import { Migration } from '@mikro-orm/migrations';

/** ID photos and signature photos of tickets (bytes in the DocumentStore by SHA-256). */
export class Migration20261122020000Documents extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "documents" ("id" uuid not null, "ticket_id" uuid not null, "customer_id" uuid not null, "broker_id" uuid not null, "kind" varchar(255) not null, "original_sha256" varchar(64) not null, "sha256" varchar(64) not null, "thumbnail_sha256" varchar(64) not null, "width" int not null, "height" int not null, "size" int not null, "adjustments" jsonb not null, "quality" jsonb not null, "reused_from_id" uuid null, "created_at" timestamptz not null, "superseded_at" timestamptz null, constraint "documents_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "documents_customer_id_kind_index" on "documents" ("customer_id", "kind");`);
    this.addSql(`create index "documents_ticket_id_kind_index" on "documents" ("ticket_id", "kind");`);
  }
}
