import { Field, ObjectType } from 'type-graphql';

@ObjectType({ description: '资料变更：修改前 → 修改后（JSON 值）' })
export class FieldChange {
  @Field() field!: string;
  @Field() label!: string;
  @Field(() => String, { nullable: true }) before!: string | null;
  @Field(() => String, { nullable: true }) after!: string | null;
  @Field({ description: '与当前资料不同' }) changed!: boolean;
}

@ObjectType({ description: '一份协议的签名及服务端验证结果' })
export class SignatureRecord {
  @Field() agreementCode!: string;
  @Field() agreementTitle!: string;
  @Field() agreementVersion!: number;
  @Field({ description: '签名证书序列号' }) signerSerial!: string;
  @Field() signedAt!: Date;
  @Field({ description: '验签结果：摘要、签名值、证书链、有效期、作废状态、签名人均通过' }) verified!: boolean;
  @Field(() => [String]) checks!: string[];
}
