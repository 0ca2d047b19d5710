import { Field, ID, ObjectType } from 'type-graphql';
import type { AccountType as AccountTypeValue } from '@kaihu/plugin-api';
import { AccountType } from './profile.types';
import type { Visibility } from './profile.service';

/** A customer as one viewer may see them; `visibility` decides the masking of the profile. */
@ObjectType('Customer', { description: '客户' })
export class CustomerType {
  @Field(() => ID)
  id!: string;

  @Field(() => AccountType)
  accountType!: AccountTypeValue;

  brokerId!: string;
  branchId!: string;
  visibility!: Exclude<Visibility, 'NONE'>;
}
