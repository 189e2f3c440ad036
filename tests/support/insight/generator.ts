import { createRng, type Rng } from './prng.ts';
import { DAY_MS, HOUR_MS } from '../../../src/insight/time.ts';
import type { AccessEvent, AttemptEvent, AttemptOutcome, CredentialKind, DoorEventKind } from '../../../src/insight/types.ts';

/**
 * Seeded access histories for the bench and the tests: households, offices and short-let flats
 * with people on routines (and noise: late nights, holidays, a changed job, mistyped PINs, poor
 * light), visitors, service windows, and injected anomalies with ground truth. All in UTC so a
 * run is identical everywhere; outcomes follow a simple static policy like the access layer's.
 */

export type SiteKind = 'household' | 'office' | 'shortLet';

export type AnomalyKind =
  | 'intruder3am'
  | 'stolenGuestKey'
  | 'bruteForcePin'
  | 'tailgating'
  | 'spoofReplay'
  | 'missedArrival'
  | 'doorLeftOpen'
  | 'panelSilent';

/** Someone trying to get in who should not: the targets' recall is measured on these. */
export const INTRUDER_LIKE: readonly AnomalyKind[] = ['intruder3am', 'stolenGuestKey', 'bruteForcePin', 'tailgating', 'spoofReplay'];
export const OPERATIONAL: readonly AnomalyKind[] = ['missedArrival', 'doorLeftOpen', 'panelSilent'];

export interface Incident {
  readonly id: string;
  readonly kind: AnomalyKind;
  readonly siteId: string;
  readonly start: number;
  readonly end: number;
}

export type Role = 'resident' | 'employee' | 'guest' | 'service';

export interface SimPerson {
  readonly id: string;
  readonly role: Role;
}

export interface SiteHistory {
  readonly siteId: string;
  readonly kind: SiteKind;
  readonly doorId: string;
  readonly start: number;
  readonly end: number;
  /** Anomalies are injected only after this: the learning period. */
  readonly evalFrom: number;
  readonly people: readonly SimPerson[];
  /** Service people with a fixed weekly slot: a missed visit should alert. */
  readonly watchedPeople: readonly string[];
  readonly events: readonly AccessEvent[];
  readonly incidents: readonly Incident[];
  /** Event id -> incident id for every event an anomaly produced. */
  readonly incidentOf: ReadonlyMap<string, string>;
  /** Ids of legitimate people's entry attempts that the static policy granted. */
  readonly legitEntries: ReadonlySet<string>;
}

export interface GeneratorOptions {
  readonly seed: number;
  readonly weeks: number;
  readonly learnWeeks: number;
  readonly households: number;
  readonly offices: number;
  readonly shortLets: number;
  readonly embeddingDim: number;
  /** Monday 00:00 UTC. */
  readonly startAt: number;
}

export const DEFAULT_GENERATOR_OPTIONS: GeneratorOptions = {
  seed: 1,
  weeks: 10,
  learnWeeks: 3,
  households: 6,
  offices: 2,
  shortLets: 2,
  embeddingDim: 64,
  startAt: Date.UTC(2025, 0, 6),
};

// Static policy thresholds, as in the access layer's defaults.
const MIN_MATCH = 0.62;
const LIVE_PASS = 0.8;
const SPOOF_BELOW = 0.4;

// ---------------------------------------------------------------------------------------------
// Routines

interface Slot {
  /** 0 = Monday. */
  readonly days: readonly number[];
  readonly hour: number;
  readonly sd: number;
  readonly p: number;
  readonly exit?: boolean;
}

interface Actor extends SimPerson {
  slots: Slot[];
  /** Extra unplanned arrivals per day, spread over [from, to) hours. */
  readonly extraPerDay: number;
  readonly extraHours: readonly [number, number];
  /** Late return on Friday and Saturday nights. */
  readonly nightOutP: number;
  readonly credentials: Readonly<Partial<Record<CredentialKind, number>>>;
  /** From this instant the routine switches to `changedSlots` (a new job). */
  changeAt?: number;
  changedSlots?: Slot[];
  /** Active only inside [from, to) (short-let guests). */
  readonly from?: number;
  readonly to?: number;
}

const WEEKDAYS = [0, 1, 2, 3, 4];
const WEEKEND = [5, 6];
const EVERY_DAY = [0, 1, 2, 3, 4, 5, 6];

// ---------------------------------------------------------------------------------------------
// Embeddings: each identity a random unit vector; each sighting the identity plus noise, so
// same-person cosine is about 0.75 and different people about 0 +- 1/sqrt(dim).

function randomUnit(rng: Rng, dim: number): Float32Array {
  const v = new Float32Array(dim);
  let n = 0;
  for (let i = 0; i < dim; i++) {
    const x = rng.normal(0, 1);
    v[i] = x;
    n += x * x;
  }
  n = Math.sqrt(n);
  for (let i = 0; i < dim; i++) v[i] = (v[i] ?? 0) / n;
  return v;
}

function sighting(rng: Rng, identity: Float32Array, noise = 0.6): Float32Array {
  const dim = identity.length;
  const v = new Float32Array(dim);
  const s = noise / Math.sqrt(dim);
  for (let i = 0; i < dim; i++) v[i] = (identity[i] ?? 0) + rng.normal(0, s);
  return v;
}

// ---------------------------------------------------------------------------------------------
// The event writer for one site

class SiteWriter {
  readonly events: AccessEvent[] = [];
  readonly incidentOf = new Map<string, string>();
  readonly legit = new Set<string>();
  readonly incidents: Incident[] = [];
  private n = 0;
  /** Set while writing an anomaly's events. */
  incident: string | null = null;

  constructor(
    readonly siteId: string,
    readonly doorId: string,
    readonly rng: Rng,
    readonly dim: number,
  ) {}

  private nextId(): string {
    return `${this.siteId}-${++this.n}`;
  }

  private tag(id: string): void {
    if (this.incident) this.incidentOf.set(id, this.incident);
  }

  attempt(a: Omit<AttemptEvent, 'type' | 'id' | 'doorId'>, legitEntry = false): AttemptEvent {
    const e: AttemptEvent = { type: 'attempt', id: this.nextId(), doorId: this.doorId, ...a };
    this.events.push(e);
    this.tag(e.id);
    if (legitEntry && !this.incident && e.outcome === 'grant') this.legit.add(e.id);
    return e;
  }

  door(at: number, kind: DoorEventKind): void {
    const id = this.nextId();
    this.events.push({ type: 'door', id, at, doorId: this.doorId, kind });
    this.tag(id);
  }

  /** The door opening after a grant and closing again. */
  passage(at: number, holdMs?: number): void {
    const hold = holdMs ?? (this.rng.chance(0.03) ? this.rng.range(60_000, 240_000) : Math.exp(this.rng.normal(Math.log(5_000), 0.4)));
    this.door(at + 1_500, 'opened');
    if (hold > 45_000) this.door(at + 1_500 + 45_000, 'heldOpen');
    this.door(at + 1_500 + hold, 'closed');
  }

  beginIncident(kind: AnomalyKind, start: number, end: number): string {
    const id = `${this.siteId}:${kind}:${this.incidents.length + 1}`;
    this.incidents.push({ id, kind, siteId: this.siteId, start, end });
    this.incident = id;
    return id;
  }

  endIncident(): void {
    this.incident = null;
  }
}

function pickCredential(rng: Rng, mix: Readonly<Partial<Record<CredentialKind, number>>>): CredentialKind {
  let r = rng.next();
  for (const [k, p] of Object.entries(mix) as [CredentialKind, number][]) {
    r -= p;
    if (r < 0) return k;
  }
  return 'face';
}

interface Companion {
  readonly faces: number;
  readonly knownFaces: number;
  readonly embedding?: Float32Array;
}

/** One legitimate arrival, including the retries a real person makes. */
function arrive(w: SiteWriter, actor: Actor, at: number, companion?: Companion): void {
  const rng = w.rng;
  const credential = pickCredential(rng, actor.credentials);
  const extra = companion ? { faces: companion.faces, knownFaces: companion.knownFaces, ...(companion.embedding ? { unknownEmbedding: companion.embedding } : {}) } : { faces: 1 };
  let t = at;
  if (credential === 'face') {
    if (rng.chance(0.04)) {
      // Not recognised (hat, poor light): offered the bell, then types the PIN.
      w.attempt({ at: t, personId: null, credential: 'face', outcome: 'ring', reasons: ['unknownFace'], matchScore: null, liveness: rng.range(0.8, 0.99), faces: 1 });
      t += rng.range(4_000, 12_000);
      w.attempt({ at: t, personId: actor.id, credential: 'pin', outcome: 'grant', reasons: ['pinVerified'], matchScore: null, liveness: null, faces: 1 }, true);
      w.passage(t);
      return;
    }
    const match = Math.min(0.99, Math.max(MIN_MATCH, rng.normal(0.84, 0.06)));
    if (rng.chance(0.04)) {
      const live = rng.range(0.45, LIVE_PASS);
      w.attempt({ at: t, personId: actor.id, credential: 'face', outcome: 'stepUp', reasons: ['livenessUncertain'], matchScore: match, liveness: live, ...extra });
      t += rng.range(2_000, 5_000);
    }
    const live = Math.min(0.999, Math.max(LIVE_PASS, rng.normal(0.93, 0.04)));
    w.attempt({ at: t, personId: actor.id, credential: 'face', outcome: 'grant', reasons: ['faceMatched'], matchScore: match, liveness: live, ...extra }, true);
  } else if (credential === 'pin') {
    if (rng.chance(0.06)) {
      w.attempt({ at: t, personId: null, credential: 'pin', outcome: 'deny', reasons: ['pinWrong'], matchScore: null, liveness: null, faces: 1 });
      t += rng.range(3_000, 8_000);
    }
    w.attempt({ at: t, personId: actor.id, credential: 'pin', outcome: 'grant', reasons: ['pinVerified'], matchScore: null, liveness: null, ...extra }, true);
  } else {
    w.attempt({ at: t, personId: actor.id, credential, outcome: 'grant', reasons: ['guestKeyValid'], matchScore: null, liveness: null, ...extra }, true);
  }
  const hold = companion && companion.faces > 1 ? rng.range(6_000, 15_000) : undefined;
  w.passage(t, hold);
}

function leave(w: SiteWriter, at: number): void {
  w.attempt({ at, personId: null, credential: 'exitButton', outcome: 'grant', reasons: ['exitRequested'], matchScore: null, liveness: null, faces: 0 });
  w.passage(at);
}

/** A courier or friend at the bell, let in remotely (or not). */
function ring(w: SiteWriter, at: number, embedding: Float32Array): void {
  const rng = w.rng;
  w.attempt({ at, personId: null, credential: 'face', outcome: 'ring', reasons: ['unknownFace'], matchScore: null, liveness: rng.range(0.8, 0.99), faces: 1, unknownEmbedding: embedding });
  w.door(at + rng.range(2_000, 8_000), 'bell');
  if (rng.chance(0.6)) {
    const t = at + rng.range(15_000, 40_000);
    w.attempt({ at: t, personId: null, credential: 'remote', outcome: 'grant', reasons: ['remoteCommand'], matchScore: null, liveness: null, faces: 1 });
    w.passage(t);
  }
}

function slotsFor(actor: Actor, dayStart: number): Slot[] {
  return actor.changeAt !== undefined && dayStart >= actor.changeAt && actor.changedSlots ? actor.changedSlots : actor.slots;
}

interface SiteSpec {
  readonly kind: SiteKind;
  readonly actors: Actor[];
  /** Recurring visitor identities at the bell, and visits per week. */
  readonly visitors: Float32Array[];
  readonly ringsPerWeek: number;
  readonly ringHours: readonly [number, number];
  /** Residents coming home with someone unenrolled, per week. */
  readonly companionsPerWeek: number;
  /** Residents coming home together, share of arrivals. */
  readonly togetherShare: number;
  readonly holiday: { from: number; to: number } | null;
  readonly watched: string[];
}

// ---------------------------------------------------------------------------------------------
// Site recipes

function workerSlots(rng: Rng, leaveHour: number, backHour: number): Slot[] {
  return [
    { days: WEEKDAYS, hour: leaveHour + rng.range(-0.5, 0.5), sd: 0.25, p: 0.92, exit: true },
    { days: WEEKDAYS, hour: backHour + rng.range(-0.7, 0.7), sd: 0.45, p: 0.9 },
    { days: WEEKEND, hour: rng.range(11, 16), sd: 2.0, p: 0.75 },
  ];
}

function household(rng: Rng, siteId: string, o: GeneratorOptions, start: number): SiteSpec {
  const actors: Actor[] = [];
  const residentMix = { face: 0.92, pin: 0.08 };
  const n = rng.int(2, 4);
  const elderly = rng.chance(0.35);
  for (let i = 0; i < n; i++) {
    const id = `${siteId}/r${i + 1}`;
    let slots: Slot[];
    if (elderly && i === 0) slots = [{ days: EVERY_DAY, hour: rng.range(10, 12), sd: 0.8, p: 0.7 }, { days: EVERY_DAY, hour: rng.range(15, 17), sd: 0.8, p: 0.5 }];
    else if (i >= 2) slots = [{ days: WEEKDAYS, hour: 8, sd: 0.1, p: 0.95, exit: true }, { days: WEEKDAYS, hour: rng.range(15.5, 16.5), sd: 0.3, p: 0.9 }, { days: WEEKEND, hour: rng.range(12, 17), sd: 1.5, p: 0.6 }];
    else slots = workerSlots(rng, rng.range(7, 9), rng.range(17, 19));
    const a: Actor = { id, role: 'resident', slots, extraPerDay: 0.2, extraHours: [8, 22], nightOutP: i < 2 ? 0.2 : 0.05, credentials: residentMix };
    if (i < 2 && !elderly && rng.chance(0.35)) {
      // A new job partway through: the habit model must follow within about two weeks.
      a.changeAt = start + rng.int(4, o.weeks - 3) * 7 * DAY_MS;
      a.changedSlots = workerSlots(rng, rng.range(5, 6), rng.range(13.5, 15));
    }
    actors.push(a);
  }
  const watched: string[] = [];
  if (rng.chance(0.6)) {
    const day = rng.int(0, 4);
    const cleaner: Actor = {
      id: `${siteId}/cleaner`,
      role: 'service',
      slots: [{ days: [day], hour: rng.pick([9, 10, 13]), sd: 0.2, p: 1 }],
      extraPerDay: 0,
      extraHours: [9, 17],
      nightOutP: 0,
      credentials: { guestKey: 0.9, pin: 0.1 },
    };
    actors.push(cleaner);
    watched.push(cleaner.id);
  }
  if (elderly) {
    const carer: Actor = {
      id: `${siteId}/carer`,
      role: 'service',
      slots: [{ days: rng.pick([[1], [1, 4], [0, 2, 4]]), hour: 9, sd: 0.15, p: 1 }],
      extraPerDay: 0,
      extraHours: [9, 17],
      nightOutP: 0,
      credentials: { guestKey: 0.8, pin: 0.2 },
    };
    actors.push(carer);
    watched.push(carer.id);
  }
  const holidayStart = start + rng.int(2, o.weeks - 2) * 7 * DAY_MS + rng.int(0, 6) * DAY_MS;
  return {
    kind: 'household',
    actors,
    visitors: Array.from({ length: rng.int(2, 5) }, () => randomUnit(rng, o.embeddingDim)),
    ringsPerWeek: rng.range(2, 5),
    ringHours: [9, 20],
    companionsPerWeek: 0.2,
    togetherShare: 0.08,
    holiday: rng.chance(0.5) ? { from: holidayStart, to: holidayStart + rng.int(6, 10) * DAY_MS } : null,
    watched,
  };
}

function office(rng: Rng, siteId: string, o: GeneratorOptions): SiteSpec {
  const actors: Actor[] = [];
  const n = rng.int(12, 25);
  for (let i = 0; i < n; i++) {
    const inAt = rng.range(7.5, 10);
    actors.push({
      id: `${siteId}/e${i + 1}`,
      role: 'employee',
      slots: [
        { days: WEEKDAYS, hour: inAt, sd: 0.3, p: 0.9 },
        { days: WEEKDAYS, hour: rng.range(12, 13.5), sd: 0.4, p: 0.5 },
        { days: WEEKDAYS, hour: inAt + rng.range(8, 9.5), sd: 0.5, p: 0.9, exit: true },
      ],
      extraPerDay: 0.05,
      extraHours: [8, 19],
      nightOutP: 0,
      credentials: { face: 0.95, pin: 0.05 },
    });
  }
  const cleaner: Actor = {
    id: `${siteId}/cleaner`,
    role: 'service',
    slots: [{ days: WEEKDAYS, hour: 19, sd: 0.2, p: 1 }],
    extraPerDay: 0,
    extraHours: [18, 20],
    nightOutP: 0,
    credentials: { guestKey: 1 },
  };
  actors.push(cleaner);
  return {
    kind: 'office',
    actors,
    visitors: Array.from({ length: rng.int(4, 10) }, () => randomUnit(rng, o.embeddingDim)),
    ringsPerWeek: rng.range(6, 12),
    ringHours: [9, 17],
    companionsPerWeek: 0.3,
    togetherShare: 0.12,
    holiday: null,
    watched: [cleaner.id],
  };
}

function shortLet(rng: Rng, siteId: string, o: GeneratorOptions, start: number, end: number): SiteSpec {
  const actors: Actor[] = [];
  let t = start + rng.int(0, 2) * DAY_MS;
  let stay = 0;
  while (t < end) {
    const nights = rng.int(2, 6);
    const checkIn = t + rng.range(15, 20) * HOUR_MS;
    const checkOut = t + nights * DAY_MS + 11 * HOUR_MS;
    stay++;
    const guests = rng.int(1, 3);
    for (let g = 0; g < guests; g++) {
      actors.push({
        id: `${siteId}/s${stay}g${g + 1}`,
        role: 'guest',
        slots: [{ days: EVERY_DAY, hour: rng.range(12, 15), sd: 1.5, p: 0.6 }, { days: EVERY_DAY, hour: rng.range(18, 21), sd: 1.0, p: 0.7 }],
        extraPerDay: 0.5,
        extraHours: [9, 23],
        nightOutP: 0.3,
        credentials: { guestKey: 0.7, pin: 0.3 },
        from: checkIn,
        to: checkOut,
      });
    }
    t += (nights + (rng.chance(0.3) ? rng.int(1, 3) : 0)) * DAY_MS;
  }
  return {
    kind: 'shortLet',
    actors,
    visitors: [randomUnit(rng, o.embeddingDim)],
    ringsPerWeek: 0.5,
    ringHours: [10, 18],
    companionsPerWeek: 0.1,
    togetherShare: 0.25,
    holiday: null,
    watched: [],
  };
}

// ---------------------------------------------------------------------------------------------
// Routine simulation

function simulateRoutines(w: SiteWriter, spec: SiteSpec, start: number, end: number, skip: (at: number) => boolean): void {
  const rng = w.rng;
  const dim = w.dim;
  const arrivals: { actor: Actor; at: number }[] = [];
  for (let day = start; day < end; day += DAY_MS) {
    const dow = Math.floor((day - start) / DAY_MS) % 7;
    const away = spec.holiday !== null && day >= spec.holiday.from && day < spec.holiday.to;
    for (const actor of spec.actors) {
      if (actor.from !== undefined && (day + DAY_MS < actor.from || day > (actor.to ?? end))) continue;
      // On holiday the household and its carer and cleaner are all away.
      if (away && spec.kind === 'household') continue;
      const inStay = (at: number): boolean => actor.from === undefined || (at >= actor.from && at < (actor.to ?? end));
      for (const slot of slotsFor(actor, day)) {
        if (!slot.days.includes(dow) || !rng.chance(slot.p)) continue;
        const at = day + Math.max(0, rng.normal(slot.hour, slot.sd)) * HOUR_MS;
        if (!inStay(at)) continue;
        if (slot.exit) leave(w, at);
        else arrivals.push({ actor, at });
      }
      if (rng.chance(actor.extraPerDay)) {
        const at = day + rng.range(actor.extraHours[0], actor.extraHours[1]) * HOUR_MS;
        if (inStay(at)) arrivals.push({ actor, at });
      }
      if ((dow === 4 || dow === 5) && rng.chance(actor.nightOutP)) {
        const at = day + rng.range(23, 25.5) * HOUR_MS;
        if (inStay(at)) arrivals.push({ actor, at });
      }
      // Check-in: the party arrives together and the first guest opens the door for all.
      if (actor.from !== undefined && actor.id.endsWith('g1') && actor.from >= day && actor.from < day + DAY_MS) arrivals.push({ actor, at: actor.from });
    }
    const householdAway = away && spec.kind === 'household';
    if (!householdAway && rng.chance(spec.ringsPerWeek / 7)) {
      const at = day + rng.range(spec.ringHours[0], spec.ringHours[1]) * HOUR_MS;
      const who = rng.chance(0.5) && spec.visitors.length ? rng.pick(spec.visitors) : randomUnit(rng, dim);
      if (!skip(at)) ring(w, at, sighting(rng, who));
    }
  }
  // Companions are a per-site rate, not per person: a busy office is not full of strangers.
  const weeks = (end - start) / (7 * DAY_MS);
  const companionP = arrivals.length ? Math.min(1, (spec.companionsPerWeek * weeks) / arrivals.length) : 0;
  for (const { actor, at } of arrivals) {
    if (skip(at)) continue;
    let companion: Companion | undefined;
    const residentLike = actor.role === 'resident' || actor.role === 'employee' || actor.role === 'guest';
    if (residentLike && rng.chance(companionP)) {
      const who = rng.chance(0.6) && spec.visitors.length ? rng.pick(spec.visitors) : randomUnit(rng, dim);
      companion = { faces: 2, knownFaces: 1, embedding: sighting(rng, who) };
    } else if (residentLike && rng.chance(spec.togetherShare)) {
      companion = { faces: 2, knownFaces: 2 };
    }
    arrive(w, actor, at, companion);
  }
}

// ---------------------------------------------------------------------------------------------
// Anomalies

function randomTimeIn(rng: Rng, from: number, to: number, hourFrom: number, hourTo: number): number {
  const days = Math.max(1, Math.floor((to - from) / DAY_MS));
  const day = from + rng.int(0, days - 1) * DAY_MS;
  return day + rng.range(hourFrom, hourTo) * HOUR_MS;
}

function injectIntruder(w: SiteWriter, at: number): void {
  const rng = w.rng;
  const face = randomUnit(rng, w.dim);
  let t = at;
  const sightings = rng.int(2, 6);
  const id = w.beginIncident('intruder3am', at, at);
  for (let i = 0; i < sightings; i++) {
    w.attempt({ at: t, personId: null, credential: 'face', outcome: 'ring', reasons: ['unknownFace'], matchScore: null, liveness: rng.range(0.6, 0.99), faces: 1, unknownEmbedding: sighting(rng, face) });
    t += rng.range(10_000, 40_000);
  }
  if (rng.chance(0.5)) {
    for (let i = rng.int(1, 4); i > 0; i--) {
      w.attempt({ at: t, personId: null, credential: 'pin', outcome: 'deny', reasons: ['pinWrong'], matchScore: null, liveness: null, faces: 1 });
      t += rng.range(4_000, 10_000);
    }
  }
  if (rng.chance(0.2)) {
    w.door(t, 'forced');
    w.door(t + rng.range(20_000, 60_000), 'closed');
  }
  finish(w, id, t);
}

function finish(w: SiteWriter, id: string, end: number): void {
  const i = w.incidents.findIndex((x) => x.id === id);
  const inc = w.incidents[i];
  if (inc) w.incidents[i] = { ...inc, end };
  w.endIncident();
}

function injectBruteForce(w: SiteWriter, at: number): void {
  const rng = w.rng;
  const fast = rng.chance(0.5);
  const id = w.beginIncident('bruteForcePin', at, at);
  let t = at;
  for (let i = rng.int(6, 20); i > 0; i--) {
    w.attempt({ at: t, personId: null, credential: 'pin', outcome: 'deny', reasons: ['pinWrong'], matchScore: null, liveness: null, faces: rng.chance(0.7) ? 1 : 0 });
    t += fast ? rng.range(300, 1_200) : rng.range(3_000, 9_000);
  }
  finish(w, id, t);
}

function injectStolenKey(w: SiteWriter, holder: Actor, from: number, to: number): void {
  const rng = w.rng;
  // Out of pattern: deep night, or a weekend when the holder only ever comes on weekdays.
  const night = rng.chance(0.6);
  let at = randomTimeIn(rng, from, to, night ? 0 : 12, night ? 5 : 18);
  if (!night) {
    const dow = Math.floor((at - from) / DAY_MS) % 7;
    // To the Saturday or Sunday of that week.
    at += (5 - dow + rng.int(0, 1)) * DAY_MS;
  }
  const id = w.beginIncident('stolenGuestKey', at, at);
  const credential = holder.credentials.guestKey ? 'guestKey' : 'pin';
  w.attempt({ at, personId: holder.id, credential, outcome: 'grant', reasons: ['guestKeyValid'], matchScore: null, liveness: null, faces: 1 });
  w.passage(at);
  finish(w, id, at + 30_000);
}

function injectTailgating(w: SiteWriter, resident: Actor, day: number): void {
  const rng = w.rng;
  const slot = resident.slots.find((s) => !s.exit) ?? resident.slots[0];
  const at = day + rng.normal(slot?.hour ?? 18, 0.3) * HOUR_MS;
  const id = w.beginIncident('tailgating', at, at);
  w.attempt({
    at,
    personId: resident.id,
    credential: 'face',
    outcome: 'grant',
    reasons: ['faceMatched'],
    matchScore: Math.min(0.99, rng.normal(0.84, 0.05)),
    liveness: rng.range(0.85, 0.99),
    faces: 2,
    knownFaces: 1,
    unknownEmbedding: sighting(rng, randomUnit(rng, w.dim)),
  });
  w.passage(at, rng.range(8_000, 20_000));
  finish(w, id, at + 30_000);
}

function injectSpoof(w: SiteWriter, target: Actor, at: number): void {
  const rng = w.rng;
  const id = w.beginIncident('spoofReplay', at, at);
  let t = at;
  for (let i = rng.int(1, 4); i > 0; i--) {
    const live = rng.range(0.05, 0.7);
    const outcome: AttemptOutcome = live < SPOOF_BELOW ? 'deny' : 'stepUp';
    w.attempt({ at: t, personId: target.id, credential: 'face', outcome, reasons: [live < SPOOF_BELOW ? 'spoofSuspected' : 'livenessUncertain'], matchScore: Math.min(0.99, rng.normal(0.8, 0.05)), liveness: live, faces: 1 });
    t += rng.range(5_000, 20_000);
  }
  finish(w, id, t);
}

// ---------------------------------------------------------------------------------------------

export function generateSite(kind: SiteKind, index: number, options: Partial<GeneratorOptions> = {}): SiteHistory {
  const o = { ...DEFAULT_GENERATOR_OPTIONS, ...options };
  const siteId = `${kind}${index + 1}`;
  const rng = createRng(`${o.seed}:${siteId}`);
  const start = o.startAt;
  const end = start + o.weeks * 7 * DAY_MS;
  const evalFrom = start + o.learnWeeks * 7 * DAY_MS;
  const spec = kind === 'household' ? household(rng.fork('spec'), siteId, o, start) : kind === 'office' ? office(rng.fork('spec'), siteId, o) : shortLet(rng.fork('spec'), siteId, o, start, end);
  const w = new SiteWriter(siteId, `${siteId}/door`, rng.fork('events'), o.embeddingDim);
  const arng = rng.fork('anomalies');

  // Decided first so routines can leave the gaps they need.
  const silence = kind !== 'shortLet' && arng.chance(0.5) ? (() => {
    const from = randomTimeIn(arng, evalFrom, end - 3 * DAY_MS, 6, 12);
    return { from, to: from + arng.range(24, 40) * HOUR_MS };
  })() : null;
  const watchedActors = spec.actors.filter((a) => spec.watched.includes(a.id));
  const missed: { actor: Actor; day: number } | null = (() => {
    const actor = watchedActors.find((a) => a.slots.length > 0);
    if (!actor || kind === 'office' || !arng.chance(0.7)) return null;
    const slot = actor.slots[0];
    if (!slot) return null;
    for (let tries = 0; tries < 20; tries++) {
      const day = evalFrom + arng.int(0, Math.floor((end - evalFrom) / DAY_MS) - 2) * DAY_MS;
      const dow = Math.floor((day - start) / DAY_MS) % 7;
      const onHoliday = spec.holiday !== null && day >= spec.holiday.from - DAY_MS && day < spec.holiday.to + 2 * DAY_MS;
      const silent = silence !== null && day + DAY_MS > silence.from - DAY_MS && day < silence.to + DAY_MS;
      if (slot.days.includes(dow) && !onHoliday && !silent) return { actor, day };
    }
    return null;
  })();
  const skip = (at: number): boolean => silence !== null && at >= silence.from && at < silence.to;
  simulateRoutines(w, spec, start, end, skip);
  if (missed) {
    // Drop the watched person's arrival on that day; it is the ground truth of a missed visit.
    const dayEnd = missed.day + DAY_MS;
    const slot = missed.actor.slots[0];
    const due = missed.day + (slot?.hour ?? 9) * HOUR_MS;
    const drop = new Set<string>();
    for (const e of w.events) {
      if (e.type === 'attempt' && e.personId === missed.actor.id && e.at >= missed.day && e.at < dayEnd) drop.add(e.id);
    }
    removeEventsWithPassages(w, drop);
    w.incidents.push({ id: `${siteId}:missedArrival:${w.incidents.length + 1}`, kind: 'missedArrival', siteId, start: due, end: due + 4 * HOUR_MS });
  }
  if (silence) {
    w.incidents.push({ id: `${siteId}:panelSilent:${w.incidents.length + 1}`, kind: 'panelSilent', siteId, start: silence.from, end: silence.to });
  }

  const clear = (at: number): boolean => !(silence && at > silence.from - HOUR_MS && at < silence.to + HOUR_MS);
  const evalWindow = (h0: number, h1: number): number => {
    for (let i = 0; i < 20; i++) {
      const at = randomTimeIn(arng, evalFrom, end - DAY_MS, h0, h1);
      if (clear(at)) return at;
    }
    return randomTimeIn(arng, evalFrom, end - DAY_MS, h0, h1);
  };
  const residents = spec.actors.filter((a) => a.role === 'resident' || a.role === 'employee');
  for (let i = arng.int(1, 2); i > 0; i--) injectIntruder(w, evalWindow(1, 4.5));
  for (let i = arng.int(1, 2); i > 0; i--) {
    const night = arng.chance(0.5);
    injectBruteForce(w, night ? evalWindow(0, 5) : evalWindow(9, 21));
  }
  const keyHolder = spec.actors.find((a) => a.role === 'service' && (a.credentials.guestKey ?? 0) > 0);
  if (keyHolder && kind !== 'shortLet') {
    let at = 0;
    for (let i = 0; i < 20 && (at === 0 || !clear(at)); i++) {
      const before = w.incidents.length;
      injectStolenKey(w, keyHolder, evalFrom, end - 2 * DAY_MS);
      at = w.incidents[before]?.start ?? 0;
      if (!clear(at)) {
        removeIncident(w, w.incidents[before]?.id ?? '');
        at = 0;
      }
    }
  }
  const resident = residents.length ? arng.pick(residents) : null;
  if (resident && kind !== 'shortLet') {
    for (let i = 0; i < 20; i++) {
      const day = evalFrom + arng.int(0, Math.floor((end - evalFrom) / DAY_MS) - 2) * DAY_MS;
      const dow = Math.floor((day - start) / DAY_MS) % 7;
      const holiday = spec.holiday !== null && day >= spec.holiday.from && day < spec.holiday.to;
      if (dow < 5 && !holiday && clear(day + 12 * HOUR_MS)) {
        injectTailgating(w, resident, day);
        break;
      }
    }
    injectSpoof(w, resident, arng.chance(0.5) ? evalWindow(0, 5) : evalWindow(8, 22));
  }
  // A door left open after a legitimate entry.
  if (arng.chance(0.5)) {
    const candidates = w.events.filter((e) => e.type === 'door' && e.kind === 'opened' && e.at >= evalFrom && !w.incidentOf.has(e.id) && clear(e.at));
    if (candidates.length) {
      const opened = arng.pick(candidates);
      // passage() writes opened, (heldOpen,) closed in order: the next 'closed' is this one's.
      const openedIdx = w.events.indexOf(opened);
      const closedIdx = w.events.findIndex((e, i) => i > openedIdx && e.type === 'door' && e.kind === 'closed');
      const closed = w.events[closedIdx];
      if (closed) {
        const openFor = arng.range(10, 40) * 60_000;
        w.events[closedIdx] = { ...closed, at: opened.at + openFor } as AccessEvent;
        // While the door stands open the contact cannot report other openings and closings.
        const shadowed = (e: AccessEvent): boolean =>
          e.type === 'door' && e !== opened && e.id !== closed.id && e.kind !== 'bell' && e.kind !== 'forced' && e.kind !== 'tamper' && e.at > opened.at && e.at < opened.at + openFor;
        const kept = w.events.filter((e) => !shadowed(e));
        w.events.length = 0;
        w.events.push(...kept);
        const id = `${siteId}:doorLeftOpen:${w.incidents.length + 1}`;
        w.incidents.push({ id, kind: 'doorLeftOpen', siteId, start: opened.at, end: opened.at + openFor });
        w.incidentOf.set(closed.id, id);
      }
    }
  }

  const events = [...w.events].sort((a, b) => a.at - b.at);
  return {
    siteId,
    kind,
    doorId: w.doorId,
    start,
    end,
    evalFrom,
    people: spec.actors.map((a) => ({ id: a.id, role: a.role })),
    watchedPeople: spec.watched,
    events,
    incidents: w.incidents,
    incidentOf: w.incidentOf,
    legitEntries: w.legit,
  };
}

/** Removes attempts and the door opening and closing each of them caused. */
function removeEventsWithPassages(w: SiteWriter, ids: ReadonlySet<string>): void {
  const times = w.events.filter((e) => ids.has(e.id)).map((e) => e.at);
  const near = (at: number): boolean => times.some((t) => at >= t && at - t < 5 * 60_000);
  const keep = w.events.filter((e) => !ids.has(e.id) && !(e.type === 'door' && (e.kind === 'opened' || e.kind === 'closed' || e.kind === 'heldOpen') && near(e.at)));
  w.events.length = 0;
  w.events.push(...keep);
  for (const id of ids) w.legit.delete(id);
}

function removeIncident(w: SiteWriter, incidentId: string): void {
  const ids = new Set<string>();
  for (const [eventId, inc] of w.incidentOf) if (inc === incidentId) ids.add(eventId);
  const keep = w.events.filter((e) => !ids.has(e.id));
  w.events.length = 0;
  w.events.push(...keep);
  for (const id of ids) w.incidentOf.delete(id);
  const i = w.incidents.findIndex((x) => x.id === incidentId);
  if (i >= 0) w.incidents.splice(i, 1);
}

export function generateSites(options: Partial<GeneratorOptions> = {}): SiteHistory[] {
  const o = { ...DEFAULT_GENERATOR_OPTIONS, ...options };
  const sites: SiteHistory[] = [];
  for (let i = 0; i < o.households; i++) sites.push(generateSite('household', i, o));
  for (let i = 0; i < o.offices; i++) sites.push(generateSite('office', i, o));
  for (let i = 0; i < o.shortLets; i++) sites.push(generateSite('shortLet', i, o));
  return sites;
}
