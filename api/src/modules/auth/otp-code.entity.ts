import { randomUUID } from 'node:crypto';
import { Entity, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';

/** A one-time SMS code. Only an HMAC of the code is stored. */
@Entity({ tableName: 'otp_codes' })
@Index({ properties: ['subject', 'createdAt'] })
export class OtpCode {
  [OptionalProps]?: 'consumedAt' | 'attempts';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  /** HMAC of purpose + who it is for (e.g. broker, ID number, account type): never the ID itself. */
  @Property()
  subject!: string;

  @Property()
  purpose!: string;

  /** Where it was sent (the full number: needed to check a phone change). */
  @Property()
  sentTo!: string;

  @Property()
  codeHash!: string;

  @Property()
  attempts: number = 0;

  @Property({ type: 'timestamptz' })
  expiresAt!: Date;

  @Property({ type: 'timestamptz' })
  resendAfter!: Date;

  @Property({ type: 'timestamptz', nullable: true })
  consumedAt: Date | null = null;

  @Property({ type: 'timestamptz' })
  createdAt!: Date;
}
