import { randomUUID } from 'node:crypto';
import { Entity, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';

export type SessionKind = 'CUSTOMER' | 'STAFF' | 'PROSPECT';

/** A login session. The token is 256 random bits; only its SHA-256 is stored. */
@Entity({ tableName: 'sessions' })
export class Session {
  [OptionalProps]?: 'revokedAt' | 'customerId' | 'staffId' | 'prospectId' | 'apiKeyId';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ unique: true })
  tokenHash!: string;

  @Property()
  kind!: SessionKind;

  @Index()
  @Property({ type: 'uuid', nullable: true })
  customerId: string | null = null;

  @Index()
  @Property({ type: 'uuid', nullable: true })
  staffId: string | null = null;

  /** PROSPECT sessions: the person opening an account */
  @Index()
  @Property({ type: 'uuid', nullable: true })
  prospectId: string | null = null;

  @Property({ type: 'uuid' })
  brokerId!: string;

  @Property({ type: 'json' })
  roles!: string[];

  /** Set when a partner ran the login: the session is bound to the partner's broker. */
  @Property({ type: 'uuid', nullable: true })
  apiKeyId: string | null = null;

  @Property({ type: 'timestamptz' })
  createdAt!: Date;

  @Property({ type: 'timestamptz' })
  lastSeenAt!: Date;

  /** createdAt + 8 h */
  @Property({ type: 'timestamptz' })
  absoluteExpiresAt!: Date;

  @Property({ type: 'timestamptz', nullable: true })
  revokedAt: Date | null = null;
}
