import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { JSONObjectScalar } from '../../graphql/scalars';
import { BusinessType, PageInfo, TicketStatus } from '../tickets';
import { PARTNER_EVENT_TYPES, type PartnerEventTypeValue } from './mapping';

export const PartnerEventKind = Object.fromEntries(PARTNER_EVENT_TYPES.map((t) => [t, t])) as {
  [K in PartnerEventTypeValue]: K;
};
registerEnumType(PartnerEventKind, {
  name: 'PartnerEventType',
  valuesConfig: {
    TICKET_STATUS_CHANGED: {
      description: '受理单状态变化（开始办理、提交、打回、通过、拒绝、取消）；payload { from, to, action, actorKind }',
    },
    WITNESS_COMPLETED: {
      description: '视频见证有了结果；payload { outcome: PASSED | RETURNED, sessionId | returnedToStep }',
    },
    REVIEW_COMPLETED: {
      description: '复核有了结果；payload { outcome: APPROVED | REJECTED | RETURNED, returnedToStep }',
    },
    ACCOUNT_OPENED: { description: '开立期货账户审核通过，柜台已开户；payload { accountNo }（资金账号）' },
    TRADING_CODE_ANSWERED: {
      description:
        '交易所对交易编码申请有了答复（每个交易所一条）；payload { exchange, status: ASSIGNED | REFUSED, code }',
    },
  },
});

@ObjectType('PartnerEvent', { description: '合作方事件：每家期货公司内序号连续递增，可从任一序号之后重放' })
export class PartnerEventType {
  @Field(() => ID, { description: 'the event id (also the Kaihu-Event-Id header of its webhook deliveries)' })
  id!: string;

  @Field(() => Int, { description: 'gap-free, increasing per broker; the cursor of events(after:)' })
  seq!: number;

  @Field(() => PartnerEventKind)
  type!: PartnerEventTypeValue;

  @Field(() => ID)
  ticketId!: string;

  @Field(() => BusinessType)
  business!: BusinessType;

  @Field(() => TicketStatus, { description: "the ticket's status after the change" })
  status!: TicketStatus;

  @Field(() => JSONObjectScalar, { description: 'ids and codes only' })
  payload!: Record<string, unknown>;

  @Field()
  createdAt!: Date;
}

@ObjectType()
export class PartnerEventEdge {
  @Field({ description: "the event's seq as a string" })
  cursor!: string;

  @Field(() => PartnerEventType)
  node!: PartnerEventType;
}

@ObjectType()
export class PartnerEventConnection {
  @Field(() => [PartnerEventEdge])
  edges!: PartnerEventEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}

@ObjectType({ description: 'events of the events subscription: consecutive, in seq order, never repeated' })
export class PartnerEventBatch {
  @Field(() => [PartnerEventType])
  events!: PartnerEventType[];

  @Field(() => ID, {
    nullable: true,
    description: 'the seq of the last event delivered so far (resubscribe with after: this to resume)',
  })
  endCursor!: string | null;

  @Field({ description: 'false while the backlog is replayed in pages; true once this batch reached the newest event' })
  caughtUp!: boolean;
}

@ObjectType('WebhookEndpoint', { description: '合作方回调地址' })
export class WebhookEndpointType {
  @Field(() => ID)
  id!: string;

  @Field()
  url!: string;

  @Field(() => String, { nullable: true })
  description!: string | null;

  @Field()
  createdAt!: Date;
}

@ObjectType({ description: 'a new endpoint and its signing secret, shown this once' })
export class CreatedWebhook {
  @Field(() => WebhookEndpointType)
  webhook!: WebhookEndpointType;

  @Field({ description: 'HMAC-SHA256 key of the Kaihu-Signature header; shown only now' })
  secret!: string;
}

@ObjectType('WebhookDelivery', { description: '一次回调投递尝试' })
export class WebhookDeliveryType {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  eventId!: string;

  @Field(() => Int, { description: '1 for the first try' })
  attempt!: number;

  @Field(() => Int, { nullable: true, description: 'HTTP status; null when no answer came (timeout, network)' })
  statusCode!: number | null;

  @Field(() => String, { nullable: true })
  error!: string | null;

  @Field(() => Int)
  durationMs!: number;

  @Field()
  ok!: boolean;

  @Field()
  at!: Date;
}
