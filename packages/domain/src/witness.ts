/** The video witness (视频见证) as agents and customers read it. */

/** What the agent confirms during the call, in the order of the call (completeWitness checklist). */
export const WITNESS_CHECKLIST = [
  { code: 'IDENTITY_MATCHES_ID_CARD', label: '客户本人与身份证照片一致', key: '1' },
  { code: 'ID_CARD_SHOWN', label: '客户已向镜头出示身份证原件', key: '2' },
  { code: 'AGENT_IDENTIFIED', label: '坐席已出示本人姓名及从业资格号', key: '3' },
  { code: 'RISKS_EXPLAINED', label: '已向客户揭示风险，客户已知晓相关开户知识', key: '4' },
] as const;
export type WitnessChecklistItem = (typeof WITNESS_CHECKLIST)[number]['code'];
export const WITNESS_CHECKLIST_LABELS = Object.fromEntries(WITNESS_CHECKLIST.map((c) => [c.code, c.label])) as Record<
  WitnessChecklistItem,
  string
>;

export const WITNESS_END_REASONS = [
  'COMPLETED',
  'AGENT_ABANDONED',
  'AGENT_DISCONNECTED',
  'CUSTOMER_ABSENT',
  'CUSTOMER_DISCONNECTED',
  'CUSTOMER_LEFT',
  'MEDIA_FAILED',
  'TIMEOUT',
] as const;
export type WitnessEndReason = (typeof WITNESS_END_REASONS)[number];

/** How a session ended, as the agent's console says it. */
export const WITNESS_END_REASON_NAMES: Record<WitnessEndReason, string> = {
  AGENT_ABANDONED: '坐席中止，客户已回到队首',
  AGENT_DISCONNECTED: '坐席断线，客户已回到队首',
  COMPLETED: '见证已完成',
  CUSTOMER_ABSENT: '客户未应答，已移出队列',
  CUSTOMER_DISCONNECTED: '客户断线未恢复，已移出队列',
  CUSTOMER_LEFT: '客户已离开',
  MEDIA_FAILED: '视频服务故障，客户已回到队首',
  TIMEOUT: '见证超时，客户已回到队首',
};
