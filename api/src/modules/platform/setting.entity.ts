import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

/** A platform-wide value kept in the database (e.g. the generated secret of a non-production deployment). */
@Entity({ tableName: 'kaihu_settings' })
export class Setting {
  @PrimaryKey({ type: 'text' })
  key!: string;

  @Property({ type: 'text' })
  value!: string;
}
