import { randomUUID } from 'node:crypto';
import { Entity, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import type { AccountType } from '@kaihu/plugin-api';

/**
 * Kaihu's record of a customer account (one per broker, ID number and account type), created at
 * the first login. The profile itself lives in the broker's counter system (system of record).
 */
@Entity({ tableName: 'customers' })
@Unique({ properties: ['brokerId', 'idNumber', 'accountType'] })
export class Customer {
  [OptionalProps]?: 'createdAt' | 'lastLoginAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  brokerId!: string;

  @Property({ type: 'uuid' })
  branchId!: string;

  @Property()
  accountType!: AccountType;

  @Property()
  idNumber!: string;

  /** The counter's customer number. */
  @Property()
  customerNo!: string;

  @Property()
  name!: string;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz', nullable: true })
  lastLoginAt: Date | null = null;
}
