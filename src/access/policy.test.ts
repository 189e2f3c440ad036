import { describe, expect, it } from 'vitest';
import { NO_FAILURES, type LockoutRecord } from '../lib/lockout.ts';
import { decide, decideExitButton, decidePin, decideRemote, type FaceAttempt, type PinAttempt } from './policy.ts';
import { DEFAULT_SETTINGS as SHIPPED_SETTINGS } from './settings.ts';
import { MATCH_POLICY } from '../vision/thresholds.ts';

// The cases below are about the policy's logic at fixed thresholds, not about the shipped
// operating point (which follows the vision module's evaluation and is checked on its own).
const DEFAULT_SETTINGS = {
  ...SHIPPED_SETTINGS,
  match: { minScore: 0.62, uncertainBand: 0.08, minMargin: 0.08, minFrames: 3 },
  liveness: { pass: 0.8, spoofBelow: 0.4 },
};

describe('shipped thresholds', () => {
  it('follow the recogniser\'s measured operating point and never call an uncertain face live', () => {
    expect(SHIPPED_SETTINGS.match.minScore).toBe(MATCH_POLICY.threshold);
    expect(SHIPPED_SETTINGS.liveness.spoofBelow).toBeLessThan(SHIPPED_SETTINGS.liveness.pass);
  });
});
import type { Decision, DoorState, FaceEvidence, Pass, Person, Schedule, StepUpRule, Weekday } from './types.ts';

const at = (iso: string) => Date.parse(iso);
const EVERY_DAY: Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const london = (windows: Schedule['windows']): Schedule => ({ timeZone: 'Europe/London', windows });

// Wednesday 4 June 2025, 11:00 in London (BST).
const WED_11 = at('2025-06-04T10:00:00Z');

const alice: Person = { id: 'alice', name: 'Alice', role: 'resident', active: true };
const bob: Person = {
  id: 'bob',
  name: 'Bob',
  role: 'employee',
  active: true,
  schedule: london([{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '08:00', end: '17:00' }]),
};
const carol: Person = { id: 'carol', name: 'Carol', role: 'resident', active: false };
const gary: Person = { id: 'gary', name: 'Gary', role: 'guest', active: true };
const sam: Person = { id: 'sam', name: 'Sam', role: 'service', active: true };
const nina: Person = {
  id: 'nina',
  name: 'Nina',
  role: 'employee',
  active: true,
  schedule: { timeZone: 'America/New_York', windows: [{ days: ['fri', 'sat'], start: '22:00', end: '06:00' }] },
};
const PEOPLE = [alice, bob, carol, gary, sam, nina];

const garyPass: Pass = {
  id: 'g1',
  personId: 'gary',
  from: at('2025-06-01T00:00:00Z'),
  to: at('2025-06-08T00:00:00Z'),
  maxUses: 3,
  uses: 0,
};
const samPass: Pass = {
  id: 's1',
  personId: 'sam',
  from: at('2025-01-01T00:00:00Z'),
  to: at('2026-01-01T00:00:00Z'),
  maxUses: null,
  uses: 41,
  schedule: london([{ days: ['wed'], start: '09:00', end: '12:00' }]),
};

const NORMAL: DoorState = { mode: 'normal', link: 'online', tamper: false };

const nightPinForAlice: StepUpRule = {
  id: 'alice-night',
  scope: { kind: 'person', personId: 'alice' },
  when: london([{ days: EVERY_DAY, start: '22:00', end: '06:00' }]),
  require: ['face', 'pin'],
};
const employeesPin: StepUpRule = { id: 'employees-pin', scope: { kind: 'role', role: 'employee' }, require: ['pin'] };
const guestsPin: StepUpRule = { id: 'guests-pin', scope: { kind: 'role', role: 'guest' }, require: ['pin'] };
const everyoneMove: StepUpRule = { id: 'move', scope: { kind: 'everyone' }, require: ['activeLiveness'] };
const brokenWindow: StepUpRule = {
  id: 'broken',
  scope: { kind: 'everyone' },
  when: { timeZone: 'Not/AZone', windows: [{ days: EVERY_DAY, start: '22:00', end: '06:00' }] },
  require: ['pin'],
};

function face(personId: string | null, over: Partial<FaceEvidence['match'] & FaceEvidence['liveness']> = {}): FaceEvidence {
  return {
    match: { personId, score: over.score ?? 0.9, margin: over.margin ?? 0.2, agreedFrames: over.agreedFrames ?? 5 },
    liveness: { passive: over.passive ?? 0.95, active: over.active ?? null },
  };
}

function faceAttempt(evidence: FaceEvidence, over: Partial<FaceAttempt> = {}): FaceAttempt {
  return {
    people: PEOPLE,
    passes: [garyPass, samPass],
    stepUpRules: [],
    door: NORMAL,
    settings: DEFAULT_SETTINGS,
    face: evidence,
    ...over,
  };
}

function pinAttempt(personId: string | null, pin: PinAttempt['pin'], over: Partial<PinAttempt> = {}): PinAttempt {
  return {
    people: PEOPLE,
    passes: [garyPass, samPass],
    stepUpRules: [],
    door: NORMAL,
    settings: DEFAULT_SETTINGS,
    personId,
    pin,
    lockout: NO_FAILURES,
    ...over,
  };
}

interface Expected {
  outcome: Decision['outcome'];
  reasons: Decision['reasons'];
  subject?: string | null;
  step?: 'pin' | 'activeLiveness';
  passId?: string | null;
  alerts?: Decision['alerts'];
  factors?: Decision['factors'];
  ruleIds?: string[];
}

function check(d: Decision, e: Expected): void {
  expect({ outcome: d.outcome, reasons: d.reasons }).toEqual({ outcome: e.outcome, reasons: e.reasons });
  if (e.subject !== undefined) expect(d.subject?.personId ?? null).toBe(e.subject);
  if (e.step !== undefined) expect(d.outcome === 'stepUp' ? d.step : null).toBe(e.step);
  if (e.passId !== undefined) expect(d.outcome === 'grant' ? d.passId : 'not a grant').toBe(e.passId);
  expect(d.alerts).toEqual(e.alerts ?? []);
  if (e.factors !== undefined) expect(d.factors).toEqual(e.factors);
  if (e.ruleIds !== undefined) expect(d.ruleIds).toEqual(e.ruleIds);
}

describe('decide: a face at the camera', () => {
  const cases: [string, FaceAttempt, number, Expected][] = [
    // identity
    ['a confident resident is let in', faceAttempt(face('alice')), WED_11,
      { outcome: 'grant', reasons: ['faceMatched', 'unrestricted'], subject: 'alice', factors: ['face'], passId: null }],
    ['nobody matched: ring', faceAttempt(face(null, { score: 0.3 })), WED_11,
      { outcome: 'ring', reasons: ['unknownFace'], subject: null }],
    ['a score far below the threshold is unknown', faceAttempt(face('alice', { score: 0.4 })), WED_11,
      { outcome: 'ring', reasons: ['unknownFace'], subject: null }],
    ['a score that is not a number is unknown', faceAttempt(face('alice', { score: Number.NaN })), WED_11,
      { outcome: 'ring', reasons: ['unknownFace'], subject: null }],
    ['close to two people: never guess', faceAttempt(face('alice', { margin: 0.02 })), WED_11,
      { outcome: 'ring', reasons: ['ambiguousMatch'], subject: null }],
    ['a margin that is not a number is ambiguous', faceAttempt(face('alice', { margin: Number.NaN })), WED_11,
      { outcome: 'ring', reasons: ['ambiguousMatch'], subject: null }],
    ['too few agreeing frames', faceAttempt(face('alice', { agreedFrames: 1 })), WED_11,
      { outcome: 'ring', reasons: ['insufficientFrames'], subject: null }],
    ['probably Alice: ask for her PIN', faceAttempt(face('alice', { score: 0.58 })), WED_11,
      { outcome: 'stepUp', step: 'pin', reasons: ['lowMatchScore'], subject: 'alice', factors: [] }],
    ['a template whose person was deleted', faceAttempt(face('ghost')), WED_11,
      { outcome: 'deny', reasons: ['unknownPerson'], subject: null }],
    ['an inactive person', faceAttempt(face('carol')), WED_11,
      { outcome: 'deny', reasons: ['personInactive'], subject: 'carol' }],
    // presence
    ['a photo of Alice', faceAttempt(face('alice', { passive: 0.1 })), WED_11,
      { outcome: 'deny', reasons: ['spoofSuspected'], subject: 'alice', alerts: ['spoofAttempt'] }],
    ['a replayed video that blinks is still a spoof', faceAttempt(face('alice', { passive: 0.1, active: true })), WED_11,
      { outcome: 'deny', reasons: ['spoofSuspected'], subject: 'alice', alerts: ['spoofAttempt'] }],
    ['a spoof of nobody known', faceAttempt(face(null, { passive: 0.2, score: 0.1 })), WED_11,
      { outcome: 'deny', reasons: ['spoofSuspected'], subject: null, alerts: ['spoofAttempt'] }],
    ['a liveness score that is not a number', faceAttempt(face('alice', { passive: Number.NaN })), WED_11,
      { outcome: 'deny', reasons: ['spoofSuspected'], alerts: ['spoofAttempt'] }],
    ['uncertain liveness: ask for a move', faceAttempt(face('alice', { passive: 0.6 })), WED_11,
      { outcome: 'stepUp', step: 'activeLiveness', reasons: ['livenessUncertain'], subject: 'alice', factors: [] }],
    ['uncertain liveness resolved by a move', faceAttempt(face('alice', { passive: 0.6, active: true })), WED_11,
      { outcome: 'grant', reasons: ['faceMatched', 'activeLivenessPassed', 'unrestricted'], factors: ['face', 'activeLiveness'] }],
    ['a failed move', faceAttempt(face('alice', { passive: 0.6, active: false })), WED_11,
      { outcome: 'deny', reasons: ['activeLivenessFailed', 'spoofSuspected'], alerts: ['spoofAttempt'] }],
    // schedules
    ['an employee in office hours', faceAttempt(face('bob')), WED_11,
      { outcome: 'grant', reasons: ['faceMatched', 'withinSchedule'], subject: 'bob', passId: null }],
    ['an employee at 17:00 BST', faceAttempt(face('bob')), at('2025-06-04T16:00:00Z'),
      { outcome: 'deny', reasons: ['outsideSchedule'], subject: 'bob' }],
    ['an employee on Saturday', faceAttempt(face('bob')), at('2025-06-07T10:00:00Z'),
      { outcome: 'deny', reasons: ['outsideSchedule'] }],
    ['an employee at 08:00 GMT in winter', faceAttempt(face('bob')), at('2025-01-08T08:00:00Z'),
      { outcome: 'grant', reasons: ['faceMatched', 'withinSchedule'] }],
    ['an employee at 07:30 GMT in winter (08:30 if the offset were fixed at BST)', faceAttempt(face('bob')), at('2025-01-08T07:30:00Z'),
      { outcome: 'deny', reasons: ['outsideSchedule'] }],
    ['a night shift after midnight (Sat 03:00 New York)', faceAttempt(face('nina')), at('2025-06-07T07:00:00Z'),
      { outcome: 'grant', reasons: ['faceMatched', 'withinSchedule'], subject: 'nina' }],
    ['a night shift over (Sat 07:00 New York)', faceAttempt(face('nina')), at('2025-06-07T11:00:00Z'),
      { outcome: 'deny', reasons: ['outsideSchedule'] }],
    ['a night shift on the spring-forward night, 05:59 EDT', faceAttempt(face('nina')), at('2025-03-09T09:59:00Z'),
      { outcome: 'grant', reasons: ['faceMatched', 'withinSchedule'] }],
    ['a night shift on the spring-forward night, 06:00 EDT', faceAttempt(face('nina')), at('2025-03-09T10:00:00Z'),
      { outcome: 'deny', reasons: ['outsideSchedule'] }],
    ['a night shift on the fall-back night, 05:30 EST', faceAttempt(face('nina')), at('2025-11-02T10:30:00Z'),
      { outcome: 'grant', reasons: ['faceMatched', 'withinSchedule'] }],
    ['a night shift on the fall-back night, 06:00 EST', faceAttempt(face('nina')), at('2025-11-02T11:00:00Z'),
      { outcome: 'deny', reasons: ['outsideSchedule'] }],
    ['an employee with a broken schedule', faceAttempt(face('bob'), { people: [{ ...bob, schedule: { ...bob.schedule!, timeZone: 'Europe/Londres' } }] }), WED_11,
      { outcome: 'deny', reasons: ['scheduleInvalid'] }],
    ['a pass extends an employee beyond their schedule', faceAttempt(face('bob'), { passes: [{ ...garyPass, id: 'b1', personId: 'bob' }] }), at('2025-06-04T19:00:00Z'),
      { outcome: 'grant', reasons: ['faceMatched', 'passValid'], passId: 'b1' }],
    // passes
    ['a guest with a valid pass', faceAttempt(face('gary')), WED_11,
      { outcome: 'grant', reasons: ['faceMatched', 'passValid'], subject: 'gary', passId: 'g1' }],
    ['a guest on the last millisecond of the pass', faceAttempt(face('gary')), garyPass.to - 1,
      { outcome: 'grant', reasons: ['faceMatched', 'passValid'], passId: 'g1' }],
    ['a guest when the pass has just ended', faceAttempt(face('gary')), garyPass.to,
      { outcome: 'deny', reasons: ['passExpired'] }],
    ['a guest before the pass starts', faceAttempt(face('gary')), garyPass.from - 1,
      { outcome: 'deny', reasons: ['passNotYetValid'] }],
    ['a guest whose pass is used up', faceAttempt(face('gary'), { passes: [{ ...garyPass, uses: 3 }] }), WED_11,
      { outcome: 'deny', reasons: ['passExhausted'] }],
    ['a guest whose pass was revoked', faceAttempt(face('gary'), { passes: [{ ...garyPass, revoked: true }] }), WED_11,
      { outcome: 'deny', reasons: ['passRevoked'] }],
    ['a guest with no pass at all', faceAttempt(face('gary'), { passes: [] }), WED_11,
      { outcome: 'deny', reasons: ['noAccessRights'] }],
    ['a pass with a corrupt use count refuses', faceAttempt(face('gary'), { passes: [{ ...garyPass, uses: Number.NaN }] }), WED_11,
      { outcome: 'deny', reasons: ['passExhausted'] }],
    ['an expired and a valid pass: the valid one is used',
      faceAttempt(face('gary'), { passes: [{ ...garyPass, id: 'old', to: garyPass.from }, { ...garyPass, id: 'new' }] }), WED_11,
      { outcome: 'grant', reasons: ['faceMatched', 'passValid'], passId: 'new' }],
    ['an unlimited pass is used before a counted one',
      faceAttempt(face('gary'), { passes: [{ ...garyPass, id: 'counted' }, { ...garyPass, id: 'unlimited', maxUses: null }] }), WED_11,
      { outcome: 'grant', reasons: ['faceMatched', 'passValid'], passId: 'unlimited' }],
    ['of two counted passes, the one ending first is used',
      faceAttempt(face('gary'), { passes: [{ ...garyPass, id: 'later', to: garyPass.to + 1 }, { ...garyPass, id: 'sooner' }] }), WED_11,
      { outcome: 'grant', reasons: ['faceMatched', 'passValid'], passId: 'sooner' }],
    ["another person's pass does not count", faceAttempt(face('gary'), { passes: [samPass] }), WED_11,
      { outcome: 'deny', reasons: ['noAccessRights'] }],
    ['a service visit inside the pass window', faceAttempt(face('sam')), WED_11,
      { outcome: 'grant', reasons: ['faceMatched', 'passValid'], subject: 'sam', passId: 's1' }],
    ['a service visit outside the pass window', faceAttempt(face('sam')), at('2025-06-04T11:00:00Z'),
      { outcome: 'deny', reasons: ['outsideSchedule'] }],
    ['a service visit on another weekday', faceAttempt(face('sam')), at('2025-06-05T10:00:00Z'),
      { outcome: 'deny', reasons: ['outsideSchedule'] }],
    // step-up rules
    ['a role rule: employees also need a PIN', faceAttempt(face('bob'), { stepUpRules: [employeesPin] }), WED_11,
      { outcome: 'stepUp', step: 'pin', reasons: ['stepUpRule'], subject: 'bob', factors: ['face'], ruleIds: ['employees-pin'] }],
    ["a role rule does not touch other roles", faceAttempt(face('alice'), { stepUpRules: [employeesPin, guestsPin] }), WED_11,
      { outcome: 'grant', reasons: ['faceMatched', 'unrestricted'], ruleIds: [] }],
    ['a person rule before its window (21:59 BST)', faceAttempt(face('alice'), { stepUpRules: [nightPinForAlice] }), at('2025-06-04T20:59:00Z'),
      { outcome: 'grant', reasons: ['faceMatched', 'unrestricted'] }],
    ['a person rule at 22:00 BST', faceAttempt(face('alice'), { stepUpRules: [nightPinForAlice] }), at('2025-06-04T21:00:00Z'),
      { outcome: 'stepUp', step: 'pin', reasons: ['stepUpRule'], ruleIds: ['alice-night'] }],
    ['a person rule after midnight (05:59 BST)', faceAttempt(face('alice'), { stepUpRules: [nightPinForAlice] }), at('2025-06-05T04:59:00Z'),
      { outcome: 'stepUp', step: 'pin', reasons: ['stepUpRule'] }],
    ['a person rule ends at 06:00 BST', faceAttempt(face('alice'), { stepUpRules: [nightPinForAlice] }), at('2025-06-05T05:00:00Z'),
      { outcome: 'grant', reasons: ['faceMatched', 'unrestricted'] }],
    ['a person rule for someone else', faceAttempt(face('bob'), { stepUpRules: [nightPinForAlice] }), WED_11,
      { outcome: 'grant', reasons: ['faceMatched', 'withinSchedule'] }],
    ['an everyone rule asking for a move', faceAttempt(face('alice'), { stepUpRules: [everyoneMove] }), WED_11,
      { outcome: 'stepUp', step: 'activeLiveness', reasons: ['stepUpRule'] }],
    ['an everyone rule satisfied by the move', faceAttempt(face('alice', { active: true }), { stepUpRules: [everyoneMove] }), WED_11,
      { outcome: 'grant', reasons: ['faceMatched', 'activeLivenessPassed', 'unrestricted'], ruleIds: ['move'] }],
    ['a rule whose window cannot be read still applies', faceAttempt(face('alice'), { stepUpRules: [brokenWindow] }), WED_11,
      { outcome: 'stepUp', step: 'pin', reasons: ['stepUpRule'], ruleIds: ['broken'] }],
    ['uncertain liveness and a PIN rule: the move comes first', faceAttempt(face('bob', { passive: 0.6 }), { stepUpRules: [employeesPin] }), WED_11,
      { outcome: 'stepUp', step: 'activeLiveness', reasons: ['livenessUncertain'] }],
    ['after the move, the PIN rule', faceAttempt(face('bob', { passive: 0.6, active: true }), { stepUpRules: [employeesPin] }), WED_11,
      { outcome: 'stepUp', step: 'pin', reasons: ['stepUpRule'], factors: ['face', 'activeLiveness'] }],
    ['step-up is not offered outside the schedule', faceAttempt(face('bob'), { stepUpRules: [employeesPin] }), at('2025-06-07T10:00:00Z'),
      { outcome: 'deny', reasons: ['outsideSchedule'] }],
    // risk
    ['elevated risk asks for a PIN', faceAttempt(face('alice'), { risk: { score: 0.6, reasons: ['unusualHour'] } }), WED_11,
      { outcome: 'stepUp', step: 'pin', reasons: ['elevatedRisk'] }],
    ['low risk changes nothing', faceAttempt(face('alice'), { risk: { score: 0.2, reasons: [] } }), WED_11,
      { outcome: 'grant', reasons: ['faceMatched', 'unrestricted'] }],
    ['high risk refuses', faceAttempt(face('alice'), { risk: { score: 0.95, reasons: ['failureStreak'] } }), WED_11,
      { outcome: 'deny', reasons: ['highRisk'] }],
    ['a risk that is not a number is treated as the worst', faceAttempt(face('alice'), { risk: { score: Number.NaN, reasons: [] } }), WED_11,
      { outcome: 'deny', reasons: ['highRisk'] }],
    // door
    ['lockdown refuses a good match, keeping who it was', faceAttempt(face('alice'), { door: { ...NORMAL, mode: 'lockdown' } }), WED_11,
      { outcome: 'deny', reasons: ['doorLockdown', 'faceMatched', 'unrestricted'], subject: 'alice' }],
    ['lockdown refuses a step-up too', faceAttempt(face('alice', { passive: 0.6 }), { door: { ...NORMAL, mode: 'lockdown' } }), WED_11,
      { outcome: 'deny', reasons: ['doorLockdown', 'livenessUncertain'] }],
    ['lockdown still lets a stranger ring', faceAttempt(face(null, { score: 0.1 }), { door: { ...NORMAL, mode: 'lockdown' } }), WED_11,
      { outcome: 'ring', reasons: ['unknownFace'] }],
    ['a tampered panel', faceAttempt(face('alice'), { door: { ...NORMAL, tamper: true } }), WED_11,
      { outcome: 'deny', reasons: ['tamperAlarm', 'faceMatched', 'unrestricted'] }],
    ['the relay controller is unreachable', faceAttempt(face('alice'), { door: { ...NORMAL, link: 'offline' } }), WED_11,
      { outcome: 'deny', reasons: ['doorOffline', 'faceMatched', 'unrestricted'] }],
  ];

  it.each(cases)('%s', (_name, input, now, expected) => {
    const d = decide(input, now);
    check(d, expected);
    expect(d.credential).toEqual({ kind: 'face' });
    expect(d.at).toBe(now);
  });

  it('records the scores and the risk hint for the log', () => {
    const d = decide(faceAttempt(face('alice', { score: 0.91, margin: 0.3 }), { risk: { score: 0.1, reasons: ['usualTime'] } }), WED_11);
    expect(d.face).toEqual({ score: 0.91, margin: 0.3, agreedFrames: 5, passive: 0.95, active: null });
    expect(d.risk).toBe(0.1);
    expect(d.riskReasons).toEqual(['usualTime']);
  });
});

describe('decidePin: the PIN pad', () => {
  const LATE = at('2025-06-04T21:30:00Z'); // 22:30 BST, inside Alice's face-and-PIN rule

  const cases: [string, PinAttempt, number, Expected][] = [
    ['the right PIN', pinAttempt('alice', 'match'), WED_11,
      { outcome: 'grant', reasons: ['pinVerified', 'unrestricted'], subject: 'alice', factors: ['pin'] }],
    ['the duress PIN opens as usual and alerts silently', pinAttempt('alice', 'duress'), WED_11,
      { outcome: 'grant', reasons: ['pinVerified', 'unrestricted'], subject: 'alice', alerts: ['duress'] }],
    ['the duress PIN outside the schedule is refused but still alerts', pinAttempt('bob', 'duress'), at('2025-06-07T10:00:00Z'),
      { outcome: 'deny', reasons: ['outsideSchedule'], alerts: ['duress'] }],
    ['the duress PIN with the relay offline still alerts', pinAttempt('alice', 'duress', { door: { ...NORMAL, link: 'offline' } }), WED_11,
      { outcome: 'deny', reasons: ['doorOffline', 'pinVerified', 'unrestricted'], alerts: ['duress'] }],
    ['a wrong PIN', pinAttempt('alice', 'wrong'), WED_11,
      { outcome: 'deny', reasons: ['pinWrong'], subject: 'alice' }],
    ['a PIN that matched nobody', pinAttempt(null, 'wrong'), WED_11,
      { outcome: 'deny', reasons: ['pinWrong'], subject: null }],
    ['a user code nobody has', pinAttempt('ghost', 'match'), WED_11,
      { outcome: 'deny', reasons: ['pinWrong', 'unknownPerson'], subject: null }],
    ['an inactive person with the right PIN', pinAttempt('carol', 'match'), WED_11,
      { outcome: 'deny', reasons: ['personInactive'] }],
    ['a guest with a pass', pinAttempt('gary', 'match'), WED_11,
      { outcome: 'grant', reasons: ['pinVerified', 'passValid'], passId: 'g1' }],
    ['a guest after the pass', pinAttempt('gary', 'match'), garyPass.to + 1,
      { outcome: 'deny', reasons: ['passExpired'] }],
    ['PIN alone where the rule wants face and PIN', pinAttempt('alice', 'match', { stepUpRules: [nightPinForAlice] }), LATE,
      { outcome: 'deny', reasons: ['faceRequired', 'stepUpRule'] }],
    ['PIN after the face step-up completes face and PIN',
      pinAttempt('alice', 'match', { stepUpRules: [nightPinForAlice], face: face('alice') }), LATE,
      { outcome: 'grant', reasons: ['faceMatched', 'pinVerified', 'unrestricted'], factors: ['face', 'pin'], ruleIds: ['alice-night'] }],
    ["someone else's face does not count as Alice's", pinAttempt('alice', 'match', { stepUpRules: [nightPinForAlice], face: face('bob') }), LATE,
      { outcome: 'deny', reasons: ['faceRequired', 'stepUpRule'] }],
    ['a low-score face plus the PIN is a PIN entry', pinAttempt('alice', 'match', { face: face('alice', { score: 0.58 }) }), WED_11,
      { outcome: 'grant', reasons: ['pinVerified', 'unrestricted'], factors: ['pin'] }],
    ['a low-score face does not meet a face rule', pinAttempt('alice', 'match', { stepUpRules: [nightPinForAlice], face: face('alice', { score: 0.58 }) }), LATE,
      { outcome: 'deny', reasons: ['faceRequired', 'stepUpRule'] }],
    ['uncertain liveness under a face rule: ask for the move', pinAttempt('alice', 'match', { stepUpRules: [nightPinForAlice], face: face('alice', { passive: 0.6 }) }), LATE,
      { outcome: 'stepUp', step: 'activeLiveness', reasons: ['stepUpRule'], factors: ['pin'] }],
    ['a spoofed face next to the right PIN', pinAttempt('alice', 'match', { face: face('alice', { passive: 0.1 }) }), WED_11,
      { outcome: 'deny', reasons: ['spoofSuspected'], alerts: ['spoofAttempt'] }],
    ['elevated risk is met by the PIN', pinAttempt('alice', 'match', { risk: { score: 0.7, reasons: [] } }), WED_11,
      { outcome: 'grant', reasons: ['pinVerified', 'unrestricted'] }],
    ['an employee PIN rule is met by the PIN', pinAttempt('bob', 'match', { stepUpRules: [employeesPin], face: face('bob') }), WED_11,
      { outcome: 'grant', reasons: ['faceMatched', 'pinVerified', 'withinSchedule'], factors: ['face', 'pin'] }],
  ];

  it.each(cases)('%s', (_name, input, now, expected) => {
    const { decision } = decidePin(input, now);
    check(decision, expected);
    expect(decision.credential).toEqual({ kind: 'pin' });
  });

  it('backs off after repeated failures and raises one alert when the lock starts', () => {
    let lockout: LockoutRecord = NO_FAILURES;
    const seen: Decision[] = [];
    for (let i = 0; i < 3; i++) {
      const out = decidePin(pinAttempt('alice', 'wrong', { lockout }), WED_11);
      lockout = out.lockout;
      seen.push(out.decision);
    }
    expect(seen.map((d) => d.reasons)).toEqual([['pinWrong'], ['pinWrong'], ['pinWrong', 'pinLockedOut']]);
    expect(seen.map((d) => d.alerts)).toEqual([[], [], ['pinLockout']]);
    expect(seen.map((d) => (d.outcome === 'deny' ? d.retryAfterMs : -1))).toEqual([0, 0, 30_000]);
    expect(lockout.failures).toBe(3);
  });

  it('refuses even the right PIN while locked, without extending the lock', () => {
    const locked: LockoutRecord = { failures: 3, lockedUntil: WED_11 + 30_000 };
    const out = decidePin(pinAttempt('alice', 'match', { lockout: locked }), WED_11 + 10_000);
    check(out.decision, { outcome: 'deny', reasons: ['pinLockedOut'] });
    expect(out.decision.outcome === 'deny' && out.decision.retryAfterMs).toBe(20_000);
    expect(out.lockout).toBe(locked);
  });

  it('a duress PIN while locked is refused but still alerts', () => {
    const locked: LockoutRecord = { failures: 3, lockedUntil: WED_11 + 30_000 };
    const out = decidePin(pinAttempt('alice', 'duress', { lockout: locked }), WED_11);
    check(out.decision, { outcome: 'deny', reasons: ['pinLockedOut'], alerts: ['duress'] });
  });

  it('accepts the right PIN once the lock has run out, and clears the count', () => {
    const locked: LockoutRecord = { failures: 3, lockedUntil: WED_11 + 30_000 };
    const out = decidePin(pinAttempt('alice', 'match', { lockout: locked }), WED_11 + 30_000);
    check(out.decision, { outcome: 'grant', reasons: ['pinVerified', 'unrestricted'] });
    expect(out.lockout).toEqual(NO_FAILURES);
  });

  it('a duress PIN clears the count like the right PIN, so nothing looks different', () => {
    const out = decidePin(pinAttempt('alice', 'duress', { lockout: { failures: 2, lockedUntil: 0 } }), WED_11);
    expect(out.lockout).toEqual(NO_FAILURES);
  });

  it('unknown user codes count towards the lock, so codes cannot be probed for free', () => {
    const out = decidePin(pinAttempt('ghost', 'match', { lockout: { failures: 2, lockedUntil: 0 } }), WED_11);
    expect(out.lockout.failures).toBe(3);
    expect(out.decision.reasons).toContain('pinLockedOut');
  });

  it('follows the lockout policy in the settings', () => {
    const settings = { ...DEFAULT_SETTINGS, lockout: { freeTries: 1, baseMs: 5_000, maxMs: 60_000 } };
    const out = decidePin(pinAttempt('alice', 'wrong', { settings }), WED_11);
    expect(out.lockout).toEqual({ failures: 1, lockedUntil: WED_11 + 5_000 });
    check(out.decision, { outcome: 'deny', reasons: ['pinWrong', 'pinLockedOut'], alerts: ['pinLockout'] });
  });
});

describe('corrupt settings fail closed', () => {
  const corrupt = (patch: (s: typeof DEFAULT_SETTINGS) => typeof DEFAULT_SETTINGS) => patch(structuredClone(DEFAULT_SETTINGS));
  it.each([
    ['match.minScore', corrupt((s) => ({ ...s, match: { ...s.match, minScore: Number.NaN } })), 'ring'],
    ['match.minMargin', corrupt((s) => ({ ...s, match: { ...s.match, minMargin: Number.NaN } })), 'ring'],
    ['match.minFrames', corrupt((s) => ({ ...s, match: { ...s.match, minFrames: Number.NaN } })), 'ring'],
    ['liveness.spoofBelow', corrupt((s) => ({ ...s, liveness: { ...s.liveness, spoofBelow: Number.NaN } })), 'deny'],
    ['liveness.pass', corrupt((s) => ({ ...s, liveness: { ...s.liveness, pass: Number.NaN } })), 'stepUp'],
    ['risk.stepUpAt', corrupt((s) => ({ ...s, risk: { ...s.risk, stepUpAt: Number.NaN } })), 'stepUp'],
    ['risk.denyAt', corrupt((s) => ({ ...s, risk: { ...s.risk, denyAt: Number.NaN } })), 'deny'],
  ] as const)('a NaN %s never grants', (_name, settings, outcome) => {
    expect(decide(faceAttempt(face('alice'), { settings }), WED_11).outcome).toBe(outcome);
  });
});

describe('the full step-up sequence at night', () => {
  it('face, then PIN, then in', () => {
    const late = at('2025-06-04T21:30:00Z');
    const rules = [nightPinForAlice];
    const first = decide(faceAttempt(face('alice'), { stepUpRules: rules }), late);
    expect(first.outcome === 'stepUp' && first.step).toBe('pin');
    const second = decidePin(pinAttempt(first.subject?.personId ?? null, 'match', { stepUpRules: rules, face: face('alice') }), late + 4_000);
    expect(second.decision.outcome).toBe('grant');
    expect(second.decision.factors).toEqual(['face', 'pin']);
  });
});

describe('other credentials, for attribution', () => {
  it('a remote unlock names the admin', () => {
    const d = decideRemote('admin-1', NORMAL, WED_11);
    check(d, { outcome: 'grant', reasons: ['remoteCommand'] });
    expect(d.credential).toEqual({ kind: 'remote', adminId: 'admin-1' });
  });
  it('a remote unlock does not break a lockdown', () => {
    check(decideRemote('admin-1', { ...NORMAL, mode: 'lockdown' }, WED_11), { outcome: 'deny', reasons: ['doorLockdown', 'remoteCommand'] });
  });
  it('the exit button is always recorded as a grant', () => {
    const d = decideExitButton(WED_11);
    check(d, { outcome: 'grant', reasons: ['exitRequested'] });
    expect(d.credential).toEqual({ kind: 'exitButton' });
  });
});

describe('a household is not stranded by someone else at the door', () => {
  // Alice has no PIN; Bob (an employee within his hours) has one.
  const pinHolders = new Set(['bob']);

  it('a spoof a moment ago asks the next live face for a blink, not a PIN, and the blink opens', () => {
    const risk = { score: 0.6, reasons: ['recentSpoof'] };
    const asked = decide(faceAttempt(face('bob'), { risk, pinHolders }), WED_11);
    expect(asked).toMatchObject({ outcome: 'stepUp', step: 'activeLiveness', reasons: ['elevatedRisk'] });
    const blinked = decide(faceAttempt(face('bob', { active: true }), { risk, pinHolders }), WED_11);
    expect(blinked).toMatchObject({ outcome: 'grant', subject: { personId: 'bob' } });
  });

  it('a resident with no PIN at an unusual hour is asked to blink, which they can do, never for a PIN', () => {
    const risk = { score: 0.6, reasons: ['unusualHour'] };
    const asked = decide(faceAttempt(face('alice'), { risk, pinHolders }), WED_11);
    expect(asked).toMatchObject({ outcome: 'stepUp', step: 'activeLiveness' });
    expect(asked.reasons).toEqual(expect.arrayContaining(['elevatedRisk', 'noPinEnrolled']));
    expect(decide(faceAttempt(face('alice', { active: true }), { risk, pinHolders }), WED_11).outcome).toBe('grant');
    // Someone with a PIN is still asked for it at an unusual hour.
    expect(decide(faceAttempt(face('bob'), { risk, pinHolders }), WED_11)).toMatchObject({ outcome: 'stepUp', step: 'pin' });
  });

  it('what cannot be given here sends the visitor to the bell with the reason, not to a PIN pad they cannot use', () => {
    // A standing rule that asks everyone for a PIN, for someone who has none.
    const everyonePin: StepUpRule = { id: 'all-pin', scope: { kind: 'everyone' }, require: ['pin'] };
    const rule = decide(faceAttempt(face('alice'), { stepUpRules: [everyonePin], pinHolders }), WED_11);
    expect(rule).toMatchObject({ outcome: 'deny' });
    expect(rule.reasons).toEqual(expect.arrayContaining(['noPinEnrolled', 'stepUpRule']));
    // The blink already failed to settle it: no second blink, no PIN pad.
    const afterBlink = decide(faceAttempt(face('alice', { active: true, score: 0.6 }), { risk: { score: 0.6, reasons: ['unusualHour'] }, pinHolders }), WED_11);
    expect(afterBlink.outcome).toBe('deny');
    expect(afterBlink.reasons).toContain('noPinEnrolled');
  });

  it('without the list of PIN holders the policy keeps the stricter reading and asks for the PIN', () => {
    expect(decide(faceAttempt(face('alice'), { risk: { score: 0.6, reasons: ['unusualHour'] } }), WED_11)).toMatchObject({ outcome: 'stepUp', step: 'pin' });
  });
});
