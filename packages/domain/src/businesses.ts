/**
 * Businesses (业务), their steps and statuses, as both the server and the portal name them. The
 * server walks a ticket through `steps`; the portal draws the step bar and the menu from the same
 * data (and asks the API which businesses a broker offers).
 */

export const BUSINESS_TYPES = [
  'OPEN_FUTURES_ACCOUNT',
  'ADD_TRADING_CODE',
  'SUITABILITY_ASSESSMENT',
  'UPDATE_ID_VALIDITY',
  'UPDATE_CONTACT_PHONE',
  'UPDATE_OTHER_INFO',
  'CHANGE_SETTLEMENT_ACCOUNT',
  'RESET_PASSWORD',
  'OPEN_ASSET_MANAGEMENT_ACCOUNT',
] as const;
export type BusinessType = (typeof BUSINESS_TYPES)[number];

export const STEP_KINDS = [
  'DOCUMENTS',
  'IDENTITY',
  'ID_VALIDITY',
  'CONTACT_PHONE',
  'OTHER_INFO',
  'SETTLEMENT_ACCOUNT',
  'SUITABILITY',
  'EXCHANGES',
  'VIDEO_WITNESS',
  'CERTIFICATE',
  'AGREEMENTS',
  'RETURN_VISIT',
  'SUBMITTED',
] as const;
export type TicketStepKind = (typeof STEP_KINDS)[number];

export const TICKET_STATUSES = ['IN_PROGRESS', 'SUBMITTED', 'RETURNED', 'APPROVED', 'REJECTED', 'CANCELLED'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

/** Statuses in which a ticket is still open: starting the same business again resumes it. */
export const OPEN_STATUSES: readonly TicketStatus[] = ['IN_PROGRESS', 'RETURNED', 'SUBMITTED'];

/** Statuses in which the customer may still work on the ticket. */
export const EDITABLE_STATUSES: readonly TicketStatus[] = ['IN_PROGRESS', 'RETURNED'];

export interface BusinessInfo {
  /** 业务名称, e.g. 修改其他信息 */
  name: string;
  /** one line under the name in the menu */
  hint: string;
  steps: readonly TicketStepKind[];
  /** Always a fresh witness and certificate before AGREEMENTS, even with a valid certificate. */
  freshCertificate?: boolean;
  /** Built in this version of Kaihu (the others are listed in the menu as not yet available). */
  available: boolean;
  /** Run by a person who is not a customer yet (a prospect, logged in with a mobile number). */
  prospect?: boolean;
  /**
   * The step bar as the reference draws it, when it groups steps (开立期货账户: 1 身份信息填写 … 8 申请提交,
   * 上传照片 within 身份信息填写, 安装数字证书 within 视频见证). Without it, one stage per step.
   */
  stages?: readonly { title: string; steps: readonly TicketStepKind[] }[];
}

/** In the reference's menu order. */
export const BUSINESSES: Record<BusinessType, BusinessInfo> = {
  OPEN_FUTURES_ACCOUNT: {
    name: '开立期货账户',
    hint: '新开期货经纪账户',
    steps: [
      'DOCUMENTS',
      'IDENTITY',
      'SETTLEMENT_ACCOUNT',
      'SUITABILITY',
      'EXCHANGES',
      'VIDEO_WITNESS',
      'CERTIFICATE',
      'AGREEMENTS',
      'RETURN_VISIT',
      'SUBMITTED',
    ],
    available: true,
    prospect: true,
    stages: [
      { title: '身份信息填写', steps: ['DOCUMENTS', 'IDENTITY'] },
      { title: '结算账户设置', steps: ['SETTLEMENT_ACCOUNT'] },
      { title: '适当性评估', steps: ['SUITABILITY'] },
      { title: '交易所选择', steps: ['EXCHANGES'] },
      { title: '视频见证', steps: ['VIDEO_WITNESS', 'CERTIFICATE'] },
      { title: '签署协议', steps: ['AGREEMENTS'] },
      { title: '回访问卷', steps: ['RETURN_VISIT'] },
      { title: '申请提交', steps: ['SUBMITTED'] },
    ],
  },
  ADD_TRADING_CODE: {
    name: '增开交易编码',
    hint: '增开交易所交易编码',
    steps: ['DOCUMENTS', 'EXCHANGES', 'AGREEMENTS', 'SUBMITTED'],
    available: false,
  },
  SUITABILITY_ASSESSMENT: {
    name: '适当性评估',
    hint: '投资者适当性评估',
    steps: ['SUITABILITY', 'AGREEMENTS', 'SUBMITTED'],
    available: false,
  },
  UPDATE_ID_VALIDITY: {
    name: '修改身份证有效期',
    hint: '证件到期换领后更新有效期',
    steps: ['DOCUMENTS', 'ID_VALIDITY', 'AGREEMENTS', 'SUBMITTED'],
    available: true,
  },
  UPDATE_CONTACT_PHONE: {
    name: '修改联系电话',
    hint: '更换手机号或座机号',
    steps: ['DOCUMENTS', 'CONTACT_PHONE', 'AGREEMENTS', 'SUBMITTED'],
    available: true,
  },
  UPDATE_OTHER_INFO: {
    name: '修改其他信息',
    hint: '地址、学历、职业等资料',
    steps: ['DOCUMENTS', 'OTHER_INFO', 'AGREEMENTS', 'SUBMITTED'],
    available: true,
  },
  CHANGE_SETTLEMENT_ACCOUNT: {
    name: '修改结算账户',
    hint: '变更银行结算账户',
    steps: ['DOCUMENTS', 'SETTLEMENT_ACCOUNT', 'AGREEMENTS', 'SUBMITTED'],
    available: false,
  },
  OPEN_ASSET_MANAGEMENT_ACCOUNT: {
    name: '开立资管账户',
    hint: '新开非期货经纪（资管）账户',
    steps: [
      'DOCUMENTS',
      'IDENTITY',
      'SETTLEMENT_ACCOUNT',
      'SUITABILITY',
      'VIDEO_WITNESS',
      'CERTIFICATE',
      'AGREEMENTS',
      'RETURN_VISIT',
      'SUBMITTED',
    ],
    available: false,
    prospect: true,
  },
  RESET_PASSWORD: {
    name: '密码重置',
    hint: '重置交易密码和资金密码',
    steps: ['DOCUMENTS', 'OTHER_INFO', 'VIDEO_WITNESS', 'CERTIFICATE', 'AGREEMENTS', 'SUBMITTED'],
    freshCertificate: true,
    available: true,
  },
};

/** The step bar's names (the reference's). */
export const STEP_NAMES: Record<TicketStepKind, string> = {
  DOCUMENTS: '上传照片',
  IDENTITY: '身份信息填写',
  ID_VALIDITY: '身份信息资料',
  CONTACT_PHONE: '联系电话信息资料',
  OTHER_INFO: '其他信息资料',
  SETTLEMENT_ACCOUNT: '结算账户设置',
  SUITABILITY: '适当性评估',
  EXCHANGES: '交易所选择',
  VIDEO_WITNESS: '视频见证',
  CERTIFICATE: '安装数字证书',
  AGREEMENTS: '签署协议',
  RETURN_VISIT: '回访问卷',
  SUBMITTED: '申请提交',
};

export const STATUS_NAMES: Record<TicketStatus, string> = {
  IN_PROGRESS: '办理中',
  SUBMITTED: '审核中',
  RETURNED: '已打回',
  APPROVED: '已通过',
  REJECTED: '已拒绝',
  CANCELLED: '已取消',
};

/** The status as part of a sentence: “该业务已提交审核，不能再修改”. */
export const STATUS_PHRASES: Record<TicketStatus, string> = {
  IN_PROGRESS: '正在办理',
  RETURNED: '已被打回',
  SUBMITTED: '已提交审核',
  APPROVED: '已审核通过',
  REJECTED: '已被拒绝',
  CANCELLED: '已取消',
};

/** {@link BUSINESSES} as a list in menu order, each with its type. */
export const BUSINESS_LIST: readonly (BusinessInfo & { type: BusinessType })[] = BUSINESS_TYPES.map((type) => ({
  type,
  ...BUSINESSES[type],
}));
