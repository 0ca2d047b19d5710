import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { DocumentKind as DocumentKindValue } from './document.entity';
import { KIND_NAMES } from './document.service';

export const DocumentKind = {
  ID_CARD_FRONT: 'ID_CARD_FRONT',
  ID_CARD_BACK: 'ID_CARD_BACK',
  SIGNATURE: 'SIGNATURE',
  WITNESS_SNAPSHOT: 'WITNESS_SNAPSHOT',
  BANK_CARD: 'BANK_CARD',
} as const;
registerEnumType(DocumentKind, {
  name: 'DocumentKind',
  valuesConfig: Object.fromEntries(Object.entries(KIND_NAMES).map(([k, v]) => [k, { description: v }])),
});

@ObjectType('Document', { description: '证件照、签名照、银行卡照片或视频见证截图' })
export class DocumentType {
  @Field(() => ID)
  id!: string;

  @Field(() => DocumentKind)
  kind!: DocumentKindValue;

  @Field({ description: 'SHA-256 of the processed image' })
  sha256!: string;

  @Field(() => Int)
  width!: number;

  @Field(() => Int)
  height!: number;

  @Field({ description: 'authorised, time-limited URL of the processed image' })
  url!: string;

  @Field()
  thumbnailUrl!: string;

  @Field(() => [String], { description: 'what the pipeline did: AUTO_ORIENTED, CROPPED, ROTATED' })
  adjustments!: string[];

  @Field({ description: '复用了已审核通过业务中的照片' })
  reused!: boolean;

  @Field()
  createdAt!: Date;
}
