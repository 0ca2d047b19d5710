import type { ServiceWindow, Weekday } from '@kaihu/plugin-api';
import {
  describeSchedule,
  holidayCalendar,
  statutoryHolidays,
  formatLocal,
  instantOf,
  isOpen,
  localTime,
  nextOpening,
  validateWindows,
  type Schedule,
} from './service-hours';

const weekdays = (opens: string, closes: string, days: number[]): ServiceWindow[] =>
  days.map((d) => ({ weekday: d as Weekday, opens, closes }));

const officeHours: Schedule = {
  timeZone: 'Asia/Shanghai',
  windows: weekdays('08:40', '17:45', [1, 2, 3, 4, 5]),
  holidays: new Set(['2026-10-01', '2026-10-02', '2026-10-05', '2026-10-06', '2026-10-07', '2026-01-01']),
};
const alwaysOpen: Schedule = {
  timeZone: 'Asia/Shanghai',
  windows: weekdays('00:00', '24:00', [1, 2, 3, 4, 5, 6, 7]),
  holidays: new Set(),
};

// Times are written in UTC; Shanghai is UTC+8 all year.
describe('service hours in Asia/Shanghai', () => {
  it('reads local date, weekday and minutes', () => {
    expect(localTime(new Date('2026-11-22T16:30:00Z'), 'Asia/Shanghai')).toEqual({
      date: '2026-11-23',
      weekday: 1,
      minutes: 30,
    });
  });

  it('converts a local wall-clock time back to an instant', () => {
    expect(instantOf('2026-11-23', 8 * 60 + 40, 'Asia/Shanghai').toISOString()).toBe('2026-11-23T00:40:00.000Z');
    expect(instantOf('2026-07-01', 9 * 60, 'Europe/Berlin').toISOString()).toBe('2026-07-01T07:00:00.000Z');
  });

  it.each([
    ['2026-11-23T00:39:59Z', false, 'Monday 08:39:59, before opening'],
    ['2026-11-23T00:40:00Z', true, 'Monday 08:40, opening minute'],
    ['2026-11-23T09:44:59Z', true, 'Monday 17:44:59'],
    ['2026-11-23T09:45:00Z', false, 'Monday 17:45, closed'],
    ['2026-11-21T02:00:00Z', false, 'Saturday 10:00'],
    ['2026-10-01T02:00:00Z', false, 'National Day, a Thursday'],
    ['2026-01-01T02:00:00Z', false, 'New Year, a Thursday'],
    ['2026-12-31T16:00:00Z', false, 'Friday 2027-01-01 00:00 local, before opening'],
  ])('%s open=%s (%s)', (at, open) => {
    expect(isOpen(officeHours, new Date(at))).toBe(open);
  });

  it('is always open for the every-day 00:00-24:00 schedule', () => {
    for (const at of ['2026-11-22T16:00:00Z', '2026-11-22T15:59:59Z', '2026-10-01T04:00:00Z']) {
      expect(isOpen(alwaysOpen, new Date(at))).toBe(true);
    }
  });

  it('finds the next opening across a weekend and holidays', () => {
    // Friday 2026-11-20 18:00 local → Monday 08:40
    expect(nextOpening(officeHours, new Date('2026-11-20T10:00:00Z'))!.toISOString()).toBe('2026-11-23T00:40:00.000Z');
    // Wednesday 2026-09-30 18:00 → holidays 1,2; 3,4 weekend; 5,6,7 holidays → Thursday 2026-10-08 08:40
    expect(nextOpening(officeHours, new Date('2026-09-30T10:00:00Z'))!.toISOString()).toBe('2026-10-08T00:40:00.000Z');
    // Monday early morning → same day
    expect(nextOpening(officeHours, new Date('2026-11-22T20:00:00Z'))!.toISOString()).toBe('2026-11-23T00:40:00.000Z');
    // while open → now
    const now = new Date('2026-11-23T03:00:00Z');
    expect(nextOpening(officeHours, now)).toBe(now);
    expect(nextOpening({ ...officeHours, windows: [] }, now)).toBeNull();
  });

  it('formats instants for messages', () => {
    expect(formatLocal(new Date('2026-11-23T00:40:00Z'), 'Asia/Shanghai')).toBe('2026-11-23（周一）08:40');
  });

  it('describes the weekly hours in Chinese', () => {
    expect(describeSchedule(officeHours, true)).toBe('周一至周五 08:40-17:45（法定节假日除外）');
    expect(describeSchedule(alwaysOpen, false)).toBe('每天 00:00-24:00');
    expect(
      describeSchedule(
        {
          windows: [...weekdays('09:00', '23:00', [1, 2, 3, 4, 5]), ...weekdays('09:00', '12:00', [6, 7])],
        },
        false,
      ),
    ).toBe('周一至周五 09:00-23:00；周六、周日 09:00-12:00');
    expect(describeSchedule({ windows: [] }, false)).toBe('暂停服务');
  });

  it('rejects malformed windows', () => {
    expect(() => validateWindows([{ weekday: 1, opens: '18:00', closes: '09:00' }])).toThrow(/closes before/);
    expect(() => validateWindows([{ weekday: 8 as Weekday, opens: '08:00', closes: '09:00' }])).toThrow(/1–7/);
    expect(() => validateWindows([{ weekday: 1, opens: '8:00', closes: '09:00' }])).toThrow(/HH:MM/);
  });
});

describe('statutory holidays and the holiday calendar', () => {
  it('derives the statutory holidays of a year from the Chinese calendar', () => {
    // 2026: 春节 is 02-17 (除夕 02-16), 清明 04-05, 端午 06-19, 中秋 09-25 (the State Council's notice)
    expect(statutoryHolidays(2026)).toEqual([
      { date: '2026-01-01', name: '元旦' },
      { date: '2026-02-16', name: '春节' },
      { date: '2026-02-17', name: '春节' },
      { date: '2026-02-18', name: '春节' },
      { date: '2026-02-19', name: '春节' },
      { date: '2026-04-05', name: '清明节' },
      { date: '2026-05-01', name: '劳动节' },
      { date: '2026-05-02', name: '劳动节' },
      { date: '2026-06-19', name: '端午节' },
      { date: '2026-09-25', name: '中秋节' },
      { date: '2026-10-01', name: '国庆节' },
      { date: '2026-10-02', name: '国庆节' },
      { date: '2026-10-03', name: '国庆节' },
    ]);
    // 2025 (published): 春节 01-29, 清明 04-04, 端午 05-31, 中秋 10-06; 2027: 春节 02-06, 清明 04-05
    const d2025 = statutoryHolidays(2025).map((h) => h.date);
    expect(d2025).toEqual(
      expect.arrayContaining(['2025-01-28', '2025-01-29', '2025-04-04', '2025-05-31', '2025-10-06']),
    );
    const d2027 = statutoryHolidays(2027).map((h) => h.date);
    expect(d2027).toEqual(
      expect.arrayContaining(['2027-02-05', '2027-02-06', '2027-04-05', '2027-06-09', '2027-09-15']),
    );
    // new moons minutes from Beijing midnight, where ICU's Chinese calendar is a day off: 2027-02-06 23:56, 2030-02-03 00:07
    expect(
      statutoryHolidays(2030)
        .filter((h) => h.name === '春节')
        .map((h) => h.date),
    ).toEqual(['2030-02-02', '2030-02-03', '2030-02-04', '2030-02-05']);
    for (let y = 2026; y <= 2040; y++) expect(statutoryHolidays(y)).toHaveLength(13);
  });

  it('closes on the statutory holidays of a year the calendar has no entry for, only for brokers that keep one', () => {
    const kept = holidayCalendar({ dates: ['2026-10-08'], years: [2026], keepsCalendar: true });
    expect(kept.has('2026-10-08')).toBe(true);
    expect(kept.has('2026-10-01')).toBe(false); // 2026 is listed: its list is what counts
    expect(kept.isDerived(2027)).toBe(true);
    expect(kept.has('2027-02-06')).toBe(true); // 春节 2027, assumed
    expect(kept.has('2027-02-09')).toBe(false);
    const none = holidayCalendar({ dates: [], years: [], keepsCalendar: false });
    expect(none.has('2027-02-06')).toBe(false);
    expect(none.isDerived(2027)).toBe(false);
    // a year whose every entry an admin removed was decided on: nothing assumed
    expect(holidayCalendar({ dates: [], years: [2027], keepsCalendar: true }).has('2027-02-06')).toBe(false);
  });

  it('finds the next opening across assumed holidays in a year nobody entered', () => {
    const schedule: Schedule = {
      ...officeHours,
      holidays: holidayCalendar({ dates: [], years: [2026], keepsCalendar: true }),
    };
    // Friday 2027-02-05 18:00 → weekend, 春节 02-05…02-08 assumed (除夕 02-05 to 初三 02-08) → Tuesday 02-09 08:40
    expect(nextOpening(schedule, new Date('2027-02-05T10:00:00Z'))?.toISOString()).toBe('2027-02-09T00:40:00.000Z');
  });
});
