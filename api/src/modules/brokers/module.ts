/** The brokers module as the composition root sees it (api/src/modules.ts): its tables, resolvers and steps. */
import type { KaihuModule } from '../../common/module';
import { Branch } from './branch.entity';
import { BrokerHoliday } from './broker-holiday.entity';
import { Broker } from './broker.entity';
import { BrokerResolver } from './broker.resolver';

export const brokersModule: KaihuModule = {
  entities: [Branch, BrokerHoliday, Broker],
  resolvers: [BrokerResolver],
};
