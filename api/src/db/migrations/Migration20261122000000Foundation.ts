import { Migration } from '@mikro-orm/migrations';

/**
 * The first schema: settings, brokers, branches, holidays, staff, partner API keys, captchas,
 * one-time codes, login locks, sessions and customers.
 */
export class Migration20261122000000Foundation extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "api_keys" ("id" uuid not null, "broker_id" uuid not null, "name" varchar(255) not null, "key_hash" varchar(255) not null, "prefix" varchar(255) not null, "scopes" jsonb not null, "last_used_at" timestamptz null, "revoked_at" timestamptz null, "created_at" timestamptz not null, constraint "api_keys_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "api_keys_broker_id_index" on "api_keys" ("broker_id");`);
    this.addSql(`alter table "api_keys" add constraint "api_keys_key_hash_unique" unique ("key_hash");`);
    this.addSql(
      `create table "brokers" ("id" uuid not null, "code" varchar(255) not null, "name" varchar(255) not null, "service_phone" text null, "time_zone" varchar(255) not null, "service_windows" jsonb not null, "enabled_businesses" jsonb not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "brokers_pkey" primary key ("id"));`,
    );
    this.addSql(`alter table "brokers" add constraint "brokers_code_unique" unique ("code");`);
    this.addSql(
      `create table "branches" ("id" uuid not null, "broker_id" uuid not null, "code" varchar(255) not null, "name" varchar(255) not null, constraint "branches_pkey" primary key ("id"));`,
    );
    this.addSql(`alter table "branches" add constraint "branches_broker_id_code_unique" unique ("broker_id", "code");`);
    this.addSql(
      `create table "broker_holidays" ("id" uuid not null, "broker_id" uuid not null, "date" date not null, "name" varchar(255) not null, constraint "broker_holidays_pkey" primary key ("id"));`,
    );
    this.addSql(
      `alter table "broker_holidays" add constraint "broker_holidays_broker_id_date_unique" unique ("broker_id", "date");`,
    );
    this.addSql(
      `create table "captchas" ("id" uuid not null, "answer_hash" varchar(255) not null, "demo_answer" text null, "expires_at" timestamptz not null, "used_at" timestamptz null, "created_at" timestamptz not null, constraint "captchas_pkey" primary key ("id"));`,
    );
    this.addSql(
      `create table "customers" ("id" uuid not null, "broker_id" uuid not null, "branch_id" uuid not null, "account_type" varchar(255) not null, "id_number" varchar(255) not null, "customer_no" varchar(255) not null, "name" varchar(255) not null, "created_at" timestamptz not null, "last_login_at" timestamptz null, constraint "customers_pkey" primary key ("id"));`,
    );
    this.addSql(
      `alter table "customers" add constraint "customers_broker_id_id_number_account_type_unique" unique ("broker_id", "id_number", "account_type");`,
    );
    this.addSql(
      `create table "login_locks" ("subject" text not null, "failures" int not null default 0, "locked_until" timestamptz null, "updated_at" timestamptz not null, constraint "login_locks_pkey" primary key ("subject"));`,
    );
    this.addSql(
      `create table "otp_codes" ("id" uuid not null, "subject" varchar(255) not null, "purpose" varchar(255) not null, "sent_to" varchar(255) not null, "code_hash" varchar(255) not null, "attempts" int not null default 0, "expires_at" timestamptz not null, "resend_after" timestamptz not null, "consumed_at" timestamptz null, "created_at" timestamptz not null, constraint "otp_codes_pkey" primary key ("id"));`,
    );
    this.addSql(`create index "otp_codes_subject_created_at_index" on "otp_codes" ("subject", "created_at");`);
    this.addSql(
      `create table "sessions" ("id" uuid not null, "token_hash" varchar(255) not null, "kind" varchar(255) not null, "customer_id" uuid null, "staff_id" uuid null, "broker_id" uuid not null, "roles" jsonb not null, "api_key_id" uuid null, "created_at" timestamptz not null, "last_seen_at" timestamptz not null, "absolute_expires_at" timestamptz not null, "revoked_at" timestamptz null, constraint "sessions_pkey" primary key ("id"));`,
    );
    this.addSql(`alter table "sessions" add constraint "sessions_token_hash_unique" unique ("token_hash");`);
    this.addSql(`create index "sessions_customer_id_index" on "sessions" ("customer_id");`);
    this.addSql(`create index "sessions_staff_id_index" on "sessions" ("staff_id");`);
    this.addSql(
      `create table "kaihu_settings" ("key" text not null, "value" text not null, constraint "kaihu_settings_pkey" primary key ("key"));`,
    );
    this.addSql(
      `create table "staff_users" ("id" uuid not null, "username" varchar(255) not null, "display_name" varchar(255) not null, "license_no" text null, "broker_id" uuid not null, "branch_id" uuid null, "roles" jsonb not null, "password_hash" varchar(255) not null, "disabled" boolean not null default false, "failed_attempts" int not null default 0, "locked_until" timestamptz null, "created_at" timestamptz not null, constraint "staff_users_pkey" primary key ("id"));`,
    );
    this.addSql(`alter table "staff_users" add constraint "staff_users_username_unique" unique ("username");`);
    this.addSql(`create index "staff_users_broker_id_index" on "staff_users" ("broker_id");`);
    this.addSql(
      `alter table "branches" add constraint "branches_broker_id_foreign" foreign key ("broker_id") references "brokers" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "broker_holidays" add constraint "broker_holidays_broker_id_foreign" foreign key ("broker_id") references "brokers" ("id") on update cascade on delete cascade;`,
    );
  }
}
