import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { endOfLocalDay, VietnamWorkingCalendar } from '../../api/src/rights/working-days.js';
import { dayInWords, deadlineInWords, momentInWords, workingDaysUntil, type DeadlineMessages } from '../../web/src/rights/deadline-words.js';

type Locale = 'vi' | 'en';
const INTL: Record<Locale, string> = { vi: 'vi-VN', en: 'en-GB' };

/** The portal's own sentences (en.json, vi.json), filled in as its I18n does. */
async function messages(locale: Locale): Promise<DeadlineMessages> {
  const text = JSON.parse(await readFile(resolve(import.meta.dirname, `../../web/src/i18n/${locale}.json`), 'utf8')) as Record<string, string>;
  const fill = (key: string, params: Record<string, string>): string => {
    const sentence = text[key];
    if (sentence === undefined) throw new Error(`no message ${key} in ${locale}.json`);
    return sentence.replace(/\{(\w+)\}/g, (_, name: string) => params[name] ?? `{${name}}`);
  };
  const plurals = new Intl.PluralRules(INTL[locale]);
  return {
    locale,
    t: (key, params) => fill(key, params),
    plural: (key, count, params) => fill(`${key}.${plurals.select(count)}`, { ...params, count: String(count) }),
  };
}

/** A moment in Vietnam's local time (UTC+7). */
const vn = (local: string): Date => new Date(`${local}+07:00`);
const endOf = (date: string): string => endOfLocalDay(date).toISOString();

describe("deadlines in words, on Vietnam's working days and time zone", () => {
  let en: DeadlineMessages;
  let vi: DeadlineMessages;
  beforeAll(async () => {
    [en, vi] = await Promise.all([messages('en'), messages('vi')]);
  });

  it('says how many working days are left and which day it is, in English and Vietnamese', () => {
    const now = vn('2026-02-11T10:00:00'); // a Wednesday
    expect(deadlineInWords(en, endOf('2026-02-13'), now)).toBe('due in 2 working days, on Friday 13 February');
    expect(deadlineInWords(vi, endOf('2026-02-13'), now)).toBe('còn 2 ngày làm việc, hạn chót Thứ Sáu, 13 tháng 2');
    expect(deadlineInWords(en, endOf('2026-02-12'), now)).toBe('due in 1 working day, on Thursday 12 February');
  });

  it('does not count the weekend or the five days of Tết 2026 (16 to 20 February)', () => {
    const friday = vn('2026-02-13T09:00:00');
    expect(workingDaysUntil(endOfLocalDay('2026-02-24'), friday)).toBe(2); // Monday 23 and Tuesday 24
    expect(deadlineInWords(en, endOf('2026-02-24'), friday)).toBe('due in 2 working days, on Tuesday 24 February');
    expect(deadlineInWords(vi, endOf('2026-02-24'), friday)).toBe('còn 2 ngày làm việc, hạn chót Thứ Ba, 24 tháng 2');
  });

  it('agrees with the reply deadline the API computes: 2 working days after receipt, whatever the day', () => {
    const calendar = new VietnamWorkingCalendar();
    for (let d = 0; d < 60; d++) {
      const received = new Date(vn('2026-02-01T15:30:00').getTime() + d * 86_400_000);
      const due = calendar.addWorkingDays(received, 2).toISOString();
      expect(deadlineInWords(en, due, received), received.toISOString()).toMatch(/^due in 2 working days, on /);
    }
  });

  it('says "today" on the last day, and "overdue" once the day has ended', () => {
    expect(deadlineInWords(en, endOf('2026-02-13'), vn('2026-02-13T16:00:00'))).toBe('due today, Friday 13 February');
    expect(deadlineInWords(vi, endOf('2026-02-13'), vn('2026-02-13T16:00:00'))).toBe('đến hạn hôm nay, Thứ Sáu, 13 tháng 2');
    expect(deadlineInWords(en, endOf('2026-02-13'), vn('2026-02-14T00:00:01'))).toBe('overdue, it was due on Friday 13 February');
    expect(deadlineInWords(vi, endOf('2026-02-13'), vn('2026-03-02T08:00:00'))).toBe('đã quá hạn, hạn chót là Thứ Sáu, 13 tháng 2');
  });

  it('names the day in Vietnam, not in UTC: 18:00 UTC on Thursday is already Friday in Hà Nội', () => {
    const now = vn('2026-02-01T00:00:00');
    expect(dayInWords('en', '2026-02-12T18:00:00Z', now)).toBe('Friday 13 February');
    expect(dayInWords('en', '2026-02-12T16:59:59Z', now)).toBe('Thursday 12 February');
    expect(momentInWords('en', '2026-02-12T18:05:00Z')).toMatch(/^13 Feb 2026, 01:05$/);
  });

  it('adds the year only when the deadline falls in another year', () => {
    const now = vn('2026-12-28T10:00:00');
    // 1 January (a Friday) is a holiday.
    expect(deadlineInWords(en, endOf('2027-01-04'), now)).toBe('due in 4 working days, on Monday, 4 January 2027');
    expect(dayInWords('vi', endOf('2027-01-04'), now)).toMatch(/^Thứ Hai, 4 tháng 1.*2027$/);
  });

  it('leaves something that is not a date as it came, rather than inventing one', () => {
    expect(deadlineInWords(en, 'not a date', new Date())).toBe('not a date');
  });
});
