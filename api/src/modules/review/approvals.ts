/**
 * What approving a ticket does at the broker's counter, per business (data, not an if-chain):
 * every business applies the profile changes its steps collected; a business listed here does more
 * and says what the customer is told. A new business whose approval does something else adds its
 * entry here (docs/adding-a-business.md).
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import type { CounterProfile, CounterSystem } from '@kaihu/plugin-api';
import type { BusinessType } from '@kaihu/domain';
import type { Broker } from '../brokers';
import type { Ticket } from '../tickets';

export interface ApprovalContext {
  em: EntityManager;
  ticket: Ticket;
  broker: Broker;
  /** the customer as the counter knows them, after the profile changes were applied */
  customer: { idNumber: string; accountType: 'FUTURES_BROKERAGE' | 'ASSET_MANAGEMENT'; profile: CounterProfile };
  counter: CounterSystem;
}

/** The SMS the customer gets on approval. */
export interface ApprovalMessage {
  text: string;
  purpose: string;
  /** a one-time secret the text carries (the temporary password): never logged */
  code?: string;
}

export type Approval = (ctx: ApprovalContext) => Promise<ApprovalMessage>;

/** The message of an approval that does nothing beyond the profile changes. */
export function approvedMessage(
  ctx: Pick<ApprovalContext, 'ticket' | 'broker' | 'customer'>,
  business: string,
): ApprovalMessage {
  return {
    text: `【${ctx.broker.name}】尊敬的${ctx.customer.profile.name}客户，您的${business}申请（受理单号${ctx.ticket.acceptanceNo}）已审核通过。`,
    purpose: 'TICKET_APPROVED',
  };
}

export const APPROVALS: Partial<Record<BusinessType, Approval>> = {
  /** 密码重置: the counter resets the password; the SMS carries the temporary one (the counter keeps only a hash). */
  RESET_PASSWORD: async ({ ticket, broker, customer, counter }) => {
    const { temporaryPassword } = await counter.resetPassword(
      broker.code,
      customer.idNumber,
      customer.accountType,
      ticket.acceptanceNo,
    );
    return {
      text: `【${broker.name}】尊敬的${customer.profile.name}客户，您的密码重置已完成，临时交易密码为${temporaryPassword}，请尽快登录交易系统修改密码。如非本人操作，请致电${broker.servicePhone ?? '我司客服'}。`,
      purpose: 'PASSWORD_RESET',
      code: temporaryPassword,
    };
  },
};
