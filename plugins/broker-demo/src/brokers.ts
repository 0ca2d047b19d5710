/**
 * The two demo brokers: `DEMO`, always open so a demo works at any hour, and `DEMO-HOURS`, with the
 * service hours of the reference system (Mon–Fri 08:40–17:45) and the 2026 PRC public holidays.
 */
import type { BrokerDefinition, HolidaySpec, ServiceWindow, Weekday } from '@kaihu/plugin-api';

import { demoAgreements } from './agreements';
import {
  CFFEX_KNOWLEDGE_TEST,
  DEMO_BANKS,
  DEMO_EXCHANGES,
  DEMO_OPENING,
  INE_KNOWLEDGE_TEST,
  RETURN_VISIT_QUESTIONNAIRE,
  SUITABILITY_QUESTIONNAIRE,
  demoTexts,
} from './opening';

/** The businesses both demo brokers offer. */
export const DEMO_ENABLED_BUSINESSES: readonly string[] = [
  'OPEN_FUTURES_ACCOUNT',
  'UPDATE_ID_VALIDITY',
  'UPDATE_CONTACT_PHONE',
  'UPDATE_OTHER_INFO',
  'RESET_PASSWORD',
];

/** One {@link HolidaySpec} per calendar day from `first` to `last` (`YYYY-MM-DD`, inclusive). */
export function holidayDays(name: string, first: string, last: string): HolidaySpec[] {
  const days: HolidaySpec[] = [];
  const end = Date.parse(`${last}T00:00:00Z`);
  for (let t = Date.parse(`${first}T00:00:00Z`); t <= end; t += 24 * 60 * 60 * 1000) {
    days.push({ date: new Date(t).toISOString().slice(0, 10), name });
  }
  return days;
}

/** The 2026 PRC public holidays (法定节假日及调休放假日). */
export const PRC_HOLIDAYS_2026: readonly HolidaySpec[] = [
  ...holidayDays('元旦', '2026-01-01', '2026-01-03'),
  ...holidayDays('春节', '2026-02-15', '2026-02-23'),
  ...holidayDays('清明节', '2026-04-04', '2026-04-06'),
  ...holidayDays('劳动节', '2026-05-01', '2026-05-05'),
  ...holidayDays('端午节', '2026-06-19', '2026-06-21'),
  ...holidayDays('中秋节', '2026-09-25', '2026-09-27'),
  ...holidayDays('国庆节', '2026-10-01', '2026-10-07'),
];

function windows(weekdays: readonly Weekday[], opens: string, closes: string): ServiceWindow[] {
  return weekdays.map((weekday) => ({ weekday, opens, closes }));
}

function broker(definition: Omit<BrokerDefinition, 'agreements'>): BrokerDefinition {
  return {
    ...definition,
    agreements: demoAgreements(definition),
    // copies, so the two brokers share no objects
    banks: structuredClone(DEMO_BANKS),
    questionnaires: structuredClone([
      SUITABILITY_QUESTIONNAIRE,
      RETURN_VISIT_QUESTIONNAIRE,
      CFFEX_KNOWLEDGE_TEST,
      INE_KNOWLEDGE_TEST,
    ]),
    exchanges: structuredClone(DEMO_EXCHANGES),
    opening: { ...DEMO_OPENING },
    texts: demoTexts(definition),
  };
}

export const DEMO_BROKERS: readonly BrokerDefinition[] = [
  broker({
    code: 'DEMO',
    name: '开户云演示期货有限公司',
    servicePhone: '400-820-0000',
    timeZone: 'Asia/Shanghai',
    serviceWindows: windows([1, 2, 3, 4, 5, 6, 7], '00:00', '24:00'),
    holidays: [],
    branches: [
      { code: 'BJ', name: '北京营业部' },
      { code: 'SH', name: '上海营业部' },
    ],
    enabledBusinesses: [...DEMO_ENABLED_BUSINESSES],
  }),
  broker({
    code: 'DEMO-HOURS',
    name: '开户云演示期货（工作时间）',
    servicePhone: '400-820-0001',
    timeZone: 'Asia/Shanghai',
    serviceWindows: windows([1, 2, 3, 4, 5], '08:40', '17:45'),
    holidays: [...PRC_HOLIDAYS_2026],
    branches: [{ code: 'SZ', name: '深圳营业部' }],
    enabledBusinesses: [...DEMO_ENABLED_BUSINESSES],
  }),
];
