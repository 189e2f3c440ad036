import { adapt, DEFAULT_ADAPTIVE_KNOBS, toRiskHint, type AdaptiveDecision, type AdaptiveKnobs } from './adaptive.ts';
import {
  createAlertState,
  DEFAULT_ALERT_KNOBS,
  doorLeftOpen,
  flushDeferred,
  missedArrivals,
  panelSilent,
  watchedSlots,
  raise,
  type Alert,
  type AlertDraft,
  type AlertKnobs,
  type AlertState,
} from './alerts.ts';
import {
  createClusterStore,
  DEFAULT_CLUSTER_KNOBS,
  nearestCluster,
  observeUnknownFace,
  type ClusterKnobs,
  type ClusterStore,
} from './clusters.ts';
import {
  createDoorSignals,
  createPersonSignals,
  DEFAULT_SIGNAL_KNOBS,
  fastGaps,
  isSpoof,
  loiteringMs,
  observeAttemptSignals,
  observeDoorSignals,
  streak,
  unknownCompanions,
  type DoorSignals,
  type PersonSignals,
  type SignalKnobs,
} from './door-signals.ts';
import { createRhythm, DEFAULT_RHYTHM_KNOBS, observeActivity, observeOpenDuration, quietTail, rhythmKnown, type DoorRhythm, type RhythmKnobs } from './door-rhythm.ts';
import { createHabit, DEFAULT_HABIT_KNOBS, observeEntry, type HabitKnobs, type HabitModel, type RegularSlot } from './habits.ts';
import { assessRisk, DEFAULT_RISK_KNOBS, type RiskKnobs } from './risk.ts';
import { createVisitBook, DEFAULT_VISIT_KNOBS, strangerSeen, visitorRang, type VisitBook, type VisitKnobs } from './visits.ts';
import type { AccessEvent, AttemptEvent, AttemptInput, DoorEvent, RiskAssessment } from './types.ts';

/**
 * One site's learnt state and the three calls the app makes: `assess` before deciding an attempt
 * (pure: reads state only), `observe` after logging any event (learns, returns alerts), `tick`
 * every few minutes (time-driven alerts). The state is plain data (Maps, arrays, typed arrays),
 * so it can be stored with structured clone; its size is capped by the knobs, not by history.
 */
export interface InsightConfig {
  readonly timeZone: string;
  readonly habits: HabitKnobs;
  readonly rhythm: RhythmKnobs;
  readonly signals: SignalKnobs;
  readonly clusters: ClusterKnobs;
  readonly risk: RiskKnobs;
  readonly adaptive: AdaptiveKnobs;
  readonly alerts: AlertKnobs;
  readonly visits: VisitKnobs;
  /** People whose weekly visits are expected (carers, cleaners): a missed one alerts. */
  readonly watchedPeople: readonly string[];
  readonly maxPeople: number;
  readonly maxDoors: number;
}

export const DEFAULT_INSIGHT_CONFIG: InsightConfig = {
  timeZone: 'UTC',
  habits: DEFAULT_HABIT_KNOBS,
  rhythm: DEFAULT_RHYTHM_KNOBS,
  signals: DEFAULT_SIGNAL_KNOBS,
  clusters: DEFAULT_CLUSTER_KNOBS,
  risk: DEFAULT_RISK_KNOBS,
  adaptive: DEFAULT_ADAPTIVE_KNOBS,
  alerts: DEFAULT_ALERT_KNOBS,
  visits: DEFAULT_VISIT_KNOBS,
  watchedPeople: [],
  maxPeople: 1_000,
  maxDoors: 16,
};

interface DoorState {
  readonly signals: DoorSignals;
  readonly rhythm: DoorRhythm;
  /** An unrecognised attempt in quiet hours waiting for a grant that would explain it. */
  pendingIntruderSince: number | null;
  /** Uncertain-liveness attempts (possible replays), newest last, capped. */
  uncertainLiveness: number[];
  /** Strangers at the door now, so each visit alerts once (visits.ts). */
  visits: VisitBook;
}

interface PersonState {
  habit: HabitModel;
  signals: PersonSignals;
  lastSeenAt: number;
  /** Weekly slots of a watched person, recomputed every few hours (they move slowly). */
  slots?: { at: number; slots: RegularSlot[] };
}

const SLOT_REFRESH_MS = 3 * 3_600_000;

export interface InsightState {
  readonly config: InsightConfig;
  readonly people: Map<string, PersonState>;
  readonly doors: Map<string, DoorState>;
  readonly clusters: ClusterStore;
  readonly alerts: AlertState;
  /** Last entry by anyone not watched: tells an empty home (holiday) from a missed visit. */
  lastResidentEntryAt: number | null;
}

export interface Assessment {
  readonly risk: RiskAssessment;
  readonly decision: AdaptiveDecision;
  /** Pass to the access layer's decide(). */
  readonly hint: { score: number; reasons: string[] };
}

export function createInsight(config: Partial<InsightConfig> = {}): InsightState {
  return {
    config: { ...DEFAULT_INSIGHT_CONFIG, ...config },
    people: new Map(),
    doors: new Map(),
    clusters: createClusterStore(),
    alerts: createAlertState(),
    lastResidentEntryAt: null,
  };
}

/**
 * Erasure: everything learnt about one person, gone. Their habit map and short memory, their
 * place among the watched, the alert bookkeeping keyed by them and alerts held for them. What
 * the door learnt from all traffic (its rhythm) keeps no trace of who and stays.
 */
export function forgetPerson(state: InsightState, personId: string): InsightState {
  state.people.delete(personId);
  const about = (a: { readonly personId: string | null; readonly key: string }) => a.personId === personId || a.key.includes(personId);
  for (const key of [...state.alerts.lastRaised.keys()]) if (key.includes(personId)) state.alerts.lastRaised.delete(key);
  state.alerts.deferred = state.alerts.deferred.filter((a) => !about(a));
  const watched = state.config.watchedPeople.filter((id) => id !== personId);
  return watched.length === state.config.watchedPeople.length ? state : { ...state, config: { ...state.config, watchedPeople: watched } };
}

/** Map order is insertion order; re-inserting on use makes the first entry the least recent. */
function touch<K, V>(map: Map<K, V>, key: K, value: V, cap: number): void {
  map.delete(key);
  map.set(key, value);
  while (map.size > cap) {
    const oldest = map.keys().next();
    if (oldest.done) break;
    map.delete(oldest.value);
  }
}

function doorOf(state: InsightState, doorId: string, at: number): DoorState {
  let d = state.doors.get(doorId);
  if (!d) d = { signals: createDoorSignals(doorId), rhythm: createRhythm(doorId, at), pendingIntruderSince: null, uncertainLiveness: [], visits: createVisitBook() };
  // Learnt by an engine from before visits were followed.
  d.visits ??= createVisitBook();
  touch(state.doors, doorId, d, state.config.maxDoors);
  return d;
}

function personOf(state: InsightState, personId: string, at: number): PersonState {
  let p = state.people.get(personId);
  if (!p) p = { habit: createHabit(personId, at), signals: createPersonSignals(), lastSeenAt: at };
  p.lastSeenAt = at;
  touch(state.people, personId, p, state.config.maxPeople);
  return p;
}

function familiar(state: InsightState, input: AttemptInput): boolean {
  if (!input.unknownEmbedding) return false;
  const near = nearestCluster(state.clusters, input.unknownEmbedding, state.config.clusters);
  return near !== null && near.cluster.visits >= state.config.alerts.familiarVisits;
}

/** Risk and the adaptive decision for an attempt about to be decided. Reads state only. */
export function assess(state: InsightState, input: AttemptInput, now: number): Assessment {
  const c = state.config;
  const person = input.personId === null ? undefined : state.people.get(input.personId);
  const door = state.doors.get(input.doorId);
  const risk = assessRisk(
    input,
    {
      ...(person ? { habit: person.habit, person: person.signals } : {}),
      ...(door ? { door: door.signals, rhythm: door.rhythm } : {}),
      familiarCompanion: familiar(state, input),
      timeZone: c.timeZone,
    },
    now,
    c,
  );
  const decision = adapt(input, risk, c.adaptive);
  return { risk, decision, hint: toRiskHint(risk) };
}

export interface ObserveResult {
  readonly alerts: Alert[];
  /** For attempts: the assessment as it stood just before this attempt was learnt. */
  readonly assessment: Assessment | null;
}

export function observe(state: InsightState, event: AccessEvent): ObserveResult {
  return event.type === 'attempt' ? observeAttempt(state, event) : { alerts: observeDoor(state, event), assessment: null };
}

function draft(code: AlertDraft['code'], e: AttemptEvent | DoorEvent, key: string, detail: string, personId: string | null = null): AlertDraft {
  return { code, at: e.at, doorId: e.doorId, personId, key, detail };
}

function observeAttempt(state: InsightState, e: AttemptEvent): ObserveResult {
  const c = state.config;
  const assessment = assess(state, e, e.at);
  const door = doorOf(state, e.doorId, e.at);
  const person = e.personId === null ? undefined : personOf(state, e.personId, e.at);
  const drafts: AlertDraft[] = [];

  if (assessment.decision.alert) {
    const code = e.personId === null ? 'intruder' : 'unusualAccess';
    drafts.push(draft(code, e, `${code}:${e.doorId}:${e.personId ?? '-'}`, `risk ${assessment.risk.score.toFixed(2)}: ${assessment.risk.reasons.join(', ')}`, e.personId));
  }
  if (isSpoof(e, c.signals)) {
    drafts.push(draft('spoofAttempt', e, `spoof:${e.doorId}`, `passive liveness ${e.liveness?.toFixed(2) ?? '?'}`, e.personId));
  } else if (e.liveness !== null && e.credential === 'face' && e.outcome !== 'grant' && e.reasons.includes('livenessUncertain')) {
    door.uncertainLiveness.push(e.at);
    door.uncertainLiveness = door.uncertainLiveness.filter((t) => e.at - t <= c.signals.spoofWindowMs).slice(-8);
    if (door.uncertainLiveness.length >= c.alerts.uncertainLivenessBurst) {
      drafts.push(draft('spoofAttempt', e, `spoof:${e.doorId}`, 'repeated uncertain liveness: a replayed video?', e.personId));
    }
  }
  if (e.credential === 'face' && e.outcome === 'grant' && unknownCompanions(e) > 0 && !familiar(state, e)) {
    drafts.push(draft('tailgating', e, `tail:${e.doorId}:${e.id}`, `${e.faces} faces in frame, an unknown one beside ${e.personId ?? 'nobody'}`, e.personId));
  }

  observeAttemptSignals(door.signals, person?.signals, e, c.signals);
  // Only traffic that was let in defines the door's rhythm: refused attempts are what the
  // rhythm is there to judge, and an attacker's nights must not make 3 am look busy.
  if (e.outcome === 'grant') observeActivity(door.rhythm, e.at, c.rhythm, c.timeZone);

  const refusals = streak(door.signals.refusals, e.at, c.signals);
  if (e.outcome === 'deny' && (refusals >= c.alerts.burstRefusals || fastGaps(door.signals, e.at, c.signals) >= c.signals.fastGapsToFlag + 1)) {
    drafts.push(draft('bruteForce', e, `burst:${e.doorId}`, `${refusals} refusals within ${Math.round(c.signals.failureWindowMs / 60_000)} min`));
  }
  if (e.outcome === 'grant') {
    door.pendingIntruderSince = null;
    if (person) {
      observeEntry(person.habit, e.at, e.credential, c.habits, c.timeZone);
      if (!c.watchedPeople.includes(person.habit.personId)) state.lastResidentEntryAt = e.at;
    }
  } else if ((e.personId === null || e.outcome === 'deny') && rhythmKnown(door.rhythm, e.at, c.rhythm) && quietTail(door.rhythm, e.at, c.timeZone) < c.risk.quietHourBelow) {
    door.pendingIntruderSince ??= e.at;
  }
  const face = e.unknownEmbedding ? observeUnknownFace(state.clusters, e.unknownEmbedding, e.at, c.clusters, e.snapshotId, c.timeZone) : null;
  if (e.credential === 'face' && e.personId === null && e.outcome !== 'grant' && !isSpoof(e, c.signals)) {
    // A stored state from before visits were followed has no knobs for them.
    const visit = strangerSeen(door.visits, { at: e.at, stranger: face?.clusterId ?? null }, c.visits ?? DEFAULT_VISIT_KNOBS);
    if (visit) drafts.push(draft('unknownVisitor', e, `visitor:${e.doorId}:${visit.start}`, 'someone the panel does not know is at the door'));
  }

  return { alerts: raiseAll(state, drafts), assessment };
}

function observeDoor(state: InsightState, e: DoorEvent): Alert[] {
  const c = state.config;
  const door = doorOf(state, e.doorId, e.at);
  const openFor = observeDoorSignals(door.signals, e);
  if (openFor !== null) observeOpenDuration(door.rhythm, e.at, openFor, c.rhythm);
  const drafts: AlertDraft[] = [];
  // Someone who rings is a visitor, not a prowler, and has announced themselves.
  if (e.kind === 'bell') {
    door.pendingIntruderSince = null;
    visitorRang(door.visits, e.at, c.visits ?? DEFAULT_VISIT_KNOBS);
  }
  if (e.kind === 'forced') drafts.push(draft('forcedDoor', e, `forced:${e.doorId}`, 'opened without a grant'));
  if (e.kind === 'tamper') drafts.push(draft('tamper', e, `tamper:${e.doorId}`, 'panel tamper switch'));
  return raiseAll(state, drafts);
}

function raiseAll(state: InsightState, drafts: readonly AlertDraft[]): Alert[] {
  const out: Alert[] = [];
  for (const d of drafts) {
    const a = raise(state.alerts, d, state.config.alerts, state.config.timeZone);
    if (a) out.push(a);
  }
  return out;
}

export interface TickResult {
  /** Newly raised (some may be deferred by quiet hours: see `deferred`). */
  readonly raised: Alert[];
  /** Alerts held over quiet hours, delivered now. */
  readonly released: Alert[];
}

/** How often the panel calls `tick`; the bench uses the same so its figures are the panel's. */
export const TICK_MS = 2 * 60_000;

/** Time-driven alerts; call every TICK_MS. */
export function tick(state: InsightState, now: number): TickResult {
  const c = state.config;
  const drafts: AlertDraft[] = [];
  for (const door of state.doors.values()) {
    const open = doorLeftOpen(door.signals, door.rhythm, now, c.alerts);
    if (open) drafts.push(open);
    const silent = panelSilent(door.signals, door.rhythm, now, c.rhythm, c.alerts, c.timeZone);
    if (silent) drafts.push(silent);
    if (door.pendingIntruderSince !== null && now - door.pendingIntruderSince >= c.alerts.intruderConfirmMs) {
      drafts.push({ code: 'intruder', at: now, doorId: door.signals.doorId, personId: null, key: `intruder:${door.signals.doorId}:-`, detail: 'unrecognised attempts in quiet hours, nobody let in' });
      door.pendingIntruderSince = null;
    }
    if (loiteringMs(door.signals, now, c.signals) >= c.signals.loiterMs) {
      drafts.push({ code: 'loitering', at: now, doorId: door.signals.doorId, personId: null, key: `loiter:${door.signals.doorId}`, detail: 'unknown face lingering without ringing' });
    }
  }
  const away = state.lastResidentEntryAt === null || now - state.lastResidentEntryAt > c.alerts.awayAfterMs;
  if (!away) {
    for (const id of c.watchedPeople) {
      const p = state.people.get(id);
      if (!p) continue;
      if (!p.slots || now - p.slots.at >= SLOT_REFRESH_MS || now < p.slots.at) p.slots = { at: now, slots: watchedSlots(p.habit, now, c.habits, c.alerts, c.timeZone) };
      drafts.push(...missedArrivals(p.habit, p.slots.slots, now, c.alerts, c.timeZone));
    }
  }
  return { raised: raiseAll(state, drafts), released: flushDeferred(state.alerts, now, c.alerts, c.timeZone) };
}
