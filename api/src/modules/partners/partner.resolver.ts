import { Arg, Ctx, ID, Int, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import { ErrorCode, KaihuError } from '../../common/errors';
import { TOPICS } from '../../common/pubsub';
import type { KaihuContext } from '../../graphql/context';
import { openLive } from '../../graphql/live-iterator';
import type { BusinessType, TicketStatus } from '@kaihu/domain';
import type { PartnerEventTypeValue } from './mapping';
import type { PartnerEvent, WebhookDelivery, WebhookEndpoint } from './partner.entity';
import { DEFAULT_EVENTS_PAGE, MAX_EVENTS_PAGE } from './partner.service';
import {
  CreatedWebhook,
  PartnerEventBatch,
  PartnerEventConnection,
  PartnerEventType,
  WebhookDeliveryType,
  WebhookEndpointType,
} from './partner.types';

/** Events per message of the subscription while it replays the backlog. */
const REPLAY_PAGE = 100;
/** A seq that stays missing this long is given up (it cannot happen: seqs are allocated in the inserting transaction). */
const GAP_GIVE_UP_MS = 10_000;

export function toPartnerEventType(e: PartnerEvent): PartnerEventType {
  return Object.assign(new PartnerEventType(), {
    id: e.id,
    seq: Number(e.seq),
    type: e.type as PartnerEventTypeValue,
    ticketId: e.ticketId,
    business: e.business as BusinessType,
    status: e.status as TicketStatus,
    payload: e.payload,
    createdAt: e.createdAt,
  });
}

function toEndpointType(e: WebhookEndpoint): WebhookEndpointType {
  return Object.assign(new WebhookEndpointType(), {
    id: e.id,
    url: e.url,
    description: e.description,
    createdAt: e.createdAt,
  });
}

function toDeliveryType(d: WebhookDelivery): WebhookDeliveryType {
  return Object.assign(new WebhookDeliveryType(), {
    id: String(d.id),
    eventId: d.eventId,
    attempt: d.attempt,
    statusCode: d.statusCode,
    error: d.error,
    durationMs: d.durationMs,
    ok: d.ok,
    at: d.at,
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The broker's events after `after`: the backlog in pages, then live — consecutive seqs, none
 * twice. Listening on the bus starts before the first read, so an event committed meanwhile is
 * either in the read or announced after it; announcements of seqs already sent are skipped, and an
 * announcement past the next seq makes the stream read the database from where it is (filling
 * the gap) rather than trust the bus.
 */
function eventStream(ctx: KaihuContext, after: string | null): Promise<AsyncIterableIterator<PartnerEventBatch>> {
  const partners = ctx.services.partners;
  return openLive(async () => {
    const viewer = partners.assertViewer(ctx.viewer, 'EVENTS');
    let last = partners.parseCursor(after);
    const live = ctx.services.bus.subscribe(TOPICS.PARTNER_EVENT, viewer.brokerId)[Symbol.asyncIterator]();
    let pending = live.next(); // the bus subscription starts with the first next()
    let stopped = false;
    let gapSince: number | null = null;

    const read = async (): Promise<PartnerEventBatch> => {
      const { events, hasNextPage } = await partners.page(ctx.em.fork(), viewer.brokerId, last, REPLAY_PAGE);
      const run: PartnerEvent[] = [];
      for (const e of events) {
        if (Number(e.seq) !== last + run.length + 1) break;
        run.push(e);
      }
      if (!run.length && events.length) {
        gapSince ??= Date.now();
        if (Date.now() - gapSince > GAP_GIVE_UP_MS) {
          ctx.log.warn({ after: last, next: events[0]!.seq }, 'partner events: a seq never appeared, skipping it');
          run.push(...events);
        }
      }
      if (run.length) {
        gapSince = null;
        last = Number(run[run.length - 1]!.seq);
      }
      return Object.assign(new PartnerEventBatch(), {
        events: run.map(toPartnerEventType),
        endCursor: last ? String(last) : null,
        caughtUp: !hasNextPage && run.length === events.length,
      });
    };

    let firstBatch: PartnerEventBatch;
    try {
      firstBatch = await read();
    } catch (e) {
      await live.return?.();
      throw e;
    }
    let caughtUp = firstBatch.caughtUp;
    return {
      first: firstBatch,
      next: async () => {
        for (;;) {
          if (stopped) return null;
          if (!caughtUp) {
            const batch = await read();
            caughtUp = batch.caughtUp;
            if (batch.events.length) return batch;
            if (!caughtUp) await sleep(100); // the next seq is not visible yet
            continue;
          }
          const e = await pending;
          if (e.done || stopped) return null;
          pending = live.next();
          const seq = typeof e.value.seq === 'number' ? e.value.seq : null;
          if (seq !== null && seq <= last) continue; // sent already (by the replay)
          caughtUp = false; // read it, and anything before it we have not seen, from the database
        }
      },
      stop: () => {
        stopped = true;
        void live.return?.();
      },
      cleanup: () => {},
    };
  });
}

@Resolver()
export class PartnerResolver {
  @Query(() => PartnerEventConnection, {
    name: 'events',
    description: `合作方事件（本公司）：从 after（事件序号）之后按序号升序分页；合作方 API 密钥或期货公司管理员可用。first 默认 ${DEFAULT_EVENTS_PAGE}，最多 ${MAX_EVENTS_PAGE}`,
  })
  async events(
    @Arg('after', () => ID, { nullable: true, description: 'a seq (cursor); omitted: from the first event' })
    after: string | null,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Ctx() ctx: KaihuContext,
  ): Promise<PartnerEventConnection> {
    const partners = ctx.services.partners;
    const viewer = partners.assertViewer(ctx.viewer, 'EVENTS');
    const { events, hasNextPage } = await partners.page(
      ctx.em,
      viewer.brokerId,
      partners.parseCursor(after),
      partners.pageSize(first),
    );
    const edges = events.map((e) => ({ cursor: String(e.seq), node: toPartnerEventType(e) }));
    return Object.assign(new PartnerEventConnection(), {
      edges,
      pageInfo: { hasNextPage, endCursor: edges.length ? edges[edges.length - 1]!.cursor : (after ?? null) },
    });
  }

  @Subscription(() => PartnerEventBatch, {
    name: 'events',
    description:
      '合作方事件推送：先按页重放 after 之后的全部事件，再实时推送；序号连续、不重复。断线后以收到的最后序号（endCursor）重新订阅即可续传',
    subscribe: ({ args, context }) =>
      eventStream(context as KaihuContext, (args.after as string | null | undefined) ?? null),
  })
  eventsPushed(
    @Root() batch: PartnerEventBatch,
    @Arg('after', () => ID, { nullable: true }) _after: string | null,
  ): PartnerEventBatch {
    return batch;
  }

  @Query(() => [WebhookEndpointType], { description: '本公司登记的回调地址（合作方或期货公司管理员）' })
  async webhooks(@Ctx() ctx: KaihuContext): Promise<WebhookEndpointType[]> {
    const viewer = ctx.services.partners.assertViewer(ctx.viewer, 'WEBHOOKS');
    return (await ctx.services.partners.webhooks(ctx.em, viewer)).map(toEndpointType);
  }

  @Mutation(() => CreatedWebhook, { description: '登记回调地址（HTTPS）；签名密钥只在此返回一次' })
  async createWebhook(
    @Arg('url') url: string,
    @Arg('description', () => String, { nullable: true }) description: string | null,
    @Ctx() ctx: KaihuContext,
  ): Promise<CreatedWebhook> {
    const viewer = ctx.services.partners.assertViewer(ctx.viewer, 'WEBHOOKS');
    const { endpoint, secret } = await ctx.services.partners.createWebhook(ctx.em, viewer, url, description);
    return Object.assign(new CreatedWebhook(), { webhook: toEndpointType(endpoint), secret });
  }

  @Mutation(() => Boolean, { description: '删除回调地址（不再投递；投递记录保留）' })
  async deleteWebhook(@Arg('id', () => ID) id: string, @Ctx() ctx: KaihuContext): Promise<boolean> {
    const viewer = ctx.services.partners.assertViewer(ctx.viewer, 'WEBHOOKS');
    return ctx.services.partners.deleteWebhook(ctx.em, viewer, id);
  }

  @Query(() => [WebhookDeliveryType], { description: '回调投递记录（最新在前），first 默认 50，最多 500' })
  async webhookDeliveries(
    @Arg('webhookId', () => ID) webhookId: string,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Ctx() ctx: KaihuContext,
  ): Promise<WebhookDeliveryType[]> {
    const viewer = ctx.services.partners.assertViewer(ctx.viewer, 'WEBHOOKS');
    const n = first ?? 50;
    if (!Number.isInteger(n) || n < 1 || n > MAX_EVENTS_PAGE)
      throw new KaihuError(ErrorCode.BAD_USER_INPUT, `first 应在 1 到 ${MAX_EVENTS_PAGE} 之间`);
    return (await ctx.services.partners.deliveries(ctx.em, viewer, webhookId, n)).map(toDeliveryType);
  }
}
