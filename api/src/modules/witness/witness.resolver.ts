import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import { ErrorCode, KaihuError } from '../../common/errors';
import { TOPICS } from '../../common/pubsub';
import type { KaihuContext } from '../../graphql/context';
import { requireCustomer, requireStaff } from '../auth/viewer';
import { toTicketType } from '../tickets/ticket.resolver';
import { TicketType } from '../tickets/ticket.types';
import type { QueueEntry, WitnessSession } from './witness.entity';
import { BranchQueue, QueueEntryType, WitnessOutcomeInput, WitnessSessionType } from './witness.types';

async function toEntryType(ctx: KaihuContext, entry: QueueEntry): Promise<QueueEntryType> {
  const v = await ctx.services.witness.view(ctx.em, entry);
  return { id: entry.id, state: entry.state, position: v.position, waiting: v.waiting, estimatedWaitSeconds: v.estimatedWaitSeconds, witnessSessionId: entry.sessionId, ticketId: entry.ticketId };
}

async function toSessionType(ctx: KaihuContext, s: WitnessSession): Promise<WitnessSessionType> {
  const ticket = await ctx.services.tickets.get(ctx.em, ctx.viewer, s.ticketId);
  const agent = await ctx.services.auth.findStaff(ctx.em, s.agentStaffId);
  return {
    id: s.id,
    ticket: toTicketType(ticket),
    agentName: agent?.displayName ?? null,
    agentLicenseNo: agent?.licenseNo ?? null,
    startedAt: s.startedAt,
    endedAt: s.endedAt,
    outcome: (s.outcome as 'PASSED' | 'RETURNED' | null) ?? null,
    checklist: s.checklist ?? [],
  };
}

async function toBranchQueue(ctx: KaihuContext, branchId: string): Promise<BranchQueue> {
  const q = await ctx.services.witness.branchQueue(ctx.em, ctx.viewer!, branchId);
  const branch = await ctx.services.brokers.findBranch(ctx.em, ctx.viewer!.brokerId, { id: branchId });
  const items = [];
  for (const entry of q.entries) {
    const ticket = await ctx.services.tickets.get(ctx.em, ctx.viewer, entry.ticketId);
    const customer = await ctx.services.profiles.findCustomer(ctx.em, entry.customerId);
    items.push({ entry: await toEntryType(ctx, entry), ticket: toTicketType(ticket), customerName: customer?.name ?? '', enqueuedAt: entry.enqueuedAt });
  }
  return { branch: branch!, waiting: q.entries.length, items };
}

/** Sends the current value, then a new one after each change of the branch's queue. */
async function* queueUpdates<T>(ctx: KaihuContext, branchId: string, current: () => Promise<T>, key: (v: T) => string): AsyncGenerator<T> {
  const updates = ctx.services.bus.subscribe(TOPICS.QUEUE_CHANGED, branchId)[Symbol.asyncIterator]();
  try {
    let last = await current();
    yield last;
    for (;;) {
      const next = await updates.next();
      if (next.done) return;
      ctx.em.clear();
      const value = await current();
      if (key(value) !== key(last)) yield value;
      last = value;
    }
  } finally {
    await updates.return?.();
  }
}

async function* positionUpdates(ctx: KaihuContext, ticketId: string): AsyncGenerator<QueueEntryType> {
  const ticket = await ctx.services.tickets.get(ctx.em, requireCustomer(ctx.viewer), ticketId);
  const current = async () => {
    const entry = await ctx.services.witness.latestEntry(ctx.em, ticket.id);
    if (!entry) throw new KaihuError(ErrorCode.NOT_FOUND, '尚未加入视频见证排队');
    return toEntryType(ctx, entry);
  };
  yield* queueUpdates(ctx, ticket.branchId, current, (e) => JSON.stringify(e));
}

async function* branchQueueUpdates(ctx: KaihuContext, branchId: string): AsyncGenerator<BranchQueue> {
  requireStaff(ctx.viewer);
  yield* queueUpdates(ctx, branchId, () => toBranchQueue(ctx, branchId), (q) => JSON.stringify(q.items.map((i) => [i.entry.id, i.entry.position, i.entry.estimatedWaitSeconds])));
}

@Resolver(() => TicketType)
export class WitnessResolver {
  @Mutation(() => QueueEntryType, { description: '开始视频通话：加入营业部视频见证排队（重复加入返回同一排队）' })
  async joinWitnessQueue(@Arg('ticketId', () => ID) ticketId: string, @Ctx() ctx: KaihuContext): Promise<QueueEntryType> {
    return toEntryType(ctx, await ctx.services.witness.join(ctx.em, requireCustomer(ctx.viewer), ticketId));
  }

  @Mutation(() => Boolean, { description: '取消排队' })
  leaveWitnessQueue(@Arg('ticketId', () => ID) ticketId: string, @Ctx() { em, services, viewer }: KaihuContext): Promise<boolean> {
    return services.witness.leave(em, requireCustomer(viewer), ticketId);
  }

  @Query(() => BranchQueue, { description: 'staff: the live queue of a branch' })
  branchQueue(@Arg('branchId', () => ID) branchId: string, @Ctx() ctx: KaihuContext): Promise<BranchQueue> {
    requireStaff(ctx.viewer);
    return toBranchQueue(ctx, branchId);
  }

  @Mutation(() => WitnessSessionType, { nullable: true, description: 'agent: take the head of the branch queue; null when nobody waits' })
  async claimNextCustomer(@Arg('branchId', () => ID) branchId: string, @Ctx() ctx: KaihuContext): Promise<WitnessSessionType | null> {
    const s = await ctx.services.witness.claimNext(ctx.em, requireStaff(ctx.viewer, 'AGENT'), branchId);
    return s ? toSessionType(ctx, s) : null;
  }

  @Mutation(() => WitnessSessionType, { description: '见证结果：通过，或打回到某一步并说明原因' })
  async completeWitness(@Arg('sessionId', () => ID) sessionId: string, @Arg('input', () => WitnessOutcomeInput) input: WitnessOutcomeInput, @Ctx() ctx: KaihuContext): Promise<WitnessSessionType> {
    return toSessionType(ctx, await ctx.services.witness.complete(ctx.em, requireStaff(ctx.viewer, 'AGENT'), sessionId, input));
  }

  @FieldResolver(() => QueueEntryType, { nullable: true, description: '视频见证排队情况' })
  async queueEntry(@Root() t: TicketType, @Ctx() ctx: KaihuContext): Promise<QueueEntryType | null> {
    const entry = await ctx.services.witness.latestEntry(ctx.em, t.id);
    return entry ? toEntryType(ctx, entry) : null;
  }

  @Subscription(() => QueueEntryType, {
    description: "the customer's own queue entry, pushed whenever position, estimate or state changes",
    subscribe: ({ args, context }) => positionUpdates(context as KaihuContext, String(args.ticketId)),
  })
  queuePosition(@Root() entry: QueueEntryType, @Arg('ticketId', () => ID) _ticketId: string): QueueEntryType {
    return entry;
  }

  @Subscription(() => BranchQueue, {
    name: 'branchQueue',
    description: 'agent: the branch queue, pushed on every join, leave, claim and end',
    subscribe: ({ args, context }) => branchQueueUpdates(context as KaihuContext, String(args.branchId)),
  })
  branchQueueUpdated(@Root() queue: BranchQueue, @Arg('branchId', () => ID) _branchId: string): BranchQueue {
    return queue;
  }
}
