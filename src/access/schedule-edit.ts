import type { LocalDate, Schedule, ScheduleException, WeeklyWindow } from './types.ts';

/**
 * The edits the simple schedule editors (the panel's own, the phone's person form) make. Each
 * shows one weekly window and a schedule's holidays; everything else a schedule carries (more
 * windows and date ranges from Matter or the hub) is kept as it was, never dropped unseen.
 */

/** The schedule with its first weekly window replaced, in the editing device's time zone. */
export function withFirstWindow(previous: Schedule | null | undefined, window: WeeklyWindow, timeZone: string): Schedule {
  const rest = previous?.windows.slice(1) ?? [];
  return {
    timeZone,
    windows: [window, ...rest],
    ...(previous?.ranges?.length ? { ranges: previous.ranges } : {}),
    ...(previous?.exceptions?.length ? { exceptions: previous.exceptions } : {}),
  };
}

/** One holiday per date: a new one for a date replaces what that date had; kept in date order. */
export function withHoliday(schedule: Schedule, holiday: ScheduleException): Schedule {
  const others = (schedule.exceptions ?? []).filter((e) => e.date !== holiday.date);
  return { ...schedule, exceptions: [...others, holiday].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0)) };
}

export function withoutHoliday(schedule: Schedule, date: LocalDate): Schedule {
  const { exceptions, ...rest } = schedule;
  const left = (exceptions ?? []).filter((e) => e.date !== date);
  return left.length > 0 ? { ...rest, exceptions: left } : rest;
}

/** "2026-12-25 closed (Christmas)", "2026-12-27 open 10:00–14:00", "2026-12-28 open all day". */
export function holidayText(e: ScheduleException): string {
  const when = e.kind === 'closed' ? 'closed' : e.spans?.length ? `open ${e.spans.map((s) => `${s.start}–${s.end}`).join(', ')}` : 'open all day';
  return `${e.date} ${when}${e.note ? ` (${e.note})` : ''}`;
}
