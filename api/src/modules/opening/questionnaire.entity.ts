import { randomUUID } from 'node:crypto';
import { Entity, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import type { QuestionnaireDefinition, QuestionnaireKind } from '@kaihu/plugin-api';

/**
 * A version of one of a broker's questionnaires (适当性评估, 回访问卷, knowledge tests), as the broker
 * pack defined it. A changed definition is a new version; answers name the version they answer.
 */
@Entity({ tableName: 'questionnaires' })
@Unique({ properties: ['brokerId', 'code', 'version'] })
export class Questionnaire {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  brokerId!: string;

  @Property({ length: 64 })
  code!: string;

  @Property({ length: 32 })
  kind!: QuestionnaireKind;

  @Property()
  version!: number;

  @Property({ type: 'text' })
  title!: string;

  @Property({ type: 'json' })
  definition!: QuestionnaireDefinition;

  @Property({ length: 64 })
  sha256!: string;

  @Property({ type: 'timestamptz' })
  createdAt!: Date;
}
