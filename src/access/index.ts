/**
 * The access layer's public surface. Everything here is pure (no I/O, clock injected) except the
 * WebCrypto calls in pin.ts and guest-key.ts, which are async but touch no storage or network.
 */
export type * from './types.ts';
export { DEFAULT_SETTINGS } from './settings.ts';
export { checkSchedule, isWithinSchedule, localTime, scheduleProblems, parseClock, isLocalDate, type ScheduleCheck, type LocalTime } from './schedule.ts';
export { withFirstWindow, withHoliday, withoutHoliday, holidayText } from './schedule-edit.ts';
export { checkEntitlement, passRefusal, type Entitlement } from './entitlement.ts';
export { applicableRules } from './step-up.ts';
export {
  decide,
  decidePin,
  decideGuestKey,
  decideRemote,
  decideExitButton,
  type AccessContext,
  type FaceAttempt,
  type PinAttempt,
  type PinOutcome,
} from './policy.ts';
export { checkPin, identifyByPin, pinProblem, keypadLayout, PIN_MIN_LENGTH, PIN_MAX_LENGTH, type PinCredential } from './pin.ts';
export {
  createGuestKey,
  verifyGuestKey,
  maySelfEnrol,
  selfEnrolPass,
  withKeyUses,
  generateIssuerKeys,
  importIssuerKey,
  jwkThumbprint,
  GUEST_KEY_TYP,
  DEFAULT_SKEW_MS,
  MAX_SKEW_MS,
  MAX_TOKEN_LENGTH,
  type GuestKeyClaims,
  type GuestKeyResult,
  type GuestKeyRequest,
  type IssuerKeys,
  type VerifyOptions,
} from './guest-key.ts';
