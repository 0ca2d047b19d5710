import { randomUUID } from 'node:crypto';
import { Entity, ManyToOne, OptionalProps, PrimaryKey, Property, Unique, type Rel } from '@mikro-orm/core';
import type { Broker } from './broker.entity';

/** A date (in the broker's time zone) on which the service is closed all day. */
@Entity({ tableName: 'broker_holidays' })
@Unique({ properties: ['broker', 'date'] })
export class BrokerHoliday {
  [OptionalProps]?: 'source' | 'removedAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne('Broker', { deleteRule: 'cascade' })
  broker!: Rel<Broker>;

  /** `YYYY-MM-DD` */
  @Property({ type: 'date' })
  date!: string;

  @Property()
  name!: string;

  /** PACK: from the BrokerPack (kept in step with it); ADMIN: added or removed by a broker admin (the pack leaves it alone). */
  @Property({ type: 'text', default: 'PACK' })
  source: 'PACK' | 'ADMIN' = 'PACK';

  /** Set when a broker admin removed the holiday (kept, so the pack does not bring it back). */
  @Property({ type: 'timestamptz', nullable: true })
  removedAt: Date | null = null;
}
