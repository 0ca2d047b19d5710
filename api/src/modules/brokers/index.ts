/** Brokers, branches, service hours and holidays, the business menu. What other modules may use of it. */

export { Branch } from './branch.entity';
export { Broker } from './broker.entity';
export { BrokerService } from './broker.service';
