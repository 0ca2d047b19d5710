import { randomUUID } from 'node:crypto';
import { Entity, PrimaryKey, Property, Unique } from '@mikro-orm/core';

/**
 * A person who is not a customer yet (开户申请人): known by the mainland mobile they logged in with
 * at one broker, and the version of the broker's 《隐私政策》 they agreed to. When the counter opens
 * their account, the new customer keeps this id.
 */
@Entity({ tableName: 'prospects' })
@Unique({ properties: ['brokerId', 'mobile'] })
export class Prospect {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  brokerId!: string;

  @Property({ length: 11 })
  mobile!: string;

  /** the 《隐私政策》 agreement version agreed to at the last login */
  @Property({ type: 'uuid' })
  privacyPolicyId!: string;

  @Property()
  privacyPolicyVersion!: number;

  @Property({ type: 'timestamptz' })
  consentedAt!: Date;

  @Property({ type: 'timestamptz' })
  createdAt!: Date;

  @Property({ type: 'timestamptz' })
  lastLoginAt!: Date;
}
