import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import { ErrorCode, KaihuError } from '../../common/errors';
import { TOPICS } from '../../common/pubsub';
import type { KaihuContext } from '../../graphql/context';
import { pushIterator, type PushSource } from '../../graphql/fast-subscriptions';
import { openLive } from '../../graphql/live-iterator';
import { JSONObjectScalar } from '../../graphql/scalars';
import { requireApplicant, requireStaff } from '../auth';
import { toTicketType, type TicketRoot } from '../tickets';
import { TicketType } from '../tickets';
import { SnapshotMailbox, type BranchSnapshot } from './queue-board';
import { DocumentType } from '../documents';
import { toDocumentType } from '../documents';
import type { QueueEntry, WitnessRecording, WitnessSession } from './witness.entity';
import { estimateSeconds, type QueueView } from './queue';
import {
  BranchQueue,
  QueueEntryType,
  WitnessAbandonReason,
  WitnessConsumerType,
  WitnessMediaEventType,
  WitnessOutcomeInput,
  WitnessProducerType,
  WitnessRecordingType,
  WitnessSessionType,
  WitnessTransportType,
} from './witness.types';

const MAX_QUEUE_ITEMS = 500;

function entryType(ctx: KaihuContext, v: QueueView): QueueEntryType {
  const e = v.entry;
  const keptUntil =
    e.disconnectedAt && (e.state === 'WAITING' || e.state === 'CALLED' || e.state === 'IN_SESSION')
      ? new Date(e.disconnectedAt.getTime() + ctx.services.witness.config.customerGraceMs)
      : null;
  return {
    id: e.id,
    state: e.state,
    position: v.position,
    waiting: v.waiting,
    estimatedWaitSeconds: v.estimatedWaitSeconds,
    witnessSessionId: e.sessionId,
    ticketId: e.ticketId,
    keptUntil,
  };
}

async function toEntryType(ctx: KaihuContext, entry: QueueEntry): Promise<QueueEntryType> {
  return entryType(ctx, await ctx.services.witness.queue.view(ctx.em, entry));
}

function toRecordingType(ctx: KaihuContext, r: WitnessRecording): WitnessRecordingType {
  return {
    id: r.id,
    sessionId: r.sessionId,
    mimeType: r.mimeType,
    durationSeconds: Math.round(r.durationMs / 1000),
    size: Number(r.size),
    sha256: r.sha256,
    streams: r.streams.map((x) => ({
      party: x.label as 'CUSTOMER' | 'AGENT',
      kind: x.kind,
      codec: x.codec,
      durationSeconds: Math.round(x.durationMs / 1000),
    })),
    createdAt: r.createdAt,
    retainUntil: r.retainUntil,
    url: ctx.services.witness.recordings.recordingUrl(r, ctx.viewer!),
  };
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
    endReason: s.endReason,
    agentConnected: s.agentDisconnectedAt === null,
    checklist: s.checklist ?? [],
  };
}

function limit(first: number | null | undefined): number {
  const n = first ?? 100;
  if (!Number.isInteger(n) || n < 1 || n > MAX_QUEUE_ITEMS)
    throw new KaihuError(ErrorCode.BAD_USER_INPUT, `first 须在 1 到 ${MAX_QUEUE_ITEMS} 之间`);
  return n;
}

/** The first `first` waiting customers, their tickets and names, in three queries whatever `first` is. */
async function toBranchQueue(
  ctx: KaihuContext,
  branchId: string,
  first: number,
  snapshot?: BranchSnapshot,
): Promise<BranchQueue> {
  const witness = ctx.services.witness;
  const q = await witness.queue.branchQueue(ctx.em, ctx.viewer!, branchId, first);
  const snap = snapshot ?? (await witness.queue.snapshot(ctx.em, branchId));
  const branch = await ctx.services.brokers.findBranch(ctx.em, ctx.viewer!.brokerId, { id: branchId });
  const tickets = new Map(
    (
      await ctx.services.tickets.getMany(
        ctx.em,
        ctx.viewer!,
        q.entries.map((e) => e.ticketId),
      )
    ).map((t) => [t.id, t]),
  );
  const customers = new Map(
    (
      await ctx.services.profiles.findCustomers(
        ctx.em,
        q.entries.map((e) => e.customerId),
      )
    ).map((c) => [c.id, c]),
  );
  const items = [];
  const now = ctx.clock.now().getTime();
  for (const [i, entry] of q.entries.entries()) {
    const ticket = tickets.get(entry.ticketId);
    if (!ticket) continue;
    const view = {
      entry,
      position: i + 1,
      waiting: snap.waiting,
      estimatedWaitSeconds: estimateSeconds(i + 1, snap.agents, snap.secondsPerWitness),
    };
    items.push({
      entry: entryType(ctx, view),
      ticket: toTicketType(ticket),
      // a prospect's application: the name they gave (the customer exists once the account is open)
      customerName:
        customers.get(entry.customerId)?.name ?? (await ctx.services.opening.applicantName(ctx.em, ticket)) ?? '',
      enqueuedAt: entry.enqueuedAt,
      waitingSeconds: Math.max(0, Math.floor((now - entry.enqueuedAt.getTime()) / 1000)),
    });
  }
  return { branch: branch!, waiting: snap.waiting, items };
}

const sameEntry = (a: QueueEntryType, b: QueueEntryType) =>
  a.id === b.id &&
  a.state === b.state &&
  a.position === b.position &&
  a.waiting === b.waiting &&
  a.estimatedWaitSeconds === b.estimatedWaitSeconds &&
  a.witnessSessionId === b.witnessSessionId &&
  a.keptUntil?.getTime() === b.keptUntil?.getTime();

/**
 * The customer's position, derived from this node's snapshot of the branch (one query per change
 * for all subscribers) synchronously in the board's loop; the entry itself is reloaded only when
 * it changed state. Holding this subscription is the customer's presence in the queue (the grace
 * period starts when it ends).
 */
const positionSource: PushSource = async (args, context, sink) => {
  const ctx = context as KaihuContext;
  const witness = ctx.services.witness;
  const ticket = await ctx.services.tickets.get(ctx.em, requireApplicant(ctx.viewer), String(args.ticketId));
  let entry = await witness.queue.latestEntry(ctx.em, ticket.id);
  if (!entry) throw new KaihuError(ErrorCode.NOT_FOUND, '尚未加入视频见证排队');
  let last: QueueEntryType | null = null;
  const deliver = (v: QueueEntryType) => {
    if (last && sameEntry(v, last)) return;
    last = v;
    sink.push(v as unknown as Record<string, unknown>);
  };
  // the entry changed state (or is not in the snapshot yet): reload it, one reload at a time
  let reloading = false;
  let latest: BranchSnapshot | null = null;
  const reload = async () => {
    if (reloading) return;
    reloading = true;
    try {
      while (latest) {
        const s = latest;
        latest = null;
        ctx.em.clear();
        entry = (await witness.queue.latestEntry(ctx.em, ticket.id)) ?? entry;
        deliver(entryType(ctx, witness.queue.viewFrom(entry!, s) ?? (await witness.queue.view(ctx.em, entry!))));
      }
    } catch (err) {
      ctx.log.warn({ err }, 'queue position not updated');
    } finally {
      reloading = false;
    }
  };
  const listener = (s: BranchSnapshot, touched: ReadonlySet<string>) => {
    const v = reloading || touched.has(ticket.id) ? null : witness.queue.viewFrom(entry!, s);
    if (v) return deliver(entryType(ctx, v));
    latest = s;
    void reload();
  };
  const { snapshot, unwatch } = await witness.board!.watch(ticket.branchId, listener);
  let healed: boolean;
  try {
    healed = await witness.presence.customerConnected(ctx.em, ticket.id, ticket.branchId);
  } catch (e) {
    unwatch();
    throw e;
  }
  if (healed) {
    ctx.em.clear();
    entry = (await witness.queue.latestEntry(ctx.em, ticket.id)) ?? entry;
  }
  const first =
    last ?? entryType(ctx, witness.queue.viewFrom(entry, snapshot) ?? (await witness.queue.view(ctx.em, entry)));
  last ??= first;
  return {
    first: first as unknown as Record<string, unknown>,
    close: async () => {
      unwatch();
      sink.end();
      await witness.presence
        .customerDisconnected(ctx.em.fork(), ticket.id, ticket.branchId)
        .catch((err: unknown) => ctx.log.warn({ err }, 'queue presence not recorded'));
    },
  };
};

function branchQueueUpdates(
  ctx: KaihuContext,
  branchId: string,
  first: number,
): Promise<AsyncIterableIterator<BranchQueue>> {
  const witness = ctx.services.witness;
  const key = (q: BranchQueue) =>
    JSON.stringify([
      q.waiting,
      q.items.map((i) => [i.entry.id, i.entry.position, i.entry.estimatedWaitSeconds, i.entry.keptUntil]),
    ]);
  return openLive(async () => {
    requireStaff(ctx.viewer);
    await witness.queue.assertAgentOfBranch(ctx.em, ctx.viewer, branchId);
    const mailbox = new SnapshotMailbox();
    const { snapshot, unwatch } = await witness.board!.watch(branchId, mailbox.listener);
    let last = await toBranchQueue(ctx, branchId, first, snapshot).catch((e: unknown) => {
      unwatch();
      throw e;
    });
    return {
      first: last,
      next: async () => {
        for (;;) {
          const got = await mailbox.take();
          if (!got) return null;
          ctx.em.clear();
          const value = await toBranchQueue(ctx, branchId, first, got.snapshot);
          if (key(value) !== key(last)) {
            last = value;
            return value;
          }
        }
      },
      stop: () => mailbox.end(),
      cleanup: unwatch,
    };
  });
}

/**
 * The witness session for its two parties: sent at once and after every change; it completes
 * once the session has ended. The agent holding it is the agent's presence in the session.
 */
function sessionUpdates(ctx: KaihuContext, sessionId: string): Promise<AsyncIterableIterator<WitnessSessionType>> {
  const witness = ctx.services.witness;
  return openLive(async () => {
    const events = ctx.services.bus.subscribe(TOPICS.WITNESS_SESSION, sessionId)[Symbol.asyncIterator]();
    let s: WitnessSession;
    try {
      s = await witness.sessions.session(ctx.em, ctx.viewer, sessionId);
    } catch (e) {
      await events.return?.();
      throw e;
    }
    const isAgent = ctx.viewer?.kind === 'STAFF' && ctx.viewer.staffId === s.agentStaffId && !s.endedAt;
    if (isAgent) await witness.presence.agentConnected(ctx.em, s.id);
    if (isAgent) s = await witness.sessions.session(ctx.em, ctx.viewer, sessionId);
    let last = await toSessionType(ctx, s);
    let ended = !!s.endedAt;
    return {
      first: last,
      next: async () => {
        for (;;) {
          if (ended) return null;
          const e = await events.next();
          if (e.done) return null;
          ctx.em.clear();
          const value = await toSessionType(ctx, await witness.sessions.session(ctx.em, ctx.viewer, sessionId));
          ended = !!value.endedAt;
          if (JSON.stringify(value) !== JSON.stringify(last)) {
            last = value;
            return value;
          }
        }
      },
      stop: () => void events.return?.(),
      cleanup: async () => {
        if (isAgent)
          await witness.presence
            .agentDisconnected(ctx.em.fork(), sessionId)
            .catch((err: unknown) => ctx.log.warn({ err }, 'agent presence not recorded'));
      },
    };
  });
}

/** Subscriptions served by the compiled fast path (see fast-subscriptions.ts). */
export const WITNESS_FAST_SUBSCRIPTIONS: Record<string, PushSource> = { queuePosition: positionSource };

/** The call's media events for one party: new and closed producers of the session. */
function mediaEvents(ctx: KaihuContext, sessionId: string): Promise<AsyncIterableIterator<WitnessMediaEventType>> {
  return openLive(async () => {
    await ctx.services.witness.calls.party(ctx.em, ctx.viewer, sessionId);
    const events = await ctx.services.witness.calls.mediaEvents(sessionId);
    const toEvent = (p: Record<string, unknown>): WitnessMediaEventType => ({
      type: String(p.type),
      producer: (p.producer as WitnessProducerType | undefined) ?? null,
      party: (p.party as 'CUSTOMER' | 'AGENT' | undefined) ?? null,
      endReason: (p.endReason as string | undefined) ?? null,
    });
    let over = false;
    // listening starts now, before SUBSCRIBED goes out, so that nothing falls in between
    let pending = events.next();
    return {
      first: { type: 'SUBSCRIBED', producer: null } as WitnessMediaEventType,
      next: async () => {
        if (over) return null;
        const e = await pending;
        pending = events.next();
        if (e.done) return null;
        const event = toEvent(e.value);
        over = event.type === 'ENDED'; // the last one: the subscription completes after it
        return event;
      },
      stop: () => void events.return?.(),
      cleanup: () => {},
    };
  });
}

@Resolver(() => WitnessSessionType)
export class WitnessSessionResolver {
  @FieldResolver(() => JSONObjectScalar, {
    description:
      "mediasoup router RTP capabilities for the client device (the session's customer and agent only, while it is open)",
  })
  routerRtpCapabilities(@Root() s: WitnessSessionType, @Ctx() ctx: KaihuContext): Promise<Record<string, unknown>> {
    return ctx.services.witness.calls.rtpCapabilities(ctx.em, ctx.viewer, s.id);
  }

  @FieldResolver(() => [WitnessProducerType], {
    description: 'the tracks both parties send (on this API node), for a party that joins late',
  })
  async producers(@Root() s: WitnessSessionType, @Ctx() ctx: KaihuContext): Promise<WitnessProducerType[]> {
    return ctx.services.witness.calls.producers(ctx.em, ctx.viewer, s.id);
  }

  @FieldResolver(() => [WitnessRecordingType], {
    description: '见证录像（本公司工作人员可见；通过前、见证结束时或视频中断时生成）',
  })
  async recordings(@Root() s: WitnessSessionType, @Ctx() ctx: KaihuContext): Promise<WitnessRecordingType[]> {
    const viewer = ctx.viewer;
    if (!viewer) return [];
    return (await ctx.services.witness.recordings.recordings(ctx.em, viewer, s.id)).map((r) => toRecordingType(ctx, r));
  }

  @Mutation(() => WitnessTransportType, {
    description: 'the call: a WebRTC transport for this party (one to send, one to receive)',
  })
  async createWitnessTransport(
    @Arg('sessionId', () => ID) sessionId: string,
    @Ctx() ctx: KaihuContext,
  ): Promise<WitnessTransportType> {
    return (await ctx.services.witness.calls.call(ctx.em, ctx.viewer, sessionId, (rooms, party) =>
      rooms.createTransport(sessionId, party),
    )) as WitnessTransportType;
  }

  @Mutation(() => Boolean, {
    description: "the call: the client's DTLS parameters (mediasoup-client's transport 'connect' event)",
  })
  async connectWitnessTransport(
    @Arg('sessionId', () => ID) sessionId: string,
    @Arg('transportId', () => ID) transportId: string,
    @Arg('dtlsParameters', () => JSONObjectScalar) dtlsParameters: Record<string, unknown>,
    @Ctx() ctx: KaihuContext,
  ): Promise<boolean> {
    await ctx.services.witness.calls.call(ctx.em, ctx.viewer, sessionId, (rooms, party) =>
      rooms.connectTransport(sessionId, party, transportId, dtlsParameters),
    );
    return true;
  }

  @Mutation(() => WitnessProducerType, {
    description:
      "the call: send a track (mediasoup-client's transport 'produce' event); the other party is told by witnessMedia",
  })
  async produceWitnessMedia(
    @Arg('sessionId', () => ID) sessionId: string,
    @Arg('transportId', () => ID) transportId: string,
    @Arg('kind') kind: string,
    @Arg('rtpParameters', () => JSONObjectScalar) rtpParameters: Record<string, unknown>,
    @Ctx() ctx: KaihuContext,
  ): Promise<WitnessProducerType> {
    return (await ctx.services.witness.calls.call(ctx.em, ctx.viewer, sessionId, (rooms, party) =>
      rooms.produce(sessionId, party, transportId, kind, rtpParameters),
    )) as WitnessProducerType;
  }

  @Mutation(() => WitnessConsumerType, { description: "the call: receive the other party's track (created paused)" })
  async consumeWitnessMedia(
    @Arg('sessionId', () => ID) sessionId: string,
    @Arg('transportId', () => ID) transportId: string,
    @Arg('producerId', () => ID) producerId: string,
    @Arg('rtpCapabilities', () => JSONObjectScalar) rtpCapabilities: Record<string, unknown>,
    @Ctx() ctx: KaihuContext,
  ): Promise<WitnessConsumerType> {
    return (await ctx.services.witness.calls.call(ctx.em, ctx.viewer, sessionId, (rooms, party) =>
      rooms.consume(sessionId, party, transportId, producerId, rtpCapabilities),
    )) as WitnessConsumerType;
  }

  @Mutation(() => Boolean, { description: 'the call: start receiving a consumer once the client has set it up' })
  async resumeWitnessConsumer(
    @Arg('sessionId', () => ID) sessionId: string,
    @Arg('consumerId', () => ID) consumerId: string,
    @Ctx() ctx: KaihuContext,
  ): Promise<boolean> {
    return ctx.services.witness.calls.pause(ctx.em, ctx.viewer, sessionId, consumerId, false);
  }

  @Mutation(() => Boolean, {
    description:
      'the call: pause or resume one of your own tracks (camera or microphone off/on; the other party gets PRODUCER_PAUSED / PRODUCER_RESUMED) or a track you receive',
  })
  pauseWitnessMedia(
    @Arg('sessionId', () => ID) sessionId: string,
    @Arg('id', () => ID, { description: 'a producer or consumer id of yours' }) id: string,
    @Arg('paused') paused: boolean,
    @Ctx() ctx: KaihuContext,
  ): Promise<boolean> {
    return ctx.services.witness.calls.pause(ctx.em, ctx.viewer, sessionId, id, paused);
  }

  @Mutation(() => DocumentType, { description: '坐席截图：客户视频的当前画面，保存为本业务的 WITNESS_SNAPSHOT 照片' })
  async captureWitnessSnapshot(
    @Arg('sessionId', () => ID) sessionId: string,
    @Ctx() ctx: KaihuContext,
  ): Promise<DocumentType> {
    const agent = requireStaff(ctx.viewer, 'AGENT');
    return toDocumentType(
      await ctx.services.witness.calls.captureSnapshot(ctx.em, agent, sessionId),
      agent,
      ctx.services.documents,
    );
  }

  @Subscription(() => WitnessMediaEventType, {
    name: 'witnessMedia',
    description: "the call's tracks as they come and go (NEW_PRODUCER, PRODUCER_CLOSED), for the session's two parties",
    subscribe: ({ args, context }) => mediaEvents(context as KaihuContext, String(args.sessionId)),
  })
  witnessMediaEvent(
    @Root() e: WitnessMediaEventType,
    @Arg('sessionId', () => ID) _sessionId: string,
  ): WitnessMediaEventType {
    return e;
  }
}

@Resolver(() => TicketType)
export class WitnessResolver {
  @Mutation(() => QueueEntryType, { description: '开始视频通话：加入营业部视频见证排队（重复加入返回同一排队）' })
  async joinWitnessQueue(
    @Arg('ticketId', () => ID) ticketId: string,
    @Ctx() ctx: KaihuContext,
  ): Promise<QueueEntryType> {
    return toEntryType(ctx, await ctx.services.witness.queue.join(ctx.em, requireApplicant(ctx.viewer), ticketId));
  }

  @Mutation(() => Boolean, { description: '取消排队' })
  leaveWitnessQueue(
    @Arg('ticketId', () => ID) ticketId: string,
    @Ctx() { em, services, viewer }: KaihuContext,
  ): Promise<boolean> {
    return services.witness.queue.leave(em, requireApplicant(viewer), ticketId);
  }

  @Query(() => BranchQueue, { description: 'staff: the live queue of a branch' })
  branchQueue(
    @Arg('branchId', () => ID) branchId: string,
    @Arg('first', () => Int, {
      nullable: true,
      description: `how many waiting customers to list from the head (default 100, at most ${MAX_QUEUE_ITEMS}); waiting counts them all`,
    })
    first: number | null,
    @Ctx() ctx: KaihuContext,
  ): Promise<BranchQueue> {
    requireStaff(ctx.viewer);
    return toBranchQueue(ctx, branchId, limit(first));
  }

  @Mutation(() => WitnessSessionType, {
    nullable: true,
    description: 'agent: take the head of the branch queue; null when nobody waits',
  })
  async claimNextCustomer(
    @Arg('branchId', () => ID) branchId: string,
    @Ctx() ctx: KaihuContext,
  ): Promise<WitnessSessionType | null> {
    const s = await ctx.services.witness.queue.claimNext(ctx.em, requireStaff(ctx.viewer, 'AGENT'), branchId);
    return s ? toSessionType(ctx, s) : null;
  }

  @Mutation(() => WitnessSessionType, { description: '见证结果：通过，或打回到某一步并说明原因' })
  async completeWitness(
    @Arg('sessionId', () => ID) sessionId: string,
    @Arg('input', () => WitnessOutcomeInput) input: WitnessOutcomeInput,
    @Ctx() ctx: KaihuContext,
  ): Promise<WitnessSessionType> {
    return toSessionType(
      ctx,
      await ctx.services.witness.sessions.complete(ctx.em, requireStaff(ctx.viewer, 'AGENT'), sessionId, input),
    );
  }

  @Mutation(() => WitnessSessionType, {
    description: '坐席中止见证：AGENT_ABANDONED 客户回到队首；CUSTOMER_ABSENT 客户未应答，移出队列',
  })
  async abandonWitness(
    @Arg('sessionId', () => ID) sessionId: string,
    @Arg('reason', () => WitnessAbandonReason, { defaultValue: 'AGENT_ABANDONED' })
    reason: 'AGENT_ABANDONED' | 'CUSTOMER_ABSENT',
    @Ctx() ctx: KaihuContext,
  ): Promise<WitnessSessionType> {
    return toSessionType(
      ctx,
      await ctx.services.witness.sessions.abandon(ctx.em, requireStaff(ctx.viewer, 'AGENT'), sessionId, reason),
    );
  }

  @Query(() => WitnessSessionType, { description: '视频见证会话（客户本人或本公司坐席）' })
  async witnessSession(@Arg('id', () => ID) id: string, @Ctx() ctx: KaihuContext): Promise<WitnessSessionType> {
    return toSessionType(ctx, await ctx.services.witness.sessions.session(ctx.em, ctx.viewer, id));
  }

  @FieldResolver(() => [WitnessRecordingType], { description: '本业务的见证录像（本公司工作人员可见，复核时播放）' })
  async witnessRecordings(@Root() t: TicketRoot, @Ctx() ctx: KaihuContext): Promise<WitnessRecordingType[]> {
    return (await ctx.services.witness.recordings.ticketRecordings(ctx.em, ctx.viewer, t.id)).map((r) =>
      toRecordingType(ctx, r),
    );
  }

  @FieldResolver(() => QueueEntryType, { nullable: true, description: '视频见证排队情况' })
  async queueEntry(@Root() t: TicketRoot, @Ctx() ctx: KaihuContext): Promise<QueueEntryType | null> {
    const entry = await ctx.services.witness.queue.latestEntry(ctx.em, t.id);
    return entry ? toEntryType(ctx, entry) : null;
  }

  @Subscription(() => QueueEntryType, {
    description:
      "the customer's own queue entry, pushed whenever position, estimate or state changes; holding it keeps the customer's place (see KAIHU_WITNESS_GRACE_MS)",
    subscribe: ({ args, context }) =>
      pushIterator(
        undefined,
        (v) => v as unknown as QueueEntryType,
        null,
        (sink) => positionSource(args, context, sink),
      ),
  })
  queuePosition(@Root() entry: QueueEntryType, @Arg('ticketId', () => ID) _ticketId: string): QueueEntryType {
    return entry;
  }

  @Subscription(() => BranchQueue, {
    name: 'branchQueue',
    description: 'agent: the branch queue, pushed on every join, leave, claim and end',
    subscribe: ({ args, context }) =>
      branchQueueUpdates(
        context as KaihuContext,
        String(args.branchId),
        limit(args.first as number | null | undefined),
      ),
  })
  branchQueueUpdated(
    @Root() queue: BranchQueue,
    @Arg('branchId', () => ID) _branchId: string,
    @Arg('first', () => Int, {
      nullable: true,
      description: `how many waiting customers to list (default 100, at most ${MAX_QUEUE_ITEMS})`,
    })
    _first: number | null,
  ): BranchQueue {
    return queue;
  }

  @Subscription(() => WitnessSessionType, {
    name: 'witnessSession',
    description:
      "the session for its customer and agent, pushed on every change until it ends; the agent holding it is the agent's presence (see KAIHU_WITNESS_AGENT_GRACE_MS)",
    subscribe: ({ args, context }) => sessionUpdates(context as KaihuContext, String(args.id)),
  })
  witnessSessionUpdated(@Root() s: WitnessSessionType, @Arg('id', () => ID) _id: string): WitnessSessionType {
    return s;
  }
}
