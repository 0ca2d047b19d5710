import type { Customer } from './customer.entity';
import { CustomerType } from './customer.types';
import type { Visibility } from './profile.service';

/** The GraphQL view of a customer, as the viewer may see it. */
export function toCustomerType(c: Customer, visibility: Exclude<Visibility, 'NONE'>): CustomerType {
  return Object.assign(new CustomerType(), {
    id: c.id,
    accountType: c.accountType,
    brokerId: c.brokerId,
    branchId: c.branchId,
    visibility,
  });
}
