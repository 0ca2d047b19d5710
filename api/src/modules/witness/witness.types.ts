import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { JSONObjectScalar } from '../../graphql/scalars';
import { Branch } from '../brokers';
import { TicketStepKind, TicketType } from '../tickets';
import type { QueueState as QueueStateValue, WitnessEndReason as WitnessEndReasonValue } from './witness.entity';

export const QueueState = {
  WAITING: 'WAITING',
  CALLED: 'CALLED',
  IN_SESSION: 'IN_SESSION',
  DONE: 'DONE',
  LEFT: 'LEFT',
} as const;
registerEnumType(QueueState, {
  name: 'QueueState',
  valuesConfig: {
    WAITING: { description: '排队中' },
    CALLED: { description: '坐席已接通' },
    IN_SESSION: { description: '视频中' },
    DONE: { description: '已完成' },
    LEFT: { description: '已离开' },
  },
});
export const WitnessOutcome = { PASSED: 'PASSED', RETURNED: 'RETURNED' } as const;
registerEnumType(WitnessOutcome, {
  name: 'WitnessOutcome',
  valuesConfig: { PASSED: { description: '通过' }, RETURNED: { description: '打回' } },
});
export const WitnessEndReason = {
  COMPLETED: 'COMPLETED',
  AGENT_ABANDONED: 'AGENT_ABANDONED',
  AGENT_DISCONNECTED: 'AGENT_DISCONNECTED',
  CUSTOMER_ABSENT: 'CUSTOMER_ABSENT',
  CUSTOMER_DISCONNECTED: 'CUSTOMER_DISCONNECTED',
  CUSTOMER_LEFT: 'CUSTOMER_LEFT',
  TIMEOUT: 'TIMEOUT',
  MEDIA_FAILED: 'MEDIA_FAILED',
} as const;
registerEnumType(WitnessEndReason, {
  name: 'WitnessEndReason',
  description: '见证结束的原因',
  valuesConfig: {
    COMPLETED: { description: '坐席给出了结果（通过或打回）' },
    AGENT_ABANDONED: { description: '坐席中止，客户回到队首' },
    AGENT_DISCONNECTED: { description: '坐席断线未恢复，客户回到队首' },
    CUSTOMER_ABSENT: { description: '客户未应答，已移出队列' },
    CUSTOMER_DISCONNECTED: { description: '客户断线未恢复，已移出队列' },
    CUSTOMER_LEFT: { description: '客户离开' },
    TIMEOUT: { description: '见证超时（KAIHU_WITNESS_TIMEOUT_MS），客户回到队首' },
    MEDIA_FAILED: { description: '视频服务故障，通话中断，客户回到队首' },
  },
});
export const WitnessAbandonReason = { AGENT_ABANDONED: 'AGENT_ABANDONED', CUSTOMER_ABSENT: 'CUSTOMER_ABSENT' } as const;
registerEnumType(WitnessAbandonReason, {
  name: 'WitnessAbandonReason',
  valuesConfig: {
    AGENT_ABANDONED: { description: '坐席无法继续：客户回到队首' },
    CUSTOMER_ABSENT: { description: '客户未应答：移出队列，可重新排队' },
  },
});

@ObjectType('QueueEntry', { description: '视频见证排队' })
export class QueueEntryType {
  @Field(() => ID) id!: string;
  @Field(() => QueueState) state!: QueueStateValue;
  @Field(() => Int, { description: '1 = next; counts the customer (包括本人)' }) position!: number;
  @Field(() => Int, { description: '营业部当前排队人数' }) waiting!: number;
  @Field(() => Int) estimatedWaitSeconds!: number;
  @Field(() => ID, { nullable: true, description: 'set when an agent has called the customer' }) witnessSessionId!:
    string | null;
  @Field(() => Date, { nullable: true, description: '客户断线时：保留排队位置至此时刻（在线时为空）' })
  keptUntil!: Date | null;
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
  @Field(() => WitnessEndReason, { nullable: true, description: '结束原因（进行中为空）' })
  endReason!: WitnessEndReasonValue | null;
  @Field({ description: '坐席是否在线' }) agentConnected!: boolean;
  @Field(() => [String], { description: '坐席确认的核对项' }) checklist!: string[];
}

@ObjectType('WitnessRecordingStream', { description: '录像中的一路音视频' })
export class WitnessRecordingStreamType {
  @Field(() => WitnessParty, { description: '哪一方' }) party!: 'CUSTOMER' | 'AGENT';
  @Field({ description: 'audio or video' }) kind!: string;
  @Field({ description: 'e.g. vp8, opus, h264' }) codec!: string;
  @Field(() => Int) durationSeconds!: number;
}

@ObjectType('WitnessRecording', { description: '见证录像：双方的音视频，一个文件' })
export class WitnessRecordingType {
  @Field(() => ID) id!: string;
  @Field(() => ID) sessionId!: string;
  @Field({ description: 'video/webm or video/x-matroska' }) mimeType!: string;
  @Field(() => Int) durationSeconds!: number;
  @Field(() => Int, { description: 'bytes' }) size!: number;
  @Field() sha256!: string;
  @Field(() => [WitnessRecordingStreamType]) streams!: WitnessRecordingStreamType[];
  @Field() createdAt!: Date;
  @Field({ description: '保存至（期货公司的录像保存年限）' }) retainUntil!: Date;
  @Field({ description: 'signed URL to play it, valid 30 minutes for this viewer' }) url!: string;
}

@ObjectType({ description: 'what an agent sees of one waiting customer' })
export class QueueItem {
  @Field(() => QueueEntryType) entry!: QueueEntryType;
  @Field(() => TicketType) ticket!: TicketType;
  @Field() customerName!: string;
  @Field() enqueuedAt!: Date;
  @Field(() => Int, { description: '已等待秒数（查询或推送时；实时显示请用 enqueuedAt 计算）' })
  waitingSeconds!: number;
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
  @Field(() => TicketStepKind, {
    nullable: true,
    description: 'required when RETURNED: the step the customer must redo',
  })
  returnToStep?: TicketStepKind | null;
  @Field(() => String, { nullable: true, description: 'required when RETURNED' }) reason?: string | null;
  @Field(() => [String], {
    description:
      'checklist items the agent confirmed: IDENTITY_MATCHES_ID_CARD, ID_CARD_SHOWN, AGENT_IDENTIFIED, RISKS_EXPLAINED',
  })
  checklist!: string[];
}

export const WitnessParty = { CUSTOMER: 'CUSTOMER', AGENT: 'AGENT' } as const;
registerEnumType(WitnessParty, {
  name: 'WitnessParty',
  valuesConfig: { CUSTOMER: { description: '客户' }, AGENT: { description: '见证坐席' } },
});

@ObjectType('WitnessTransport', {
  description: 'a WebRTC transport of the call (mediasoup-client: createSendTransport / createRecvTransport)',
})
export class WitnessTransportType {
  @Field(() => ID) id!: string;
  @Field(() => JSONObjectScalar) iceParameters!: Record<string, unknown>;
  @Field(() => [JSONObjectScalar]) iceCandidates!: Record<string, unknown>[];
  @Field(() => JSONObjectScalar) dtlsParameters!: Record<string, unknown>;
}

@ObjectType('WitnessProducer', { description: 'an audio or video track one party sends' })
export class WitnessProducerType {
  @Field(() => ID) id!: string;
  @Field({ description: 'audio or video' }) kind!: string;
  @Field(() => WitnessParty) party!: 'CUSTOMER' | 'AGENT';
  @Field({ description: '暂停中（关闭了摄像头或麦克风）' }) paused!: boolean;
}

@ObjectType('WitnessConsumer', {
  description: "the other party's track, as this party receives it (created paused: resume it when ready)",
})
export class WitnessConsumerType {
  @Field(() => ID) id!: string;
  @Field(() => ID) producerId!: string;
  @Field() kind!: string;
  @Field(() => JSONObjectScalar) rtpParameters!: Record<string, unknown>;
}

@ObjectType('WitnessMediaEvent')
export class WitnessMediaEventType {
  @Field({
    description:
      'SUBSCRIBED (first, at once: then read WitnessSession.producers); the tracks: NEW_PRODUCER, PRODUCER_PAUSED, PRODUCER_RESUMED, PRODUCER_CLOSED; the parties: PARTY_LEFT, PARTY_RETURNED (party: whose connection dropped or came back); ENDED (endReason; the last event)',
  })
  type!: string;
  @Field(() => WitnessProducerType, { nullable: true }) producer!: WitnessProducerType | null;
  @Field(() => WitnessParty, { nullable: true, description: 'PARTY_LEFT / PARTY_RETURNED: who' }) party?:
    'CUSTOMER' | 'AGENT' | null;
  @Field(() => WitnessEndReason, { nullable: true, description: 'ENDED: why' }) endReason?: string | null;
}
