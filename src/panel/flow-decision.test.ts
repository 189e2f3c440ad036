import { describe, expect, it } from 'vitest';
import { denyReasonOf, toFlowDecision, withKeyWindow } from './flow-decision.ts';
import type { GuestKeyClaims } from '../access/guest-key.ts';
import { decideExitButton } from '../access/policy.ts';
import type { Decision } from '../access/types.ts';

const base = decideExitButton(0);

describe('what the visitor is told', () => {
  it('greets a granted person by name', () => {
    const d: Decision = { ...base, outcome: 'grant', passId: null, subject: { personId: 'p', name: 'Ada', role: 'resident' } };
    expect(toFlowDecision(d)).toEqual({ type: 'decision', outcome: 'grant', name: 'Ada' });
  });

  it('maps refusals to a few coarse messages, door faults first', () => {
    expect(denyReasonOf(['pinWrong'])).toBe('pinWrong');
    expect(denyReasonOf(['pinWrong', 'pinLockedOut'])).toBe('lockedOut');
    expect(denyReasonOf(['doorOffline', 'faceMatched'])).toBe('doorFault');
    // Schedules and passes are the admin's business: the visitor hears only that it is not possible now.
    expect(denyReasonOf(['outsideSchedule'])).toBe('notAllowed');
    expect(denyReasonOf(['passExpired'])).toBe('notAllowed');
    expect(denyReasonOf(['keyBadSignature'])).toBe('keyInvalid');
    expect(denyReasonOf(['spoofSuspected'])).toBe('spoofSuspected');
    // Anything the kiosk has no words for is a plain refusal, never a grant.
    expect(denyReasonOf(['personInactive'])).toBe('notAllowed');
    expect(denyReasonOf(['highRisk'])).toBe('notAllowed');
  });

  it('passes step-up through, and offers an unrecognised face the PIN pad and the bell without ringing', () => {
    expect(toFlowDecision({ ...base, outcome: 'stepUp', step: 'pin' })).toEqual({ type: 'decision', outcome: 'stepUp', step: 'pin', because: 'unsure' });
    expect(toFlowDecision({ ...base, outcome: 'ring' })).toEqual({ type: 'decision', outcome: 'deny', reason: 'notRecognised' });
  });

  it('says why a second factor is asked for: a rule first, then the person\'s habits or trouble at the door, then an unsure face', () => {
    const stepUp = (reasons: Decision['reasons'], riskReasons: string[] = []) => toFlowDecision({ ...base, outcome: 'stepUp', step: 'pin', reasons, riskReasons });
    expect(stepUp(['stepUpRule', 'elevatedRisk'], ['unusualHour'])).toMatchObject({ because: 'rule' });
    expect(stepUp(['elevatedRisk'], ['usualHour', 'unusualHour'])).toMatchObject({ because: 'unusualTime' });
    expect(stepUp(['elevatedRisk'], ['recentSpoof'])).toMatchObject({ because: 'recentTrouble' });
    expect(stepUp(['elevatedRisk'], ['unusualHour', 'failureStreak'])).toMatchObject({ because: 'recentTrouble' });
    expect(stepUp(['livenessUncertain'])).toMatchObject({ because: 'unsure' });
  });

  it('a visitor who cannot give the extra check asked for is sent to the bell; a lockout says how long', () => {
    expect(denyReasonOf(['noPinEnrolled', 'elevatedRisk'])).toBe('noSecondFactor');
    expect(toFlowDecision({ ...base, outcome: 'deny', reasons: ['pinWrong', 'pinLockedOut'], retryAfterMs: 30_000 })).toEqual({ type: 'decision', outcome: 'deny', reason: 'lockedOut', retryAfterMs: 30_000 });
  });
});

describe('a guest key outside its window (issue #14)', () => {
  const claims: GuestKeyClaims = { keyId: 'k1', issuer: 'i', subject: 'guest:k1', name: 'Grace', doors: ['front-door'], notBefore: 2_000_000, expires: 9_000_000, issuedAt: 1_000_000, maxUses: null, selfEnrol: false };
  const invalid = toFlowDecision({ ...base, outcome: 'deny', reasons: ['keyNotYetValid'] } as Decision);

  it('a genuine key not valid yet says when it opens; an expired one when it ended', () => {
    expect(invalid).toEqual({ type: 'decision', outcome: 'deny', reason: 'keyInvalid' });
    expect(withKeyWindow(invalid, { ok: false, reason: 'keyNotYetValid', claims })).toEqual({ type: 'decision', outcome: 'deny', reason: 'keyNotYetValid', at: 2_000_000 });
    expect(withKeyWindow(invalid, { ok: false, reason: 'keyExpired', claims })).toEqual({ type: 'decision', outcome: 'deny', reason: 'keyExpired', at: 9_000_000 });
  });

  it('tells nothing more for any other refusal, for claims not verified, or when the door refused', () => {
    expect(withKeyWindow(invalid, { ok: false, reason: 'keyRevoked', claims })).toBe(invalid);
    expect(withKeyWindow(invalid, { ok: false, reason: 'keyNotYetValid', claims: null })).toBe(invalid);
    const doorFault = { type: 'decision', outcome: 'deny', reason: 'doorFault' } as const;
    expect(withKeyWindow(doorFault, { ok: false, reason: 'keyNotYetValid', claims })).toBe(doorFault);
  });
});
