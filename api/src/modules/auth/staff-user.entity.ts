import { randomUUID } from 'node:crypto';
import { Entity, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';

export type StaffRole = 'AGENT' | 'REVIEWER' | 'BROKER_ADMIN';

/** A broker's staff member: witness agent (坐席), reviewer (复核员) or broker admin. */
@Entity({ tableName: 'staff_users' })
export class StaffUser {
  [OptionalProps]?: 'createdAt' | 'disabled' | 'failedAttempts' | 'lockedUntil' | 'licenseNo' | 'branchId';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  /** Login name, unique across the platform. */
  @Property({ unique: true })
  username!: string;

  @Property()
  displayName!: string;

  /** 期货从业资格号, shown to the customer during the witness. */
  @Property({ type: 'text', nullable: true })
  licenseNo: string | null = null;

  @Index()
  @Property({ type: 'uuid' })
  brokerId!: string;

  @Property({ type: 'uuid', nullable: true })
  branchId: string | null = null;

  @Property({ type: 'json' })
  roles!: StaffRole[];

  /** scrypt hash, see passwords.ts */
  @Property({ lazy: true })
  passwordHash!: string;

  @Property()
  disabled: boolean = false;

  @Property()
  failedAttempts: number = 0;

  @Property({ type: 'timestamptz', nullable: true })
  lockedUntil: Date | null = null;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}
