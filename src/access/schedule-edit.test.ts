import { describe, expect, it } from 'vitest';
import { checkSchedule } from './schedule.ts';
import { holidayText, withFirstWindow, withHoliday, withoutHoliday } from './schedule-edit.ts';
import type { Schedule } from './types.ts';

const ALL = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
// Friday 2026-12-25 12:00 UTC.
const CHRISTMAS_NOON = Date.UTC(2026, 11, 25, 12, 0);

describe('editing a schedule in the simple editors', () => {
  it('replaces the first window and keeps the windows, ranges and holidays it does not show (a Matter or hub schedule)', () => {
    const hub: Schedule = {
      timeZone: 'Europe/London',
      windows: [{ days: ['mon'], start: '08:00', end: '12:00' }, { days: ['sat'], start: '09:00', end: '10:00' }],
      ranges: [{ from: '2026-01-01', to: '2026-12-31' }],
      exceptions: [{ date: '2026-12-25', kind: 'closed', note: 'Christmas' }],
    };
    expect(withFirstWindow(hub, { days: ['fri'], start: '07:00', end: '19:00' }, 'UTC')).toEqual({
      timeZone: 'UTC',
      windows: [{ days: ['fri'], start: '07:00', end: '19:00' }, { days: ['sat'], start: '09:00', end: '10:00' }],
      ranges: [{ from: '2026-01-01', to: '2026-12-31' }],
      exceptions: [{ date: '2026-12-25', kind: 'closed', note: 'Christmas' }],
    });
    expect(withFirstWindow(null, { days: ['mon'], start: '08:00', end: '18:00' }, 'UTC')).toEqual({ timeZone: 'UTC', windows: [{ days: ['mon'], start: '08:00', end: '18:00' }] });
  });

  it('a holiday added closes that date at the door, one per date in date order, and removing it opens it again', () => {
    const everyDay: Schedule = { timeZone: 'UTC', windows: [{ days: [...ALL], start: '00:00', end: '24:00' }] };
    expect(checkSchedule(everyDay, CHRISTMAS_NOON).inside).toBe(true);
    const closed = withHoliday(withHoliday(everyDay, { date: '2026-12-31', kind: 'closed' }), { date: '2026-12-25', kind: 'closed', note: 'Christmas' });
    expect(closed.exceptions?.map((e) => e.date)).toEqual(['2026-12-25', '2026-12-31']);
    expect(checkSchedule(closed, CHRISTMAS_NOON)).toEqual({ inside: false, why: 'closedDate' });
    const shortDay = withHoliday(closed, { date: '2026-12-25', kind: 'open', spans: [{ start: '10:00', end: '11:00' }] });
    expect(shortDay.exceptions).toHaveLength(2);
    expect(checkSchedule(shortDay, CHRISTMAS_NOON).inside).toBe(false);
    expect(checkSchedule(shortDay, Date.UTC(2026, 11, 25, 10, 30)).inside).toBe(true);
    const back = withoutHoliday(withoutHoliday(closed, '2026-12-25'), '2026-12-31');
    expect(back).toEqual(everyDay);
    expect(checkSchedule(back, CHRISTMAS_NOON).inside).toBe(true);
  });

  it('says a holiday in the words the lists show', () => {
    expect(holidayText({ date: '2026-12-25', kind: 'closed', note: 'Christmas' })).toBe('2026-12-25 closed (Christmas)');
    expect(holidayText({ date: '2026-12-27', kind: 'open', spans: [{ start: '10:00', end: '14:00' }] })).toBe('2026-12-27 open 10:00–14:00');
    expect(holidayText({ date: '2026-12-28', kind: 'open' })).toBe('2026-12-28 open all day');
  });
});
