import { isLocalDate, parseClock } from '../../src/access/schedule.ts';
import type { DateRange, Schedule, Weekday, WeeklyWindow } from '../../src/access/types.ts';

/**
 * Matter's per-user schedules as a Doorward person's access times (pure). Both are local wall
 * time at the door, and both combine the same way: a week-day schedule is a weekly window (days,
 * start, end; the union of a user's windows), a year-day schedule a date range (the union of a
 * user's ranges), and with both the time must fall in a window AND in a range (Matter's
 * ScheduleRestrictedUser, Doorward's `windows` with `ranges`). What does not map is refused, never
 * stretched: a year-day schedule that does not start and end on whole local days (Doorward ranges
 * are calendar dates), and holiday schedules (a lock-wide operating mode Doorward has no word for).
 *
 * The panel's schedule is the truth. The bridge keeps only which Matter index each window or range
 * was set under (`Slots`), and uses it while it still produces exactly the panel's schedule; once
 * someone changed the schedule at the panel, the indices are read afresh from it (1, 2, ...).
 */
export interface WeekDayEntry {
  readonly daysMask: DaysMask;
  readonly startHour: number;
  readonly startMinute: number;
  readonly endHour: number;
  readonly endMinute: number;
}

/**
 * Matter local time: the door's wall clock as epoch seconds. On the wire it counts from 2000-01-01;
 * matter.js converts, so here (as in its API) it is Unix seconds of the local wall time.
 */
export interface YearDayEntry {
  readonly localStartTime: number;
  readonly localEndTime: number;
}

export type DaysMask = Partial<Record<'sunday' | 'monday' | 'tuesday' | 'wednesday' | 'thursday' | 'friday' | 'saturday', boolean>>;

/** A user's schedules by Matter index (1-based, as strings in JSON). */
export interface Slots {
  readonly week: Readonly<Record<number, WeekDayEntry>>;
  readonly year: Readonly<Record<number, YearDayEntry>>;
}

export const NO_SLOTS: Slots = { week: {}, year: {} };

const DAYS: readonly [keyof DaysMask, Weekday][] = [
  ['sunday', 'sun'],
  ['monday', 'mon'],
  ['tuesday', 'tue'],
  ['wednesday', 'wed'],
  ['thursday', 'thu'],
  ['friday', 'fri'],
  ['saturday', 'sat'],
];
const ALL_DAYS: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const DAY_S = 86_400;
/** 2000-01-01 in Unix seconds: Matter's epoch, before which it has no time. */
const MATTER_EPOCH_S = 946_684_800;

const hhmm = (h: number, m: number) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`;

/** Why a week-day schedule cannot be a Doorward window; null when it can. */
export function weekDayProblem(e: WeekDayEntry): string | null {
  if (!DAYS.some(([k]) => e.daysMask[k])) return 'a week-day schedule needs at least one day';
  for (const v of [e.startHour, e.endHour]) if (!Number.isInteger(v) || v < 0 || v > 23) return 'hours are 0 to 23';
  for (const v of [e.startMinute, e.endMinute]) if (!Number.isInteger(v) || v < 0 || v > 59) return 'minutes are 0 to 59';
  if (e.endHour * 60 + e.endMinute <= e.startHour * 60 + e.startMinute) return 'the end must be after the start';
  return null;
}

export function windowOf(e: WeekDayEntry): WeeklyWindow {
  return { days: DAYS.filter(([k]) => e.daysMask[k]).map(([, d]) => d), start: hhmm(e.startHour, e.startMinute), end: hhmm(e.endHour, e.endMinute) };
}

/** A Doorward window as Matter shows it; null for one Matter cannot (crossing midnight, ending at 24:00). */
export function weekDayOf(w: WeeklyWindow): WeekDayEntry | null {
  const start = parseClock(w.start);
  const end = parseClock(w.end);
  if (start === null || end === null || end <= start || end >= 24 * 60) return null;
  const daysMask: Record<string, boolean> = {};
  for (const [k, d] of DAYS) if (w.days.includes(d)) daysMask[k] = true;
  return { daysMask, startHour: Math.floor(start / 60), startMinute: start % 60, endHour: Math.floor(end / 60), endMinute: end % 60 };
}

const dateOf = (localSeconds: number) => new Date(localSeconds * 1000).toISOString().slice(0, 10);
const secondsOf = (date: string) => Date.parse(`${date}T00:00:00Z`) / 1000;

/**
 * A year-day schedule as whole local dates: it must start at a midnight and end at a midnight
 * (exclusive) or at 23:59:59 of its last day. Anything finer has no Doorward counterpart.
 */
export function rangeOf(e: YearDayEntry): DateRange | { problem: string } {
  const { localStartTime: s, localEndTime: t } = e;
  if (!Number.isSafeInteger(s) || !Number.isSafeInteger(t) || s < MATTER_EPOCH_S || t <= s) return { problem: 'the end must be after the start' };
  if (s % DAY_S !== 0) return { problem: 'Doorward access dates are whole days: a year-day schedule must start at 00:00' };
  const last = t % DAY_S === 0 ? t - DAY_S : (t + 1) % DAY_S === 0 ? t : null;
  if (last === null) return { problem: 'Doorward access dates are whole days: a year-day schedule must end at 00:00 or 23:59:59' };
  const range = { from: dateOf(s), to: dateOf(last) };
  return isLocalDate(range.from) && isLocalDate(range.to) ? range : { problem: 'not a date' };
}

export function yearDayOf(r: DateRange): YearDayEntry | null {
  if (!isLocalDate(r.from) || !isLocalDate(r.to) || r.from > r.to || r.from < '2000-01-01') return null;
  return { localStartTime: secondsOf(r.from), localEndTime: secondsOf(r.to) + DAY_S - 1 };
}

/**
 * The Doorward schedule for a user's Matter schedules, in the panel's zone; null when they have
 * none (their role's default: a resident at any time). Year-days alone need every day open.
 */
export function scheduleOf(slots: Slots, timeZone: string): Schedule | null {
  const week = sortedValues(slots.week).map(windowOf);
  const ranges = sortedValues(slots.year).map((e) => rangeOf(e)).filter((r): r is DateRange => !('problem' in r));
  if (week.length === 0 && ranges.length === 0) return null;
  const windows = week.length > 0 ? week : [{ days: ALL_DAYS, start: '00:00', end: '24:00' }];
  return ranges.length > 0 ? { timeZone, windows, ranges } : { timeZone, windows };
}

/**
 * The Matter schedules a user has, given the panel's schedule for them and the indices the bridge
 * last set; null when the panel's schedule has something Matter cannot show (exceptions, a window
 * across midnight, another zone), so a controller cannot overwrite what it cannot see.
 */
export function slotsOf(schedule: Schedule | null, kept: Slots | undefined, timeZone: string): Slots | null {
  if (schedule === null) return NO_SLOTS;
  if (kept && sameSchedule(scheduleOf(kept, timeZone), schedule)) return kept;
  if (schedule.timeZone !== timeZone || (schedule.exceptions?.length ?? 0) > 0) return null;
  const ranges = schedule.ranges ?? [];
  const allDay = ranges.length > 0 && schedule.windows.length === 1 && schedule.windows[0]!.start === '00:00' && schedule.windows[0]!.end === '24:00' && schedule.windows[0]!.days.length === 7;
  const week: Record<number, WeekDayEntry> = {};
  const year: Record<number, YearDayEntry> = {};
  for (const [i, w] of (allDay ? [] : schedule.windows).entries()) {
    const e = weekDayOf(w);
    if (!e) return null;
    week[i + 1] = e;
  }
  for (const [i, r] of ranges.entries()) {
    const e = yearDayOf(r);
    if (!e) return null;
    year[i + 1] = e;
  }
  return { week, year };
}

function sortedValues<T>(byIndex: Readonly<Record<number, T>>): T[] {
  return Object.entries(byIndex)
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([, v]) => v);
}

/** Same access times, whatever order the keys and days were stored in. */
function sameSchedule(a: Schedule | null, b: Schedule | null): boolean {
  const canon = (s: Schedule | null) =>
    s && JSON.stringify([s.timeZone, s.windows.map((w) => [[...w.days].sort(), w.start, w.end]), (s.ranges ?? []).map((r) => [r.from, r.to]), s.exceptions ?? []]);
  return canon(a) === canon(b);
}
