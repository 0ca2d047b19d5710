import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Branch } from '../brokers/branch.entity';
import type { TicketStepKind as TicketStepKindValue } from '../tickets/flows';
import { TicketStepKind, TicketType } from '../tickets/ticket.types';
import type { QueueState as QueueStateValue } from './witness.entity';

export const QueueState = { WAITING: 'WAITING', CALLED: 'CALLED', IN_SESSION: 'IN_SESSION', DONE: 'DONE', LEFT: 'LEFT' } as const;
registerEnumType(QueueState, {
  name: 'QueueState',
  valuesConfig: { WAITING: { description: '排队中' }, CALLED: { description: '坐席已接通' }, IN_SESSION: { description: '视频中' }, DONE: { description: '已完成' }, LEFT: { description: '已离开' } },
});
export const WitnessOutcome = { PASSED: 'PASSED', RETURNED: 'RETURNED' } as const;
registerEnumType(WitnessOutcome, { name: 'WitnessOutcome', valuesConfig: { PASSED: { description: '通过' }, RETURNED: { description: '打回' } } });

@ObjectType('QueueEntry', { description: '视频见证排队' })
export class QueueEntryType {
  @Field(() => ID) id!: string;
  @Field(() => QueueState) state!: QueueStateValue;
  @Field(() => Int, { description: '1 = next; counts the customer (包括本人)' }) position!: number;
  @Field(() => Int, { description: '营业部当前排队人数' }) waiting!: number;
  @Field(() => Int) estimatedWaitSeconds!: number;
  @Field(() => ID, { nullable: true, description: 'set when an agent has called the customer' }) witnessSessionId!: string | null;
  ticketId!: string;
}

@ObjectType('WitnessSession', { description: '视频见证' })
export class WitnessSessionType {
  @Field(() => ID) id!: string;
  @Field(() => TicketType) ticket!: TicketType;
  @Field(() => String, { nullable: true }) agentName!: string | null;
  @Field(() => String, { nullable: true, description: '坐席的期货从业资格号' }) agentLicenseNo!: string | null;
  @Field() startedAt!: Date;
  @Field(() => Date, { nullable: true }) endedAt!: Date | null;
  @Field(() => WitnessOutcome, { nullable: true }) outcome!: 'PASSED' | 'RETURNED' | null;
  @Field(() => [String], { description: '坐席确认的核对项' }) checklist!: string[];
}

@ObjectType({ description: 'what an agent sees of one waiting customer' })
export class QueueItem {
  @Field(() => QueueEntryType) entry!: QueueEntryType;
  @Field(() => TicketType) ticket!: TicketType;
  @Field() customerName!: string;
  @Field() enqueuedAt!: Date;
}

@ObjectType()
export class BranchQueue {
  @Field(() => Branch) branch!: Branch;
  @Field(() => Int) waiting!: number;
  @Field(() => [QueueItem]) items!: QueueItem[];
}

@InputType()
export class WitnessOutcomeInput {
  @Field(() => WitnessOutcome) outcome!: 'PASSED' | 'RETURNED';
  @Field(() => TicketStepKind, { nullable: true, description: 'required when RETURNED: the step the customer must redo' }) returnToStep?: TicketStepKindValue | null;
  @Field(() => String, { nullable: true, description: 'required when RETURNED' }) reason?: string | null;
  @Field(() => [String], { description: 'checklist items the agent confirmed: IDENTITY_MATCHES_ID_CARD, ID_CARD_SHOWN, AGENT_IDENTIFIED, RISKS_EXPLAINED' }) checklist!: string[];
}
