import { Migration } from '@mikro-orm/migrations';

/** Who of a witness is connected: the customer's grace period in the queue, the agent's in a session, and why a session ended. */
export class Migration20261122050000WitnessPresence extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "witness_queue_entries" add column "disconnected_at" timestamptz null;`);
    this.addSql(
      `alter table "witness_sessions" add column "agent_disconnected_at" timestamptz null, add column "end_reason" text null;`,
    );
    this.addSql(`update "witness_sessions" set "end_reason" = 'COMPLETED' where "ended_at" is not null;`);
  }
}
