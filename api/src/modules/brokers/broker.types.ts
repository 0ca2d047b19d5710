import { Field, InputType, Int, ObjectType } from 'type-graphql';
import { BusinessType, TicketStepKind } from '../../graphql/enums';

@ObjectType('ServiceWindow', { description: '每周服务时段（期货公司所在时区）' })
export class ServiceWindowType {
  @Field(() => Int, { description: '1 = 周一 … 7 = 周日' }) weekday!: number;
  @Field({ description: 'HH:MM, opening minute' }) start!: string;
  @Field({ description: 'HH:MM, closing minute (24:00 = end of day)' }) end!: string;
}

@InputType()
export class ServiceWindowInput {
  @Field(() => Int, { description: '1 = 周一 … 7 = 周日' }) weekday!: number;
  @Field({ description: 'HH:MM' }) start!: string;
  @Field({ description: 'HH:MM, after start; 24:00 = end of day' }) end!: string;
}

@InputType()
export class CreateBranchInput {
  @Field({ description: '营业部名称，例如“广州营业部”' }) name!: string;
  @Field({ description: 'code within the broker: letters, digits, _ or -, up to 32' }) code!: string;
}

@InputType()
export class UpdateBranchInput {
  @Field({ description: '营业部名称' }) name!: string;
}

@ObjectType('BusinessOffer', { description: '业务菜单中的一项：业务类型、名称及能否在网上办理' })
export class BusinessOfferType {
  @Field(() => BusinessType) type!: BusinessType;
  @Field({ description: '业务名称，例如“修改其他信息”' }) name!: string;
  @Field({ description: '菜单中名称下的一行说明' }) hint!: string;
  @Field({ description: '能否在网上办理：本版本已提供，且期货公司已开通' }) offered!: boolean;
  @Field(() => [TicketStepKind], {
    description: '业务的步骤（未持有有效证书时，签署协议前另加视频见证和安装数字证书）',
  })
  steps!: TicketStepKind[];
  @Field({
    description: '由尚未开户的申请人以手机号登录后办理（startAccountOpening），而非客户登录后办理（startTicket）',
  })
  forProspects!: boolean;
  @Field(() => [BusinessStageType], {
    description: '步骤条的分段（开立期货账户：1 身份信息填写 … 8 申请提交）；为空时每个步骤一段',
  })
  stages!: BusinessStageType[];
}

@ObjectType('BusinessStage', { description: '步骤条中的一段及其包含的步骤' })
export class BusinessStageType {
  @Field() title!: string;
  @Field(() => [TicketStepKind]) steps!: TicketStepKind[];
}
