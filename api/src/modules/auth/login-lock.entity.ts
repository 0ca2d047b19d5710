import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

/** Failed attempts per subject (ID + account type, or a staff username) and the lock they cause. */
@Entity({ tableName: 'login_locks' })
export class LoginLock {
  /** HMAC of the subject. */
  @PrimaryKey({ type: 'text' })
  subject!: string;

  @Property()
  failures: number = 0;

  @Property({ type: 'timestamptz', nullable: true })
  lockedUntil: Date | null = null;

  @Property({ type: 'timestamptz' })
  updatedAt!: Date;
}
