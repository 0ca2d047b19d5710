import { Field, ID, InputType, ObjectType } from 'type-graphql';
import type { AccountType as AccountTypeValue } from '@kaihu/plugin-api';
import { AccountType } from '../profiles/profile.types';
import { CustomerType } from '../profiles/customer.types';

@ObjectType({ description: '短信验证码发送结果' })
export class CodeDelivery {
  @Field({ description: 'e.g. 138****5678' })
  maskedPhone!: string;

  @Field()
  expiresAt!: Date;

  @Field()
  resendAfter!: Date;
}

@ObjectType('Viewer', { description: '当前调用者' })
export class ViewerType {
  @Field(() => ID)
  id!: string;

  @Field(() => [String], { description: 'CUSTOMER, AGENT, REVIEWER, BROKER_ADMIN or PARTNER' })
  roles!: string[];

  @Field(() => CustomerType, { nullable: true })
  customer!: CustomerType | null;
}

@ObjectType('Session', { description: '登录会话' })
export class SessionType {
  @Field({ description: 'Bearer token: send as `Authorization: Bearer <token>`' })
  token!: string;

  @Field({ description: '30 分钟无操作或登录 8 小时后失效' })
  expiresAt!: Date;

  @Field(() => ViewerType)
  viewer!: ViewerType;
}

@InputType()
export class RequestLoginCodeInput {
  @Field({ description: '身份证号码' })
  idNumber!: string;

  @Field(() => AccountType, { description: '账户类型：期货经纪 / 非期货经纪' })
  accountType!: AccountTypeValue;

  @Field(() => ID)
  captchaId!: string;

  @Field({ description: '图形验证码（不区分大小写）' })
  captchaAnswer!: string;
}

@InputType()
export class LoginInput {
  @Field()
  idNumber!: string;

  @Field(() => AccountType)
  accountType!: AccountTypeValue;

  @Field({ description: '6 位短信验证码' })
  code!: string;
}
