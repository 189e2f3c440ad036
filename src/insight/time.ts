/** Local time-of-week, the axis every habit is learnt on. Monday 00:00 is 0, Sunday 23:59 is ~168. */

export const HOURS_PER_WEEK = 168;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;
export const WEEK_MS = 7 * DAY_MS;

const WEEKDAY_INDEX: Readonly<Record<string, number>> = { Mon: 0, Tue: 1, Wed: 2, Thu: 3, Fri: 4, Sat: 5, Sun: 6 };
// Building a DateTimeFormat costs far more than using one, and the zone set is tiny.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formatters.set(timeZone, f);
  }
  return f;
}

/**
 * Fractional hour of the local week. Wall time, so 09:00 stays 09:00 across a DST change. An
 * unknown zone throws (RangeError from Intl): a silently wrong zone would teach wrong habits.
 */
export function hourOfWeek(ms: number, timeZone = 'UTC'): number {
  if (timeZone === 'UTC') {
    const d = new Date(ms);
    return ((d.getUTCDay() + 6) % 7) * 24 + d.getUTCHours() + d.getUTCMinutes() / 60;
  }
  let day = 0;
  let hour = 0;
  let minute = 0;
  for (const part of formatterFor(timeZone).formatToParts(ms)) {
    if (part.type === 'weekday') day = WEEKDAY_INDEX[part.value] ?? 0;
    else if (part.type === 'hour') hour = Number(part.value);
    else if (part.type === 'minute') minute = Number(part.value);
  }
  return day * 24 + hour + minute / 60;
}

/** The whole-hour bin 0..167. */
export function binOf(ms: number, timeZone = 'UTC'): number {
  return Math.min(HOURS_PER_WEEK - 1, Math.floor(hourOfWeek(ms, timeZone)));
}

export const isWeekendBin = (bin: number): boolean => bin >= 5 * 24;

export function wrapBin(bin: number): number {
  return ((bin % HOURS_PER_WEEK) + HOURS_PER_WEEK) % HOURS_PER_WEEK;
}

/** Inside quiet hours given as local hours-of-day [start, end), which may cross midnight. */
export function inDailyWindow(ms: number, startHour: number, endHour: number, timeZone = 'UTC'): boolean {
  const h = hourOfWeek(ms, timeZone) % 24;
  return startHour <= endHour ? h >= startHour && h < endHour : h >= startHour || h < endHour;
}
