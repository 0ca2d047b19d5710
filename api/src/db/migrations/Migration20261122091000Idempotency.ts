import { Migration } from '@mikro-orm/migrations';

/** Idempotency keys of mutations (first writer wins on the primary key) and fixed-window rate-limit counters. */
export class Migration20261122091000Idempotency extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "idempotency_keys" (
      "id" text not null primary key, "fingerprint" text not null, "state" text not null,
      "status" int null, "content_type" text null, "body" text null,
      "created_at" timestamptz not null, "locked_until" timestamptz not null, "expires_at" timestamptz not null);`);
    this.addSql(`create index "idempotency_keys_expires_at_index" on "idempotency_keys" ("expires_at");`);
    this.addSql(
      `create table "rate_limits" ("bucket" text not null, "window_start" timestamptz not null, "count" int not null, primary key ("bucket", "window_start"));`,
    );
    this.addSql(`create index "rate_limits_window_start_index" on "rate_limits" ("window_start");`);
  }
}
