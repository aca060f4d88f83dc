import { isoFromJdn, jdnFromIso, lunarToJdn, type IsoDate } from './vietnamese-lunar.js';

/**
 * Vietnam's working-day calendar, for the deadlines of Decree 356/2025: Saturdays and Sundays off,
 * and the public holidays of the Labour Code 2019 (art. 112): 1 January; five days of Tết (the
 * last day of the lunar year and the first four of the new one); Hùng Kings' commemoration (10th
 * day of the 3rd lunar month); 30 April; 1 May; 2 September and a day next to it. A holiday that
 * falls on a weekend is made up on the next working day (art. 112(3)).
 *
 * The Government fixes each year's exact Tết and National Day arrangements (which neighbour of
 * 2 September, days swapped against a Saturday); where it has, pass the days in `daysOff` and
 * `workingDays`. Without them the rule above is applied as written.
 *
 * Local dates are Asia/Ho_Chi_Minh, which has been UTC+7 without daylight saving since 1975.
 */

const LOCAL_OFFSET_MS = 7 * 3_600_000;
const DAY_MS = 86_400_000;

export interface Holiday {
  date: IsoDate;
  name: string;
  /** `COMPENSATORY`: the working day given back for a holiday that fell on a weekend. */
  kind: 'HOLIDAY' | 'COMPENSATORY';
}

export interface CalendarAdjustments {
  /** Extra days off the Government declared (a bridged day, say). */
  daysOff?: readonly IsoDate[];
  /** Weekend days declared working days (the other half of a swap). */
  workingDays?: readonly IsoDate[];
}

/** The local (Asia/Ho_Chi_Minh) date of an instant. */
export function localDate(instant: Date): IsoDate {
  return new Date(instant.getTime() + LOCAL_OFFSET_MS).toISOString().slice(0, 10);
}

/** The last millisecond of a local date, as an instant: when a deadline on that day runs out. */
export function endOfLocalDay(date: IsoDate): Date {
  return new Date(Date.parse(`${date}T00:00:00Z`) + DAY_MS - LOCAL_OFFSET_MS - 1);
}

function isWeekend(date: IsoDate): boolean {
  const day = new Date(`${date}T00:00:00Z`).getUTCDay();
  return day === 0 || day === 6;
}

function addDays(date: IsoDate, n: number): IsoDate {
  return isoFromJdn(jdnFromIso(date) + n);
}

/** The neighbour of 2 September taken with it: the one that joins it to a weekend, else the 3rd. */
function nationalDayNeighbour(year: number): IsoDate {
  const first = `${year}-09-01`;
  const third = `${year}-09-03`;
  const weekday = new Date(`${year}-09-02T00:00:00Z`).getUTCDay();
  // Tuesday: Monday the 1st makes a long weekend; Saturday: Friday the 1st does; Sunday: Monday the 3rd.
  return weekday === 2 || weekday === 6 ? first : third;
}

/** The public holidays of a Gregorian year, compensatory days included, in date order. */
export function publicHolidays(year: number): Holiday[] {
  const holidays: Holiday[] = [];
  const add = (date: IsoDate, name: string): void => {
    holidays.push({ date, name, kind: 'HOLIDAY' });
  };
  add(`${year}-01-01`, 'New Year (Tết Dương lịch)');
  const tet = lunarToJdn(1, 1, year);
  add(isoFromJdn(tet - 1), "Lunar New Year's Eve (Tết Nguyên đán)");
  for (let d = 0; d < 4; d++) add(isoFromJdn(tet + d), `Lunar New Year, day ${d + 1} (Tết Nguyên đán)`);
  add(isoFromJdn(lunarToJdn(10, 3, year)), "Hùng Kings' Commemoration (Giỗ Tổ Hùng Vương)");
  add(`${year}-04-30`, 'Reunification Day (Ngày Giải phóng miền Nam)');
  add(`${year}-05-01`, 'International Labour Day (Ngày Quốc tế Lao động)');
  add(`${year}-09-02`, 'National Day (Quốc khánh)');
  add(nationalDayNeighbour(year), 'National Day holiday (Quốc khánh)');
  holidays.sort((a, b) => a.date.localeCompare(b.date));

  // Each holiday on a weekend gives back the next day that is neither a weekend nor a holiday.
  const taken = new Set(holidays.map((h) => h.date));
  const owed = holidays.filter((h) => isWeekend(h.date));
  for (const h of owed) {
    let day = addDays(h.date, 1);
    while (isWeekend(day) || taken.has(day)) day = addDays(day, 1);
    taken.add(day);
    holidays.push({ date: day, name: `Compensatory day for ${h.name}`, kind: 'COMPENSATORY' });
  }
  return holidays.sort((a, b) => a.date.localeCompare(b.date));
}

/** Answers whether a local date is a working day, and counts deadlines on them. */
export class VietnamWorkingCalendar {
  private readonly daysOffByYear = new Map<number, Set<IsoDate>>();
  private readonly extraOff: Set<IsoDate>;
  private readonly extraWorking: Set<IsoDate>;

  constructor(adjustments: CalendarAdjustments = {}) {
    this.extraOff = new Set(adjustments.daysOff ?? []);
    this.extraWorking = new Set(adjustments.workingDays ?? []);
  }

  isWorkingDay(date: IsoDate): boolean {
    if (this.extraWorking.has(date)) return true;
    if (this.extraOff.has(date) || isWeekend(date)) return false;
    return !this.holidaySet(Number(date.slice(0, 4))).has(date);
  }

  /**
   * When a reply due `n` working days after `from` runs out: the end of the n-th working day after
   * the local day of `from` (the day of receipt itself does not count).
   */
  addWorkingDays(from: Date, n: number): Date {
    if (!Number.isInteger(n) || n < 0) throw new RangeError('n must be a whole number of days, 0 or more');
    let day = localDate(from);
    for (let counted = 0; counted < n;) {
      day = addDays(day, 1);
      if (this.isWorkingDay(day)) counted++;
    }
    return endOfLocalDay(day);
  }

  /**
   * When a period of `days` calendar days from `from` runs out: the end of the local day `days`
   * after the day of `from`; if that day is a weekend or holiday, the end of the next working day
   * (Civil Code 2015, art. 148).
   */
  calendarDeadline(from: Date, days: number): Date {
    if (!Number.isInteger(days) || days < 0) throw new RangeError('days must be a whole number, 0 or more');
    let day = addDays(localDate(from), days);
    while (!this.isWorkingDay(day)) day = addDays(day, 1);
    return endOfLocalDay(day);
  }

  private holidaySet(year: number): Set<IsoDate> {
    let set = this.daysOffByYear.get(year);
    if (!set) {
      set = new Set(publicHolidays(year).map((h) => h.date));
      this.daysOffByYear.set(year, set);
    }
    return set;
  }
}
