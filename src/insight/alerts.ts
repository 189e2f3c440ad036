import { expectedAttempts, openDurationQuantile, rhythmKnown, type DoorRhythm, type RhythmKnobs } from './door-rhythm.ts';
import type { DoorSignals } from './door-signals.ts';
import { isColdStart, regularSlots, type HabitKnobs, type HabitModel, type RegularSlot } from './habits.ts';
import { HOUR_MS, hourOfWeek, HOURS_PER_WEEK, inDailyWindow } from './time.ts';

/**
 * Alerts for the admins: what happened, how urgent, and a key so one incident alerts once.
 * Detectors here are pure functions of learnt state and the time; the delivery rules (cooldown,
 * quiet hours) are applied in one place, `raise`.
 */
export type AlertCode =
  | 'intruder'
  | 'unusualAccess'
  | 'bruteForce'
  | 'spoofAttempt'
  | 'tailgating'
  | 'loitering'
  | 'unknownVisitor'
  | 'forcedDoor'
  | 'tamper'
  | 'doorLeftOpen'
  | 'panelSilent'
  | 'expectedArrivalMissed';

export type Severity = 'critical' | 'warning' | 'info';

export const SEVERITY: Readonly<Record<AlertCode, Severity>> = {
  intruder: 'critical',
  unusualAccess: 'warning',
  bruteForce: 'critical',
  spoofAttempt: 'critical',
  tailgating: 'warning',
  loitering: 'warning',
  unknownVisitor: 'info',
  forcedDoor: 'critical',
  tamper: 'critical',
  doorLeftOpen: 'warning',
  panelSilent: 'info',
  expectedArrivalMissed: 'info',
};

export interface Alert {
  readonly code: AlertCode;
  readonly severity: Severity;
  readonly at: number;
  readonly doorId: string | null;
  readonly personId: string | null;
  /** Dedupe key: the same key within the cooldown is one alert. */
  readonly key: string;
  readonly detail: string;
  /** Held back by quiet hours; delivered when they end. */
  readonly deferred: boolean;
}

export interface AlertKnobs {
  readonly cooldownMs: number;
  /** Local hours [start, end) in which only critical alerts are pushed. */
  readonly quietHours: { readonly startHour: number; readonly endHour: number } | null;
  readonly maxDeferred: number;
  /** Refusals at a door within the signal window that make a burst. */
  readonly burstRefusals: number;
  /**
   * The door open longer than this and longer than `openFactor` x its usual p99, but never
   * longer than `doorOpenMaxMs`: a door that is often held for minutes must still be reported
   * once it has plainly been left open.
   */
  readonly doorOpenMs: number;
  readonly openFactor: number;
  readonly doorOpenMaxMs: number;
  /** Silence must last this long and the door would usually have seen this many attempts. */
  readonly silenceMinMs: number;
  readonly silenceExpected: number;
  /** A watched person's weekly slot: rate at least this, alert after the slot plus grace. */
  readonly arrivalMinRate: number;
  readonly arrivalGraceMs: number;
  /** Nobody else entered for this long: the household is away, a missed visit is expected. */
  readonly awayAfterMs: number;
  /** An unrecognised attempt in the door's quiet hours, not followed by a grant within this. */
  readonly intruderConfirmMs: number;
  /** Companions seen on at least this many earlier visits are familiar, not tailgaters. */
  readonly familiarVisits: number;
  /** Uncertain-liveness attempts at a door within the spoof window that count as a replay. */
  readonly uncertainLivenessBurst: number;
}

export const DEFAULT_ALERT_KNOBS: AlertKnobs = {
  cooldownMs: 30 * 60_000,
  quietHours: { startHour: 22, endHour: 7 },
  maxDeferred: 100,
  burstRefusals: 5,
  doorOpenMs: 5 * 60_000,
  openFactor: 3,
  doorOpenMaxMs: 8 * 60_000,
  silenceMinMs: 8 * HOUR_MS,
  silenceExpected: 10,
  arrivalMinRate: 0.7,
  arrivalGraceMs: 45 * 60_000,
  awayAfterMs: 36 * HOUR_MS,
  intruderConfirmMs: 3 * 60_000,
  familiarVisits: 2,
  uncertainLivenessBurst: 2,
};

export interface AlertState {
  /** Last raise per key; pruned as entries age past the longest cooldown. */
  lastRaised: Map<string, number>;
  deferred: Alert[];
}

export const createAlertState = (): AlertState => ({ lastRaised: new Map(), deferred: [] });

export type AlertDraft = Omit<Alert, 'severity' | 'deferred'> & { readonly cooldownMs?: number };

/**
 * Applies dedupe and quiet hours. Returns the alert as raised (deferred or not), or null when
 * the same key fired within its cooldown.
 */
export function raise(state: AlertState, draft: AlertDraft, knobs: AlertKnobs, timeZone = 'UTC'): Alert | null {
  const cooldown = draft.cooldownMs ?? knobs.cooldownMs;
  const last = state.lastRaised.get(draft.key);
  if (last !== undefined && draft.at - last < cooldown) return null;
  state.lastRaised.set(draft.key, draft.at);
  if (state.lastRaised.size > 512) {
    for (const [k, t] of state.lastRaised) if (draft.at - t > 7 * 24 * HOUR_MS) state.lastRaised.delete(k);
  }
  const severity = SEVERITY[draft.code];
  const q = knobs.quietHours;
  const deferred = severity !== 'critical' && q !== null && inDailyWindow(draft.at, q.startHour, q.endHour, timeZone);
  const { cooldownMs: _ignored, ...rest } = draft;
  const alert: Alert = { ...rest, severity, deferred };
  if (deferred) {
    state.deferred.push(alert);
    if (state.deferred.length > knobs.maxDeferred) state.deferred.splice(0, state.deferred.length - knobs.maxDeferred);
  }
  return alert;
}

/** The alerts held back by quiet hours, once they are over. */
export function flushDeferred(state: AlertState, now: number, knobs: AlertKnobs, timeZone = 'UTC'): Alert[] {
  const q = knobs.quietHours;
  if (state.deferred.length === 0 || (q !== null && inDailyWindow(now, q.startHour, q.endHour, timeZone))) return [];
  const out = state.deferred;
  state.deferred = [];
  return out;
}

// ---------------------------------------------------------------------------------------------
// Time-driven detectors

export function doorLeftOpen(door: DoorSignals, rhythm: DoorRhythm | undefined, now: number, knobs: AlertKnobs): AlertDraft | null {
  if (door.openedAt === null) return null;
  const usual = rhythm ? openDurationQuantile(rhythm, 0.99) : null;
  const limit = Math.min(knobs.doorOpenMaxMs, Math.max(knobs.doorOpenMs, (usual ?? 0) * knobs.openFactor));
  const open = now - door.openedAt;
  if (open < limit) return null;
  return {
    code: 'doorLeftOpen',
    at: now,
    doorId: door.doorId,
    personId: null,
    key: `open:${door.doorId}:${door.openedAt}`,
    detail: `open for ${Math.round(open / 60_000)} min`,
    cooldownMs: Number.POSITIVE_INFINITY,
  };
}

export function panelSilent(door: DoorSignals, rhythm: DoorRhythm, now: number, rhythmKnobs: RhythmKnobs, knobs: AlertKnobs, timeZone = 'UTC'): AlertDraft | null {
  const since = door.lastEventAt;
  if (since === null || now - since < knobs.silenceMinMs || !rhythmKnown(rhythm, now, rhythmKnobs)) return null;
  const expected = expectedAttempts(rhythm, since, now, now, rhythmKnobs, timeZone);
  if (expected < knobs.silenceExpected) return null;
  return {
    code: 'panelSilent',
    at: now,
    doorId: door.doorId,
    personId: null,
    key: `silent:${door.doorId}:${since}`,
    detail: `no activity for ${Math.round((now - since) / HOUR_MS)} h where about ${Math.round(expected)} attempts are usual`,
    cooldownMs: Number.POSITIVE_INFINITY,
  };
}

/**
 * The weekly slots to watch for a person, judged as of six hours ago: the occurrence being
 * checked must not count against itself (a missed week lowers the rate that predicts it).
 * Cheap enough to call every tick, but the engine caches it per person for a few hours.
 */
export function watchedSlots(habit: HabitModel, now: number, habitKnobs: HabitKnobs, knobs: AlertKnobs, timeZone = 'UTC'): RegularSlot[] {
  const asOf = now - 6 * HOUR_MS;
  if (isColdStart(habit, asOf, habitKnobs)) return [];
  return regularSlots(habit, asOf, habitKnobs, knobs.arrivalMinRate, timeZone);
}

/**
 * A watched person (a carer, a cleaner) who comes at the same hour every week and has not come
 * this week: alert once the slot and its grace have passed.
 */
export function missedArrivals(habit: HabitModel, slots: readonly RegularSlot[], now: number, knobs: AlertKnobs, timeZone = 'UTC'): AlertDraft[] {
  const out: AlertDraft[] = [];
  const nowHow = hourOfWeek(now, timeZone);
  for (const slot of slots) {
    // The slot covers bins bin-1..bin+1; it is missed from the end of bin+1 plus grace.
    const dueHow = slot.bin + 2 + knobs.arrivalGraceMs / HOUR_MS;
    const sinceDue = (((nowHow - dueHow) % HOURS_PER_WEEK) + HOURS_PER_WEEK) % HOURS_PER_WEEK;
    if (sinceDue > 2) continue;
    const windowStart = now - (sinceDue + 3 + knobs.arrivalGraceMs / HOUR_MS) * HOUR_MS;
    if (habit.lastEntryAt >= windowStart) continue;
    out.push({
      code: 'expectedArrivalMissed',
      at: now,
      doorId: null,
      personId: habit.personId,
      key: `arrival:${habit.personId}:${slot.bin}`,
      detail: `usually arrives around ${String(slot.bin % 24).padStart(2, '0')}:00 on ${DAY_NAMES[Math.floor(slot.bin / 24)] ?? '?'} (${slot.rate.toFixed(2)}/week)`,
      cooldownMs: 3 * 24 * HOUR_MS,
    });
  }
  return out;
}

const DAY_NAMES = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
