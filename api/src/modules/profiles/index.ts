import type { CustomerType } from './customer.types';
/** Customers and their profiles (我的基本资料) as the counter holds them, and the info steps that change them. What other modules may use of it. */
import type { KaihuModule } from '../../common/module';
import { Customer } from './customer.entity';
import { ProfileStepResolver } from './profile-steps.resolver';
import { CustomerResolver } from './profile.resolver';

export { CustomerType } from './customer.types';
export { changesOf } from './profile-changes';
export { ProfileStepService } from './profile-steps.service';
export { toCustomerType } from './profile.resolver';
export { ProfileService } from './profile.service';
export { AccountType } from './profile.types';

/** For the composition root: the module's tables and GraphQL resolvers. */
export const profilesModule: KaihuModule = {
  entities: [Customer],
  resolvers: [ProfileStepResolver, CustomerResolver],
};

/** A customer as another module's field resolver receives it (see TicketRoot in ../tickets). */
export type CustomerRoot = Readonly<CustomerType>;
