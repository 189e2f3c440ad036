import { describe, expect, it } from 'vitest';
import { checkSchedule } from '../../src/access/schedule.ts';
import type { Schedule } from '../../src/access/types.ts';
import { NO_SLOTS, rangeOf, scheduleOf, slotsOf, weekDayProblem, yearDayOf, type Slots, type WeekDayEntry } from './schedules.ts';

const weekdays9to17: WeekDayEntry = { daysMask: { monday: true, tuesday: true, wednesday: true, thursday: true, friday: true }, startHour: 9, startMinute: 0, endHour: 17, endMinute: 30 };
/** Matter local time as matter.js gives it: Unix seconds of the door's wall clock (here UTC). */
const matterSeconds = (iso: string) => Date.parse(iso) / 1000;
const at = (iso: string) => Date.parse(iso);

describe('Matter week-day schedules as Doorward access times', () => {
  it('maps a week-day schedule to a weekly window in the panel zone, which grants inside it and refuses outside', () => {
    const schedule = scheduleOf({ week: { 1: weekdays9to17 }, year: {} }, 'Europe/Berlin');
    expect(schedule).toEqual({ timeZone: 'Europe/Berlin', windows: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '17:30' }] });
    // 2026-03-02 is a Monday; Berlin is UTC+1 then.
    expect(checkSchedule(schedule!, at('2026-03-02T08:30:00Z'))).toEqual({ inside: true });
    expect(checkSchedule(schedule!, at('2026-03-02T16:30:00Z'))).toEqual({ inside: false, why: 'outsideWindows' });
    expect(checkSchedule(schedule!, at('2026-03-07T10:00:00Z'))).toEqual({ inside: false, why: 'outsideWindows' });
  });

  it('gives no schedule (the role default) when a user has none left', () => {
    expect(scheduleOf(NO_SLOTS, 'UTC')).toBeNull();
  });

  it.each([
    ['no day', { ...weekdays9to17, daysMask: {} }],
    ['an end before the start', { ...weekdays9to17, endHour: 8 }],
    ['an end equal to the start', { ...weekdays9to17, endHour: 9, endMinute: 0 }],
    ['hour 24', { ...weekdays9to17, endHour: 24 }],
    ['minute 60', { ...weekdays9to17, startMinute: 60 }],
  ])('refuses a week-day schedule with %s', (_what, entry) => {
    expect(weekDayProblem(entry)).not.toBeNull();
  });
});

describe('Matter year-day schedules as Doorward date ranges', () => {
  it('maps whole local days (ending at 23:59:59 or at the next midnight) to an inclusive date range', () => {
    expect(rangeOf({ localStartTime: matterSeconds('2026-07-01T00:00:00Z'), localEndTime: matterSeconds('2026-07-14T23:59:59Z') })).toEqual({ from: '2026-07-01', to: '2026-07-14' });
    expect(rangeOf({ localStartTime: matterSeconds('2026-07-01T00:00:00Z'), localEndTime: matterSeconds('2026-07-15T00:00:00Z') })).toEqual({ from: '2026-07-01', to: '2026-07-14' });
    expect(yearDayOf({ from: '2026-07-01', to: '2026-07-14' })).toEqual({ localStartTime: matterSeconds('2026-07-01T00:00:00Z'), localEndTime: matterSeconds('2026-07-14T23:59:59Z') });
  });

  it('refuses a year-day schedule that is not whole days: Doorward access dates have no time of day', () => {
    expect(rangeOf({ localStartTime: matterSeconds('2026-07-01T09:00:00Z'), localEndTime: matterSeconds('2026-07-14T23:59:59Z') })).toEqual({ problem: expect.stringMatching(/whole days/) });
    expect(rangeOf({ localStartTime: matterSeconds('2026-07-01T00:00:00Z'), localEndTime: matterSeconds('2026-07-14T18:00:00Z') })).toEqual({ problem: expect.stringMatching(/whole days/) });
    expect(rangeOf({ localStartTime: matterSeconds('2026-07-02T00:00:00Z'), localEndTime: matterSeconds('2026-07-01T00:00:00Z') })).toEqual({ problem: expect.any(String) });
    expect(rangeOf({ localStartTime: 86_400, localEndTime: 2 * 86_400 })).toEqual({ problem: expect.any(String) }); // 1970: before Matter's time
  });

  it('a year-day alone opens every hour of its days; with a week-day both must hold, as Matter says for a schedule-restricted user', () => {
    const july = { localStartTime: matterSeconds('2026-07-01T00:00:00Z'), localEndTime: matterSeconds('2026-07-14T23:59:59Z') };
    const alone = scheduleOf({ week: {}, year: { 1: july } }, 'UTC')!;
    expect(checkSchedule(alone, at('2026-07-04T03:00:00Z'))).toEqual({ inside: true });
    expect(checkSchedule(alone, at('2026-07-15T03:00:00Z'))).toEqual({ inside: false, why: 'outsideDateRange' });
    const both = scheduleOf({ week: { 1: weekdays9to17 }, year: { 1: july } }, 'UTC')!;
    expect(checkSchedule(both, at('2026-07-06T10:00:00Z'))).toEqual({ inside: true }); // a Monday in range
    expect(checkSchedule(both, at('2026-07-04T10:00:00Z'))).toEqual({ inside: false, why: 'outsideWindows' }); // a Saturday in range
    expect(checkSchedule(both, at('2026-07-20T10:00:00Z'))).toEqual({ inside: false, why: 'outsideDateRange' }); // a Monday after it
  });
});

describe('reading a user\'s Matter schedules back from the panel', () => {
  const slots: Slots = { week: { 3: weekdays9to17 }, year: {} };

  it('keeps the indices the controller chose while the panel still has exactly that schedule', () => {
    const onPanel = scheduleOf(slots, 'UTC');
    expect(slotsOf(onPanel, slots, 'UTC')).toBe(slots);
    // Days stored in another order are the same access times.
    expect(slotsOf({ timeZone: 'UTC', windows: [{ days: ['fri', 'thu', 'wed', 'tue', 'mon'], start: '09:00', end: '17:30' }] }, slots, 'UTC')).toBe(slots);
  });

  it('numbers afresh from the panel once an admin changed the times there', () => {
    const changed: Schedule = { timeZone: 'UTC', windows: [{ days: ['sat'], start: '10:00', end: '12:00' }], ranges: [{ from: '2026-01-01', to: '2026-12-31' }] };
    expect(slotsOf(changed, slots, 'UTC')).toEqual({ week: { 1: { daysMask: { saturday: true }, startHour: 10, startMinute: 0, endHour: 12, endMinute: 0 } }, year: { 1: yearDayOf({ from: '2026-01-01', to: '2026-12-31' }) } });
    expect(slotsOf(null, slots, 'UTC')).toEqual(NO_SLOTS);
  });

  it('shows nothing (and lets nothing overwrite) a schedule Matter cannot express', () => {
    const night: Schedule = { timeZone: 'UTC', windows: [{ days: ['fri'], start: '22:00', end: '06:00' }] };
    expect(slotsOf(night, undefined, 'UTC')).toBeNull();
    expect(slotsOf({ timeZone: 'UTC', windows: [{ days: ['mon'], start: '09:00', end: '24:00' }] }, undefined, 'UTC')).toBeNull();
    expect(slotsOf({ timeZone: 'UTC', windows: [{ days: ['mon'], start: '09:00', end: '17:00' }], exceptions: [{ date: '2026-12-25', kind: 'closed' }] }, undefined, 'UTC')).toBeNull();
    expect(slotsOf({ timeZone: 'Asia/Tokyo', windows: [{ days: ['mon'], start: '09:00', end: '17:00' }] }, undefined, 'UTC')).toBeNull();
  });
});
