import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { AccountType } from '../profiles';
import { CustomerType } from '../profiles';

@ObjectType({ description: '短信验证码发送结果' })
export class CodeDelivery {
  @Field({ description: 'e.g. 138****5678' })
  maskedPhone!: string;

  @Field()
  expiresAt!: Date;

  @Field()
  resendAfter!: Date;
}

@ObjectType('StaffMember', { description: '期货公司工作人员：坐席、复核员或管理员' })
export class StaffMemberType {
  @Field(() => ID)
  id!: string;

  @Field({ description: '登录用户名' })
  username!: string;

  @Field({ description: '姓名' })
  displayName!: string;

  @Field(() => [String], { description: 'AGENT (坐席), REVIEWER (复核员), BROKER_ADMIN (管理员)' })
  roles!: string[];

  @Field(() => String, { nullable: true, description: '期货从业资格号（坐席必填）' })
  licenseNo!: string | null;

  @Field({ description: '已停用：不能登录，已有会话立即失效' })
  disabled!: boolean;

  brokerId!: string;
  branchId!: string | null;
}

@ObjectType('Viewer', { description: '当前调用者' })
export class ViewerType {
  @Field(() => ID)
  id!: string;

  @Field(() => [String], { description: 'CUSTOMER, PROSPECT, AGENT, REVIEWER, BROKER_ADMIN or PARTNER' })
  roles!: string[];

  @Field(() => CustomerType, { nullable: true })
  customer!: CustomerType | null;

  @Field(() => StaffMemberType, { nullable: true, description: '工作人员会话：本人的账号信息；其他调用者为 null' })
  staff!: StaffMemberType | null;

  @Field(() => String, {
    nullable: true,
    description: '开户申请人（手机号登录）：登录的手机号，脱敏；其他调用者为 null',
  })
  maskedMobile!: string | null;
}

@InputType()
export class CreateStaffInput {
  @Field({ description: '登录用户名：3–32 位字母、数字、下划线、点或连字符，全平台唯一' })
  username!: string;

  @Field({ description: '姓名' })
  displayName!: string;

  @Field({ description: '初始密码：8–64 位，含大写字母、小写字母、数字、符号中的至少三种' })
  password!: string;

  @Field(() => [String], { description: 'AGENT, REVIEWER and/or BROKER_ADMIN' })
  roles!: string[];

  @Field(() => ID, { nullable: true, description: '所属营业部；空 = 本公司全部营业部' })
  branchId?: string | null;

  @Field(() => String, { nullable: true, description: '期货从业资格号（坐席必填）' })
  licenseNo?: string | null;
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
  accountType!: AccountType;

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
  accountType!: AccountType;

  @Field({ description: '6 位短信验证码' })
  code!: string;
}

@InputType({ description: '开户申请人获取短信验证码' })
export class RequestProspectCodeInput {
  @Field({ description: '期货公司代码' }) brokerCode!: string;
  @Field({ description: '中国大陆手机号码（11位）' }) mobile!: string;
  @Field(() => ID) captchaId!: string;
  @Field({ description: '图形验证码（不区分大小写）' }) captchaAnswer!: string;
}

@InputType({ description: '开户申请人登录' })
export class ProspectLoginInput {
  @Field() brokerCode!: string;
  @Field() mobile!: string;
  @Field({ description: '6 位短信验证码' }) code!: string;
  @Field(() => Int, { description: "the version of the broker's 《隐私政策》 the person read and agreed to" })
  privacyPolicyVersion!: number;
}
