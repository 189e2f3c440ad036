import {
  fastGaps,
  loiteringMs,
  streak,
  unknownCompanions,
  within,
  type DoorSignals,
  type PersonSignals,
  type SignalKnobs,
} from './door-signals.ts';
import { quietTail, rhythmKnown, type DoorRhythm, type RhythmKnobs } from './door-rhythm.ts';
import { credentialShare, hourTail, isColdStart, type HabitKnobs, type HabitModel } from './habits.ts';
import type { AttemptInput, RiskAssessment, RiskReason } from './types.ts';

/**
 * The risk of one attempt, from what has been learnt before it. Each reason contributes a
 * probability-like weight and they combine as independent evidence (noisy-OR), so two mild
 * signals add up to more than either and nothing exceeds 1. Weights are set so that a single
 * strong reason crosses the step-up line (0.5), and refusing (0.9) takes strong evidence.
 */
export interface RiskKnobs {
  /** A visit hour whose tail probability is below this is unusual for the person. */
  readonly unusualHourBelow: number;
  /** Contribution at the threshold and at a never-seen hour. */
  readonly unusualHourMin: number;
  readonly unusualHourMax: number;
  /** Added for credentials that can be lent or stolen (PIN, guest key) at an unusual hour. */
  readonly bearerExtra: number;
  readonly unusualCredentialBelow: number;
  readonly unusualCredential: number;
  /** An unrecognised attempt in the door's quietest hours (tail below this). */
  readonly quietHourBelow: number;
  readonly quietHour: number;
  readonly streakBase: number;
  readonly streakStep: number;
  readonly streakMax: number;
  readonly recentSpoof: number;
  readonly tailgating: number;
  readonly loitering: number;
  readonly inhumanSpeed: number;
  readonly recentForcedDoor: number;
  readonly recentTamper: number;
  readonly recentHeldOpen: number;
}

export const DEFAULT_RISK_KNOBS: RiskKnobs = {
  unusualHourBelow: 0.02,
  unusualHourMin: 0.52,
  unusualHourMax: 0.75,
  bearerExtra: 0.1,
  unusualCredentialBelow: 0.05,
  unusualCredential: 0.2,
  quietHourBelow: 0.02,
  quietHour: 0.3,
  streakBase: 0.3,
  streakStep: 0.1,
  streakMax: 0.7,
  recentSpoof: 0.6,
  tailgating: 0.3,
  loitering: 0.35,
  inhumanSpeed: 0.85,
  recentForcedDoor: 0.5,
  recentTamper: 0.5,
  recentHeldOpen: 0.15,
};

/** Everything learnt that bears on one attempt; absent pieces mean "nothing known". */
export interface RiskContext {
  readonly habit?: HabitModel;
  readonly person?: PersonSignals;
  readonly door?: DoorSignals;
  readonly rhythm?: DoorRhythm;
  /** The unknown face beside the subject is a recurring visitor (seen on earlier visits). */
  readonly familiarCompanion?: boolean;
  readonly timeZone: string;
}

export interface RiskConfig {
  readonly risk: RiskKnobs;
  readonly habits: HabitKnobs;
  readonly rhythm: RhythmKnobs;
  readonly signals: SignalKnobs;
}

const isBearer = (c: AttemptInput['credential']): boolean => c === 'pin' || c === 'guestKey';

function streakWeight(n: number, from: number, k: RiskKnobs): number {
  if (n < from) return 0;
  return Math.min(k.streakMax, k.streakBase + k.streakStep * (n - from));
}

export function assessRisk(input: AttemptInput, ctx: RiskContext, now: number, config: RiskConfig): RiskAssessment {
  const k = config.risk;
  // The inside exit button and a signed admin command are never made harder by behaviour.
  if (input.credential === 'exitButton' || input.credential === 'remote') return { score: 0, reasons: [], parts: {} };

  const parts: Partial<Record<RiskReason, number>> = {};
  const reasons: RiskReason[] = [];
  const add = (reason: RiskReason, weight: number): void => {
    reasons.push(reason);
    parts[reason] = weight;
  };

  if (input.personId !== null) {
    if (isColdStart(ctx.habit, now, config.habits)) {
      // Too little history to call anything unusual: the static policy alone decides.
      add('coldStart', 0);
    } else if (ctx.habit) {
      const tail = hourTail(ctx.habit, input.at, config.habits, ctx.timeZone);
      if (tail < k.unusualHourBelow) {
        const depth = 1 - tail / k.unusualHourBelow;
        add('unusualHour', k.unusualHourMin + (k.unusualHourMax - k.unusualHourMin) * depth + (isBearer(input.credential) ? k.bearerExtra : 0));
      } else {
        add('usualHour', 0);
      }
      if (credentialShare(ctx.habit, input.credential) < k.unusualCredentialBelow) add('unusualCredential', k.unusualCredential);
    }
  } else if (ctx.rhythm && rhythmKnown(ctx.rhythm, now, config.rhythm) && quietTail(ctx.rhythm, input.at, ctx.timeZone) < k.quietHourBelow) {
    add('quietHour', k.quietHour);
  }

  const s = config.signals;
  if (ctx.door) {
    const d = ctx.door;
    // For a face, trouble at the door counts only within the visit: it was someone else's, and a
    // face answers for itself (its own spoofs and refusals follow it below). A PIN or key is a
    // bearer secret that anyone at the pad may be trying, so the door's longer memory applies.
    const face = input.credential === 'face';
    const doorWindow = face ? { ...s, failureWindowMs: Math.min(s.failureWindowMs, s.visitWindowMs) } : s;
    const doorStreak = streakWeight(streak(d.refusals, now, doorWindow), s.doorStreakFrom, k);
    if (doorStreak > 0) add('failureStreak', doorStreak);
    if (within(d.lastSpoofAt, now, face ? s.visitWindowMs : s.spoofWindowMs)) add('recentSpoof', k.recentSpoof);
    if (fastGaps(d, now, s) >= s.fastGapsToFlag) add('inhumanSpeed', k.inhumanSpeed);
    if (loiteringMs(d, now, s) >= s.loiterMs) add('loitering', k.loitering);
    if (within(d.lastForcedAt, now, s.forcedWindowMs)) add('recentForcedDoor', k.recentForcedDoor);
    if (within(d.lastTamperAt, now, s.tamperWindowMs)) add('recentTamper', k.recentTamper);
    if (within(d.lastHeldOpenAt, now, s.heldOpenWindowMs)) add('recentHeldOpen', k.recentHeldOpen);
  }
  if (ctx.person) {
    const personStreak = streakWeight(streak(ctx.person.refusals, now, s), s.personStreakFrom, k);
    if (personStreak > 0) add('personFailureStreak', personStreak);
    if (!reasons.includes('recentSpoof') && within(ctx.person.lastSpoofAt, now, s.personSpoofWindowMs)) add('recentSpoof', k.recentSpoof);
  }
  if (unknownCompanions(input) > 0 && !ctx.familiarCompanion) add('tailgating', k.tailgating);

  let keep = 1;
  for (const r of reasons) keep *= 1 - Math.min(1, Math.max(0, parts[r] ?? 0));
  return { score: 1 - keep, reasons, parts };
}
