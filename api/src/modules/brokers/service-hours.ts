import type { ServiceWindow, Weekday } from '@kaihu/plugin-api';
import { lunarDate } from './lunar';

/**
 * Service hours as data: weekday windows in the broker's time zone plus holiday dates.
 * Pure functions over a {@link Schedule} and an instant, so tests pin the time.
 */
export interface Schedule {
  timeZone: string;
  windows: readonly ServiceWindow[];
  /** `YYYY-MM-DD` dates (local to `timeZone`) on which the service is closed all day. */
  holidays: { has(date: string): boolean };
}

const WEEKDAY_NAMES = ['', '周一', '周二', '周三', '周四', '周五', '周六', '周日'] as const;
const DAY_MS = 24 * 60 * 60 * 1000;

export function minutesOf(hhmm: string): number {
  const m = /^(\d{2}):(\d{2})$/.exec(hhmm);
  if (!m) throw new Error(`"${hhmm}" is not HH:MM`);
  const minutes = Number(m[1]) * 60 + Number(m[2]);
  if (Number(m[2]) > 59 || minutes > 24 * 60) throw new Error(`"${hhmm}" is not a time of day`);
  return minutes;
}

/** Checks windows: valid weekday, HH:MM times, opens before closes. Throws a readable error. */
export function validateWindows(windows: readonly ServiceWindow[]): void {
  for (const w of windows) {
    if (!Number.isInteger(w.weekday) || w.weekday < 1 || w.weekday > 7)
      throw new Error(`weekday ${w.weekday} is not 1–7`);
    if (minutesOf(w.opens) >= minutesOf(w.closes))
      throw new Error(`window ${w.opens}-${w.closes} closes before it opens`);
  }
}

interface LocalTime {
  date: string;
  weekday: Weekday;
  minutes: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

function parts(instant: Date, timeZone: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(instant)) {
    if (p.type !== 'literal') out[p.type] = Number(p.value);
  }
  return out;
}

/** The local date, ISO weekday and minute of day of an instant in a time zone. */
export function localTime(instant: Date, timeZone: string): LocalTime {
  const p = parts(instant, timeZone);
  const date = `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
  const jsDay = new Date(Date.UTC(p.year!, p.month! - 1, p.day!)).getUTCDay(); // 0 = Sunday
  return { date, weekday: (jsDay === 0 ? 7 : jsDay) as Weekday, minutes: p.hour! * 60 + p.minute! };
}

/** The instant at which the local wall-clock time `date` + `minutes` occurs in `timeZone`. */
export function instantOf(date: string, minutes: number, timeZone: string): Date {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const wall = Date.UTC(y, m - 1, d) + minutes * 60_000;
  let guess = wall;
  for (let i = 0; i < 2; i++) {
    const p = parts(new Date(guess), timeZone);
    const asUtc = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
    guess += wall - asUtc;
  }
  return new Date(guess);
}

function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d) + days * DAY_MS).toISOString().slice(0, 10);
}

function weekdayOf(date: string): Weekday {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const js = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
  return (js === 0 ? 7 : js) as Weekday;
}

/** Whether the service is open at `now`. */
export function isOpen(schedule: Schedule, now: Date): boolean {
  const t = localTime(now, schedule.timeZone);
  if (schedule.holidays.has(t.date)) return false;
  return schedule.windows.some(
    (w) => w.weekday === t.weekday && minutesOf(w.opens) <= t.minutes && t.minutes < minutesOf(w.closes),
  );
}

/**
 * The next instant at which the service opens, `now` itself when open, or `null` when it never
 * opens within `horizonDays` (no windows, or only holidays ahead).
 */
export function nextOpening(schedule: Schedule, now: Date, horizonDays = 400): Date | null {
  if (isOpen(schedule, now)) return now;
  const today = localTime(now, schedule.timeZone);
  for (let i = 0; i <= horizonDays; i++) {
    const date = addDays(today.date, i);
    if (schedule.holidays.has(date)) continue;
    const weekday = weekdayOf(date);
    const opens = schedule.windows
      .filter((w) => w.weekday === weekday)
      .map((w) => minutesOf(w.opens))
      .filter((m) => i > 0 || m > today.minutes)
      .sort((a, b) => a - b);
    if (opens.length) return instantOf(date, opens[0]!, schedule.timeZone);
  }
  return null;
}

/** `2026-11-23（周一）08:40` in the schedule's time zone. */
export function formatLocal(instant: Date, timeZone: string): string {
  const t = localTime(instant, timeZone);
  const hh = String(Math.floor(t.minutes / 60)).padStart(2, '0');
  const mm = String(t.minutes % 60).padStart(2, '0');
  return `${t.date}（${WEEKDAY_NAMES[t.weekday]}）${hh}:${mm}`;
}

/**
 * Human text of the weekly hours, e.g. `周一至周五 08:40-17:45（法定节假日除外）` or
 * `每天 00:00-24:00`. Consecutive weekdays with the same windows are grouped; the holiday note is
 * added when the broker keeps a holiday calendar.
 */
export function describeSchedule(schedule: Pick<Schedule, 'windows'>, closedOnHolidays: boolean): string {
  const byDay = new Map<number, string>();
  for (let d = 1; d <= 7; d++) {
    const windows = schedule.windows
      .filter((w) => w.weekday === d)
      .sort((a, b) => minutesOf(a.opens) - minutesOf(b.opens))
      .map((w) => `${w.opens}-${w.closes}`);
    if (windows.length) byDay.set(d, windows.join('、'));
  }
  if (byDay.size === 0) return '暂停服务';
  const groups: { from: number; to: number; hours: string }[] = [];
  for (let d = 1; d <= 7; d++) {
    const hours = byDay.get(d);
    if (!hours) continue;
    const last = groups[groups.length - 1];
    if (last && last.to === d - 1 && last.hours === hours) last.to = d;
    else groups.push({ from: d, to: d, hours });
  }
  const text = groups
    .map(({ from, to, hours }) => {
      if (from === 1 && to === 7) return `每天 ${hours}`;
      if (from === to) return `${WEEKDAY_NAMES[from]} ${hours}`;
      if (to === from + 1) return `${WEEKDAY_NAMES[from]}、${WEEKDAY_NAMES[to]} ${hours}`;
      return `${WEEKDAY_NAMES[from]}至${WEEKDAY_NAMES[to]} ${hours}`;
    })
    .join('；');
  return closedOnHolidays ? `${text}（法定节假日除外）` : text;
}

/**
 * The statutory public holidays of a year (全体公民放假的节日, 《全国年节及纪念日放假办法》 as in
 * force from 2025): 元旦 1 day, 春节 4 days (除夕 to 初三), 清明节 1 day, 劳动节 2 days, 端午节 and
 * 中秋节 1 day each, 国庆节 3 days. Lunar dates come from the Chinese calendar of the platform's ICU,
 * 清明 from the solar-term formula. These are the days the law fixes; the State Council's yearly
 * notice adds bridge days and make-up working days (调休), which no rule can derive.
 */
export function statutoryHolidays(year: number): { date: string; name: string }[] {
  let days = statutoryCache.get(year);
  if (!days) statutoryCache.set(year, (days = deriveStatutory(year)));
  return days.map((d) => ({ ...d }));
}

const statutoryCache = new Map<number, { date: string; name: string }[]>();

function deriveStatutory(year: number): { date: string; name: string }[] {
  const newYear = lunarDate(year, 1, 1);
  const days: { date: string; name: string }[] = [{ date: `${year}-01-01`, name: '元旦' }];
  for (let i = -1; i <= 2; i++) days.push({ date: addDays(newYear, i), name: '春节' });
  days.push({ date: `${year}-04-${String(qingmingDay(year)).padStart(2, '0')}`, name: '清明节' });
  days.push({ date: `${year}-05-01`, name: '劳动节' }, { date: `${year}-05-02`, name: '劳动节' });
  days.push({ date: lunarDate(year, 5, 5), name: '端午节' }, { date: lunarDate(year, 8, 15), name: '中秋节' });
  for (let d = 1; d <= 3; d++) days.push({ date: `${year}-10-0${d}`, name: '国庆节' });
  return days.sort((a, b) => a.date.localeCompare(b.date));
}

/** 清明's April day (the sun at 15°), by the usual formula for 2000–2099, 1901–1999 otherwise. */
function qingmingDay(year: number): number {
  const y = year % 100;
  const c = year >= 2000 ? 4.81 : 5.59;
  return Math.floor(y * 0.2422 + c) - Math.floor((y - (year >= 2000 ? 0 : 1)) / 4);
}

/**
 * A broker's holiday calendar as service hours read it: the dates it lists, and — for a broker
 * that keeps a calendar at all — the statutory holidays of any year it has no entry for (a
 * calendar that was not kept up to date closes on the days the law fixes rather than on none).
 * `years` are the years with any entry, removed ones included (an admin who removed every holiday
 * of a year decided about that year).
 */
export function holidayCalendar(input: { dates: Iterable<string>; years: Iterable<number>; keepsCalendar: boolean }): {
  has(date: string): boolean;
  isDerived(year: number): boolean;
} {
  const listed = new Set(input.dates);
  const years = new Set(input.years);
  const derived = new Map<number, Set<string>>();
  const isDerived = (year: number) => input.keepsCalendar && !years.has(year);
  return {
    isDerived,
    has(date) {
      if (listed.has(date)) return true;
      const year = Number(date.slice(0, 4));
      if (!isDerived(year)) return false;
      let set = derived.get(year);
      if (!set) derived.set(year, (set = new Set(statutoryHolidays(year).map((h) => h.date))));
      return set.has(date);
    },
  };
}
