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

/** Day and month only, for a chart's axis: "25.11." on a German device, "11/25" on an American one. */
export const formatDayMonth = (ms: number, locale = deviceLocale()): string =>
  new Intl.DateTimeFormat(locale, { day: '2-digit', month: '2-digit' }).format(new Date(ms));

export const formatNumber = (n: number, locale = deviceLocale()): string => new Intl.NumberFormat(locale).format(n);

/** A bound as a form label shows it: fixed digits, no grouping ("0,55" on a German phone, "3650" not "3,650"). */
export const formatFixed = (n: number, digits: number, locale = deviceLocale()): string =>
  new Intl.NumberFormat(locale, { minimumFractionDigits: digits, maximumFractionDigits: digits, useGrouping: false }).format(n);

/** A value a form field shows for editing: as many digits as it has (up to 3), no grouping, so it reads back as typed. */
export const formatPlain = (n: number, locale = deviceLocale()): string =>
  new Intl.NumberFormat(locale, { maximumFractionDigits: 3, useGrouping: false }).format(n);

/**
 * A number as typed into a form: "0.65", or "0,65" as a phone with a decimal comma writes it.
 * Empty text is NaN, so the check names the field instead of sending 0; grouped text ("1.000,5",
 * "3,650.5") is NaN too rather than a guess.
 */
export function readNumber(text: string): number {
  const t = text.trim();
  if (t === '') return Number.NaN;
  return Number(/^[+-]?\d*,\d+$/.test(t) ? t.replace(',', '.') : t);
}
