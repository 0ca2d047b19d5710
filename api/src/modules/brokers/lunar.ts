/**
 * Lunar dates for the statutory holidays (春节, 端午, 中秋). The platform's ICU Chinese calendar
 * numbers the months, but it places a new moon that falls within minutes of Beijing midnight on the
 * wrong day (2027: 02-07 instead of 02-06; 2030: 02-02 instead of 02-03). The day each month begins
 * is therefore taken from the true new moon (Meeus, Astronomical Algorithms, ch. 49: seconds of
 * error in this century) in China Standard Time.
 */

const DAY_MS = 24 * 60 * 60 * 1000;
const rad = (d: number) => (d * Math.PI) / 180;
/** TT − UT in this century, about 69–75 s. */
const DELTA_T_MS = 70_000;

/** The instant of the true new moon of lunation `k` (k = 0: 2000-01-06). */
export function newMoon(k: number): Date {
  const T = k / 1236.85;
  let jde = 2451550.09766 + 29.530588861 * k + 0.00015437 * T * T - 0.00000015 * T ** 3 + 0.00000000073 * T ** 4;
  const E = 1 - 0.002516 * T - 0.0000074 * T * T;
  const M = rad(2.5534 + 29.1053567 * k - 0.0000014 * T * T - 0.00000011 * T ** 3);
  const Mp = rad(201.5643 + 385.81693528 * k + 0.0107582 * T * T + 0.00001238 * T ** 3 - 0.000000058 * T ** 4);
  const F = rad(160.7108 + 390.67050284 * k - 0.0016118 * T * T - 0.00000227 * T ** 3 + 0.000000011 * T ** 4);
  const O = rad(124.7746 - 1.56375588 * k + 0.0020672 * T * T + 0.00000215 * T ** 3);
  const s = Math.sin;
  // periodic terms of the new moon
  const terms: [number, number][] = [
    [-0.4072, s(Mp)],
    [0.17241 * E, s(M)],
    [0.01608, s(2 * Mp)],
    [0.01039, s(2 * F)],
    [0.00739 * E, s(Mp - M)],
    [-0.00514 * E, s(Mp + M)],
    [0.00208 * E * E, s(2 * M)],
    [-0.00111, s(Mp - 2 * F)],
    [-0.00057, s(Mp + 2 * F)],
    [0.00056 * E, s(2 * Mp + M)],
    [-0.00042, s(3 * Mp)],
    [0.00042 * E, s(M + 2 * F)],
    [0.00038 * E, s(M - 2 * F)],
    [-0.00024 * E, s(2 * Mp - M)],
    [-0.00017, s(O)],
    [-0.00007, s(Mp + 2 * M)],
    [0.00004, s(2 * Mp - 2 * F)],
    [0.00004, s(3 * M)],
    [0.00003, s(Mp + M - 2 * F)],
    [0.00003, s(2 * Mp + 2 * F)],
    [-0.00003, s(Mp + M + 2 * F)],
    [0.00003, s(Mp - M + 2 * F)],
    [-0.00002, s(Mp - M - 2 * F)],
    [-0.00002, s(3 * Mp + M)],
    [0.00002, s(4 * Mp)],
  ];
  for (const [c, v] of terms) jde += c * v;
  // planetary arguments
  const planetary: [number, number, number][] = [
    [299.77, 0.107408, 0.000325],
    [251.88, 0.016321, 0.000165],
    [251.83, 26.651886, 0.000164],
    [349.42, 36.412478, 0.000126],
    [84.66, 18.206239, 0.00011],
    [141.74, 53.303771, 0.000062],
    [207.14, 2.453732, 0.00006],
    [154.84, 7.30686, 0.000056],
    [34.52, 27.261239, 0.000047],
    [207.19, 0.121824, 0.000042],
    [291.34, 1.844379, 0.00004],
    [161.72, 24.198154, 0.000037],
    [239.56, 25.513099, 0.000035],
    [331.55, 3.592518, 0.000023],
  ];
  planetary.forEach(([a, b, c], i) => (jde += c * s(rad(a + b * k - (i === 0 ? 0.009173 * T * T : 0)))));
  return new Date((jde - 2440587.5) * DAY_MS - DELTA_T_MS);
}

/** `YYYY-MM-DD` of an instant in China Standard Time (UTC+8, no daylight saving). */
function chinaDate(t: number): string {
  return new Date(t + 8 * 3600_000).toISOString().slice(0, 10);
}

const chineseMonthDay = new Intl.DateTimeFormat('en-u-ca-chinese', {
  timeZone: 'Asia/Shanghai',
  month: 'numeric',
  day: 'numeric',
});

/**
 * The Gregorian date (`YYYY-MM-DD`) in `year` of day `day` of lunar month `month` (not a leap
 * month), e.g. (1, 1) 春节, (5, 5) 端午, (8, 15) 中秋.
 */
export function lunarDate(year: number, month: number, day: number): string {
  // ICU: roughly where the month begins (within a day)
  let approx: number | null = null;
  for (let t = Date.UTC(year, 0, 1, 4); t < Date.UTC(year + 1, 0, 1, 4) && approx === null; t += DAY_MS) {
    const p = Object.fromEntries(chineseMonthDay.formatToParts(new Date(t)).map((x) => [x.type, x.value]));
    if (p.month === String(month) && (p.day === '1' || p.day === '2')) approx = t - (p.day === '2' ? DAY_MS : 0);
  }
  if (approx === null) throw new Error(`lunar month ${month} does not begin in ${year}`);
  // the true new moon closest to it begins the month
  const k0 = Math.round((approx - Date.UTC(2000, 0, 6, 18, 14)) / DAY_MS / 29.530588861);
  const best = [k0 - 1, k0, k0 + 1]
    .map((k) => newMoon(k).getTime())
    .sort((a, b) => Math.abs(a - approx!) - Math.abs(b - approx!))[0]!;
  const first = chinaDate(best);
  return new Date(Date.parse(`${first}T00:00:00Z`) + (day - 1) * DAY_MS).toISOString().slice(0, 10);
}
