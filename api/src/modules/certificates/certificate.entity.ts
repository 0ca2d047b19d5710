import { randomUUID } from 'node:crypto';
import { Entity, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';

/** The platform root CA (brokerId null) or a broker's issuing CA; the key is encrypted at rest. */
@Entity({ tableName: 'certificate_authorities' })
export class CertificateAuthority {
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  /** ROOT or ISSUING */
  @Property()
  kind!: 'ROOT' | 'ISSUING';

  @Property({ type: 'uuid', nullable: true, unique: true })
  brokerId!: string | null;

  @Property({ type: 'text' })
  certPem!: string;

  /** PKCS#8, AES-256-CBC under a key derived from the deployment's secret. */
  @Property({ type: 'text', lazy: true })
  keyPemEncrypted!: string;

  @Property({ type: 'timestamptz' })
  createdAt!: Date;
}

/** A customer's personal certificate, issued from a CSR made in the browser. */
@Entity({ tableName: 'certificates' })
@Index({ properties: ['customerId', 'notAfter'] })
export class Certificate {
  [OptionalProps]?: 'revokedAt' | 'revokedReason';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  customerId!: string;

  @Property({ type: 'uuid' })
  brokerId!: string;

  /** The ticket whose witness it was issued after. */
  @Property({ type: 'uuid' })
  ticketId!: string;

  /** hex */
  @Property({ unique: true })
  serialNumber!: string;

  @Property({ type: 'text' })
  subject!: string;

  @Property({ type: 'text' })
  certPem!: string;

  @Property({ type: 'timestamptz' })
  notBefore!: Date;

  @Property({ type: 'timestamptz' })
  notAfter!: Date;

  @Property({ type: 'timestamptz', nullable: true })
  revokedAt: Date | null = null;

  @Property({ type: 'text', nullable: true })
  revokedReason: string | null = null;
}
