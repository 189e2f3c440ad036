import { describe, expect, it } from 'vitest';
import { checkSchedule, isLocalDate, localTime, parseClock, scheduleProblems } from './schedule.ts';
import type { Schedule, Weekday } from './types.ts';

const at = (iso: string) => Date.parse(iso);
const EVERY_DAY: Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const WEEKDAYS: Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri'];

const officeLondon: Schedule = {
  timeZone: 'Europe/London',
  windows: [{ days: WEEKDAYS, start: '08:00', end: '17:00' }],
};
const fridayNightNewYork: Schedule = {
  timeZone: 'America/New_York',
  windows: [{ days: ['fri'], start: '22:00', end: '06:00' }],
};

describe('localTime', () => {
  it.each([
    ['2025-01-01T00:00:00Z', 'Asia/Kolkata', { date: '2025-01-01', weekday: 'wed', minute: 5 * 60 + 30 }],
    ['2025-01-01T00:00:00Z', 'America/New_York', { date: '2024-12-31', weekday: 'tue', minute: 19 * 60 }],
    ['2025-07-01T00:00:00Z', 'America/New_York', { date: '2025-06-30', weekday: 'mon', minute: 20 * 60 }],
    ['2025-06-30T23:30:00Z', 'Europe/London', { date: '2025-07-01', weekday: 'tue', minute: 30 }],
    ['2025-03-30T12:00:00Z', 'UTC', { date: '2025-03-30', weekday: 'sun', minute: 12 * 60 }],
  ] as const)('%s in %s', (iso, zone, expected) => {
    expect(localTime(at(iso), zone)).toEqual(expected);
  });

  it('returns null for an unknown zone or a non-finite instant', () => {
    expect(localTime(0, 'Mars/Olympus_Mons')).toBeNull();
    expect(localTime(Number.NaN, 'UTC')).toBeNull();
  });
});

describe('checkSchedule', () => {
  const cases: [string, Schedule, string, boolean][] = [
    // London office hours before and after the spring change (GMT -> BST on 30 March 2025)
    ['GMT: opens at 08:00 local = 08:00Z', officeLondon, '2025-03-28T08:00:00Z', true],
    ['GMT: closed at 07:59Z', officeLondon, '2025-03-28T07:59:00Z', false],
    ['BST: opens at 08:00 local = 07:00Z', officeLondon, '2025-03-31T07:00:00Z', true],
    ['BST: closed at 06:59Z', officeLondon, '2025-03-31T06:59:00Z', false],
    ['BST: closes at 17:00 local = 16:00Z', officeLondon, '2025-03-31T16:00:00Z', false],
    ['BST: open at 16:59 local', officeLondon, '2025-03-31T15:59:00Z', true],
    ['weekend is closed', officeLondon, '2025-03-29T10:00:00Z', false],
    // Friday 22:00 -> Saturday 06:00 in New York
    ['Friday 21:59 local is before the window', fridayNightNewYork, '2025-01-11T02:59:00Z', false],
    ['Friday 22:00 local opens', fridayNightNewYork, '2025-01-11T03:00:00Z', true],
    ['Saturday 03:00 local is in the spill', fridayNightNewYork, '2025-01-11T08:00:00Z', true],
    ['Saturday 05:59 local still open', fridayNightNewYork, '2025-01-11T10:59:00Z', true],
    ['Saturday 06:00 local closes', fridayNightNewYork, '2025-01-11T11:00:00Z', false],
    ['Sunday 03:00 local: Saturday has no window', fridayNightNewYork, '2025-01-12T08:00:00Z', false],
    ['Friday 03:00 local: Thursday has no window', fridayNightNewYork, '2025-01-10T08:00:00Z', false],
  ];
  it.each(cases)('%s', (_name, schedule, iso, inside) => {
    expect(checkSchedule(schedule, at(iso)).inside).toBe(inside);
  });

  describe('across DST changes', () => {
    // New York springs forward on Sunday 9 March 2025 at 02:00 EST -> 03:00 EDT.
    const saturdayNight: Schedule = {
      timeZone: 'America/New_York',
      windows: [{ days: ['sat'], start: '22:00', end: '06:00' }],
    };
    it.each([
      ['Saturday 22:00 EST', '2025-03-09T03:00:00Z', true],
      ['Sunday 01:59 EST', '2025-03-09T06:59:00Z', true],
      ['Sunday 03:00 EDT, straight after the jump', '2025-03-09T07:00:00Z', true],
      ['Sunday 05:59 EDT', '2025-03-09T09:59:00Z', true],
      // A fixed -05:00 offset would read 05:00 here and wrongly keep the door open.
      ['Sunday 06:00 EDT closes', '2025-03-09T10:00:00Z', false],
    ])('New York spring forward, night window: %s', (_name, iso, inside) => {
      expect(checkSchedule(saturdayNight, at(iso)).inside).toBe(inside);
    });

    // New York falls back on Sunday 2 November 2025 at 02:00 EDT -> 01:00 EST: 01:xx happens twice.
    const earlySunday: Schedule = { timeZone: 'America/New_York', windows: [{ days: ['sun'], start: '01:00', end: '02:00' }] };
    it.each([
      ['00:59 EDT', '2025-11-02T04:59:00Z', false],
      ['first 01:30 (EDT)', '2025-11-02T05:30:00Z', true],
      ['second 01:30 (EST)', '2025-11-02T06:30:00Z', true],
      ['02:00 EST', '2025-11-02T07:00:00Z', false],
    ])('New York fall back, repeated hour: %s', (_name, iso, inside) => {
      expect(checkSchedule(earlySunday, at(iso)).inside).toBe(inside);
    });

    // London springs forward on Sunday 30 March 2025 at 01:00 GMT -> 02:00 BST: 01:xx never happens.
    const skipped: Schedule = { timeZone: 'Europe/London', windows: [{ days: ['sun'], start: '01:00', end: '03:00' }] };
    it.each([
      ['00:59 GMT', '2025-03-30T00:59:00Z', false],
      ['02:00 BST, the first minute that exists', '2025-03-30T01:00:00Z', true],
      ['02:59 BST', '2025-03-30T01:59:00Z', true],
      ['03:00 BST', '2025-03-30T02:00:00Z', false],
    ])('London spring forward, skipped hour: %s', (_name, iso, inside) => {
      expect(checkSchedule(skipped, at(iso)).inside).toBe(inside);
    });

    // London falls back on Sunday 26 October 2025: a 22:00-06:00 night is an hour longer in UTC.
    const londonNight: Schedule = { timeZone: 'Europe/London', windows: [{ days: ['sat'], start: '22:00', end: '06:00' }] };
    it.each([
      ['Saturday 21:59 BST', '2025-10-25T20:59:00Z', false],
      ['Saturday 22:00 BST', '2025-10-25T21:00:00Z', true],
      ['Sunday 05:59 GMT', '2025-10-26T05:59:00Z', true],
      ['Sunday 06:00 GMT', '2025-10-26T06:00:00Z', false],
    ])('London fall back, night window: %s', (_name, iso, inside) => {
      expect(checkSchedule(londonNight, at(iso)).inside).toBe(inside);
    });
  });

  describe('date ranges', () => {
    // Tokyo is 9 hours ahead, so the local date flips at 15:00Z: the range must use the local date.
    const june: Schedule = {
      timeZone: 'Asia/Tokyo',
      windows: [{ days: EVERY_DAY, start: '00:00', end: '24:00' }],
      ranges: [{ from: '2025-06-01', to: '2025-06-30' }],
    };
    it('is inclusive at both ends in local dates', () => {
      expect(checkSchedule(june, at('2025-05-31T15:00:00Z')).inside).toBe(true); // 1 June 00:00 JST
      expect(checkSchedule(june, at('2025-05-31T14:59:00Z'))).toEqual({ inside: false, why: 'outsideDateRange' });
      expect(checkSchedule(june, at('2025-06-30T14:59:00Z')).inside).toBe(true); // 30 June 23:59 JST
      expect(checkSchedule(june, at('2025-06-30T15:00:00Z'))).toEqual({ inside: false, why: 'outsideDateRange' });
    });

    it('cuts a night window at midnight when the range ends', () => {
      const lastNight: Schedule = {
        timeZone: 'UTC',
        windows: [{ days: ['mon'], start: '22:00', end: '06:00' }],
        ranges: [{ from: '2025-06-01', to: '2025-06-30' }],
      };
      expect(checkSchedule(lastNight, at('2025-06-30T23:00:00Z')).inside).toBe(true); // Monday
      expect(checkSchedule(lastNight, at('2025-07-01T03:00:00Z')).inside).toBe(false);
    });

    it('accepts any of several ranges', () => {
      const two: Schedule = { ...june, ranges: [{ from: '2025-06-01', to: '2025-06-02' }, { from: '2025-06-10', to: '2025-06-10' }] };
      expect(checkSchedule(two, at('2025-06-10T03:00:00Z')).inside).toBe(true);
      expect(checkSchedule(two, at('2025-06-05T03:00:00Z')).inside).toBe(false);
    });
  });

  describe('exceptions', () => {
    const christmas: Schedule = {
      timeZone: 'Europe/London',
      windows: [{ days: EVERY_DAY, start: '22:00', end: '06:00' }, { days: WEEKDAYS, start: '08:00', end: '17:00' }],
      exceptions: [
        { date: '2025-12-25', kind: 'closed', note: 'Christmas' },
        { date: '2025-12-27', kind: 'open', spans: [{ start: '10:00', end: '12:00' }] },
        { date: '2025-12-28', kind: 'open' },
      ],
    };
    it('a closed date shuts every window, including the night spilling into it', () => {
      expect(checkSchedule(christmas, at('2025-12-24T23:00:00Z')).inside).toBe(true);
      expect(checkSchedule(christmas, at('2025-12-25T03:00:00Z'))).toEqual({ inside: false, why: 'closedDate' });
      expect(checkSchedule(christmas, at('2025-12-25T10:00:00Z'))).toEqual({ inside: false, why: 'closedDate' });
    });
    it('an open date with spans replaces the weekly windows', () => {
      // Saturday 27th: only 10:00-12:00, not the nightly window.
      expect(checkSchedule(christmas, at('2025-12-27T10:30:00Z')).inside).toBe(true);
      expect(checkSchedule(christmas, at('2025-12-27T23:00:00Z')).inside).toBe(false);
      // Friday night's window still spills into the 27th's early hours.
      expect(checkSchedule(christmas, at('2025-12-27T03:00:00Z')).inside).toBe(true);
    });
    it('an open date without spans is open all day', () => {
      expect(checkSchedule(christmas, at('2025-12-28T13:00:00Z')).inside).toBe(true);
      expect(checkSchedule(christmas, at('2025-12-28T23:59:00Z')).inside).toBe(true);
    });
  });

  it('an empty window (start equals end) never opens', () => {
    const empty: Schedule = { timeZone: 'UTC', windows: [{ days: EVERY_DAY, start: '09:00', end: '09:00' }] };
    expect(checkSchedule(empty, at('2025-06-02T09:00:00Z')).inside).toBe(false);
    expect(checkSchedule(empty, at('2025-06-02T21:00:00Z')).inside).toBe(false);
  });

  it.each([
    ['an unknown zone', { timeZone: 'Nowhere/City', windows: [{ days: EVERY_DAY, start: '00:00', end: '24:00' }] }],
    ['a sloppy clock time', { timeZone: 'UTC', windows: [{ days: EVERY_DAY, start: '8:00', end: '17:00' }] }],
    ['a start of 24:00', { timeZone: 'UTC', windows: [{ days: EVERY_DAY, start: '24:00', end: '06:00' }] }],
    ['an impossible date', { timeZone: 'UTC', windows: [{ days: EVERY_DAY, start: '00:00', end: '24:00' }], ranges: [{ from: '2025-02-01', to: '2025-02-30' }] }],
    ['a window with no days', { timeZone: 'UTC', windows: [{ days: [], start: '00:00', end: '24:00' }] }],
    ['an unknown day', { timeZone: 'UTC', windows: [{ days: ['funday' as Weekday], start: '00:00', end: '24:00' }] }],
    ['a backwards range', { timeZone: 'UTC', windows: [{ days: EVERY_DAY, start: '00:00', end: '24:00' }], ranges: [{ from: '2025-03-01', to: '2025-02-01' }] }],
  ] as [string, Schedule][])('grants nothing with %s', (_name, schedule) => {
    expect(scheduleProblems(schedule).length).toBeGreaterThan(0);
    expect(checkSchedule(schedule, at('2025-02-10T12:00:00Z'))).toEqual({ inside: false, why: 'invalid' });
  });

  it('reports no problems for a valid schedule', () => {
    expect(scheduleProblems(officeLondon)).toEqual([]);
  });
});

describe('parsers', () => {
  it('parseClock is strict', () => {
    expect(parseClock('00:00')).toBe(0);
    expect(parseClock('23:59')).toBe(1439);
    expect(parseClock('24:00')).toBe(1440);
    for (const bad of ['24:01', '7:00', '07:60', '0700', ' 07:00', '07:00:00']) expect(parseClock(bad)).toBeNull();
  });
  it('isLocalDate rejects rolled-over dates', () => {
    expect(isLocalDate('2024-02-29')).toBe(true);
    expect(isLocalDate('2025-02-29')).toBe(false);
    expect(isLocalDate('2025-13-01')).toBe(false);
    expect(isLocalDate('25-01-01')).toBe(false);
  });
});
