import { randomUUID } from 'node:crypto';
import { Collection, Entity, OneToMany, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import type { ServiceWindow } from '@kaihu/plugin-api';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Branch } from './branch.entity';
import { BrokerHoliday } from './broker-holiday.entity';

/** A futures broker (期货公司) running Kaihu. Its data comes from the deployment's BrokerPack. */
@ObjectType({ description: '期货公司' })
@Entity({ tableName: 'brokers' })
export class Broker {
  [OptionalProps]?: 'createdAt' | 'updatedAt' | 'recordingRetentionYears' | 'serviceHoursEditedAt';

  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Field()
  @Property({ unique: true })
  code!: string;

  @Field()
  @Property()
  name!: string;

  @Field(() => String, { nullable: true })
  @Property({ type: 'text', nullable: true })
  servicePhone: string | null = null;

  /** IANA zone of the service hours. */
  @Property()
  timeZone!: string;

  /** Weekly service windows (weekday, opens, closes). */
  @Property({ type: 'json' })
  serviceWindows!: ServiceWindow[];

  /** Set when a broker admin set the windows: the BrokerPack's windows no longer replace them. */
  @Property({ type: 'timestamptz', nullable: true })
  serviceHoursEditedAt: Date | null = null;

  /** Business types customers of this broker may run. */
  @Property({ type: 'json' })
  enabledBusinesses!: string[];

  @OneToMany(() => Branch, (b) => b.broker, { orderBy: { code: 'asc' } })
  branches = new Collection<Branch>(this);

  @OneToMany(() => BrokerHoliday, (h) => h.broker, { orderBy: { date: 'asc' } })
  holidays = new Collection<BrokerHoliday>(this);

  /** How long witness recordings are kept (years); regulators ask for 20. */
  @Field(() => Int, { description: '见证录像保存年限（默认 20 年）' })
  @Property({ default: 20 })
  recordingRetentionYears: number = 20;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
