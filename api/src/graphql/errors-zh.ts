import type { GraphQLFormattedError } from 'graphql';
import { ErrorCode } from '../common/errors';

const ENUM_NAMES: Record<string, string> = {
  AccountType: '账户类型（期货经纪 / 非期货经纪）',
  BusinessType: '业务类型',
  TicketStatus: '业务状态',
  TicketStepKind: '业务步骤',
  DocumentKind: '照片类型',
};

/**
 * GraphQL's own input errors (bad variables, unknown enum values, missing required arguments)
 * are in English; people get a Chinese message, while `extensions.code` stays the standard one
 * and `extensions.detail` keeps the original text for developers. An unknown AccountType has its
 * own code, INVALID_ACCOUNT_TYPE.
 */
export function translateInputError(formatted: GraphQLFormattedError): GraphQLFormattedError {
  const msg = formatted.message;
  let zh: string | null = null;
  let code = formatted.extensions?.code as string | undefined;
  let m: RegExpExecArray | null;
  if ((m = /Value "(.*)" does not exist in "(\w+)" enum/.exec(msg))) {
    zh = `${ENUM_NAMES[m[2]!] ?? m[2]} 的取值“${m[1]}”无效`;
    if (m[2] === 'AccountType') {
      zh = '账户类型无效，请选择期货经纪或非期货经纪';
      code = ErrorCode.INVALID_ACCOUNT_TYPE;
    }
  } else if ((m = /Variable "\$(\w+)" of required type "(.+)" was not provided/.exec(msg))) {
    zh = `缺少必填参数 ${m[1]}`;
  } else if ((m = /Field "(\w+)" of required type "(.+)" was not provided/.exec(msg))) {
    zh = `缺少必填字段 ${m[1]}`;
  } else if ((m = /Variable "\$(\w+)" got invalid value .*? at "([\w.[\]]+)"/.exec(msg))) {
    zh = `参数 ${m[2]} 的取值无效`;
  } else if ((m = /Variable "\$(\w+)" got invalid value/.exec(msg))) {
    zh = `参数 ${m[1]} 的取值无效`;
  } else if (/^Syntax Error/.test(msg)) {
    zh = `GraphQL 语法错误：${msg.replace(/^Syntax Error: /, '')}`;
  } else if ((m = /Cannot query field "(\w+)" on type "(\w+)"/.exec(msg))) {
    zh = `类型 ${m[2]} 没有字段 ${m[1]}`;
  }
  if (!zh) return formatted;
  return { ...formatted, message: zh, extensions: { ...formatted.extensions, code, detail: msg } };
}
