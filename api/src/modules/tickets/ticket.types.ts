import { Field, ID, Int, ObjectType } from 'type-graphql';
import { BusinessType, TicketStatus, TicketStepKind } from '../../graphql/enums';

@ObjectType({ description: '业务步骤' })
export class TicketStep {
  @Field(() => TicketStepKind)
  kind!: TicketStepKind;

  @Field()
  done!: boolean;

  @Field({ description: '步骤名称，例如“上传照片”' })
  title!: string;
}

@ObjectType('Ticket', { description: '受理单：客户办理的一笔业务' })
export class TicketType {
  @Field(() => ID)
  id!: string;

  @Field({ description: '受理单号, 16 digits' })
  acceptanceNo!: string;

  @Field(() => BusinessType)
  business!: BusinessType;

  @Field({ description: '业务名称，例如“修改其他信息”' })
  businessName!: string;

  @Field(() => TicketStatus)
  status!: TicketStatus;

  @Field(() => [TicketStep])
  steps!: TicketStep[];

  @Field(() => TicketStepKind)
  currentStep!: TicketStepKind;

  @Field(() => String, { nullable: true, description: 'why it was returned (打回) or rejected' })
  reason!: string | null;

  @Field(() => TicketStepKind, { nullable: true, description: '打回时需要重新办理的步骤' })
  returnedToStep!: TicketStepKind | null;

  @Field()
  createdAt!: Date;

  @Field()
  updatedAt!: Date;

  @Field(() => Date, { nullable: true })
  submittedAt!: Date | null;

  customerId!: string;
  brokerId!: string;
  branchId!: string;
}

@ObjectType()
export class PageInfo {
  @Field()
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}

@ObjectType()
export class TicketEdge {
  @Field()
  cursor!: string;

  @Field(() => TicketType)
  node!: TicketType;
}

@ObjectType()
export class TicketConnection {
  @Field(() => [TicketEdge])
  edges!: TicketEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;

  @Field(() => Int)
  totalCount!: number;
}

@ObjectType('TicketEvent', { description: '受理单变更记录（只增不改）' })
export class TicketEventType {
  @Field(() => ID)
  id!: string;

  @Field({ description: 'CUSTOMER, STAFF, PARTNER or SYSTEM' })
  actorKind!: string;

  @Field(() => String, { nullable: true })
  actorId!: string | null;

  @Field()
  action!: string;

  @Field(() => TicketStepKind, { nullable: true })
  step!: TicketStepKind | null;

  @Field(() => String, { nullable: true, description: 'JSON of the value before' })
  before!: string | null;

  @Field(() => String, { nullable: true, description: 'JSON of the value after' })
  after!: string | null;

  @Field()
  at!: Date;
}
