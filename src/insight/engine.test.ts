import { describe, expect, it } from 'vitest';
import { assess, createInsight, forgetPerson, observe, tick, type InsightState } from './engine.ts';
import { at, attempt, doorEvent, face } from '../../tests/support/insight/fixtures.ts';
import { frequentVisitors } from './clusters.ts';
import type { Alert } from './alerts.ts';

/** Alice comes home on weekdays at about 18:00, for four weeks. */
function seeded(): InsightState {
  const s = createInsight();
  for (let w = 0; w < 4; w++)
    for (let d = 0; d < 5; d++) {
      const t = at(w, d, 18, (d * 7) % 25);
      observe(s, attempt(t));
      observe(s, doorEvent(t + 1_500, 'opened'));
      observe(s, doorEvent(t + 7_000, 'closed'));
    }
  return s;
}

const codes = (alerts: readonly Alert[]) => alerts.map((a) => a.code);

describe('insight engine', () => {
  it('the same face opens hands-free at the usual hour and is asked for the PIN at an unusual one', () => {
    const s = seeded();
    const usual = assess(s, attempt(at(4, 2, 18, 5)), at(4, 2, 18, 5));
    expect(usual.decision).toEqual({ action: { kind: 'open' }, rule: 'lowRisk', alert: false });
    const odd = assess(s, attempt(at(4, 2, 3)), at(4, 2, 3));
    expect(odd.decision.action).toEqual({ kind: 'stepUp', factor: 'pin' });
    expect(odd.hint.reasons).toContain('unusualHour');
    expect(odd.hint.score).toBeGreaterThanOrEqual(0.5);
  });

  it('never locks a newcomer out: a first visit at 3 am is cold start', () => {
    const s = seeded();
    const bob = assess(s, attempt(at(4, 2, 3), { personId: 'bob' }), at(4, 2, 3));
    expect(bob.decision.action).toEqual({ kind: 'open' });
    expect(bob.risk.reasons).toEqual(['coldStart']);
  });

  it('assess reads without learning', () => {
    const s = seeded();
    const before = structuredClone(s.people.get('alice')?.habit);
    assess(s, attempt(at(4, 2, 3)), at(4, 2, 3));
    expect(s.people.get('alice')?.habit).toEqual(before);
  });

  it('alerts on a burst of refused PINs, once', () => {
    const s = seeded();
    const alerts: Alert[] = [];
    for (let i = 0; i < 8; i++) alerts.push(...observe(s, attempt(at(4, 2, 14) + i * 4_000, { personId: null, credential: 'pin', outcome: 'deny', reasons: ['pinWrong'] })).alerts);
    expect(codes(alerts)).toEqual(['bruteForce']);
  });

  it('a stranger decided every 5 s for 20 s is one unknown-visitor alert; another stranger later is another; one who rang is none', () => {
    const s = createInsight({ alerts: { ...createInsight().config.alerts, quietHours: null } });
    const stranger = (t: number, who: number, jitter: number) => observe(s, attempt(t, { personId: null, outcome: 'ring', matchScore: null, unknownEmbedding: face(who, jitter) })).alerts;
    const t0 = at(4, 2, 14);
    const standing = Array.from({ length: 5 }, (_, i) => stranger(t0 + i * 5_000, 3, i)).flat();
    expect(codes(standing)).toEqual(['unknownVisitor']);
    expect(standing[0]).toMatchObject({ severity: 'info', personId: null, deferred: false });
    // Someone else ten minutes later.
    expect(codes(stranger(t0 + 10 * 60_000, 11, 0))).toEqual(['unknownVisitor']);
    // A visitor who rings first is announced by the bell, not by this alert.
    const t1 = t0 + 30 * 60_000;
    observe(s, doorEvent(t1, 'bell'));
    expect(codes([...stranger(t1 + 2_000, 7, 0), ...stranger(t1 + 7_000, 7, 1)])).toEqual([]);
  });

  it('alerts on a spoof and then asks Alice for a live move', () => {
    const s = seeded();
    const r = observe(s, attempt(at(4, 2, 17), { outcome: 'deny', liveness: 0.1, reasons: ['spoofSuspected'] }));
    expect(codes(r.alerts)).toContain('spoofAttempt');
    expect(assess(s, attempt(at(4, 2, 18)), at(4, 2, 18)).decision.action).toEqual({ kind: 'stepUp', factor: 'activeLiveness' });
  });

  it('an unknown face at 3 am that nobody lets in becomes an intruder alert; one who rings does not', () => {
    const s = seeded();
    observe(s, attempt(at(4, 2, 3), { personId: null, outcome: 'ring', faces: 1 }));
    expect(codes(tick(s, at(4, 2, 3, 1)).raised)).toEqual([]);
    expect(codes(tick(s, at(4, 2, 3, 5)).raised)).toContain('intruder');

    const t = seeded();
    observe(t, attempt(at(4, 2, 3), { personId: null, outcome: 'ring', faces: 1 }));
    observe(t, doorEvent(at(4, 2, 3) + 5_000, 'bell'));
    expect(codes(tick(t, at(4, 2, 3, 5)).raised)).toEqual([]);
  });

  it('flags a stranger beside Alice, but not a visitor seen on earlier visits', () => {
    const s = seeded();
    const r = observe(s, attempt(at(4, 0, 18), { faces: 2, knownFaces: 1, unknownEmbedding: face(9, 0) }));
    expect(codes(r.alerts)).toEqual(['tailgating']);
    const friend = seeded();
    for (let w = 0; w < 3; w++) observe(friend, attempt(at(w, 5, 15), { personId: null, outcome: 'ring', unknownEmbedding: face(5, w) }));
    expect(frequentVisitors(friend.clusters, 3)).toHaveLength(1);
    expect(codes(observe(friend, attempt(at(4, 0, 18), { faces: 2, knownFaces: 1, unknownEmbedding: face(5, 9) })).alerts)).toEqual([]);
  });

  it('alerts when the door is forced, and when it is left open', () => {
    const s = seeded();
    expect(codes(observe(s, doorEvent(at(4, 1, 12), 'forced')).alerts)).toEqual(['forcedDoor']);
    const t = seeded();
    observe(t, doorEvent(at(4, 1, 12), 'opened'));
    expect(codes(tick(t, at(4, 1, 12, 20)).raised)).toEqual(['doorLeftOpen']);
    expect(codes(tick(t, at(4, 1, 12, 30)).raised)).toEqual([]);
  });

  it('keeps a bounded number of people and doors', () => {
    const s = createInsight({ maxPeople: 10, maxDoors: 2 });
    for (let i = 0; i < 100; i++) observe(s, attempt(at(0, 0, 9) + i * 60_000, { personId: `p${i}`, doorId: `door${i % 5}` }));
    expect(s.people.size).toBe(10);
    expect(s.doors.size).toBe(2);
    expect(s.people.has('p99')).toBe(true);
  });

  it('does not alert a missed carer visit while the household is away', () => {
    const s = createInsight({ watchedPeople: ['carer'] });
    for (let w = 0; w < 5; w++) {
      observe(s, attempt(at(w, 1, 9), { personId: 'carer', credential: 'guestKey' }));
      for (let d = 0; d < 7; d++) observe(s, attempt(at(w, d, 18), { personId: 'alice' }));
    }
    // Week 5: Alice at home on Monday, nobody on Tuesday morning.
    observe(s, attempt(at(5, 0, 18), { personId: 'alice' }));
    const home = tick(s, at(5, 1, 12));
    expect(codes(home.raised)).toEqual(['expectedArrivalMissed']);
    const away = createInsight({ watchedPeople: ['carer'] });
    for (let w = 0; w < 5; w++) {
      observe(away, attempt(at(w, 1, 9), { personId: 'carer', credential: 'guestKey' }));
      for (let d = 0; d < 7; d++) observe(away, attempt(at(w, d, 18), { personId: 'alice' }));
    }
    // Nobody since Friday of week 4: on holiday.
    expect(codes(tick(away, at(5, 1, 12)).raised)).toEqual([]);
  });

  it('forgets a person entirely: habit map, watched slot, alert bookkeeping and held alerts; others stay', () => {
    const s = createInsight({ watchedPeople: ['carer', 'cleaner'], alerts: { ...createInsight().config.alerts, quietHours: { startHour: 0, endHour: 23 } } });
    for (let w = 0; w < 5; w++) {
      observe(s, attempt(at(w, 1, 9), { personId: 'carer', credential: 'guestKey' }));
      for (let d = 0; d < 7; d++) observe(s, attempt(at(w, d, 18), { personId: 'alice' }));
    }
    observe(s, attempt(at(5, 0, 18), { personId: 'alice' }));
    // The carer's missed Tuesday visit is raised inside quiet hours: held for later, keyed by them.
    expect(tick(s, at(5, 1, 12)).raised.map((a) => [a.code, a.personId, a.deferred])).toEqual([['expectedArrivalMissed', 'carer', true]]);
    const mentions = (state: InsightState, id: string) =>
      state.people.has(id) || state.config.watchedPeople.includes(id) || [...state.alerts.lastRaised.keys()].some((k) => k.includes(id)) || state.alerts.deferred.some((a) => a.personId === id);
    expect(mentions(s, 'carer')).toBe(true);
    const after = forgetPerson(s, 'carer');
    expect(mentions(after, 'carer')).toBe(false);
    expect(after.people.has('alice')).toBe(true);
    expect(after.config.watchedPeople).toEqual(['cleaner']);
  });
});
