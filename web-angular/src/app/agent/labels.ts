import type { TicketStepKind, WitnessEndReason } from '../graphql/generated';
import {
  BAD_CREDIT,
  EXPECTED_RETURN,
  INVESTMENT_HORIZON,
  PEP_RELATION,
  PRODUCTS,
  TAX_RESIDENCY,
} from '../shared/labels';

/** the profile's enum values, in words */
const ENUM_WORDS: Record<string, string> = {
  ...TAX_RESIDENCY,
  ...PEP_RELATION,
  ...INVESTMENT_HORIZON,
  ...EXPECTED_RETURN,
  ...PRODUCTS,
  ...BAD_CREDIT,
};

/** The console's sections, by role. */
export const ROLE_NAMES: Record<string, string> = {
  AGENT: '坐席',
  REVIEWER: '复核',
  BROKER_ADMIN: '管理',
};

/** What the agent confirms during the call (completeWitness checklist), in the order of the call. */
export const CHECKLIST: readonly { code: string; label: string; key: string }[] = [
  { code: 'IDENTITY_MATCHES_ID_CARD', label: '客户本人与身份证照片一致', key: '1' },
  { code: 'ID_CARD_SHOWN', label: '客户已向镜头出示身份证原件', key: '2' },
  { code: 'AGENT_IDENTIFIED', label: '已出示本人姓名及从业资格号', key: '3' },
  { code: 'RISKS_EXPLAINED', label: '已向客户揭示风险', key: '4' },
];

export const END_REASONS: Record<WitnessEndReason, string> = {
  AGENT_ABANDONED: '坐席中止，客户已回到队首',
  AGENT_DISCONNECTED: '坐席断线，客户已回到队首',
  COMPLETED: '见证已完成',
  CUSTOMER_ABSENT: '客户未应答，已移出队列',
  CUSTOMER_DISCONNECTED: '客户断线未恢复，已移出队列',
  CUSTOMER_LEFT: '客户已离开',
  MEDIA_FAILED: '视频服务故障，客户已回到队首',
  TIMEOUT: '见证超时，客户已回到队首',
};

export const STEP_NAMES: Partial<Record<TicketStepKind, string>> = {
  DOCUMENTS: '上传照片',
  ID_VALIDITY: '身份信息资料',
  CONTACT_PHONE: '联系电话信息资料',
  OTHER_INFO: '其他信息资料',
  VIDEO_WITNESS: '视频见证',
  CERTIFICATE: '安装数字证书',
  AGREEMENTS: '签署协议',
  IDENTITY: '身份信息填写',
  SUITABILITY: '适当性评估',
  EXCHANGES: '交易所选择',
  SETTLEMENT_ACCOUNT: '结算账户设置',
  RETURN_VISIT: '回访问卷',
  SUBMITTED: '申请提交',
};

export const ACTOR_KINDS: Record<string, string> = {
  CUSTOMER: '客户',
  STAFF: '工作人员',
  PARTNER: '合作方',
  SYSTEM: '系统',
};

export const DOCUMENT_KINDS: Record<string, string> = {
  ID_CARD_FRONT: '身份证正面',
  ID_CARD_BACK: '身份证反面',
  SIGNATURE: '手写签名',
  WITNESS_SNAPSHOT: '视频见证截图',
};

/** 00:42 or 1:02:05 */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(s % 60)}` : `${pad(m)}:${pad(s % 60)}`;
}

/** 2026-11-22 18:03 in the viewer's time zone */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A JSON value of a change or an event, readable. */
export function showValue(json: string | null | undefined): string {
  if (json === null || json === undefined || json === '') return '—';
  try {
    const v = JSON.parse(json) as unknown;
    if (v === null) return '—';
    if (typeof v === 'string') return ENUM_WORDS[v] ?? (v || '—');
    if (typeof v === 'boolean') return v ? '是' : '否';
    if (Array.isArray(v))
      return v.length
        ? v.map((x) => (typeof x === 'string' ? (ENUM_WORDS[x] ?? x) : JSON.stringify(x))).join('、')
        : '无';
    return typeof v === 'object' ? JSON.stringify(v) : String(v);
  } catch {
    return json;
  }
}

/** What the event trail's actions mean (unknown ones are shown as they are). */
export const ACTION_NAMES: Record<string, string> = {
  STARTED: '开始办理',
  DOCUMENT_UPLOADED: '上传照片',
  DOCUMENTS_REUSED: '复用已有照片',
  STEP_COMPLETED: '完成步骤',
  WENT_BACK: '返回上一步',
  QUEUE_JOINED: '加入视频排队',
  QUEUE_LEFT: '离开视频排队',
  WITNESS_CALLED: '坐席接通',
  WITNESS_SNAPSHOT: '见证截图',
  WITNESS_RECORDED: '见证录像',
  WITNESS_RETURNED: '见证打回',
  CERTIFICATE_REAPPLIED: '重新申请证书',
  SUBMITTED: '提交申请',
  APPROVED: '复核通过',
  RETURNED: '打回',
  REJECTED: '拒绝',
  REVIEW_NOTE: '复核备注',
  CANCELLED: '取消办理',
};
