import type { GuestKeyResult } from '../access/guest-key.ts';
import type { Decision, ReasonCode } from '../access/types.ts';
import type { DenyReason, FlowEvent, StepUpCause } from '../kiosk/flow.ts';

/**
 * What the visitor is told about an access decision. Coarse on purpose: the kiosk never says
 * which rule refused someone (schedule, pass, duress, risk), only what they can do next; the
 * admin's log has the reasons.
 */
export type FlowDecision = Extract<FlowEvent, { type: 'decision' }>;

const DENY_ORDER: readonly [ReasonCode[], DenyReason][] = [
  [['doorOffline', 'doorLockdown', 'tamperAlarm'], 'doorFault'],
  [['pinLockedOut'], 'lockedOut'],
  [['noPinEnrolled'], 'noSecondFactor'],
  [['spoofSuspected', 'activeLivenessFailed'], 'spoofSuspected'],
  [['pinWrong'], 'pinWrong'],
  [['keyMalformed', 'keyUnsupportedAlgorithm', 'keyUnknownIssuer', 'keyBadSignature', 'keyWrongDoor', 'keyNotYetValid', 'keyExpired', 'keyRevoked', 'keyExhausted'], 'keyInvalid'],
];

export function denyReasonOf(reasons: readonly ReasonCode[]): DenyReason {
  for (const [codes, reason] of DENY_ORDER) if (codes.some((c) => reasons.includes(c))) return reason;
  return 'notAllowed';
}

/** Risk reasons that mean "this is not when you usually come", as opposed to trouble at the door. */
const HABIT_RISK = new Set(['unusualHour', 'unusualCredential', 'quietHour']);

/**
 * Why a second factor is asked for, in the visitor's terms. A standing rule of the door is said
 * first (it holds whatever else); then risk, split into the person's own habits and trouble at
 * the door a moment ago; then an unsure face.
 */
export function stepUpCauseOf(decision: Pick<Decision, 'reasons' | 'riskReasons'>): StepUpCause {
  if (decision.reasons.includes('stepUpRule')) return 'rule';
  if (decision.reasons.includes('elevatedRisk')) {
    const troubling = decision.riskReasons.filter((r) => r !== 'usualHour' && r !== 'coldStart');
    return troubling.length > 0 && troubling.every((r) => HABIT_RISK.has(r)) ? 'unusualTime' : 'recentTrouble';
  }
  return 'unsure';
}

export function toFlowDecision(decision: Decision): FlowDecision {
  switch (decision.outcome) {
    case 'grant':
      return { type: 'decision', outcome: 'grant', name: decision.subject?.name ?? 'guest' };
    case 'deny': {
      const reason = denyReasonOf(decision.reasons);
      return reason === 'lockedOut' ? { type: 'decision', outcome: 'deny', reason, retryAfterMs: decision.retryAfterMs } : { type: 'decision', outcome: 'deny', reason };
    }
    case 'stepUp':
      return { type: 'decision', outcome: 'stepUp', step: decision.step, because: stepUpCauseOf(decision) };
    case 'ring':
      // Not recognised: the visitor is offered the PIN pad, a guest key and the bell; the bell
      // rings only when they press it.
      return { type: 'decision', outcome: 'deny', reason: 'notRecognised' };
  }
}

/**
 * A refused guest key, said more exactly where that helps the guest and gives nothing away: a
 * genuine key (its signature held, so its claims can be believed) that has not begun says when
 * it opens, one that has ended says when it expired. Every other refusal stays the coarse one.
 */
export function withKeyWindow(shown: FlowDecision, result: GuestKeyResult): FlowDecision {
  if (shown.outcome !== 'deny' || shown.reason !== 'keyInvalid' || result.ok || !result.claims) return shown;
  if (result.reason === 'keyNotYetValid') return { type: 'decision', outcome: 'deny', reason: 'keyNotYetValid', at: result.claims.notBefore };
  if (result.reason === 'keyExpired') return { type: 'decision', outcome: 'deny', reason: 'keyExpired', at: result.claims.expires };
  return shown;
}
