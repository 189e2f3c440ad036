import { recordFailure, recordSuccess, remainingLockMs, type LockoutRecord } from '../lib/lockout.ts';
import { checkEntitlement } from './entitlement.ts';
import { applicableRules } from './step-up.ts';
import type { GuestKeyResult } from './guest-key.ts';
import type {
  AlertCode,
  Credential,
  Decision,
  DoorState,
  FaceEvidence,
  FaceScores,
  Factor,
  Pass,
  Person,
  PinCheck,
  ReasonCode,
  RiskHint,
  Settings,
  StepUpRule,
  Subject,
} from './types.ts';

/**
 * The access decision: pure, synchronous, over plain data and an injected clock. It fails closed:
 * anything unknown, malformed or not a number lands on deny, ring or a step-up, never on grant.
 * Every outcome carries the reasons, the person and the credential, so the log can explain it.
 */

export interface AccessContext {
  readonly people: readonly Person[];
  /**
   * Who has a PIN set. A step-up that calls for a PIN offers someone without one what they do
   * have (a blink, or the bell) instead of a pad they cannot use. Absent: everyone is taken to
   * have one (the stricter reading).
   */
  readonly pinHolders?: ReadonlySet<string>;
  readonly passes: readonly Pass[];
  readonly stepUpRules: readonly StepUpRule[];
  readonly door: DoorState;
  readonly settings: Settings;
  readonly risk?: RiskHint;
}

/** A face at the camera, with no PIN entered yet. */
export interface FaceAttempt extends AccessContext {
  readonly face: FaceEvidence;
}

/** A PIN entry: on its own at the pad, or answering a step-up with the same visit's face. */
export interface PinAttempt extends AccessContext {
  /** Who the PIN is for: the face candidate, a chosen name or user code, or whoever the PIN identified; null if nobody. */
  readonly personId: string | null;
  readonly pin: PinCheck;
  /** The pad's failure record; the caller stores the one returned. */
  readonly lockout: LockoutRecord;
  readonly face?: FaceEvidence;
}

export interface PinOutcome {
  readonly decision: Decision;
  readonly lockout: LockoutRecord;
}

export function decide(input: FaceAttempt, now: number): Decision {
  const reading = readFace(input.face, input.settings);
  const base = baseOf(input, now, { kind: 'face' }, scoresOf(input.face));
  const candidate = findPerson(input.people, input.face.match.personId);

  if (reading.kind === 'spoof') {
    return deny({ ...base, subject: subjectOf(candidate), alerts: ['spoofAttempt'] }, reading.reasons);
  }
  if (reading.kind === 'unknown') return { ...base, outcome: 'ring', reasons: reading.reasons };
  if (!candidate) return deny(base, ['unknownPerson']);
  return applyDoor(evaluate(candidate, reading, false, input, { ...base, subject: subjectOf(candidate) }, now), input.door);
}

export function decidePin(input: PinAttempt, now: number): PinOutcome {
  const person = findPerson(input.people, input.personId);
  const face = input.face ? readFace(input.face, input.settings) : null;
  // Duress is raised whatever else happens: a coerced person must be heard even if refused.
  const duress: AlertCode[] = input.pin === 'duress' && person ? ['duress'] : [];
  const base = { ...baseOf(input, now, { kind: 'pin' }, input.face ? scoresOf(input.face) : null), subject: subjectOf(person) };

  const locked = remainingLockMs(input.lockout, now);
  if (locked > 0) {
    return { decision: deny({ ...base, alerts: duress }, ['pinLockedOut'], locked), lockout: input.lockout };
  }

  if (!person || input.pin === 'wrong') {
    const lockout = recordFailure(input.lockout, now, input.settings.lockout);
    const wait = remainingLockMs(lockout, now);
    const reasons: ReasonCode[] = ['pinWrong'];
    if (input.personId !== null && !person) reasons.push('unknownPerson');
    if (wait > 0) reasons.push('pinLockedOut');
    const alerts: AlertCode[] = wait > 0 ? ['pinLockout'] : [];
    return { decision: deny({ ...base, alerts }, reasons, wait), lockout };
  }

  const lockout = recordSuccess();
  if (face?.kind === 'spoof') {
    return { decision: deny({ ...base, alerts: ['spoofAttempt', ...duress] }, face.reasons), lockout };
  }
  const forThisPerson = face?.kind === 'candidate' && face.personId === person.id ? face : null;
  const decision = evaluate(person, forThisPerson, true, input, { ...base, alerts: duress }, now);
  return { decision: applyDoor(decision, input.door), lockout };
}

/** A guest key already checked by verifyGuestKey; only the door can still refuse it. */
export function decideGuestKey(result: GuestKeyResult, door: DoorState, now: number): Decision {
  const claims = result.claims;
  const base: Base = {
    ...emptyBase(now),
    // Claims are only present once the signature checked out, so nothing unauthenticated is logged as fact.
    credential: { kind: 'guestKey', keyId: claims?.keyId ?? null, issuer: claims?.issuer ?? null },
    subject: claims ? { personId: claims.subject, name: claims.name, role: 'guest' } : null,
  };
  if (!result.ok) return deny(base, [result.reason]);
  return applyDoor({ ...base, outcome: 'grant', reasons: ['guestKeyValid'], passId: null }, door);
}

/** An unlock sent by a paired admin (authenticated by the remote module); lockdown still holds. */
export function decideRemote(adminId: string, door: DoorState, now: number): Decision {
  const base: Base = { ...emptyBase(now), credential: { kind: 'remote', adminId } };
  return applyDoor({ ...base, outcome: 'grant', reasons: ['remoteCommand'], passId: null }, door);
}

/**
 * The inside exit button is wired to the microcontroller, which opens whatever the panel thinks
 * (egress is a safety matter); this only records the attribution for the log.
 */
export function decideExitButton(now: number): Decision {
  return { ...emptyBase(now), credential: { kind: 'exitButton' }, outcome: 'grant', reasons: ['exitRequested'], passId: null };
}

// ---------------------------------------------------------------------------------------------

type Base = Omit<Decision, 'outcome' | 'reasons' | 'passId' | 'retryAfterMs' | 'step'>;

type FaceReading =
  | { readonly kind: 'spoof'; readonly reasons: readonly ReasonCode[] }
  | { readonly kind: 'unknown'; readonly reasons: readonly ReasonCode[] }
  | {
      readonly kind: 'candidate';
      readonly personId: string;
      /** Score at or above minScore; below it the face is only "probably them". */
      readonly confident: boolean;
      /** Passive liveness passed, or an active move resolved the uncertain band. */
      readonly live: boolean;
      readonly activeAsked: boolean;
      readonly activePassed: boolean;
    };

/** Comparisons are written as !(x >= limit) so that NaN from a broken stage refuses. */
function readFace(face: FaceEvidence, settings: Settings): FaceReading {
  const { match, liveness } = face;
  if (liveness.active === false) return { kind: 'spoof', reasons: ['activeLivenessFailed', 'spoofSuspected'] };
  // A very low passive score is a spoof even if a move was passed: a replayed video can blink.
  if (!(liveness.passive >= settings.liveness.spoofBelow)) return { kind: 'spoof', reasons: ['spoofSuspected'] };

  if (match.personId === null || !(match.score >= settings.match.minScore - settings.match.uncertainBand)) {
    return { kind: 'unknown', reasons: ['unknownFace'] };
  }
  if (!(match.margin >= settings.match.minMargin)) return { kind: 'unknown', reasons: ['ambiguousMatch'] };
  if (!(match.agreedFrames >= settings.match.minFrames)) return { kind: 'unknown', reasons: ['insufficientFrames'] };

  const passiveOk = liveness.passive >= Math.max(settings.liveness.pass, settings.liveness.spoofBelow);
  return {
    kind: 'candidate',
    personId: match.personId,
    confident: match.score >= settings.match.minScore,
    live: passiveOk || liveness.active === true,
    activeAsked: liveness.active !== null,
    activePassed: liveness.active === true,
  };
}

type FactorState = 'satisfied' | 'obtainable' | 'unavailable';

/**
 * The shared core once an identity is on the table: the person's status, their entitlement at
 * this instant, risk, then which factors the rules ask for and which of them the visit has shown.
 */
function evaluate(
  person: Person,
  face: Extract<FaceReading, { kind: 'candidate' }> | null,
  pinOk: boolean,
  ctx: AccessContext,
  base: Base,
  now: number,
): Decision {
  if (!person.active) return deny(base, ['personInactive']);
  const entitlement = checkEntitlement(person, ctx.passes, now);
  if (!entitlement.ok) return deny(base, entitlement.reasons);

  const risk = normaliseRisk(ctx.risk);
  // Written as !(risk < limit) so that a corrupt (NaN) threshold tightens instead of switching off.
  if (!(risk < ctx.settings.risk.denyAt)) return deny(base, ['highRisk']);
  const hasPin = ctx.pinHolders === undefined || ctx.pinHolders.has(person.id);

  const state: Record<Factor, FactorState> = {
    face: !face || !face.confident ? 'unavailable' : face.live ? 'satisfied' : face.activeAsked ? 'unavailable' : 'obtainable',
    pin: pinOk ? 'satisfied' : 'obtainable',
    activeLiveness: !face ? 'unavailable' : face.activePassed ? 'satisfied' : face.activeAsked ? 'unavailable' : 'obtainable',
  };
  const factors = (['face', 'pin', 'activeLiveness'] as const).filter((f) => state[f] === 'satisfied');

  const rules = applicableRules(ctx.stepUpRules, person, now);
  const required = new Map<Factor, Set<ReasonCode>>();
  const need = (f: Factor, why: ReasonCode) => required.set(f, (required.get(f) ?? new Set()).add(why));
  for (const rule of rules) for (const f of rule.require) need(f, 'stepUpRule');
  if (!(risk < ctx.settings.risk.stepUpAt)) {
    // A spoof a moment ago is answered by proving this face is live, not by a PIN; so is any
    // risk for someone with no PIN whose face is a confident match: they get what they can give.
    const byLiveness = face !== null && (livenessAnswers(ctx.risk) || (!hasPin && face.confident));
    need(byLiveness ? 'activeLiveness' : 'pin', 'elevatedRisk');
    if (byLiveness && !hasPin && !livenessAnswers(ctx.risk)) need('activeLiveness', 'noPinEnrolled');
  }
  // Someone has to be proven: a live confident face, or the PIN.
  if (state.face !== 'satisfied' && state.pin !== 'satisfied') {
    if (state.face === 'obtainable') need('face', 'livenessUncertain');
    else need('pin', 'lowMatchScore');
  }
  // A PIN nobody can type: what a rule or an unsure match asks for cannot be given here.
  if (!hasPin && state.pin !== 'satisfied' && required.has('pin')) state.pin = 'unavailable';

  const withRules: Base = { ...base, factors, ruleIds: rules.map((r) => r.id) };
  const missing = [...required.keys()].filter((f) => state[f] !== 'satisfied');
  // Refuse before asking for anything if some requirement cannot be met at all in this visit.
  const impossible = missing.filter((f) => state[f] === 'unavailable');
  if (impossible.length > 0) {
    const noPin = impossible.includes('pin') && !hasPin ? (['noPinEnrolled'] as const) : [];
    return deny(withRules, [...(noPin.length > 0 ? noPin : (['faceRequired'] as const)), ...impossible.flatMap((f) => [...(required.get(f) ?? [])])]);
  }
  const camera = missing.filter((f) => f === 'face' || f === 'activeLiveness');
  if (camera.length > 0) {
    return stepUp(withRules, 'activeLiveness', camera.flatMap((f) => [...(required.get(f) ?? [])]));
  }
  if (missing.includes('pin')) return stepUp(withRules, 'pin', [...(required.get('pin') ?? [])]);

  const reasons: ReasonCode[] = [];
  if (state.face === 'satisfied') reasons.push('faceMatched');
  if (state.pin === 'satisfied') reasons.push('pinVerified');
  if (state.activeLiveness === 'satisfied') reasons.push('activeLivenessPassed');
  reasons.push(entitlement.basis);
  return { ...withRules, outcome: 'grant', reasons, passId: entitlement.passId };
}

/** A decision the door cannot honour becomes a deny, keeping the identity for the log. */
function applyDoor(decision: Decision, door: DoorState): Decision {
  if (decision.outcome !== 'grant' && decision.outcome !== 'stepUp') return decision;
  const block: ReasonCode | null =
    door.mode !== 'normal' ? 'doorLockdown' : door.tamper ? 'tamperAlarm' : door.link !== 'online' ? 'doorOffline' : null;
  if (!block) return decision;
  const base: Base = {
    at: decision.at,
    subject: decision.subject,
    credential: decision.credential,
    factors: decision.factors,
    face: decision.face,
    ruleIds: decision.ruleIds,
    alerts: decision.alerts,
    risk: decision.risk,
    riskReasons: decision.riskReasons,
  };
  return deny(base, [block, ...decision.reasons]);
}

function deny(base: Base, reasons: readonly ReasonCode[], retryAfterMs = 0): Decision {
  return { ...base, outcome: 'deny', reasons: unique(reasons), retryAfterMs };
}

function stepUp(base: Base, step: 'pin' | 'activeLiveness', reasons: readonly ReasonCode[]): Decision {
  return { ...base, outcome: 'stepUp', step, reasons: unique(reasons) };
}

function baseOf(ctx: AccessContext, now: number, credential: Credential, face: FaceScores | null): Base {
  return {
    ...emptyBase(now),
    credential,
    face,
    risk: normaliseRisk(ctx.risk),
    riskReasons: ctx.risk?.reasons ?? [],
  };
}

function emptyBase(now: number): Base {
  return {
    at: now,
    subject: null,
    credential: { kind: 'face' },
    factors: [],
    face: null,
    ruleIds: [],
    alerts: [],
    risk: 0,
    riskReasons: [],
  };
}

function scoresOf(face: FaceEvidence): FaceScores {
  return {
    score: face.match.score,
    margin: face.match.margin,
    agreedFrames: face.match.agreedFrames,
    passive: face.liveness.passive,
    active: face.liveness.active,
  };
}

/** Risk reasons that say nothing against the attempt (they only explain a score of 0). */
const INFORMATIONAL_RISK = new Set(['usualHour', 'coldStart']);
/** Risk reasons that a live move answers better than a PIN: a photo can be shown with a stolen PIN. */
const LIVENESS_RISK = new Set(['recentSpoof']);

/** The risk rests only on reasons a live move answers. */
function livenessAnswers(risk: RiskHint | undefined): boolean {
  const weighing = (risk?.reasons ?? []).filter((r) => !INFORMATIONAL_RISK.has(r));
  return weighing.length > 0 && weighing.every((r) => LIVENESS_RISK.has(r));
}

/** Absent risk is none; a value that is not a number is the worst (fail closed). */
function normaliseRisk(risk: RiskHint | undefined): number {
  if (!risk) return 0;
  if (!Number.isFinite(risk.score)) return 1;
  return Math.min(1, Math.max(0, risk.score));
}

function findPerson(people: readonly Person[], id: string | null): Person | undefined {
  return id === null ? undefined : people.find((p) => p.id === id);
}

function subjectOf(person: Person | undefined): Subject | null {
  return person ? { personId: person.id, name: person.name, role: person.role } : null;
}

function unique<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}
