/**
 * `@kaihu/broker-demo` — Kaihu's default broker pack: two demo brokers with their branches,
 * service hours, holidays, enabled businesses, agreement texts and the data of account opening
 * (banks, questionnaires, exchanges, age limits, login page texts: `opening.ts`), plus the demo
 * customers, staff and partner key that `npm start` seeds in demo mode.
 *
 * The values are those of `../shared/fixtures/demo.json`, copied into this package
 * (`demo-data.ts`, `brokers.ts`); nothing is read from disk at run time.
 */
import type { BrokerDefinition, BrokerPack, DemoData, KaihuPlugin } from '@kaihu/plugin-api';

import { DEMO_BROKERS } from './brokers';
import { DEMO_DATA } from './demo-data';

export { DEMO_NOTICE, demoAgreements, type AgreementBroker } from './agreements';
export { DEMO_BROKERS, DEMO_ENABLED_BUSINESSES, PRC_HOLIDAYS_2026, holidayDays } from './brokers';
export { DEMO_CUSTOMERS, DEMO_DATA, DEMO_PARTNER_KEYS, DEMO_STAFF } from './demo-data';
export {
  CFFEX_KNOWLEDGE_TEST,
  DEMO_BANKS,
  DEMO_EXCHANGES,
  DEMO_OPENING,
  INE_KNOWLEDGE_TEST,
  RETURN_VISIT_QUESTIONNAIRE,
  SUITABILITY_QUESTIONNAIRE,
  demoTexts,
  serviceHoursText,
  type TextsBroker,
} from './opening';

/** The demo pack. Every call returns a fresh copy, so callers may change what they get. */
export class DemoBrokerPack implements BrokerPack {
  async brokers(): Promise<BrokerDefinition[]> {
    return structuredClone([...DEMO_BROKERS]);
  }

  async demoData(): Promise<DemoData> {
    return structuredClone(DEMO_DATA);
  }
}

/** The default `brokers` plugin: {@link DemoBrokerPack}. */
export const plugin: KaihuPlugin<'brokers'> = {
  kind: 'brokers',
  name: '@kaihu/broker-demo',
  create: () => new DemoBrokerPack(),
};

export default plugin;
