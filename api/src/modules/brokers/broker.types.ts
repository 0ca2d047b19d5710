import { Field, InputType, Int, ObjectType } from 'type-graphql';

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
