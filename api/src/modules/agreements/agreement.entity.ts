import { randomUUID } from 'node:crypto';
import { Entity, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';

/**
 * One version of an agreement text of a broker. Editing (in the BrokerPack or by a broker admin)
 * adds a version; a version, once stored, never changes — signatures refer to it.
 */
@Entity({ tableName: 'agreements' })
@Unique({ properties: ['brokerId', 'code', 'version'] })
export class Agreement {
  [OptionalProps]?: 'createdAt' | 'createdBy';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  brokerId!: string;

  /** The broker admin who wrote this version; null for versions from the BrokerPack. */
  @Property({ type: 'uuid', nullable: true })
  createdBy: string | null = null;

  @Property()
  code!: string;

  @Property()
  version!: number;

  @Property()
  title!: string;

  /** Markdown */
  @Property({ type: 'text' })
  content!: string;

  /** SHA-256 (hex) of content */
  @Property({ length: 64 })
  sha256!: string;

  /** Business types that sign this version. */
  @Property({ type: 'json' })
  businesses!: string[];

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}

/** A verified signature of one agreement version for one ticket. */
@Entity({ tableName: 'agreement_signatures' })
@Unique({ properties: ['ticketId', 'agreementId'] })
export class AgreementSignature {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  ticketId!: string;

  @Property({ type: 'uuid' })
  agreementId!: string;

  /** The exact bytes signed (canonical JSON). */
  @Property({ type: 'text' })
  payload!: string;

  /** The text signed, when the agreement is a template filled in for this ticket (else null: the version's own text). */
  @Property({ type: 'text', nullable: true })
  content?: string | null;

  /** CMS detached signature, DER, base64. */
  @Property({ type: 'text' })
  signature!: string;

  @Property()
  signerSerial!: string;

  @Property({ type: 'json' })
  verification!: Record<string, unknown>;

  @Property({ type: 'timestamptz' })
  signedAt!: Date;
}
