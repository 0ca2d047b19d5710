import { Migration } from '@mikro-orm/migrations';

/**
 * Account opening (开立期货账户): prospects (people who log in with a mobile number and are not
 * customers yet) and their sessions, the brokers' versioned questionnaires, the tickets a prospect
 * runs (the applicant's ID number, one open application per ID number and broker), trading codes,
 * and the text of a template agreement as it was signed.
 */
export class Migration20261203000000AccountOpening extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "prospects" ("id" uuid not null, "broker_id" uuid not null, "mobile" varchar(11) not null, "privacy_policy_id" uuid not null, "privacy_policy_version" int not null, "consented_at" timestamptz not null, "created_at" timestamptz not null, "last_login_at" timestamptz not null, constraint "prospects_pkey" primary key ("id"));`,
    );
    this.addSql(
      `alter table "prospects" add constraint "prospects_broker_id_mobile_unique" unique ("broker_id", "mobile");`,
    );
    this.addSql(`alter table "sessions" add column "prospect_id" uuid null;`);
    this.addSql(`create index "sessions_prospect_id_index" on "sessions" ("prospect_id");`);
    this.addSql(
      `create table "questionnaires" ("id" uuid not null, "broker_id" uuid not null, "code" varchar(64) not null, "kind" varchar(32) not null, "version" int not null, "title" text not null, "definition" jsonb not null, "sha256" varchar(64) not null, "created_at" timestamptz not null, constraint "questionnaires_pkey" primary key ("id"));`,
    );
    this.addSql(
      `alter table "questionnaires" add constraint "questionnaires_broker_id_code_version_unique" unique ("broker_id", "code", "version");`,
    );
    // a prospect's ticket: customer_id is the applicant (the prospect's id, which the opened account keeps)
    this.addSql(
      `alter table "tickets" add column "prospect_id" uuid null, add column "applicant_id_number" varchar(18) null;`,
    );
    this.addSql(
      `create unique index "tickets_one_open_application_per_id_number" on "tickets" ("broker_id", "applicant_id_number") where "applicant_id_number" is not null and "status" in ('IN_PROGRESS', 'RETURNED', 'SUBMITTED');`,
    );
    this.addSql(
      `create table "trading_codes" ("ticket_id" uuid not null, "exchange" varchar(8) not null, "broker_id" uuid not null, "account_no" varchar(32) not null, "status" varchar(16) not null, "code" varchar(32) null, "reason" text null, "applied_at" timestamptz null, "answered_at" timestamptz null, constraint "trading_codes_pkey" primary key ("ticket_id", "exchange"));`,
    );
    this.addSql(`create index "trading_codes_status_index" on "trading_codes" ("status");`);
    // a template agreement (适当性匹配意见告知书) as this applicant signed it: the text itself is evidence
    this.addSql(`alter table "agreement_signatures" add column "content" text null;`);
  }
}
