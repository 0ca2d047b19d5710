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
  PRIVACY_POLICY_OUTDATED = 'PRIVACY_POLICY_OUTDATED',
  // tickets
  STEP_NOT_ALLOWED = 'STEP_NOT_ALLOWED',
  ID_EXPIRED = 'ID_EXPIRED',
  BUSINESS_NOT_AVAILABLE = 'BUSINESS_NOT_AVAILABLE',
  TICKET_CLOSED = 'TICKET_CLOSED',
  // documents
  DOCUMENTS_INCOMPLETE = 'DOCUMENTS_INCOMPLETE',
  FILE_TOO_LARGE = 'FILE_TOO_LARGE',
  UNSUPPORTED_FILE_TYPE = 'UNSUPPORTED_FILE_TYPE',
  IMAGE_CORRUPT = 'IMAGE_CORRUPT',
  IMAGE_TOO_LARGE = 'IMAGE_TOO_LARGE',
  IMAGE_TOO_SMALL = 'IMAGE_TOO_SMALL',
  PHOTO_TOO_DARK = 'PHOTO_TOO_DARK',
  PHOTO_GLARE = 'PHOTO_GLARE',
  PHOTO_BLURRY = 'PHOTO_BLURRY',
  CARD_NOT_FOUND = 'CARD_NOT_FOUND',
  NOTHING_TO_REUSE = 'NOTHING_TO_REUSE',
  // info pages
  INVALID_VALIDITY = 'INVALID_VALIDITY',
  INVALID_PHONE = 'INVALID_PHONE',
  // certificates, agreements, review
  WITNESS_REQUIRED = 'WITNESS_REQUIRED',
  CSR_INVALID = 'CSR_INVALID',
  CERTIFICATE_REQUIRED = 'CERTIFICATE_REQUIRED',
  SIGNATURE_INVALID = 'SIGNATURE_INVALID',
  AGREEMENTS_INCOMPLETE = 'AGREEMENTS_INCOMPLETE',
  SAME_PERSON = 'SAME_PERSON',
  MEDIA_UNAVAILABLE = 'MEDIA_UNAVAILABLE',
  RECORDING_MISSING = 'RECORDING_MISSING',
  // account opening
  IDENTITY_MISMATCH = 'IDENTITY_MISMATCH',
  ALREADY_CUSTOMER = 'ALREADY_CUSTOMER',
  APPLICATION_EXISTS = 'APPLICATION_EXISTS',
  AGE_LIMIT = 'AGE_LIMIT',
  INVALID_BANK_CARD = 'INVALID_BANK_CARD',
  QUESTIONNAIRE_OUTDATED = 'QUESTIONNAIRE_OUTDATED',
  ANSWERS_INVALID = 'ANSWERS_INVALID',
  EXCHANGE_UNAVAILABLE = 'EXCHANGE_UNAVAILABLE',
  RISK_MISMATCH = 'RISK_MISMATCH',
  RISK_NOT_ALLOWED = 'RISK_NOT_ALLOWED',
  COUNTER_UNAVAILABLE = 'COUNTER_UNAVAILABLE',
  // abuse limits and idempotency
  QUERY_TOO_DEEP = 'QUERY_TOO_DEEP',
  QUERY_TOO_COMPLEX = 'QUERY_TOO_COMPLEX',
  BATCH_TOO_LARGE = 'BATCH_TOO_LARGE',
  RATE_LIMITED = 'RATE_LIMITED',
  IDEMPOTENCY_KEY_REUSED = 'IDEMPOTENCY_KEY_REUSED',
  IDEMPOTENCY_KEY_IN_USE = 'IDEMPOTENCY_KEY_IN_USE',
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
  [ErrorCode.PRIVACY_POLICY_OUTDATED]: '请阅读并勾选同意最新版本的《隐私政策》后再登录',
  [ErrorCode.STEP_NOT_ALLOWED]: '当前步骤不能执行此操作，请按页面提示的步骤办理',
  [ErrorCode.ID_EXPIRED]: '您的身份证已过期，请先办理“修改身份证有效期”业务',
  [ErrorCode.BUSINESS_NOT_AVAILABLE]: '该业务暂未开通，敬请期待',
  [ErrorCode.TICKET_CLOSED]: '该业务已结束，不能再修改',
  [ErrorCode.DOCUMENTS_INCOMPLETE]: '请上传身份证正面、反面和手写签名照片后再进入下一步',
  [ErrorCode.FILE_TOO_LARGE]: '照片大小不能超过10M，请压缩或重新拍摄后上传',
  [ErrorCode.UNSUPPORTED_FILE_TYPE]: '仅支持 JPG 格式的照片，请重新选择',
  [ErrorCode.IMAGE_CORRUPT]: '照片文件已损坏或不完整，请重新拍摄后上传',
  [ErrorCode.IMAGE_TOO_LARGE]: '照片像素过大，请降低相机分辨率后重新拍摄',
  [ErrorCode.IMAGE_TOO_SMALL]: '照片分辨率过低，请靠近拍摄或使用更高的分辨率',
  [ErrorCode.PHOTO_TOO_DARK]: '照片太暗，请在光线充足处重新拍摄',
  [ErrorCode.PHOTO_GLARE]: '照片反光或过曝，请避开灯光直射，调整角度后重新拍摄',
  [ErrorCode.PHOTO_BLURRY]: '照片模糊，请对焦清晰、保持手机稳定后重新拍摄',
  [ErrorCode.CARD_NOT_FOUND]: '未能识别到完整的身份证：证件与背景颜色反差太小，请在深色背景上重新拍摄',
  [ErrorCode.NOTHING_TO_REUSE]: '没有可复用的证件照，请上传照片',
  [ErrorCode.INVALID_VALIDITY]: '身份证有效期填写有误',
  [ErrorCode.INVALID_PHONE]: '请输入正确的联系电话：中国大陆手机号（11位）或座机号（区号-号码）',
  [ErrorCode.WITNESS_REQUIRED]: '请先完成视频见证，再申请数字证书',
  [ErrorCode.CSR_INVALID]: '证书申请数据无效，请重新申请',
  [ErrorCode.CERTIFICATE_REQUIRED]: '没有检测到有效的数字证书，请先完成视频见证并安装数字证书',
  [ErrorCode.SIGNATURE_INVALID]: '协议签名验证失败，请重新签署',
  [ErrorCode.AGREEMENTS_INCOMPLETE]: '请签署全部协议后再提交',
  [ErrorCode.SAME_PERSON]: '复核人员不能复核本人见证的业务',
  [ErrorCode.MEDIA_UNAVAILABLE]: '视频服务暂不可用，请稍后再试',
  [ErrorCode.RECORDING_MISSING]: '没有双方完整的见证录像，不能通过见证',
  [ErrorCode.IDENTITY_MISMATCH]: '身份证号码与所填的出生日期或性别不符，请按身份证核对',
  [ErrorCode.ALREADY_CUSTOMER]:
    '您已是本公司客户，无需重复开户：可使用身份证号登录“我的基本资料”，或办理“增开交易编码”',
  [ErrorCode.APPLICATION_EXISTS]: '该身份证号码已有正在办理的开户申请，请继续办理原申请',
  [ErrorCode.AGE_LIMIT]: '您的年龄不在网上开户的受理范围内，请携带身份证到营业部办理',
  [ErrorCode.INVALID_BANK_CARD]: '银行卡信息有误，请核对后重新输入',
  [ErrorCode.QUESTIONNAIRE_OUTDATED]: '问卷已更新，请刷新页面后按新问卷重新作答',
  [ErrorCode.ANSWERS_INVALID]: '问卷作答有误，请检查未作答或选择有误的题目',
  [ErrorCode.EXCHANGE_UNAVAILABLE]: '所选交易所暂不能在本业务中开通',
  [ErrorCode.RISK_MISMATCH]: '所选产品的风险等级高于您的风险承受能力，请阅读风险不匹配警示并确认后再继续',
  [ErrorCode.RISK_NOT_ALLOWED]: '您属于最低风险承受能力类别，不能开通风险等级高于R1的产品',
  [ErrorCode.COUNTER_UNAVAILABLE]: '柜台系统暂时无法办理，请稍后重试（业务仍为审核中）',
  [ErrorCode.QUERY_TOO_DEEP]: '查询嵌套层级过深，请减少嵌套后重试',
  [ErrorCode.QUERY_TOO_COMPLEX]: '查询过于复杂，请减少字段或分页数量后重试',
  [ErrorCode.BATCH_TOO_LARGE]: '一次请求包含的操作过多，请分批提交',
  [ErrorCode.RATE_LIMITED]: '请求过于频繁，请稍后再试',
  [ErrorCode.IDEMPOTENCY_KEY_REUSED]: '该幂等键（Idempotency-Key）已用于另一个请求，请为新请求使用新的幂等键',
  [ErrorCode.IDEMPOTENCY_KEY_IN_USE]: '使用该幂等键（Idempotency-Key）的请求仍在处理中，请稍后重试',
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
