import type { ClockTime, LocalDate, Schedule, TimeSpan, Weekday } from './types.ts';
import type { Say } from '../lib/words/index.ts';
import { english } from '../lib/words/english.ts';

/**
 * Schedules are wall-clock rules in a named zone. Instants are turned into local wall time with
 * Intl (the platform's tz database), never with fixed offsets, so windows follow DST changes:
 * on a spring-forward day the skipped hour simply never occurs; on a fall-back day the repeated
 * hour is inside a window twice. Every date rule (ranges, exceptions) reads the local calendar
 * date of the instant itself, so a night window is cut at midnight by a closed date or a range end.
 */

export interface LocalTime {
  readonly date: LocalDate;
  readonly weekday: Weekday;
  /** Minutes since local midnight, 0..1439. */
  readonly minute: number;
}

export type ScheduleCheck =
  | { readonly inside: true }
  | { readonly inside: false; readonly why: 'outsideWindows' | 'outsideDateRange' | 'closedDate' | 'invalid' };

const WEEKDAYS: readonly Weekday[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const MINUTES_PER_DAY = 24 * 60;
const DAY_MS = 86_400_000;

// Building a DateTimeFormat is costly and the zone set is tiny, so keep one per zone (null: invalid).
const formatters = new Map<string, Intl.DateTimeFormat | null>();

function formatterFor(timeZone: string): Intl.DateTimeFormat | null {
  let f = formatters.get(timeZone);
  if (f !== undefined) return f;
  try {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      calendar: 'gregory',
      numberingSystem: 'latn',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
  } catch {
    f = null;
  }
  formatters.set(timeZone, f);
  return f;
}

export function isValidTimeZone(timeZone: string): boolean {
  return formatterFor(timeZone) !== null;
}

/** Local wall time of an instant in a zone; null for an unknown zone or a non-finite instant. */
export function localTime(now: number, timeZone: string): LocalTime | null {
  const f = formatterFor(timeZone);
  if (!f || !Number.isFinite(now)) return null;
  const parts: Record<string, string> = {};
  for (const p of f.formatToParts(now)) parts[p.type] = p.value;
  const year = Number(parts.year);
  const month = Number(parts.month);
  const day = Number(parts.day);
  const hour = Number(parts.hour);
  const minute = Number(parts.minute);
  if (![year, month, day, hour, minute].every(Number.isInteger)) return null;
  const date = `${String(year).padStart(4, '0')}-${pad2(month)}-${pad2(day)}`;
  return { date, weekday: weekdayOf(date), minute: (hour % 24) * 60 + minute };
}

export function checkSchedule(schedule: Schedule, now: number): ScheduleCheck {
  if (scheduleProblems(schedule).length > 0) return { inside: false, why: 'invalid' };
  const local = localTime(now, schedule.timeZone);
  if (!local) return { inside: false, why: 'invalid' };

  const ranges = schedule.ranges ?? [];
  if (ranges.length > 0 && !ranges.some((r) => r.from <= local.date && local.date <= r.to)) {
    return { inside: false, why: 'outsideDateRange' };
  }
  const exceptions = schedule.exceptions ?? [];
  if (exceptions.some((e) => e.kind === 'closed' && e.date === local.date)) return { inside: false, why: 'closedDate' };

  const yesterday = previousDate(local.date);
  const today = spansOn(schedule, local.date);
  const spill = spansOn(schedule, yesterday);
  const inside =
    today.some((s) => containsSameDay(s, local.minute)) || spill.some((s) => containsSpill(s, local.minute));
  return inside ? { inside: true } : { inside: false, why: 'outsideWindows' };
}

export function isWithinSchedule(schedule: Schedule, now: number): boolean {
  return checkSchedule(schedule, now).inside;
}

/**
 * What is wrong with a schedule, for the admin form (English unless a screen hands in its `say`);
 * empty when valid. The decision treats any problem as "grants nothing" rather than guessing what
 * a malformed window meant.
 */
export function scheduleProblems(schedule: Schedule, say: Say = english): string[] {
  const problems: string[] = [];
  if (!isValidTimeZone(schedule.timeZone)) problems.push(say('problem.schedule.timeZone', { zone: schedule.timeZone }));
  schedule.windows.forEach((w, i) => {
    const label = say('problem.schedule.window', { i: String(i) });
    if (w.days.length === 0) problems.push(say('problem.schedule.noDays', { label }));
    for (const d of w.days) if (!WEEKDAYS.includes(d)) problems.push(say('problem.schedule.unknownDay', { label, day: d }));
    problems.push(...spanProblems(w, label, say));
  });
  (schedule.ranges ?? []).forEach((r, i) => {
    if (!isLocalDate(r.from) || !isLocalDate(r.to)) problems.push(say('problem.schedule.rangeDates', { i: String(i) }));
    else if (r.from > r.to) problems.push(say('problem.schedule.rangeOrder', { i: String(i) }));
  });
  (schedule.exceptions ?? []).forEach((e, i) => {
    if (!isLocalDate(e.date)) problems.push(say('problem.schedule.exceptionDate', { i: String(i) }));
    if (e.kind === 'open') (e.spans ?? []).forEach((s, j) => problems.push(...spanProblems(s, say('problem.schedule.exceptionSpan', { i: String(i), j: String(j) }), say)));
  });
  return problems;
}

/** Minutes since midnight for "HH:MM" (00:00..23:59, or 24:00); null when malformed. */
export function parseClock(text: ClockTime): number | null {
  if (text === '24:00') return MINUTES_PER_DAY;
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text);
  return m ? Number(m[1]) * 60 + Number(m[2]) : null;
}

export function isLocalDate(text: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  // Round-tripping rejects dates such as 2025-02-30 that Date would silently roll over.
  return d.toISOString().slice(0, 10) === text;
}

function spanProblems(span: TimeSpan, label: string, say: Say): string[] {
  const start = parseClock(span.start);
  const end = parseClock(span.end);
  const out: string[] = [];
  if (start === null || start === MINUTES_PER_DAY) out.push(say('problem.schedule.start', { label }));
  if (end === null) out.push(say('problem.schedule.end', { label }));
  return out;
}

/** The spans in force on a local date: an open exception replaces the weekly windows. */
function spansOn(schedule: Schedule, date: LocalDate): TimeSpan[] {
  const exceptions = schedule.exceptions ?? [];
  const opens = exceptions.filter((e) => e.kind === 'open' && e.date === date);
  if (opens.length > 0) {
    return opens.flatMap((e) => (e.kind === 'open' ? (e.spans ?? [{ start: '00:00', end: '24:00' }]) : []));
  }
  const weekday = weekdayOf(date);
  return schedule.windows.filter((w) => w.days.includes(weekday));
}

function containsSameDay(span: TimeSpan, minute: number): boolean {
  const start = parseClock(span.start) ?? 0;
  const end = parseClock(span.end) ?? 0;
  if (end > start) return minute >= start && minute < end;
  if (end < start) return minute >= start; // the part before midnight
  return false;
}

function containsSpill(span: TimeSpan, minute: number): boolean {
  const start = parseClock(span.start) ?? 0;
  const end = parseClock(span.end) ?? 0;
  return end < start && minute < end;
}

function weekdayOf(date: LocalDate): Weekday {
  const [y, m, d] = date.split('-').map(Number);
  return WEEKDAYS[new Date(Date.UTC(y ?? 0, (m ?? 1) - 1, d ?? 1)).getUTCDay()] ?? 'sun';
}

function previousDate(date: LocalDate): LocalDate {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y ?? 0, (m ?? 1) - 1, d ?? 1) - DAY_MS).toISOString().slice(0, 10);
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}
