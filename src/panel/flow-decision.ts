import type { Decision, ReasonCode } from '../access/types.ts';
import type { DenyReason, FlowEvent } from '../kiosk/flow.ts';

/**
 * What the visitor is told about an access decision. Coarse on purpose: the kiosk never says
 * which rule refused someone (schedule, pass, duress, risk), only what they can do next; the
 * admin's log has the reasons.
 */
export type FlowDecision = Extract<FlowEvent, { type: 'decision' }>;

const DENY_ORDER: readonly [ReasonCode[], DenyReason][] = [
  [['doorOffline', 'doorLockdown', 'tamperAlarm'], 'doorFault'],
  [['pinLockedOut'], 'lockedOut'],
  [['spoofSuspected', 'activeLivenessFailed'], 'spoofSuspected'],
  [['pinWrong'], 'pinWrong'],
  [['keyMalformed', 'keyUnsupportedAlgorithm', 'keyUnknownIssuer', 'keyBadSignature', 'keyWrongDoor', 'keyNotYetValid', 'keyExpired', 'keyRevoked', 'keyExhausted'], 'keyInvalid'],
];

export function denyReasonOf(reasons: readonly ReasonCode[]): DenyReason {
  for (const [codes, reason] of DENY_ORDER) if (codes.some((c) => reasons.includes(c))) return reason;
  return 'notAllowed';
}

export function toFlowDecision(decision: Decision): FlowDecision {
  switch (decision.outcome) {
    case 'grant':
      return { type: 'decision', outcome: 'grant', name: decision.subject?.name ?? 'guest' };
    case 'deny':
      return { type: 'decision', outcome: 'deny', reason: denyReasonOf(decision.reasons) };
    case 'stepUp':
      return { type: 'decision', outcome: 'stepUp', step: decision.step };
    case 'ring':
      // Not recognised: the visitor is offered the PIN pad, a guest key and the bell; the bell
      // rings only when they press it.
      return { type: 'decision', outcome: 'deny', reason: 'notRecognised' };
  }
}
