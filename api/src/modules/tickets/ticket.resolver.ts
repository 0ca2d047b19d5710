import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import { TOPICS } from '../../common/pubsub';
import { ErrorCode, KaihuError } from '../../common/errors';
import type { KaihuContext } from '../../graphql/context';
import { openLive } from '../../graphql/live-iterator';
import { requireApplicant, requireCustomer, ViewerType } from '../auth';
import { CustomerType, type CustomerRoot } from '../profiles';
import { toTicketType } from './ticket.mapping';
import { encodeCursor } from './ticket.service';
import { TicketConnection, TicketEventType, TicketType } from './ticket.types';
import { BusinessType, TicketStatus } from '../../graphql/enums';

@Resolver(() => TicketType)
export class TicketResolver {
  @Query(() => TicketType, {
    nullable: true,
    description: '按 id 查询受理单（客户本人，或同一期货公司的工作人员和合作方）',
  })
  async ticket(
    @Arg('id', () => ID) id: string,
    @Ctx() { em, services, viewer }: KaihuContext,
  ): Promise<TicketType | null> {
    try {
      return toTicketType(await services.tickets.get(em, viewer, id));
    } catch (e) {
      if (e instanceof KaihuError && e.code === ErrorCode.NOT_FOUND) return null;
      throw e;
    }
  }

  @Mutation(() => TicketType, { description: '开始办理业务；已有未完成的同类业务时继续办理该业务' })
  async startTicket(
    @Arg('business', () => BusinessType) business: BusinessType,
    @Ctx() { em, services, viewer }: KaihuContext,
  ): Promise<TicketType> {
    return toTicketType(await services.tickets.start(em, requireCustomer(viewer), business));
  }

  @Mutation(() => TicketType, { description: '上一步' })
  async goBack(
    @Arg('ticketId', () => ID) ticketId: string,
    @Ctx() { em, services, viewer }: KaihuContext,
  ): Promise<TicketType> {
    return toTicketType(await services.tickets.goBack(em, requireApplicant(viewer), ticketId));
  }

  @Mutation(() => TicketType, { description: '取消办理' })
  async cancelTicket(
    @Arg('ticketId', () => ID) ticketId: string,
    @Ctx() { em, services, viewer }: KaihuContext,
  ): Promise<TicketType> {
    return toTicketType(await services.tickets.cancel(em, requireApplicant(viewer), ticketId));
  }

  @Mutation(() => TicketType, {
    description: '重新申请数字证书（签署协议时本机没有证书或忘记证书密码）：重新进行视频见证并安装新证书后再签署协议',
  })
  async reapplyCertificate(
    @Arg('ticketId', () => ID) ticketId: string,
    @Ctx() { em, services, viewer }: KaihuContext,
  ): Promise<TicketType> {
    return toTicketType(await services.tickets.reapplyCertificate(em, requireApplicant(viewer), ticketId));
  }

  @Mutation(() => TicketType, { description: '提交申请（审核中）' })
  async submitTicket(
    @Arg('ticketId', () => ID) ticketId: string,
    @Ctx() { em, services, viewer }: KaihuContext,
  ): Promise<TicketType> {
    return toTicketType(await services.tickets.submit(em, requireApplicant(viewer), ticketId));
  }

  @Subscription(() => TicketType, {
    description: 'status and step changes of one ticket (review outcome, 打回); the current state first',
    subscribe: ({ args, context }) => ticketUpdates(context as KaihuContext, String(args.ticketId)),
  })
  async ticketUpdated(
    @Root() payload: { id: string },
    @Arg('ticketId', () => ID) _ticketId: string,
    @Ctx() { em, services, viewer }: KaihuContext,
  ): Promise<TicketType> {
    em.clear();
    return toTicketType(await services.tickets.get(em, viewer, payload.id));
  }

  @FieldResolver(() => [TicketEventType], { description: '变更记录（谁、何时、做了什么、修改前后）' })
  async events(@Root() t: TicketType, @Ctx() { em, services }: KaihuContext): Promise<TicketEventType[]> {
    return (await services.tickets.events(em, t.id)).map((e) => ({
      id: e.id,
      actorKind: e.actorKind,
      actorId: e.actorId,
      action: e.action,
      step: (e.step as TicketEventType['step']) ?? null,
      before: e.before === null || e.before === undefined ? null : JSON.stringify(e.before),
      after: e.after === null || e.after === undefined ? null : JSON.stringify(e.after),
      at: e.at,
    }));
  }
}

/**
 * Checks the viewer may see the ticket, sends its current state at once (so a client that
 * (re)connects is up to date without a separate query), then every change (the resolver reloads
 * the ticket for each). Returned at once when the client goes (see live-iterator.ts): an async
 * generator here stayed alive, with its bus subscription, until the ticket's next change.
 */
function ticketUpdates(ctx: KaihuContext, ticketId: string): Promise<AsyncIterableIterator<{ id: string }>> {
  return openLive(async () => {
    await ctx.services.tickets.get(ctx.em, ctx.viewer, ticketId);
    const updates = ctx.services.bus.subscribe(TOPICS.TICKET_UPDATED, ticketId)[Symbol.asyncIterator]();
    return {
      first: { id: ticketId },
      next: async () => {
        const next = await updates.next();
        return next.done ? null : (next.value as { id: string });
      },
      stop: () => void updates.return?.(),
      cleanup: () => {},
    };
  });
}

@Resolver(() => CustomerType)
export class CustomerTicketsResolver {
  @FieldResolver(() => TicketConnection, { description: '我的业务；status: [IN_PROGRESS, RETURNED] 即“待完成业务”' })
  async tickets(
    @Root() c: CustomerRoot,
    @Ctx() { em, services }: KaihuContext,
    @Arg('status', () => [TicketStatus], { nullable: true }) status?: TicketStatus[] | null,
    @Arg('first', () => Int, { nullable: true }) first?: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
  ): Promise<TicketConnection> {
    const size = Math.min(Math.max(first ?? 20, 1), 100);
    const page = await services.tickets.listForCustomer(em, c.id, status ?? null, size, after ?? null);
    const edges = page.tickets.map((t) => ({ cursor: encodeCursor(t), node: toTicketType(t) }));
    return {
      edges,
      totalCount: page.totalCount,
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges[edges.length - 1]?.cursor ?? null },
    };
  }
}

@Resolver(() => ViewerType)
export class ViewerTicketsResolver {
  @FieldResolver(() => [TicketType], {
    description: '开户申请人（手机号登录）：本人的开户申请，最新在前（最多20个）；其他调用者为空列表',
  })
  async applications(@Ctx() { em, services, viewer }: KaihuContext): Promise<TicketType[]> {
    if (viewer?.kind !== 'PROSPECT' || !viewer.applicantId) return [];
    return (await services.tickets.listForCustomer(em, viewer.applicantId, null, 20, null)).tickets.map(toTicketType);
  }
}
