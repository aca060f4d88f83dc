import { describe, expect, it } from 'vitest';
import { lunarToIso } from '../../src/rights/vietnamese-lunar.js';
import { VietnamWorkingCalendar, endOfLocalDay, localDate, publicHolidays } from '../../src/rights/working-days.js';

/**
 * Published Gregorian dates of Tết (1st day of the 1st lunar month) and of Hùng Kings'
 * Commemoration (10th day of the 3rd lunar month) in Vietnam. Source: Hồ Ngọc Đức's tables of the
 * Vietnamese lunar calendar (Âm lịch Việt Nam, computed for UTC+7), and for 2023–2026 the
 * Government's holiday announcements. They agree with the Chinese calendar except where Vietnam's
 * meridian moves a new moon to the day before: Tết 1985, 2007 and 2030, and Hùng Kings' day 2009.
 */
const PUBLISHED: Record<number, { tet: string; hungKings: string }> = {
  1985: { tet: '1985-01-21', hungKings: '1985-04-29' },
  2007: { tet: '2007-02-17', hungKings: '2007-04-26' },
  2009: { tet: '2009-01-26', hungKings: '2009-04-04' },
  2023: { tet: '2023-01-22', hungKings: '2023-04-29' },
  2024: { tet: '2024-02-10', hungKings: '2024-04-18' },
  2025: { tet: '2025-01-29', hungKings: '2025-04-07' },
  2026: { tet: '2026-02-17', hungKings: '2026-04-26' },
  2027: { tet: '2027-02-06', hungKings: '2027-04-16' },
  2028: { tet: '2028-01-26', hungKings: '2028-04-04' },
  2029: { tet: '2029-02-13', hungKings: '2029-04-23' },
  2030: { tet: '2030-02-02', hungKings: '2030-04-12' },
  2031: { tet: '2031-01-23', hungKings: '2031-04-01' },
  2032: { tet: '2032-02-11', hungKings: '2032-04-19' },
  2033: { tet: '2033-01-31', hungKings: '2033-04-09' },
  2034: { tet: '2034-02-19', hungKings: '2034-04-28' },
  2035: { tet: '2035-02-08', hungKings: '2035-04-17' },
};

/** An instant given as Hà Nội wall-clock time. */
const hanoi = (local: string): Date => new Date(`${local}+07:00`);
const calendar = new VietnamWorkingCalendar();

describe('the Vietnamese lunar calendar', () => {
  it.each(Object.entries(PUBLISHED))("puts Tết and Hùng Kings' day of %s on their published dates", (year, { tet, hungKings }) => {
    expect(lunarToIso(1, 1, Number(year))).toBe(tet);
    expect(lunarToIso(10, 3, Number(year))).toBe(hungKings);
  });
});

describe("Vietnam's public holidays", () => {
  it("lists the holidays of 2026: New Year, five days of Tết, Hùng Kings' day made up on Monday, 30/4, 1/5, 2/9 and its neighbour", () => {
    expect(publicHolidays(2026).map((h) => `${h.date} ${h.kind}`)).toEqual([
      '2026-01-01 HOLIDAY',
      '2026-02-16 HOLIDAY', // the last day of the year of the Snake
      '2026-02-17 HOLIDAY',
      '2026-02-18 HOLIDAY',
      '2026-02-19 HOLIDAY',
      '2026-02-20 HOLIDAY',
      '2026-04-26 HOLIDAY', // a Sunday…
      '2026-04-27 COMPENSATORY', // …so Monday is given back
      '2026-04-30 HOLIDAY',
      '2026-05-01 HOLIDAY',
      '2026-09-02 HOLIDAY',
      '2026-09-03 HOLIDAY',
    ]);
  });

  it('gives back a holiday that falls on a weekend on the next day that is neither a weekend nor a holiday', () => {
    // 1 January 2028 is a Saturday; 2 September 2028 a Saturday, taken with Friday the 1st.
    const days2028 = publicHolidays(2028).map((h) => `${h.date} ${h.kind}`);
    expect(days2028).toContain('2028-01-03 COMPENSATORY');
    expect(days2028).toEqual(expect.arrayContaining(['2028-09-01 HOLIDAY', '2028-09-02 HOLIDAY', '2028-09-04 COMPENSATORY']));
    // 2034: 30 April is a Sunday and 1 May a Monday: the day given back is Tuesday 2 May.
    expect(
      publicHolidays(2034)
        .filter((h) => h.kind === 'COMPENSATORY')
        .map((h) => h.date),
    ).toContain('2034-05-02');
  });

  it('has every holiday of 2026–2035 off, and five Tết days each year', () => {
    for (let year = 2026; year <= 2035; year++) {
      const holidays = publicHolidays(year);
      expect(
        holidays.filter((h) => h.kind === 'HOLIDAY' && h.name.includes('Tết Nguyên đán')),
        String(year),
      ).toHaveLength(5);
      for (const h of holidays) expect(calendar.isWorkingDay(h.date), `${h.date} ${h.name}`).toBe(false);
      expect(holidays.map((h) => h.date)).toContain(PUBLISHED[year]!.hungKings);
    }
  });

  it("takes the Government's declared swaps and bridged days", () => {
    const adjusted = new VietnamWorkingCalendar({ daysOff: ['2026-02-13'], workingDays: ['2026-02-28'] });
    expect(calendar.isWorkingDay('2026-02-13')).toBe(true);
    expect(adjusted.isWorkingDay('2026-02-13')).toBe(false);
    expect(calendar.isWorkingDay('2026-02-28')).toBe(false);
    expect(adjusted.isWorkingDay('2026-02-28')).toBe(true);
  });
});

describe('deadlines on the working-day calendar', () => {
  it('counts local days in Hà Nội: 23:30 on Thursday is Thursday there, though Friday has not begun in UTC', () => {
    expect(localDate(hanoi('2026-03-05T23:30:00'))).toBe('2026-03-05');
    expect(localDate(hanoi('2026-03-06T00:30:00'))).toBe('2026-03-06');
    expect(endOfLocalDay('2026-03-06').toISOString()).toBe('2026-03-06T16:59:59.999Z');
  });

  it('answers a request received on an ordinary Monday by the end of Wednesday', () => {
    expect(calendar.addWorkingDays(hanoi('2026-03-09T10:00:00'), 2)).toEqual(hanoi('2026-03-11T23:59:59.999'));
  });

  it('skips the weekend', () => {
    expect(calendar.addWorkingDays(hanoi('2026-03-12T16:00:00'), 2)).toEqual(hanoi('2026-03-16T23:59:59.999')); // Thursday → Monday
  });

  it('crosses Tết: received the Friday before Tết 2026, the 2-working-day reply is due on Tuesday 24 February', () => {
    // Sat 14, Sun 15, Tết 16–20, Sat 21, Sun 22: Monday 23 and Tuesday 24 are the first working days.
    expect(calendar.addWorkingDays(hanoi('2026-02-13T09:00:00'), 2)).toEqual(hanoi('2026-02-24T23:59:59.999'));
  });

  it('crosses Tết 2030, which falls a day earlier in Vietnam than in China', () => {
    // Tết 2030 is Saturday 2 February: Fri 1 to Tue 5 off, and Saturday's and Sunday's holidays given back on Wed 6 and Thu 7.
    expect(calendar.addWorkingDays(hanoi('2030-01-31T09:00:00'), 1)).toEqual(hanoi('2030-02-08T23:59:59.999'));
  });

  it('ends a 15-day period on the next working day when its last day is a holiday (Civil Code art. 148)', () => {
    // 15 April 2026 + 15 days = Thursday 30 April; 1 May is a holiday too, then a weekend.
    expect(calendar.calendarDeadline(hanoi('2026-04-15T11:00:00'), 15)).toEqual(hanoi('2026-05-04T23:59:59.999'));
    // An ordinary 15-day period ends on its 15th day.
    expect(calendar.calendarDeadline(hanoi('2026-03-02T11:00:00'), 15)).toEqual(hanoi('2026-03-17T23:59:59.999'));
  });

  it('refuses a count that is not a whole number of days', () => {
    expect(() => calendar.addWorkingDays(new Date(), -1)).toThrow(RangeError);
    expect(() => calendar.calendarDeadline(new Date(), 1.5)).toThrow(RangeError);
  });
});
