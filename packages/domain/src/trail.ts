/** The words of a ticket's event trail and its documents, as the console shows them. */

/** What the trail's actions mean (unknown ones are shown as they are). */
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
  ACCOUNT_OPENED: '柜台开户',
  TRADING_CODES_APPLIED: '申请交易编码',
  TRADING_CODE_ASSIGNED: '交易所分配交易编码',
  TRADING_CODE_REFUSED: '交易所未通过交易编码申请',
};

export const ACTOR_KIND_NAMES: Record<string, string> = {
  CUSTOMER: '客户',
  PROSPECT: '开户申请人',
  STAFF: '工作人员',
  PARTNER: '合作方',
  SYSTEM: '系统',
};

export const DOCUMENT_KIND_NAMES: Record<string, string> = {
  ID_CARD_FRONT: '身份证正面',
  ID_CARD_BACK: '身份证反面',
  SIGNATURE: '手写签名',
  WITNESS_SNAPSHOT: '视频见证截图',
  BANK_CARD: '银行卡',
};

/** 是 / 否, or 未填写 when there is no answer. */
export function yesNo(v: boolean | null | undefined): string {
  return v === null || v === undefined ? '未填写' : v ? '是' : '否';
}
