import { randomUUID } from 'node:crypto';
import { Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';

/** An image captcha: only an HMAC of the answer is kept (plus the answer itself in demo mode). */
@Entity({ tableName: 'captchas' })
export class Captcha {
  [OptionalProps]?: 'usedAt' | 'demoAnswer';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property()
  answerHash!: string;

  /** Demo mode only, for `GET /dev/captcha/:id`. */
  @Property({ type: 'text', nullable: true })
  demoAnswer: string | null = null;

  @Property({ type: 'timestamptz' })
  expiresAt!: Date;

  @Property({ type: 'timestamptz', nullable: true })
  usedAt: Date | null = null;

  @Property({ type: 'timestamptz' })
  createdAt!: Date;
}
