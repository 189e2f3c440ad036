import { describe, expect, it } from 'vitest';
import { at } from '../../tests/support/insight/fixtures.ts';
import {
  createHabit,
  credentialShare,
  DEFAULT_HABIT_KNOBS as K,
  habitDensity,
  heatMap,
  hourTail,
  isColdStart,
  observeEntry,
  regularSlots,
  weeklyRate,
  type HabitModel,
} from './habits.ts';
import { HOURS_PER_WEEK } from './time.ts';

/** Weekdays at `hour` for `weeks` weeks starting at `fromWeek`. */
function commute(model: HabitModel, fromWeek: number, weeks: number, hour: number): void {
  for (let w = fromWeek; w < fromWeek + weeks; w++) for (let d = 0; d < 5; d++) observeEntry(model, at(w, d, hour, (d * 7) % 30), 'face', K);
}

describe('habit model', () => {
  it('is in cold start until it has enough visits over enough days', () => {
    const m = createHabit('alice', at(0, 0, 0));
    expect(isColdStart(undefined, at(5, 0, 0), K)).toBe(true);
    commute(m, 0, 1, 18);
    expect(isColdStart(m, at(1, 0, 0), K)).toBe(true); // 5 visits but only a week of history
    commute(m, 1, 1, 18);
    expect(isColdStart(m, at(2, 0, 0), K)).toBe(false);
  });

  it('counts a retry minutes later as the same visit', () => {
    const m = createHabit('alice', at(0, 0, 0));
    expect(observeEntry(m, at(0, 0, 18), 'face', K)).toBe(true);
    expect(observeEntry(m, at(0, 0, 18, 2), 'pin', K)).toBe(false);
    expect(observeEntry(m, at(0, 0, 19), 'face', K)).toBe(true);
    expect(m.visits).toBe(2);
  });

  it('calls the usual hour usual and 3 am unusual', () => {
    const m = createHabit('alice', at(0, 0, 0));
    commute(m, 0, 4, 18);
    expect(hourTail(m, at(4, 2, 18, 10), K)).toBeGreaterThan(0.5);
    // A weekday at 18 generalises to the same hour on another weekday.
    expect(hourTail(m, at(4, 3, 17, 40), K)).toBeGreaterThan(0.2);
    expect(hourTail(m, at(4, 2, 3), K)).toBeLessThan(0.01);
    const density = habitDensity(m, K);
    expect(density).toHaveLength(HOURS_PER_WEEK);
    expect(density.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
  });

  it('learns a new job within two weeks (recency decay)', () => {
    const m = createHabit('alice', at(0, 0, 0));
    commute(m, 0, 8, 18);
    const newHour = at(8, 2, 14);
    expect(hourTail(m, newHour, K)).toBeLessThan(0.02);
    commute(m, 8, 2, 14);
    expect(hourTail(m, at(10, 2, 14), K)).toBeGreaterThan(0.1);
  });

  it('keeps a fixed size however long the history', () => {
    const m = createHabit('alice', at(0, 0, 0));
    commute(m, 0, 200, 8);
    expect(m.bins).toHaveLength(HOURS_PER_WEEK);
    expect(m.visits).toBe(1000);
    // Decayed mass converges instead of growing with history.
    expect(m.mass).toBeLessThan(5 * 10 / Math.LN2 + 5);
  });

  it('tracks the credential mix', () => {
    const m = createHabit('alice', at(0, 0, 0));
    for (let i = 0; i < 19; i++) observeEntry(m, at(0, 0, 0) + i * 3_600_000, 'face', K);
    observeEntry(m, at(0, 0, 0) + 19 * 3_600_000, 'pin', K);
    expect(credentialShare(m, 'pin')).toBeCloseTo(0.05, 1);
    expect(credentialShare(m, 'guestKey')).toBe(0);
  });

  it('estimates a weekly visitor at about once a week and finds the slot', () => {
    const carer = createHabit('carer', at(0, 1, 9));
    for (let w = 0; w < 6; w++) observeEntry(carer, at(w, 1, 9, 5), 'guestKey', K);
    const now = at(6, 1, 7); // the Tuesday after, before the visit
    const tuesday9 = 24 + 9;
    expect(weeklyRate(carer, tuesday9, now, K)).toBeGreaterThan(0.9);
    expect(weeklyRate(carer, tuesday9, now, K)).toBeLessThan(1.1);
    expect(regularSlots(carer, now, K, 0.7).map((s) => s.bin)).toEqual([tuesday9]);
    expect(heatMap(carer, now, K)[tuesday9]).toBeGreaterThan(0.5);
  });
});
