/** Brokers, branches, service hours and holidays, the business menu. What other modules may use of it. */
import type { KaihuModule } from '../../common/module';
import { Branch } from './branch.entity';
import { BrokerHoliday } from './broker-holiday.entity';
import { Broker } from './broker.entity';
import { BrokerResolver } from './broker.resolver';

export { Branch } from './branch.entity';
export { Broker } from './broker.entity';
export { BrokerService } from './broker.service';

/** For the composition root: the module's tables and GraphQL resolvers. */
export const brokersModule: KaihuModule = {
  entities: [Branch, BrokerHoliday, Broker],
  resolvers: [BrokerResolver],
};
