import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { BusinessType } from '../tickets';

@InputType()
export class AgreementSignatureInput {
  @Field(() => ID) agreementId!: string;
  @Field({ description: 'CMS (PKCS#7) detached signature over signingPayload, DER, base64' }) signature!: string;
}

@ObjectType('Agreement', { description: '协议（按版本保存，已签署的版本不会再改变）' })
export class AgreementType {
  @Field(() => ID) id!: string;
  @Field() code!: string;
  @Field({ description: '标题，例如“客户须知”' }) title!: string;
  @Field(() => Int) version!: number;
  @Field({ description: 'Markdown text' }) content!: string;
  @Field({ description: 'SHA-256 (hex) of content' }) sha256!: string;
  @Field(() => [BusinessType], { description: '签署本协议的业务' }) businesses!: BusinessType[];
  @Field({ description: '本版本的生成时间' }) createdAt!: Date;
}

@ObjectType({ description: '待签署的协议及其签名原文' })
export class AgreementToSign {
  @Field(() => AgreementType) agreement!: AgreementType;
  @Field({ description: 'the exact bytes to sign (canonical JSON), base64' }) signingPayload!: string;
  @Field(() => Date, { nullable: true }) signedAt!: Date | null;
}
