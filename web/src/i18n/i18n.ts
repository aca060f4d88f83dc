import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { API_ERROR_MESSAGES } from './api-errors.generated';
import en from './en.json';
import vi from './vi.json';

export type Locale = 'vi' | 'en';
/** The portal's own messages, and the API's error sentences generated from its catalog (`error.<code>`). */
export type MessageKey = keyof typeof vi | keyof typeof API_ERROR_MESSAGES.vi;

/** English must say everything Vietnamese says: a missing key is a type error, not a blank on screen. */
const MESSAGES: Record<Locale, Record<MessageKey, string>> = {
  vi: { ...vi, ...API_ERROR_MESSAGES.vi },
  en: { ...en, ...API_ERROR_MESSAGES.en },
};
const INTL_LOCALE: Record<Locale, string> = { vi: 'vi-VN', en: 'en-GB' };
const STORAGE_KEY = 'cv.locale';

export function initialLocale(): Locale {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (saved === 'vi' || saved === 'en') return saved;
  } catch {
    // storage may be blocked; Vietnamese is the default
  }
  return 'vi';
}

export function rememberLocale(locale: Locale): void {
  try {
    localStorage.setItem(STORAGE_KEY, locale);
  } catch {
    // not remembered, still switched
  }
  document.documentElement.lang = locale;
}

export interface I18n {
  locale: Locale;
  t(key: MessageKey, params?: Record<string, string | number>): string;
  /** Picks `<key>.one` or `<key>.other` by the locale's plural rules, with `{count}` filled in. */
  plural(key: string, count: number, params?: Record<string, string | number>): string;
  date(iso: string): string;
  dateTime(iso: string): string;
  number(n: number): string;
  money(dong: number | bigint): string;
  /** A message chosen at run time (a value, a code from the server): undefined when there is none. */
  optional(key: string, params?: Record<string, string | number>): string | undefined;
  /** A vocabulary label (`{ vi, en }`) in the current language. */
  label(labels: { vi: string; en: string } | undefined, fallback: string): string;
}

export function createI18n(locale: Locale): I18n {
  const messages = MESSAGES[locale];
  const intl = INTL_LOCALE[locale];
  const dateFormat = new Intl.DateTimeFormat(intl, { day: 'numeric', month: 'long', year: 'numeric' });
  const dateTimeFormat = new Intl.DateTimeFormat(intl, { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' });
  const numberFormat = new Intl.NumberFormat(intl);
  const moneyFormat = new Intl.NumberFormat(intl, { style: 'currency', currency: 'VND' });
  const plurals = new Intl.PluralRules(intl);
  const fill = (text: string, params?: Record<string, string | number>): string =>
    params ? text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole)) : text;
  const t = (key: MessageKey, params?: Record<string, string | number>): string => fill(messages[key] ?? key, params);
  return {
    locale,
    t,
    plural(key, count, params) {
      const form = plurals.select(count);
      const text = (messages as Record<string, string>)[`${key}.${form}`] ?? (messages as Record<string, string>)[`${key}.other`] ?? key;
      return fill(text, { count: numberFormat.format(count), ...params });
    },
    date: (iso) => (isNaN(Date.parse(iso)) ? iso : dateFormat.format(new Date(iso))),
    dateTime: (iso) => (isNaN(Date.parse(iso)) ? iso : dateTimeFormat.format(new Date(iso))),
    number: (n) => numberFormat.format(n),
    money: (dong) => moneyFormat.format(dong),
    optional: (key, params) => {
      const text = (messages as Record<string, string>)[key];
      return text === undefined ? undefined : fill(text, params);
    },
    label: (labels, fallback) => labels?.[locale] ?? fallback,
  };
}

export const I18nContext = createContext<I18n>(createI18n('vi'));
export const useI18n = (): I18n => useContext(I18nContext);
