/** Customers and their profiles (我的基本资料) as the counter holds them, and the info steps that change them. What other modules may use of it. */
import type { CustomerType } from './customer.types';

export { CustomerType } from './customer.types';
export { toCustomerType } from './customer.mapping';
export { ProfileService } from './profile.service';
export { AccountType } from '../../graphql/enums';

/** A customer as another module's field resolver receives it (see TicketRoot in ../tickets). */
export type CustomerRoot = Readonly<CustomerType>;
export { OtherInfoInput } from './profile-steps.types';
export { classifyPhone, validateOtherInfo, validateIdValidity } from './profile-changes';
