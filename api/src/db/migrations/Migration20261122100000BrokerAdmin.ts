import { Migration } from '@mikro-orm/migrations';

/**
 * Broker admin (staff console): what an admin changed is marked so that a restart's sync from the
 * BrokerPack keeps it — service hours, branch names, holidays added or removed, agreement versions.
 */
export class Migration20261122100000BrokerAdmin extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "brokers" add column "service_hours_edited_at" timestamptz null;`);
    this.addSql(`alter table "branches" add column "edited_at" timestamptz null;`);
    this.addSql(
      `alter table "broker_holidays" add column "source" text not null default 'PACK', add column "removed_at" timestamptz null;`,
    );
    this.addSql(`alter table "agreements" add column "created_by" uuid null;`);
  }
}
