// The API's own calendar (pure code, no I/O): the portal counts working days exactly as the deadlines were computed.
import { localDate, VietnamWorkingCalendar } from '../../../api/src/rights/working-days.js';

/** Deadlines are days in Vietnam whoever reads them, wherever the browser is. */
const TIME_ZONE = 'Asia/Ho_Chi_Minh';
type Locale = 'vi' | 'en';
/** The part of the portal's I18n this needs (kept structural so the module stays free of the portal's bundler-only imports). */
export interface DeadlineMessages {
  locale: Locale;
  t(key: 'rights.deadline.overdue' | 'rights.deadline.today' | 'rights.deadline.on', params: { day: string }): string;
  plural(key: 'rights.deadline.in', count: number, params: { day: string }): string;
}
const INTL_LOCALE: Record<Locale, string> = { vi: 'vi-VN', en: 'en-GB' };
const DAY_MS = 86_400_000;

const defaultCalendar = new VietnamWorkingCalendar();
const dayFormats = new Map<string, Intl.DateTimeFormat>();

function dayFormat(locale: Locale, withYear: boolean): Intl.DateTimeFormat {
  const key = `${locale}:${withYear}`;
  let format = dayFormats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(INTL_LOCALE[locale], {
      weekday: 'long',
      day: 'numeric',
      month: 'long',
      ...(withYear ? { year: 'numeric' } : {}),
      timeZone: TIME_ZONE,
    });
    dayFormats.set(key, format);
  }
  return format;
}

/** A day as people say it, in Vietnam's time zone: "Monday 16 February", "Thứ Hai, 16 tháng 2"; the year only when it is not this one. */
export function dayInWords(locale: Locale, iso: string, now: Date): string {
  const at = new Date(iso);
  if (isNaN(at.getTime())) return iso;
  return dayFormat(locale, localDate(at).slice(0, 4) !== localDate(now).slice(0, 4)).format(at);
}

const momentFormats = new Map<Locale, Intl.DateTimeFormat>();

/** A moment with its time, as read in Vietnam: the steps of a request. */
export function momentInWords(locale: Locale, iso: string): string {
  const at = new Date(iso);
  if (isNaN(at.getTime())) return iso;
  let format = momentFormats.get(locale);
  if (!format) {
    format = new Intl.DateTimeFormat(INTL_LOCALE[locale], { dateStyle: 'medium', timeStyle: 'short', timeZone: TIME_ZONE });
    momentFormats.set(locale, format);
  }
  return format.format(at);
}

const nextDay = (iso: string): string => new Date(Date.parse(`${iso}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);

/** Working days after today (Vietnam's calendar) up to and including the day of `dueAt`. */
export function workingDaysUntil(dueAt: Date, now: Date, calendar: VietnamWorkingCalendar = defaultCalendar): number {
  const due = localDate(dueAt);
  let count = 0;
  for (let day = nextDay(localDate(now)); day <= due; day = nextDay(day)) if (calendar.isWorkingDay(day)) count++;
  return count;
}

/**
 * A deadline in words, counted on Vietnam's working days: "due in 3 working days, on Monday
 * 16 February", "due today, Monday 16 February", "overdue, it was due on Monday 16 February".
 */
export function deadlineInWords(i18n: DeadlineMessages, dueAtIso: string, now: Date, calendar?: VietnamWorkingCalendar): string {
  const dueAt = new Date(dueAtIso);
  if (isNaN(dueAt.getTime())) return dueAtIso;
  const day = dayInWords(i18n.locale, dueAtIso, now);
  if (now > dueAt) return i18n.t('rights.deadline.overdue', { day });
  if (localDate(dueAt) === localDate(now)) return i18n.t('rights.deadline.today', { day });
  const days = workingDaysUntil(dueAt, now, calendar);
  return days === 0 ? i18n.t('rights.deadline.on', { day }) : i18n.plural('rights.deadline.in', days, { day });
}
