/**
 * What approving a ticket does at the broker's counter, per business (data, not an if-chain):
 * by default the profile changes its steps collected are applied; a business listed in
 * {@link APPROVALS} does what it needs instead and says what the customer is told. A new business
 * whose approval does something else adds its entry here (docs/adding-a-business.md).
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { BUSINESSES } from '@kaihu/domain';
import type { BusinessType } from '@kaihu/domain';
import { ErrorCode, KaihuError } from '../../common/errors';
import type { Services } from '../../services';
import type { Broker } from '../brokers';
import type { Ticket } from '../tickets';

export interface ApprovalContext {
  em: EntityManager;
  ticket: Ticket;
  broker: Broker;
  services: Services;
}

/** The SMS the customer gets on approval. */
export interface ApprovalMessage {
  to: string;
  text: string;
  purpose: string;
  /** a one-time secret the text carries (the temporary password): never logged */
  code?: string;
}

export interface ApprovalResult {
  message: ApprovalMessage;
  /** work for after the approval committed (applying for trading codes: retried by a poll if it fails) */
  after?: (em: EntityManager) => Promise<void>;
}

export type Approval = (ctx: ApprovalContext) => Promise<ApprovalResult>;

/**
 * Applies the ticket's profile changes at the counter (keeping what the fields were, so that the
 * diff stays readable afterwards) and tells the customer it was approved.
 */
export const applyProfileChanges: Approval = async ({ em, ticket, broker, services }) => {
  const customer = await services.profiles.findCustomer(em, ticket.customerId);
  if (!customer) throw new KaihuError(ErrorCode.NOT_FOUND, '客户不存在');
  const changes = services.tickets.steps.profileChanges(ticket);
  const current = (await services.profiles.counterProfile(em, customer)) as unknown as Record<string, unknown>;
  ticket.data = {
    ...ticket.data,
    PROFILE_BEFORE: Object.fromEntries(Object.keys(changes).map((k) => [k, current[k] ?? null])),
  };
  if (Object.keys(changes).length)
    await services.plugins.counter.applyChange(broker.code, customer.idNumber, {
      acceptanceNo: ticket.acceptanceNo,
      business: ticket.business,
      changes,
    });
  const profile = await services.profiles.counterProfile(em, customer);
  return {
    message: {
      to: profile.mobile,
      text: `【${broker.name}】尊敬的${profile.name}客户，您的${BUSINESSES[ticket.business].name}申请（受理单号${ticket.acceptanceNo}）已审核通过。`,
      purpose: 'TICKET_APPROVED',
    },
  };
};

export const APPROVALS: Partial<Record<BusinessType, Approval>> = {
  /** 密码重置: the changes, then the counter resets the password; the SMS carries the temporary one (the counter keeps only a hash). */
  RESET_PASSWORD: async (ctx) => {
    const { message } = await applyProfileChanges(ctx);
    const customer = (await ctx.services.profiles.findCustomer(ctx.em, ctx.ticket.customerId))!;
    const profile = await ctx.services.profiles.counterProfile(ctx.em, customer);
    const { temporaryPassword } = await ctx.services.plugins.counter.resetPassword(
      ctx.broker.code,
      customer.idNumber,
      customer.accountType,
      ctx.ticket.acceptanceNo,
    );
    return {
      message: {
        to: message.to,
        text: `【${ctx.broker.name}】尊敬的${profile.name}客户，您的密码重置已完成，临时交易密码为${temporaryPassword}，请尽快登录交易系统修改密码。如非本人操作，请致电${ctx.broker.servicePhone ?? '我司客服'}。`,
        purpose: 'PASSWORD_RESET',
        code: temporaryPassword,
      },
    };
  },
  /** 开立期货账户: the counter opens the account (资金账号); the trading codes are applied for once the approval committed. */
  OPEN_FUTURES_ACCOUNT: async ({ em, ticket, broker, services }) => {
    const opened = await services.opening.openAccount(em, ticket, broker);
    return {
      message: { to: opened.mobile, text: opened.text, purpose: 'ACCOUNT_OPENED' },
      after: async (fork) => void (await services.opening.applyTradingCodes(fork, ticket.id)),
    };
  },
};
