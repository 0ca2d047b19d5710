import { Field, InputType, ObjectType } from 'type-graphql';
import { DateScalar } from '../../graphql/scalars';
import {
  BadCreditSource,
  ExpectedReturn,
  InvestmentHorizon,
  InvestmentProduct,
  PepRelation,
  TaxResidency,
} from '../../graphql/enums';

@InputType({ description: '身份证有效期' })
export class IdValidityInput {
  @Field(() => DateScalar) validFrom!: string;
  @Field(() => DateScalar, { nullable: true }) validTo?: string | null;
  @Field({ description: '长期' }) longTerm!: boolean;
}

@InputType({ description: '联系电话' })
export class ContactPhoneInput {
  @Field({ description: 'mobile or landline' }) phone!: string;
  @Field(() => String, { nullable: true, description: 'SMS code sent to the new mobile; omitted for a landline' })
  code?: string | null;
}

@InputType({ description: '其他信息' })
export class OtherInfoInput {
  @Field() province!: string;
  @Field() city!: string;
  @Field() address!: string;
  @Field() postalCode!: string;
  @Field(() => String, { nullable: true }) email?: string | null;
  @Field() education!: string;
  @Field() occupation!: string;
  @Field(() => TaxResidency) taxResidency!: TaxResidency;
  @Field(() => PepRelation) pepRelation!: PepRelation;
  @Field(() => InvestmentHorizon) investmentHorizon!: InvestmentHorizon;
  @Field(() => ExpectedReturn) expectedReturn!: ExpectedReturn;
  @Field() hasActualController!: boolean;
  @Field() beneficialOwnerIsSelf!: boolean;
  @Field(() => [InvestmentProduct]) products!: InvestmentProduct[];
  @Field(() => [BadCreditSource], { description: '空列表表示“无”' }) badCreditRecords!: BadCreditSource[];
}

@ObjectType({ description: '其他信息页面的选项（与服务端校验一致）' })
export class ProfileOptions {
  @Field(() => [String], { description: '学历' }) education!: string[];
  @Field(() => [String], { description: '职业' }) occupation!: string[];
  @Field(() => [String], { description: '联系地址省' }) provinces!: string[];
}
