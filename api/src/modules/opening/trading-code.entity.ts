import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * An exchange's trading code (交易编码) of an opened account, as Kaihu last heard from the counter:
 * PENDING until the application reached the counter, APPLIED until the exchange answers, then
 * ASSIGNED (with the code) or REFUSED (with the reason).
 */
@Entity({ tableName: 'trading_codes' })
export class TradingCode {
  @PrimaryKey({ type: 'uuid' })
  ticketId!: string;

  @PrimaryKey({ length: 8 })
  exchange!: string;

  @Property({ type: 'uuid' })
  brokerId!: string;

  @Property({ length: 32 })
  accountNo!: string;

  @Index()
  @Property({ length: 16 })
  status!: 'PENDING' | 'APPLIED' | 'ASSIGNED' | 'REFUSED';

  @Property({ type: 'varchar', length: 32, nullable: true })
  code: string | null = null;

  @Property({ type: 'text', nullable: true })
  reason: string | null = null;

  @Property({ type: 'timestamptz', nullable: true })
  appliedAt: Date | null = null;

  @Property({ type: 'timestamptz', nullable: true })
  answeredAt: Date | null = null;
}
