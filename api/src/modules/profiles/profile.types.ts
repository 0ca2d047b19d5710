import { Field, ObjectType } from 'type-graphql';
import {
  BadCreditSource,
  ExpectedReturn,
  InvestmentHorizon,
  InvestmentProduct,
  PepRelation,
  TaxResidency,
} from '../../graphql/enums';
import { DateScalar } from '../../graphql/scalars';

/** 我的基本资料: identity (身份信息), contact (联系电话) and other information (其他信息). */
@ObjectType({ description: '我的基本资料' })
export class Profile {
  @Field({ description: '姓名' }) name!: string;
  @Field({ description: '身份证号（客户本人看到的是脱敏号码）' }) idNumber!: string;
  @Field({ description: '身份证地址' }) idAddress!: string;
  @Field(() => DateScalar, { description: '身份证有效期起' }) idValidFrom!: string;
  @Field(() => DateScalar, { nullable: true, description: 'null when the ID is long-term (长期)' }) idValidTo!:
    string | null;
  @Field({ description: '长期有效' }) idLongTerm!: boolean;
  @Field(() => String, { nullable: true, description: '联系电话 (may be a landline)' }) phone!: string | null;
  @Field({ description: '联系手机' }) mobile!: string;
  @Field({ description: '联系地址省' }) province!: string;
  @Field({ description: '联系地址市' }) city!: string;
  @Field({ description: '联系地址' }) address!: string;
  @Field({ description: '邮政编码' }) postalCode!: string;
  @Field(() => String, { nullable: true, description: '电子邮箱' }) email!: string | null;
  @Field({ description: '学历' }) education!: string;
  @Field({ description: '职业' }) occupation!: string;
  @Field(() => TaxResidency) taxResidency!: TaxResidency;
  @Field(() => PepRelation) pepRelation!: PepRelation;
  @Field(() => InvestmentHorizon, { nullable: true }) investmentHorizon!: InvestmentHorizon | null;
  @Field(() => ExpectedReturn, { nullable: true }) expectedReturn!: ExpectedReturn | null;
  @Field(() => Boolean, { nullable: true, description: '账户是否存在实际控制关系' }) hasActualController!:
    boolean | null;
  @Field(() => Boolean, { nullable: true, description: '账户交易实际受益人为本人' }) beneficialOwnerIsSelf!:
    boolean | null;
  @Field(() => [InvestmentProduct]) products!: InvestmentProduct[];
  @Field(() => [BadCreditSource], { description: '不良诚信记录来源；空列表表示“无”' })
  badCreditRecords!: BadCreditSource[];
}
