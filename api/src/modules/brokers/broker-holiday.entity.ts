import { randomUUID } from 'node:crypto';
import { Entity, ManyToOne, PrimaryKey, Property, Unique, type Rel } from '@mikro-orm/core';
import type { Broker } from './broker.entity';

/** A date (in the broker's time zone) on which the service is closed all day. */
@Entity({ tableName: 'broker_holidays' })
@Unique({ properties: ['broker', 'date'] })
export class BrokerHoliday {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne('Broker', { deleteRule: 'cascade' })
  broker!: Rel<Broker>;

  /** `YYYY-MM-DD` */
  @Property({ type: 'date' })
  date!: string;

  @Property()
  name!: string;
}
