import { randomUUID } from 'node:crypto';
import { Entity, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';

export type DocumentKind = 'ID_CARD_FRONT' | 'ID_CARD_BACK' | 'SIGNATURE' | 'WITNESS_SNAPSHOT' | 'BANK_CARD';

/**
 * A photo on a ticket. The bytes live in the DocumentStore by SHA-256 (original as uploaded,
 * processed, thumbnail); this row links them to the ticket and says what the pipeline did.
 * Uploading the same kind again supersedes the earlier row (kept for the audit trail).
 */
@Entity({ tableName: 'documents' })
@Index({ properties: ['ticketId', 'kind'] })
@Index({ properties: ['customerId', 'kind'] })
export class Document {
  [OptionalProps]?: 'supersededAt' | 'reusedFromId';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  ticketId!: string;

  @Property({ type: 'uuid' })
  customerId!: string;

  @Property({ type: 'uuid' })
  brokerId!: string;

  @Property()
  kind!: DocumentKind;

  /** SHA-256 of the bytes as uploaded. */
  @Property({ length: 64 })
  originalSha256!: string;

  /** SHA-256 of the processed JPEG (what reviewers see). */
  @Property({ length: 64 })
  sha256!: string;

  @Property({ length: 64 })
  thumbnailSha256!: string;

  @Property()
  width!: number;

  @Property()
  height!: number;

  @Property()
  size!: number;

  @Property({ type: 'json' })
  adjustments!: string[];

  /** The measured quality values (luminance, glare, sharpness, contrast). */
  @Property({ type: 'json' })
  quality!: Record<string, number>;

  /** Set when this row was copied from an approved earlier ticket (reuseDocuments). */
  @Property({ type: 'uuid', nullable: true })
  reusedFromId: string | null = null;

  @Property({ type: 'timestamptz' })
  createdAt!: Date;

  @Property({ type: 'timestamptz', nullable: true })
  supersededAt: Date | null = null;
}
