import { describe, expect, it } from 'vitest';
import { adapt, DEFAULT_ADAPTIVE_KNOBS as A, toRiskHint } from './adaptive.ts';
import { createDoorSignals, createPersonSignals, DEFAULT_SIGNAL_KNOBS } from './door-signals.ts';
import { createRhythm, DEFAULT_RHYTHM_KNOBS, observeActivity } from './door-rhythm.ts';
import { at, attempt } from '../../tests/support/insight/fixtures.ts';
import { createHabit, DEFAULT_HABIT_KNOBS, observeEntry } from './habits.ts';
import { assessRisk, DEFAULT_RISK_KNOBS, type RiskContext } from './risk.ts';
import type { RiskAssessment } from './types.ts';

const config = { risk: DEFAULT_RISK_KNOBS, habits: DEFAULT_HABIT_KNOBS, rhythm: DEFAULT_RHYTHM_KNOBS, signals: DEFAULT_SIGNAL_KNOBS };

function aliceAtSix() {
  const habit = createHabit('alice', at(0, 0, 0));
  for (let w = 0; w < 4; w++) for (let d = 0; d < 5; d++) observeEntry(habit, at(w, d, 18, d * 5), 'face', DEFAULT_HABIT_KNOBS);
  return habit;
}

const ctx = (over: Partial<RiskContext> = {}): RiskContext => ({ timeZone: 'UTC', ...over });

describe('risk', () => {
  it('cold start: no history means no habit risk and hands-free entry', () => {
    const a = attempt(at(0, 2, 3));
    const r = assessRisk(a, ctx(), a.at, config);
    expect(r).toEqual({ score: 0, reasons: ['coldStart'], parts: { coldStart: 0 } });
    expect(adapt(a, r, A)).toEqual({ action: { kind: 'open' }, rule: 'coldStart', alert: false });
  });

  it('usual hour is low risk and unusual hour steps up to a PIN', () => {
    const habit = aliceAtSix();
    const usual = attempt(at(4, 1, 18, 10));
    const r1 = assessRisk(usual, ctx({ habit }), usual.at, config);
    expect(r1.score).toBe(0);
    expect(r1.reasons).toEqual(['usualHour']);
    expect(adapt(usual, r1, A).action).toEqual({ kind: 'open' });

    const night = attempt(at(4, 1, 3));
    const r2 = assessRisk(night, ctx({ habit }), night.at, config);
    expect(r2.reasons).toContain('unusualHour');
    expect(r2.score).toBeGreaterThanOrEqual(A.stepUpAt);
    expect(r2.score).toBeLessThan(A.refuseAt);
    expect(adapt(night, r2, A)).toMatchObject({ action: { kind: 'stepUp', factor: 'pin' }, rule: 'elevatedRisk' });
  });

  it('weighs a bearer credential at an odd hour more than a face, and notes a rare credential', () => {
    const habit = aliceAtSix();
    const face = attempt(at(4, 1, 3));
    const key = attempt(at(4, 1, 3), { credential: 'guestKey' });
    const rf = assessRisk(face, ctx({ habit }), face.at, config);
    const rk = assessRisk(key, ctx({ habit }), key.at, config);
    expect(rk.score).toBeGreaterThan(rf.score);
    expect(rk.reasons).toContain('unusualCredential');
    expect(adapt(key, rk, A).action).toEqual({ kind: 'stepUp', factor: 'pin' });
  });

  it('a spoof or a run of refusals at the door weighs on the next face for one visit only; a PIN pad remembers longer', () => {
    const door = createDoorSignals('front');
    const t = at(2, 1, 10);
    door.lastSpoofAt = t;
    door.refusals = [t - 60_000, t - 30_000, t];
    const faceSoon = attempt(t + 60_000);
    const soon = assessRisk(faceSoon, ctx({ door }), faceSoon.at, config);
    expect(soon.reasons).toEqual(expect.arrayContaining(['recentSpoof', 'failureStreak']));
    const faceLater = attempt(t + DEFAULT_SIGNAL_KNOBS.visitWindowMs + 60_000);
    const later = assessRisk(faceLater, ctx({ door }), faceLater.at, config);
    expect(later.reasons).not.toContain('recentSpoof');
    expect(later.reasons).not.toContain('failureStreak');
    expect(later.score).toBeLessThan(A.stepUpAt);
    const pinLater = attempt(t + 5 * 60_000, { credential: 'pin' });
    expect(assessRisk(pinLater, ctx({ door }), pinLater.at, config).reasons).toEqual(expect.arrayContaining(['recentSpoof', 'failureStreak']));
  });

  it('never restricts the exit button or a remote command', () => {
    const door = createDoorSignals('front');
    door.lastForcedAt = at(1, 0, 3);
    for (const credential of ['exitButton', 'remote'] as const) {
      const a = attempt(at(1, 0, 3), { credential, personId: null });
      const r = assessRisk(a, ctx({ door }), a.at, config);
      expect(r.score).toBe(0);
      expect(adapt(a, r, A).action).toEqual({ kind: 'open' });
    }
  });

  it('a recent spoof asks for an active liveness move, not a PIN', () => {
    const person = createPersonSignals();
    person.lastSpoofAt = at(1, 0, 9);
    const a = attempt(at(1, 0, 15));
    const r = assessRisk(a, ctx({ person }), a.at, config);
    expect(r.reasons).toContain('recentSpoof');
    expect(adapt(a, r, A)).toMatchObject({ action: { kind: 'stepUp', factor: 'activeLiveness' } });
  });

  it('combines independent signals so strong evidence refuses and alerts', () => {
    const door = createDoorSignals('front');
    const t = at(1, 0, 3);
    door.attempts = [t - 1_600, t - 800];
    door.refusals = [t - 1_600, t - 800, t - 400, t - 200];
    door.lastForcedAt = t - 60_000;
    const a = attempt(t, { credential: 'pin', personId: null });
    const r = assessRisk(a, ctx({ door }), t, config);
    expect(r.reasons).toEqual(expect.arrayContaining(['failureStreak', 'inhumanSpeed', 'recentForcedDoor']));
    const expected = 1 - Object.values(r.parts).reduce((k, p) => k * (1 - (p ?? 0)), 1);
    expect(r.score).toBeCloseTo(expected, 12);
    expect(adapt(a, r, A)).toEqual({ action: { kind: 'refuse' }, rule: 'highRisk', alert: true });
  });

  it('an unknown face beside the subject is tailgating unless it is a familiar visitor', () => {
    const a = attempt(at(1, 0, 18), { faces: 2, knownFaces: 1 });
    expect(assessRisk(a, ctx(), a.at, config).reasons).toContain('tailgating');
    expect(assessRisk(a, ctx({ familiarCompanion: true }), a.at, config).reasons).not.toContain('tailgating');
  });

  it('an unrecognised attempt in the door quiet hours carries quiet-hour risk', () => {
    const rhythm = createRhythm('front', at(0, 0, 0));
    for (let w = 0; w < 3; w++) for (let d = 0; d < 7; d++) for (const h of [8, 12, 18]) observeActivity(rhythm, at(w, d, h), DEFAULT_RHYTHM_KNOBS);
    const night = attempt(at(3, 2, 3), { personId: null, outcome: 'ring' });
    const day = attempt(at(3, 2, 12), { personId: null, outcome: 'ring' });
    expect(assessRisk(night, ctx({ rhythm }), night.at, config).reasons).toEqual(['quietHour']);
    expect(assessRisk(day, ctx({ rhythm }), day.at, config).reasons).toEqual([]);
  });

  it('a middling match with some risk is stepped up; a confident one is not', () => {
    const r: RiskAssessment = { score: 0.35, reasons: ['tailgating'], parts: { tailgating: 0.35 } };
    expect(adapt(attempt(0, { matchScore: 0.7 }), r, A)).toMatchObject({ action: { kind: 'stepUp', factor: 'pin' }, rule: 'uncertainMatch' });
    expect(adapt(attempt(0, { matchScore: 0.9 }), r, A)).toMatchObject({ action: { kind: 'open' }, rule: 'lowRisk' });
  });

  it('fails closed on a risk that is not a number and maps to the access layer hint', () => {
    const r: RiskAssessment = { score: Number.NaN, reasons: [], parts: {} };
    expect(adapt(attempt(0), r, A).action).toEqual({ kind: 'refuse' });
    expect(toRiskHint({ score: 0.6, reasons: ['unusualHour'], parts: { unusualHour: 0.6 } })).toEqual({ score: 0.6, reasons: ['unusualHour'] });
  });
});
