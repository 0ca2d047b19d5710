import { Migration } from '@mikro-orm/migrations';

/** Versioned agreements and their verified signatures; the platform CA and customers' certificates. */
export class Migration20261122030000Agreements extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "agreements" ("id" uuid not null, "broker_id" uuid not null, "code" varchar(255) not null, "version" int not null, "title" varchar(255) not null, "content" text not null, "sha256" varchar(64) not null, "businesses" jsonb not null, "created_at" timestamptz not null, constraint "agreements_pkey" primary key ("id"));`,
    );
    this.addSql(
      `alter table "agreements" add constraint "agreements_broker_id_code_version_unique" unique ("broker_id", "code", "version");`,
    );
    // a stored version never changes: editing adds a version
    this.addSql(`create function kaihu_agreements_immutable() returns trigger language plpgsql as $$
begin
  raise exception 'agreement versions are immutable: % refused (store a new version instead)', tg_op using errcode = 'restrict_violation';
end
$$;`);
    this.addSql(
      `create trigger agreements_immutable before update or delete on "agreements" for each row execute function kaihu_agreements_immutable();`,
    );
    this.addSql(
      `create table "agreement_signatures" ("id" uuid not null, "ticket_id" uuid not null, "agreement_id" uuid not null, "payload" text not null, "signature" text not null, "signer_serial" varchar(255) not null, "verification" jsonb not null, "signed_at" timestamptz not null, constraint "agreement_signatures_pkey" primary key ("id"));`,
    );
    this.addSql(
      `alter table "agreement_signatures" add constraint "agreement_signatures_ticket_id_agreement_id_unique" unique ("ticket_id", "agreement_id");`,
    );
    this.addSql(
      `create table "certificate_authorities" ("id" uuid not null, "kind" varchar(255) not null, "broker_id" uuid null, "cert_pem" text not null, "key_pem_encrypted" text not null, "created_at" timestamptz not null, constraint "certificate_authorities_pkey" primary key ("id"));`,
    );
    this.addSql(
      `alter table "certificate_authorities" add constraint "certificate_authorities_broker_id_unique" unique ("broker_id");`,
    );
    this.addSql(
      `create table "certificates" ("id" uuid not null, "customer_id" uuid not null, "broker_id" uuid not null, "ticket_id" uuid not null, "serial_number" varchar(255) not null, "subject" text not null, "cert_pem" text not null, "not_before" timestamptz not null, "not_after" timestamptz not null, "revoked_at" timestamptz null, "revoked_reason" text null, constraint "certificates_pkey" primary key ("id"));`,
    );
    this.addSql(
      `alter table "certificates" add constraint "certificates_serial_number_unique" unique ("serial_number");`,
    );
    this.addSql(
      `create index "certificates_customer_id_not_after_index" on "certificates" ("customer_id", "not_after");`,
    );
  }
}
