import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { Exchange, Gender, ProductRisk, RiskTolerance, TicketStepKind, TradingCodeStatus } from '../../graphql/enums';
import { DateScalar } from '../../graphql/scalars';

@ObjectType({ description: '开户银行' })
export class Bank {
  @Field() code!: string;
  @Field() name!: string;
}

@ObjectType({ description: '结算账户' })
export class SettlementAccount {
  @Field(() => Bank) bank!: Bank;
  @Field({ description: 'masked except the last 4 digits, e.g. 6222 **** **** 1234' }) cardNumber!: string;
  @Field() holderName!: string;
  @Field() primary!: boolean;
}

@ObjectType()
export class QuestionOption {
  @Field() code!: string;
  @Field() text!: string;
}

@ObjectType()
export class Question {
  @Field() code!: string;
  @Field() text!: string;
  @Field(() => String, { nullable: true, description: '题目所在部分，例如“财务状况”' }) section!: string | null;
  @Field({ description: 'several options may be chosen' }) multiple!: boolean;
  @Field(() => [QuestionOption]) options!: QuestionOption[];
}

@ObjectType('Questionnaire', { description: "a broker's versioned questionnaire (适当性评估 or 回访问卷)" })
export class QuestionnaireType {
  @Field(() => ID) id!: string;
  @Field(() => Int) version!: number;
  @Field() title!: string;
  @Field(() => [Question]) questions!: Question[];
}

@ObjectType()
export class ProductMatch {
  @Field(() => Exchange) exchange!: Exchange;
  @Field(() => ProductRisk) risk!: ProductRisk;
  @Field({ description: "the investor's tolerance covers this risk" }) matched!: boolean;
}

@ObjectType()
export class SuitabilityResult {
  @Field(() => Int) score!: number;
  @Field(() => RiskTolerance) tolerance!: RiskTolerance;
  @Field({ description: '风险承受能力等级的名称，例如“积极型”' }) toleranceName!: string;
  @Field({ description: '该等级的含义：可承受的风险与适合的产品或服务' }) meaning!: string;
  @Field({ description: '最低风险承受能力类别: may not be offered products above R1' }) lowestCategory!: boolean;
  @Field(() => [ProductMatch]) matches!: ProductMatch[];
  @Field() assessedAt!: Date;
}

@ObjectType()
export class ExchangeOption {
  @Field(() => Exchange) exchange!: Exchange;
  @Field() name!: string;
  @Field(() => ProductRisk) risk!: ProductRisk;
  @Field(() => String, {
    nullable: true,
    description:
      "why it cannot be chosen in this business now (e.g. CFFEX's 50万 funds, knowledge test and trading record), or null",
  })
  unavailableReason!: string | null;
}

@ObjectType('TradingCode')
export class TradingCodeType {
  @Field(() => Exchange) exchange!: Exchange;
  @Field(() => TradingCodeStatus) status!: TradingCodeStatus;
  @Field(() => String, { nullable: true, description: "the exchange's 交易编码, once ASSIGNED" }) code!: string | null;
  @Field(() => String, { nullable: true, description: 'why it was REFUSED' }) reason!: string | null;
}

@InputType()
export class AnswerInput {
  @Field() question!: string;
  @Field(() => [String]) options!: string[];
}

@ObjectType({ description: '需要复核人员注意的事项，例如“需人工回访”' })
export class TicketFlag {
  @Field({ description: 'e.g. MANUAL_RETURN_VISIT' }) code!: string;
  @Field({ description: '例如“需人工回访”' }) title!: string;
  @Field(() => [String], { description: '原因，例如回访问卷中与预期不符的回答' }) reasons!: string[];
}

@ObjectType({ description: '申请的一项内容（复核人员和坐席查看）' })
export class TicketDetail {
  @Field(() => TicketStepKind) step!: TicketStepKind;
  @Field() label!: string;
  @Field() value!: string;
}

@ObjectType({ description: '登录页展示的开户须知：投资者教育、开户帮助、支持的银行' })
export class OpeningInfo {
  @Field({ description: 'Markdown' }) investorEducation!: string;
  @Field({ description: 'Markdown' }) openingHelp!: string;
  @Field(() => [Bank]) banks!: Bank[];
  @Field(() => Int, { description: '网上开户的最低年龄' }) minAge!: number;
  @Field(() => Int, { description: '网上开户的最高年龄' }) maxAge!: number;
}

@ObjectType('Identity', { description: '身份信息填写：申请人按身份证填写的内容' })
export class IdentityType {
  @Field() name!: string;
  @Field({ description: '申请人本人与工作人员可见全部；合作方看到脱敏号码' }) idNumber!: string;
  @Field(() => Gender) gender!: Gender;
  @Field() ethnicity!: string;
  @Field(() => DateScalar) birthDate!: string;
  @Field() idAddress!: string;
  @Field() idIssuer!: string;
  @Field(() => DateScalar) idValidFrom!: string;
  @Field(() => DateScalar, { nullable: true }) idValidTo!: string | null;
  @Field() idLongTerm!: boolean;
  @Field({ description: '登录的手机号（工作人员以外脱敏）' }) mobile!: string;
  @Field(() => String, { nullable: true, description: '联系电话' }) phone!: string | null;
}
