/**
 * The Vietnamese lunisolar calendar, computed for Vietnam's meridian (UTC+7): which Gregorian day
 * is a given lunar date. Written by hand because the maintained lunar libraries on npm compute the
 * Chinese calendar (UTC+8), which puts a new moon that falls between 23:00 and midnight in Hà Nội
 * on the next day — Tết 2030 is 2 February in Vietnam but 3 February in China. The method is
 * Hồ Ngọc Đức's (new moons and solar longitude after Meeus, "Astronomical Algorithms"), checked
 * against published dates in the tests. Days are Julian day numbers (JDN); pure arithmetic.
 */

const TIME_ZONE = 7;
const SYNODIC_MONTH = 29.530588853;
/** The JDN of 1970-01-01, to turn day numbers into ISO dates and back. */
const UNIX_EPOCH_JDN = 2440588;

/** A Gregorian date as `YYYY-MM-DD`. */
export type IsoDate = string;

export function jdnFromIso(date: IsoDate): number {
  return Math.round(Date.parse(`${date}T00:00:00Z`) / 86_400_000) + UNIX_EPOCH_JDN;
}

export function isoFromJdn(jdn: number): IsoDate {
  return new Date((jdn - UNIX_EPOCH_JDN) * 86_400_000).toISOString().slice(0, 10);
}

/** The Julian day (with fraction, UT) of the k-th new moon after 1900-01-01. */
function newMoon(k: number): number {
  const T = k / 1236.85;
  const T2 = T * T;
  const T3 = T2 * T;
  const dr = Math.PI / 180;
  let jd = 2415020.75933 + 29.53058868 * k + 0.0001178 * T2 - 0.000000155 * T3;
  jd += 0.00033 * Math.sin((166.56 + 132.87 * T - 0.009173 * T2) * dr);
  const M = 359.2242 + 29.10535608 * k - 0.0000333 * T2 - 0.00000347 * T3;
  const Mpr = 306.0253 + 385.81691806 * k + 0.0107306 * T2 + 0.00001236 * T3;
  const F = 21.2964 + 390.67050646 * k - 0.0016528 * T2 - 0.00000239 * T3;
  let c = (0.1734 - 0.000393 * T) * Math.sin(M * dr) + 0.0021 * Math.sin(2 * dr * M);
  c += -0.4068 * Math.sin(Mpr * dr) + 0.0161 * Math.sin(dr * 2 * Mpr) - 0.0004 * Math.sin(dr * 3 * Mpr);
  c += 0.0104 * Math.sin(dr * 2 * F) - 0.0051 * Math.sin(dr * (M + Mpr)) - 0.0074 * Math.sin(dr * (M - Mpr));
  c += 0.0004 * Math.sin(dr * (2 * F + M)) - 0.0004 * Math.sin(dr * (2 * F - M)) - 0.0006 * Math.sin(dr * (2 * F + Mpr));
  c += 0.001 * Math.sin(dr * (2 * F - Mpr)) + 0.0005 * Math.sin(dr * (2 * Mpr + M));
  const deltaT = T < -11 ? 0.001 + 0.000839 * T + 0.0002261 * T2 - 0.00000845 * T3 - 0.000000081 * T * T3 : -0.000278 + 0.000265 * T + 0.000262 * T2;
  return jd + c - deltaT;
}

/** The sun's longitude at a Julian day, in radians, 0 ≤ L < 2π. */
function sunLongitude(jd: number): number {
  const T = (jd - 2451545.0) / 36525;
  const T2 = T * T;
  const dr = Math.PI / 180;
  const M = 357.5291 + 35999.0503 * T - 0.0001559 * T2 - 0.00000048 * T * T2;
  const L0 = 280.46645 + 36000.76983 * T + 0.0003032 * T2;
  let dl = (1.9146 - 0.004817 * T - 0.000014 * T2) * Math.sin(dr * M);
  dl += (0.019993 - 0.000101 * T) * Math.sin(dr * 2 * M) + 0.00029 * Math.sin(dr * 3 * M);
  const L = (L0 + dl) * dr;
  return L - Math.PI * 2 * Math.floor(L / (Math.PI * 2));
}

/** Which of the 12 major solar terms (0…11) the sun is in at the start of a local day. */
function solarTerm(jdn: number): number {
  return Math.floor((sunLongitude(jdn - 0.5 - TIME_ZONE / 24) / Math.PI) * 6);
}

/** The local day of the k-th new moon. */
function newMoonDay(k: number): number {
  return Math.floor(newMoon(k) + 0.5 + TIME_ZONE / 24);
}

/** The first day of the 11th lunar month (the one holding the winter solstice) of a Gregorian year. */
function month11Start(year: number): number {
  const k = Math.floor((jdnFromIso(`${year}-12-31`) - 2415021) / SYNODIC_MONTH);
  const nm = newMoonDay(k);
  return solarTerm(nm) >= 9 ? newMoonDay(k - 1) : nm;
}

/** Where the leap month falls after month 11 starting at `a11`: the first month holding no major solar term. */
function leapMonthOffset(a11: number): number {
  const k = Math.floor((a11 - 2415021.076998695) / SYNODIC_MONTH + 0.5);
  let i = 1;
  let arc = solarTerm(newMoonDay(k + i));
  let last: number;
  do {
    last = arc;
    i++;
    arc = solarTerm(newMoonDay(k + i));
  } while (arc !== last && i < 14);
  return i - 1;
}

/** The JDN of a (non-leap) lunar date: `day` of lunar `month` of the lunar year that begins in Gregorian `year`. */
export function lunarToJdn(day: number, month: number, year: number): number {
  const [a11, b11] = month < 11 ? [month11Start(year - 1), month11Start(year)] : [month11Start(year), month11Start(year + 1)];
  const k = Math.floor(0.5 + (a11 - 2415021.076998695) / SYNODIC_MONTH);
  let offset = month - 11;
  if (offset < 0) offset += 12;
  if (b11 - a11 > 365 && offset >= leapMonthOffset(a11)) offset += 1; // a leap month came before this one
  return newMoonDay(k + offset) + day - 1;
}

/** The Gregorian date of a (non-leap) lunar date. */
export function lunarToIso(day: number, month: number, year: number): IsoDate {
  return isoFromJdn(lunarToJdn(day, month, year));
}
