import { describe, expect, it } from 'vitest';
import { createAlertState, DEFAULT_ALERT_KNOBS as K, doorLeftOpen, flushDeferred, missedArrivals, panelSilent, raise, watchedSlots, type AlertDraft } from './alerts.ts';
import { createDoorSignals } from './door-signals.ts';
import { createRhythm, DEFAULT_RHYTHM_KNOBS, observeActivity, observeOpenDuration } from './door-rhythm.ts';
import { at } from '../../tests/support/insight/fixtures.ts';
import { createHabit, DEFAULT_HABIT_KNOBS, observeEntry } from './habits.ts';

const draft = (code: AlertDraft['code'], time: number, key: string = code): AlertDraft => ({ code, at: time, doorId: 'front', personId: null, key, detail: '' });

describe('alert delivery', () => {
  it('raises one alert per key within the cooldown', () => {
    const s = createAlertState();
    expect(raise(s, draft('bruteForce', at(1, 0, 12)), K)).not.toBeNull();
    expect(raise(s, draft('bruteForce', at(1, 0, 12, 10)), K)).toBeNull();
    expect(raise(s, draft('bruteForce', at(1, 0, 13)), K)).not.toBeNull();
  });

  it('respects quiet hours: critical now, the rest when they end', () => {
    const s = createAlertState();
    const night = at(1, 0, 23);
    expect(raise(s, draft('forcedDoor', night), K)).toMatchObject({ deferred: false, severity: 'critical' });
    expect(raise(s, draft('doorLeftOpen', night), K)).toMatchObject({ deferred: true, severity: 'warning' });
    expect(flushDeferred(s, at(1, 1, 3), K)).toEqual([]);
    expect(flushDeferred(s, at(1, 1, 7, 5), K).map((a) => a.code)).toEqual(['doorLeftOpen']);
    expect(flushDeferred(s, at(1, 1, 8), K)).toEqual([]);
  });

  it('holds no more than maxDeferred over a long night', () => {
    const s = createAlertState();
    for (let i = 0; i < 300; i++) raise(s, draft('doorLeftOpen', at(1, 0, 23) + i * 1000, `k${i}`), K);
    expect(s.deferred.length).toBe(K.maxDeferred);
  });
});

describe('time-driven detectors', () => {
  it('a door open far longer than usual', () => {
    const d = createDoorSignals('front');
    d.openedAt = at(1, 0, 12);
    expect(doorLeftOpen(d, undefined, at(1, 0, 12, 2), K)).toBeNull();
    expect(doorLeftOpen(d, undefined, at(1, 0, 12, 6), K)).toMatchObject({ code: 'doorLeftOpen', doorId: 'front' });
    d.openedAt = null;
    expect(doorLeftOpen(d, undefined, at(1, 0, 13), K)).toBeNull();
  });

  it('a door often held for minutes gets more slack, but one left open is still reported', () => {
    const rhythm = createRhythm('front', at(0, 0, 0));
    for (let i = 0; i < 60; i++) observeOpenDuration(rhythm, at(0, 0, 8) + i * 3_600_000, 4 * 60_000, DEFAULT_RHYTHM_KNOBS);
    const d = createDoorSignals('front');
    d.openedAt = at(1, 0, 12);
    expect(doorLeftOpen(d, rhythm, at(1, 0, 12, 6), K)).toBeNull(); // past the 5 min floor, within its usual slack
    expect(doorLeftOpen(d, rhythm, at(1, 0, 12, 9), K)).toMatchObject({ code: 'doorLeftOpen', detail: 'open for 9 min' });
  });

  it('a usually busy door gone silent, but not a quiet one', () => {
    const rhythm = createRhythm('front', at(0, 0, 0));
    for (let w = 0; w < 3; w++) for (let d = 0; d < 7; d++) for (let h = 7; h < 22; h++) observeActivity(rhythm, at(w, d, h), DEFAULT_RHYTHM_KNOBS);
    const d = createDoorSignals('front');
    d.lastEventAt = at(3, 0, 8);
    expect(panelSilent(d, rhythm, at(3, 0, 12), DEFAULT_RHYTHM_KNOBS, K)).toBeNull(); // too short
    expect(panelSilent(d, rhythm, at(3, 0, 20), DEFAULT_RHYTHM_KNOBS, K)).toMatchObject({ code: 'panelSilent' });
    d.lastEventAt = at(3, 0, 22);
    expect(panelSilent(d, rhythm, at(3, 1, 6, 30), DEFAULT_RHYTHM_KNOBS, K)).toBeNull(); // a night
  });

  it('the carer who always comes on Tuesday at 9 and did not', () => {
    const carer = createHabit('carer', at(0, 1, 9));
    for (let w = 0; w < 5; w++) observeEntry(carer, at(w, 1, 9, 5), 'guestKey', DEFAULT_HABIT_KNOBS);
    const check = (now: number) => missedArrivals(carer, watchedSlots(carer, now, DEFAULT_HABIT_KNOBS, K), now, K);
    expect(check(at(5, 1, 10))).toEqual([]); // not yet due
    const missed = check(at(5, 1, 12));
    expect(missed).toHaveLength(1);
    expect(missed[0]).toMatchObject({ code: 'expectedArrivalMissed', personId: 'carer' });
    expect(missed[0]?.detail).toContain('Tuesday');
    observeEntry(carer, at(5, 1, 9, 50), 'guestKey', DEFAULT_HABIT_KNOBS);
    expect(check(at(5, 1, 12))).toEqual([]); // came late, still within the window
  });
});
