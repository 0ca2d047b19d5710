/**
 * Businesses (业务) as data: each business type is an ordered list of steps. The server walks a
 * ticket through them; nothing about the order lives in if-chains.
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

export interface BusinessFlow {
  name: string;
  steps: readonly TicketStepKind[];
  /** Always a fresh witness and certificate before AGREEMENTS, even with a valid certificate. */
  freshCertificate?: boolean;
  /** Built in this version of Kaihu (the others are listed in the menu as not yet available). */
  available: boolean;
}

export const FLOWS: Record<BusinessType, BusinessFlow> = {
  UPDATE_ID_VALIDITY: {
    name: '修改身份证有效期',
    steps: ['DOCUMENTS', 'ID_VALIDITY', 'AGREEMENTS', 'SUBMITTED'],
    available: true,
  },
  UPDATE_CONTACT_PHONE: {
    name: '修改联系电话',
    steps: ['DOCUMENTS', 'CONTACT_PHONE', 'AGREEMENTS', 'SUBMITTED'],
    available: true,
  },
  UPDATE_OTHER_INFO: {
    name: '修改其他信息',
    steps: ['DOCUMENTS', 'OTHER_INFO', 'AGREEMENTS', 'SUBMITTED'],
    available: true,
  },
  RESET_PASSWORD: {
    name: '密码重置',
    steps: ['DOCUMENTS', 'OTHER_INFO', 'VIDEO_WITNESS', 'CERTIFICATE', 'AGREEMENTS', 'SUBMITTED'],
    freshCertificate: true,
    available: true,
  },
  OPEN_FUTURES_ACCOUNT: {
    name: '开立期货账户',
    steps: [
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
    available: false,
  },
  ADD_TRADING_CODE: {
    name: '增开交易编码',
    steps: ['DOCUMENTS', 'EXCHANGES', 'AGREEMENTS', 'SUBMITTED'],
    available: false,
  },
  SUITABILITY_ASSESSMENT: { name: '适当性评估', steps: ['SUITABILITY', 'AGREEMENTS', 'SUBMITTED'], available: false },
  CHANGE_SETTLEMENT_ACCOUNT: {
    name: '修改结算账户',
    steps: ['DOCUMENTS', 'SETTLEMENT_ACCOUNT', 'AGREEMENTS', 'SUBMITTED'],
    available: false,
  },
};

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

export interface StepState {
  kind: TicketStepKind;
  done: boolean;
}

/** The steps a new ticket of `business` starts with. */
export function initialSteps(business: BusinessType): StepState[] {
  return FLOWS[business].steps.map((kind) => ({ kind, done: false }));
}

/** The first step not done (SUBMITTED once everything before it is). */
export function currentStepOf(steps: readonly StepState[]): TicketStepKind {
  return (steps.find((s) => !s.done) ?? steps[steps.length - 1]!).kind;
}

/**
 * Inserts VIDEO_WITNESS and CERTIFICATE before AGREEMENTS when they are not already in the
 * flow (a business without them, for a customer without a valid certificate). With `redo`
 * (重新申请 a certificate at AGREEMENTS) both are put right before AGREEMENTS, not done, even
 * when the flow had them and they were done.
 */
export function withCertificateSteps(steps: readonly StepState[], options: { redo?: boolean } = {}): StepState[] {
  const i = steps.findIndex((s) => s.kind === 'AGREEMENTS');
  if (options.redo) {
    if (i < 0) return [...steps];
    const others = steps.filter((s) => s.kind !== 'VIDEO_WITNESS' && s.kind !== 'CERTIFICATE');
    const j = others.findIndex((s) => s.kind === 'AGREEMENTS');
    return [
      ...others.slice(0, j),
      { kind: 'VIDEO_WITNESS', done: false },
      { kind: 'CERTIFICATE', done: false },
      ...others.slice(j),
    ];
  }
  if (steps.some((s) => s.kind === 'CERTIFICATE')) return [...steps];
  if (i < 0) return [...steps];
  return [
    ...steps.slice(0, i),
    { kind: 'VIDEO_WITNESS', done: false },
    { kind: 'CERTIFICATE', done: false },
    ...steps.slice(i),
  ];
}
