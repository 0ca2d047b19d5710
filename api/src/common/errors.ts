import { GraphQLError } from 'graphql';

/**
 * Every error a client can act on carries one of these stable codes in `extensions.code`,
 * and a Chinese message for people. Codes never change meaning; new ones may be added.
 */
export enum ErrorCode {
  // general
  BAD_USER_INPUT = 'BAD_USER_INPUT',
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  FORBIDDEN = 'FORBIDDEN',
  NOT_FOUND = 'NOT_FOUND',
  INTERNAL_SERVER_ERROR = 'INTERNAL_SERVER_ERROR',
  // brokers and service hours
  OUTSIDE_SERVICE_HOURS = 'OUTSIDE_SERVICE_HOURS',
  // login
  CAPTCHA_INVALID = 'CAPTCHA_INVALID',
  INVALID_ID_NUMBER = 'INVALID_ID_NUMBER',
  UNDERAGE = 'UNDERAGE',
  CUSTOMER_NOT_FOUND = 'CUSTOMER_NOT_FOUND',
  RESEND_TOO_SOON = 'RESEND_TOO_SOON',
  CODE_INVALID = 'CODE_INVALID',
  CODE_EXPIRED = 'CODE_EXPIRED',
  TOO_MANY_ATTEMPTS = 'TOO_MANY_ATTEMPTS',
  INVALID_CREDENTIALS = 'INVALID_CREDENTIALS',
  INVALID_ACCOUNT_TYPE = 'INVALID_ACCOUNT_TYPE',
}

/** Default Chinese messages; a throw site may give a more precise one. */
const MESSAGES: Record<ErrorCode, string> = {
  [ErrorCode.BAD_USER_INPUT]: '输入有误，请检查后重试',
  [ErrorCode.UNAUTHENTICATED]: '请先登录',
  [ErrorCode.FORBIDDEN]: '无权访问',
  [ErrorCode.NOT_FOUND]: '记录不存在',
  [ErrorCode.INTERNAL_SERVER_ERROR]: '服务器内部错误，请稍后重试',
  [ErrorCode.OUTSIDE_SERVICE_HOURS]: '当前不在网上开户服务时间内',
  [ErrorCode.CAPTCHA_INVALID]: '图形验证码错误或已过期，请刷新后重新输入',
  [ErrorCode.INVALID_ID_NUMBER]: '身份证号码格式不正确，请核对后重新输入',
  [ErrorCode.UNDERAGE]: '网上开户暂仅限年满18周岁的客户申请',
  [ErrorCode.CUSTOMER_NOT_FOUND]: '柜台校验客户不存在，请先开通对应账户类型的账户',
  [ErrorCode.RESEND_TOO_SOON]: '验证码发送过于频繁，请稍后再试',
  [ErrorCode.CODE_INVALID]: '短信验证码错误',
  [ErrorCode.CODE_EXPIRED]: '短信验证码已过期，请重新获取',
  [ErrorCode.TOO_MANY_ATTEMPTS]: '验证码错误次数过多，请15分钟后再试',
  [ErrorCode.INVALID_CREDENTIALS]: '用户名或密码错误',
  [ErrorCode.INVALID_ACCOUNT_TYPE]: '请选择账户类型',
};

export class KaihuError extends GraphQLError {
  constructor(
    readonly code: ErrorCode,
    message: string = MESSAGES[code],
    extra: Record<string, unknown> = {},
  ) {
    super(message, { extensions: { code, ...extra } });
    this.name = 'KaihuError';
  }
}

export function defaultMessage(code: ErrorCode): string {
  return MESSAGES[code];
}
