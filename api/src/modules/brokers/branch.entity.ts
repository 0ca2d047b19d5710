import { randomUUID } from 'node:crypto';
import { Entity, ManyToOne, OptionalProps, PrimaryKey, Property, Unique, type Rel } from '@mikro-orm/core';
import { Field, ID, ObjectType } from 'type-graphql';
import type { Broker } from './broker.entity';

/** A branch (营业部); customers and agents belong to one, and the witness queue is per branch. */
@ObjectType({ description: '营业部' })
@Entity({ tableName: 'branches' })
@Unique({ properties: ['broker', 'code'] })
export class Branch {
  [OptionalProps]?: 'editedAt';

  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne('Broker', { deleteRule: 'cascade' })
  broker!: Rel<Broker>;

  /** The branch's code within its broker (from the BrokerPack). */
  @Property()
  code!: string;

  @Field()
  @Property()
  name!: string;

  /** Set when a broker admin created or renamed the branch: the BrokerPack no longer renames it. */
  @Property({ type: 'timestamptz', nullable: true })
  editedAt: Date | null = null;
}
