import { describe, expect, it } from 'vitest';
import { at } from '../../tests/support/insight/fixtures.ts';
import {
  busyAndQuietHours,
  createRhythm,
  DEFAULT_RHYTHM_KNOBS as K,
  expectedAttempts,
  observeActivity,
  observeOpenDuration,
  openDurationQuantile,
  quietTail,
  rhythmKnown,
} from './door-rhythm.ts';

function officeDoor() {
  const r = createRhythm('front', at(0, 0, 0));
  for (let w = 0; w < 4; w++) for (let d = 0; d < 5; d++) for (let h = 8; h < 18; h++) for (let i = 0; i < 3; i++) observeActivity(r, at(w, d, h, i * 15), K);
  return r;
}

describe('door rhythm', () => {
  it('knows busy and quiet hours once it has enough history', () => {
    const r = officeDoor();
    expect(rhythmKnown(r, at(1, 0, 0), K)).toBe(false);
    expect(rhythmKnown(r, at(4, 0, 0), K)).toBe(true);
    expect(quietTail(r, at(4, 2, 3))).toBe(0);
    expect(quietTail(r, at(4, 2, 12))).toBeGreaterThan(0.5);
    const { busy, quiet } = busyAndQuietHours(r, 3);
    for (const b of busy) expect(b % 24).toBeGreaterThanOrEqual(8);
    for (const b of quiet) expect(b >= 120 || b % 24 < 8 || b % 24 >= 18).toBe(true);
  });

  it('expects about three attempts an hour in office hours and none at night', () => {
    const r = officeDoor();
    const now = at(4, 0, 0);
    expect(expectedAttempts(r, at(4, 1, 9), at(4, 1, 12), now, K)).toBeGreaterThan(5);
    expect(expectedAttempts(r, at(4, 1, 0), at(4, 1, 6), now, K)).toBe(0);
  });

  it('learns the usual open duration', () => {
    const r = createRhythm('front', at(0, 0, 0));
    expect(openDurationQuantile(r, 0.5)).toBeNull();
    for (let i = 0; i < 99; i++) observeOpenDuration(r, at(0, 0, 9) + i * 60_000, 5_000, K);
    observeOpenDuration(r, at(0, 0, 12), 200_000, K);
    expect(openDurationQuantile(r, 0.5)).toBe(8_000);
    expect(openDurationQuantile(r, 0.999)).toBeGreaterThanOrEqual(200_000);
  });
});
