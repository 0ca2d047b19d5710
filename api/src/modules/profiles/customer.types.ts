import { Field, ID, ObjectType } from 'type-graphql';
import { AccountType } from '../../graphql/enums';
import type { Visibility } from './profile.service';

/** A customer as one viewer may see them; `visibility` decides the masking of the profile. */
@ObjectType('Customer', { description: '客户' })
export class CustomerType {
  @Field(() => ID)
  id!: string;

  @Field(() => AccountType)
  accountType!: AccountType;

  brokerId!: string;
  branchId!: string;
  visibility!: Exclude<Visibility, 'NONE'>;
}
