/**
 * Dates, times and numbers in the device's own locale (Intl), so a German phone shows
 * "03.12.2026, 18:50" and an American one "12/3/2026, 6:50 PM". `locale` is injectable for tests.
 */
const deviceLocale = (): string | undefined => (typeof navigator === 'undefined' ? undefined : navigator.language);

export const formatDateTime = (ms: number, locale = deviceLocale()): string =>
  new Intl.DateTimeFormat(locale, { dateStyle: 'short', timeStyle: 'short' }).format(new Date(ms));

export const formatTime = (ms: number, locale = deviceLocale()): string =>
  new Intl.DateTimeFormat(locale, { timeStyle: 'short' }).format(new Date(ms));

export const formatDate = (ms: number, locale = deviceLocale()): string =>
  new Intl.DateTimeFormat(locale, { dateStyle: 'medium' }).format(new Date(ms));

export const formatNumber = (n: number, locale = deviceLocale()): string => new Intl.NumberFormat(locale).format(n);

/** A bound as a form label shows it: fixed digits, no grouping ("0,55" on a German phone, "3650" not "3,650"). */
export const formatFixed = (n: number, digits: number, locale = deviceLocale()): string =>
  new Intl.NumberFormat(locale, { minimumFractionDigits: digits, maximumFractionDigits: digits, useGrouping: false }).format(n);
