import { randomUUID } from 'node:crypto';
import { Entity, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';

/** A partner's API key: only its SHA-256 is stored; the key itself is shown once. */
@Entity({ tableName: 'api_keys' })
export class ApiKey {
  [OptionalProps]?: 'createdAt' | 'lastUsedAt' | 'revokedAt' | 'scopes';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Index()
  @Property({ type: 'uuid' })
  brokerId!: string;

  @Property()
  name!: string;

  /** SHA-256 (hex) of the whole key. */
  @Property({ unique: true })
  keyHash!: string;

  /** The first characters of the key, to tell keys apart in lists. */
  @Property()
  prefix!: string;

  @Property({ type: 'json' })
  scopes: string[] = ['*'];

  @Property({ type: 'timestamptz', nullable: true })
  lastUsedAt: Date | null = null;

  @Property({ type: 'timestamptz', nullable: true })
  revokedAt: Date | null = null;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}
