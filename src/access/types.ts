/**
 * The access layer's vocabulary: plain, serialisable data only (no classes, no Dates), so the
 * same records live in IndexedDB, cross the worker boundary and feed the pure decision functions.
 * Instants are epoch milliseconds; local dates and times are strings read in a named IANA zone.
 */

export type Role = 'resident' | 'employee' | 'guest' | 'service';

export interface Person {
  readonly id: string;
  readonly name: string;
  readonly role: Role;
  readonly active: boolean;
  /**
   * When this person may enter on their own. Absent: residents and employees are unrestricted,
   * guests and service providers need a valid pass (they are the people whose access should end).
   */
  readonly schedule?: Schedule;
}

// ---------------------------------------------------------------------------------------------
// Schedules: wall-clock windows in a named zone, so "08:00" stays 08:00 across DST changes.

export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';

/** "HH:MM" local wall time, 00:00..23:59, plus "24:00" as an end meaning the end of the day. */
export type ClockTime = string;

/** "YYYY-MM-DD" local calendar date. */
export type LocalDate = string;

export interface TimeSpan {
  readonly start: ClockTime;
  /** Earlier than start: the span crosses midnight into the next day. Equal to start: empty. */
  readonly end: ClockTime;
}

export interface WeeklyWindow extends TimeSpan {
  /** The days the window opens on; a window crossing midnight spills into the following day. */
  readonly days: readonly Weekday[];
}

/** Both ends inclusive. */
export interface DateRange {
  readonly from: LocalDate;
  readonly to: LocalDate;
}

export type ScheduleException =
  /** Closes the whole local calendar date, including a night window spilling in from the day before. */
  | { readonly date: LocalDate; readonly kind: 'closed'; readonly note?: string }
  /** Replaces the weekly windows on that date; without spans the whole date is open. */
  | { readonly date: LocalDate; readonly kind: 'open'; readonly spans?: readonly TimeSpan[]; readonly note?: string };

export interface Schedule {
  /** IANA zone, e.g. "Europe/London"; an unknown zone makes the schedule grant nothing. */
  readonly timeZone: string;
  readonly windows: readonly WeeklyWindow[];
  /** When present and non-empty, the local date must fall in one of them. */
  readonly ranges?: readonly DateRange[];
  readonly exceptions?: readonly ScheduleException[];
}

// ---------------------------------------------------------------------------------------------
// Passes: time-limited, counted access for guests and service providers.

export interface Pass {
  readonly id: string;
  readonly personId: string;
  /** Epoch ms, inclusive. */
  readonly from: number;
  /** Epoch ms, exclusive. */
  readonly to: number;
  /** Weekly windows (with holidays) inside from..to; absent means any time in the range. */
  readonly schedule?: Schedule;
  /** Null: unlimited. */
  readonly maxUses: number | null;
  readonly uses: number;
  readonly revoked?: boolean;
  /**
   * A guest key's own pass (self check-in): the face enters on the key's window, and its uses are
   * the key's, counted in one place, so face and QR together open no more often than the key allows.
   */
  readonly keyId?: string;
}

// ---------------------------------------------------------------------------------------------
// Evidence from the vision pipeline (vision/evidence.ts owns it: the pipeline produces it, the
// policy reads it) and the PIN pad.

export type { FaceEvidence, FaceMatch, Liveness } from '../vision/evidence.ts';

/** Result of checking an entered PIN against stored hashes (see pin.ts). */
export type PinCheck = 'match' | 'duress' | 'wrong';

// ---------------------------------------------------------------------------------------------
// Policy configuration.

/** Something that proves identity or presence; step-up rules ask for a set of them. */
export type Factor = 'face' | 'pin' | 'activeLiveness';

export type StepUpScope =
  | { readonly kind: 'everyone' }
  | { readonly kind: 'role'; readonly role: Role }
  | { readonly kind: 'person'; readonly personId: string };

export interface StepUpRule {
  readonly id: string;
  readonly scope: StepUpScope;
  /** When the rule applies, e.g. every day 22:00-06:00; absent means always. */
  readonly when?: Schedule;
  /** Every listed factor must be present, e.g. ['face', 'pin'] for "face and PIN after 22:00". */
  readonly require: readonly Factor[];
}

/** From the behaviour-learning module; absent is treated as no risk. */
export interface RiskHint {
  /** 0..1; a value that is not a number is treated as 1 (fail closed). */
  readonly score: number;
  readonly reasons: readonly string[];
}

export interface DoorState {
  /** Lockdown refuses every unlock until an admin lifts it. */
  readonly mode: 'normal' | 'lockdown';
  /** Whether the panel bridge (relay controller) is reachable; a grant it cannot carry out is a deny. */
  readonly link: 'online' | 'offline';
  readonly tamper: boolean;
}

export interface Settings {
  readonly match: {
    /** Score at or above which a face counts as the person. */
    readonly minScore: number;
    /** Scores this far below minScore are "probably them": offer the PIN instead of refusing. */
    readonly uncertainBand: number;
    readonly minMargin: number;
    readonly minFrames: number;
  };
  readonly liveness: {
    /** Passive score at or above which the face is taken as live. */
    readonly pass: number;
    /** Passive score below which the attempt is treated as a spoof; between the two, ask a move. */
    readonly spoofBelow: number;
  };
  readonly risk: {
    readonly stepUpAt: number;
    readonly denyAt: number;
  };
  readonly lockout: {
    readonly freeTries: number;
    readonly baseMs: number;
    readonly maxMs: number;
  };
}

// ---------------------------------------------------------------------------------------------
// The decision.

/** Why, in machine-readable form: the log stores these, the admin reads them, the kiosk maps a few. */
export type ReasonCode =
  // what let someone in
  | 'faceMatched'
  | 'pinVerified'
  | 'activeLivenessPassed'
  | 'guestKeyValid'
  | 'remoteCommand'
  | 'exitRequested'
  | 'withinSchedule'
  | 'unrestricted'
  | 'passValid'
  // identity
  | 'unknownFace'
  | 'ambiguousMatch'
  | 'insufficientFrames'
  | 'lowMatchScore'
  | 'unknownPerson'
  | 'personInactive'
  // presence
  | 'spoofSuspected'
  | 'livenessUncertain'
  | 'activeLivenessFailed'
  // time and entitlement
  | 'outsideSchedule'
  | 'scheduleInvalid'
  | 'noAccessRights'
  | 'passNotYetValid'
  | 'passExpired'
  | 'passExhausted'
  | 'passRevoked'
  // step-up and risk
  | 'stepUpRule'
  | 'elevatedRisk'
  | 'highRisk'
  | 'faceRequired'
  /** A PIN was called for but the person has none: a blink was asked instead, or they were sent to the bell. */
  | 'noPinEnrolled'
  // PIN pad
  | 'pinWrong'
  | 'pinLockedOut'
  // door
  | 'doorLockdown'
  | 'doorOffline'
  | 'tamperAlarm'
  // guest keys
  | GuestKeyFailure;

export type GuestKeyFailure =
  | 'keyMalformed'
  | 'keyUnsupportedAlgorithm'
  | 'keyUnknownIssuer'
  | 'keyBadSignature'
  | 'keyWrongDoor'
  | 'keyNotYetValid'
  | 'keyExpired'
  | 'keyRevoked'
  | 'keyExhausted';

/** Raised silently to the admins; never shown at the door. */
export type AlertCode = 'duress' | 'spoofAttempt' | 'pinLockout';

export type Credential =
  | { readonly kind: 'face' }
  | { readonly kind: 'pin' }
  /** Null when the token could not be authenticated, so its claims are not trusted. */
  | { readonly kind: 'guestKey'; readonly keyId: string | null; readonly issuer: string | null }
  | { readonly kind: 'remote'; readonly adminId: string }
  | { readonly kind: 'exitButton' };

export type CredentialKind = Credential['kind'];

/** Who the attempt was about: the matched, claimed or key-named identity. */
export interface Subject {
  readonly personId: string;
  readonly name: string;
  readonly role: Role;
}

export interface FaceScores {
  readonly score: number;
  readonly margin: number;
  readonly agreedFrames: number;
  readonly passive: number;
  readonly active: boolean | null;
}

interface DecisionBase {
  readonly at: number;
  readonly reasons: readonly ReasonCode[];
  readonly subject: Subject | null;
  readonly credential: Credential;
  /** Factors actually proven in this attempt. */
  readonly factors: readonly Factor[];
  readonly face: FaceScores | null;
  /** Step-up rules that applied to this attempt. */
  readonly ruleIds: readonly string[];
  readonly alerts: readonly AlertCode[];
  readonly risk: number;
  readonly riskReasons: readonly string[];
}

export type StepUp = 'pin' | 'activeLiveness';

export type Decision =
  /** passId: the pass to count a use against, or null when none was used. */
  | (DecisionBase & { readonly outcome: 'grant'; readonly passId: string | null })
  /** retryAfterMs: set while the PIN pad is locked. */
  | (DecisionBase & { readonly outcome: 'deny'; readonly retryAfterMs: number })
  | (DecisionBase & { readonly outcome: 'stepUp'; readonly step: StepUp })
  /** Not recognised: offer the PIN pad, a guest key and the bell. */
  | (DecisionBase & { readonly outcome: 'ring' });

export type Outcome = Decision['outcome'];
