import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { ErrorCode, KaihuError } from '../../common/errors';
import type { KaihuContext } from '../../graphql/context';
import { requireStaff } from '../auth';
import { toTicketType } from '../tickets';
import { encodeCursor } from '../tickets';
import { BusinessType, TicketConnection, TicketStatus, TicketStepKind, TicketType } from '../tickets';

@Resolver()
export class ReviewResolver {
  @Query(() => TicketConnection, { description: 'reviewer: tickets to review, oldest first' })
  async reviewQueue(
    @Ctx() { em, services, viewer }: KaihuContext,
    @Arg('status', () => [TicketStatus], { nullable: true }) status?: TicketStatus[] | null,
    @Arg('first', () => Int, { nullable: true }) first?: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
    @Arg('business', () => BusinessType, { nullable: true, description: '只看某类业务' })
    business?: BusinessType | null,
    @Arg('branchId', () => ID, { nullable: true, description: '只看某营业部' }) branchId?: string | null,
    @Arg('submittedBefore', () => Date, { nullable: true, description: '只看在此时间或之前提交的（等待时长筛选）' })
    submittedBefore?: Date | null,
  ): Promise<TicketConnection> {
    const reviewer = requireStaff(viewer, 'REVIEWER');
    const size = Math.min(Math.max(first ?? 20, 1), 100);
    if (branchId) {
      const found = /^[0-9a-f-]{36}$/i.test(branchId) ? await services.brokers.branchById(em, branchId) : null;
      if (!found || found.brokerId !== reviewer.brokerId) throw new KaihuError(ErrorCode.NOT_FOUND, '营业部不存在');
    }
    const page = await services.review.queue(em, reviewer, status ?? null, size, after ?? null, {
      business,
      branchId,
      submittedBefore,
    });
    const edges = page.tickets.map((t) => ({ cursor: encodeCursor(t, t.updatedAt), node: toTicketType(t) }));
    return {
      edges,
      totalCount: page.totalCount,
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges[edges.length - 1]?.cursor ?? null },
    };
  }

  @Mutation(() => TicketType, {
    description: 'reviewer (复核): approve — the change goes to the counter system and the customer gets an SMS',
  })
  async approveTicket(
    @Arg('ticketId', () => ID) ticketId: string,
    @Ctx() { em, services, viewer }: KaihuContext,
    @Arg('note', () => String, { nullable: true }) note?: string | null,
  ): Promise<TicketType> {
    return toTicketType(await services.review.approve(em, requireStaff(viewer, 'REVIEWER'), ticketId, note ?? null));
  }

  @Mutation(() => TicketType, { description: '打回：客户重新办理该步骤后再次提交' })
  async returnTicket(
    @Arg('ticketId', () => ID) ticketId: string,
    @Arg('step', () => TicketStepKind) step: TicketStepKind,
    @Arg('reason', () => String) reason: string,
    @Ctx() { em, services, viewer }: KaihuContext,
  ): Promise<TicketType> {
    return toTicketType(await services.review.returnTo(em, requireStaff(viewer, 'REVIEWER'), ticketId, step, reason));
  }

  @Mutation(() => TicketType, { description: '拒绝' })
  async rejectTicket(
    @Arg('ticketId', () => ID) ticketId: string,
    @Arg('reason', () => String) reason: string,
    @Ctx() { em, services, viewer }: KaihuContext,
  ): Promise<TicketType> {
    return toTicketType(await services.review.reject(em, requireStaff(viewer, 'REVIEWER'), ticketId, reason));
  }
}
