import { describe, expect, it } from 'vitest';
import { at, attempt, doorEvent } from '../../tests/support/insight/fixtures.ts';
import {
  createDoorSignals,
  createPersonSignals,
  DEFAULT_SIGNAL_KNOBS as K,
  fastGaps,
  isSpoof,
  loiteringMs,
  observeAttemptSignals,
  observeDoorSignals,
  streak,
  unknownCompanions,
} from './door-signals.ts';

const wrongPin = (t: number) => attempt(t, { personId: null, credential: 'pin', outcome: 'deny', reasons: ['pinWrong'] });

describe('door signals', () => {
  it('counts a refusal streak that a grant ends and time forgets', () => {
    const d = createDoorSignals('front');
    const t0 = at(1, 0, 12);
    for (let i = 0; i < 4; i++) observeAttemptSignals(d, undefined, wrongPin(t0 + i * 10_000), K);
    expect(streak(d.refusals, t0 + 40_000, K)).toBe(4);
    expect(streak(d.refusals, t0 + K.failureWindowMs + 60_000, K)).toBe(0);
    observeAttemptSignals(d, undefined, attempt(t0 + 50_000), K);
    expect(streak(d.refusals, t0 + 60_000, K)).toBe(0);
  });

  it('keeps per-person refusals and spoofs', () => {
    const d = createDoorSignals('front');
    const p = createPersonSignals();
    observeAttemptSignals(d, p, attempt(at(1, 0, 12), { outcome: 'deny', liveness: 0.1, reasons: ['spoofSuspected'] }), K);
    expect(p.refusals).toHaveLength(1);
    expect(p.lastSpoofAt).toBe(at(1, 0, 12));
    expect(d.lastSpoofAt).toBe(at(1, 0, 12));
  });

  it('recognises a spoof by reason or by a low passive liveness', () => {
    expect(isSpoof({ reasons: ['spoofSuspected'], liveness: null }, K)).toBe(true);
    expect(isSpoof({ reasons: [], liveness: 0.2 }, K)).toBe(true);
    expect(isSpoof({ reasons: [], liveness: 0.6 }, K)).toBe(false);
  });

  it('flags attempts faster than a person, but only recent ones', () => {
    const d = createDoorSignals('front');
    const t0 = at(1, 0, 12);
    for (let i = 0; i < 4; i++) observeAttemptSignals(d, undefined, wrongPin(t0 + i * 600), K);
    expect(fastGaps(d, t0 + 2_400, K)).toBeGreaterThanOrEqual(3);
    expect(fastGaps(d, t0 + 3_600_000, K)).toBe(0);
    const slow = createDoorSignals('front');
    for (let i = 0; i < 4; i++) observeAttemptSignals(slow, undefined, wrongPin(t0 + i * 5_000), K);
    expect(fastGaps(slow, t0 + 20_000, K)).toBe(0);
  });

  it('times an unknown face lingering, and forgets it once they ring', () => {
    const d = createDoorSignals('front');
    const t0 = at(1, 0, 2);
    for (let i = 0; i < 5; i++) observeAttemptSignals(d, undefined, attempt(t0 + i * 40_000, { personId: null, outcome: 'ring' }), K);
    expect(loiteringMs(d, t0 + 160_000, K)).toBe(160_000);
    expect(loiteringMs(d, t0 + 160_000 + K.episodeGapMs + 1, K)).toBe(0);
    observeDoorSignals(d, doorEvent(t0 + 170_000, 'bell'));
    expect(loiteringMs(d, t0 + 170_000, K)).toBe(0);
  });

  it('measures open durations and keeps the first opening', () => {
    const d = createDoorSignals('front');
    expect(observeDoorSignals(d, doorEvent(1_000, 'opened'))).toBeNull();
    observeDoorSignals(d, doorEvent(3_000, 'opened'));
    expect(observeDoorSignals(d, doorEvent(9_000, 'closed'))).toBe(8_000);
    expect(d.openedAt).toBeNull();
    observeDoorSignals(d, doorEvent(10_000, 'forced'));
    expect(d.lastForcedAt).toBe(10_000);
  });

  it('counts unknown faces beside the subject', () => {
    expect(unknownCompanions(attempt(0, { faces: 1 }))).toBe(0);
    expect(unknownCompanions(attempt(0, { faces: 2, knownFaces: 1 }))).toBe(1);
    expect(unknownCompanions(attempt(0, { faces: 2, knownFaces: 2 }))).toBe(0);
    expect(unknownCompanions(attempt(0, { personId: null, faces: 2 }))).toBe(1);
  });

  it('keeps its lists bounded under a flood', () => {
    const d = createDoorSignals('front');
    for (let i = 0; i < 10_000; i++) observeAttemptSignals(d, undefined, wrongPin(i * 100), K);
    expect(d.refusals.length).toBeLessThanOrEqual(K.maxRecent);
    expect(d.attempts.length).toBeLessThanOrEqual(K.maxRecent);
  });
});
