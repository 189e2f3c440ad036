import type { AttemptEvent, AttemptInput, DoorEvent } from './types.ts';

/**
 * Short-memory signals at a door and per person: refusal streaks, spoofs, forced or held doors,
 * machine-speed attempts, unknown faces lingering. Each list is capped, so a flood of attempts
 * cannot grow memory.
 */
export interface SignalKnobs {
  /** Refusals older than this no longer count towards a streak. */
  readonly failureWindowMs: number;
  /** Refusals at a door since its last grant from which a streak counts. */
  readonly doorStreakFrom: number;
  /** Refusals of one person from which a streak counts (their face or their PIN being tried). */
  readonly personStreakFrom: number;
  readonly spoofWindowMs: number;
  /**
   * How long trouble at the door (a spoof, a run of refusals) weighs on the next face there: one
   * visit. It is someone else's doing, so it must not put the household on PINs for half an hour.
   */
  readonly visitWindowMs: number;
  /** A spoof that named a person makes that person's next entries suspect for longer. */
  readonly personSpoofWindowMs: number;
  readonly forcedWindowMs: number;
  readonly tamperWindowMs: number;
  readonly heldOpenWindowMs: number;
  /** Faster than this between two attempts is not a person at a keypad or camera. */
  readonly minHumanGapMs: number;
  /** How many such gaps among the recent attempts make it "inhuman speed". */
  readonly fastGapsToFlag: number;
  /** An unknown face seen longer than this without ringing is loitering. */
  readonly loiterMs: number;
  /** Sightings further apart than this are separate episodes. */
  readonly episodeGapMs: number;
  /** Passive liveness below this marks an attempt as a spoof (matches the access layer's spoofBelow). */
  readonly spoofBelow: number;
  readonly maxRecent: number;
}

export const DEFAULT_SIGNAL_KNOBS: SignalKnobs = {
  failureWindowMs: 10 * 60_000,
  doorStreakFrom: 3,
  personStreakFrom: 3,
  spoofWindowMs: 30 * 60_000,
  visitWindowMs: 2 * 60_000,
  personSpoofWindowMs: 24 * 3_600_000,
  forcedWindowMs: 60 * 60_000,
  tamperWindowMs: 60 * 60_000,
  heldOpenWindowMs: 10 * 60_000,
  minHumanGapMs: 1_500,
  fastGapsToFlag: 2,
  loiterMs: 2 * 60_000,
  episodeGapMs: 90_000,
  spoofBelow: 0.4,
  maxRecent: 32,
};

export interface UnknownEpisode {
  start: number;
  last: number;
  sightings: number;
  rang: boolean;
}

export interface DoorSignals {
  readonly doorId: string;
  /** Refusal instants since the door's last grant, newest last. */
  refusals: number[];
  /** Recent attempt instants (not exit button or remote), newest last. */
  attempts: number[];
  lastSpoofAt: number | null;
  lastForcedAt: number | null;
  lastTamperAt: number | null;
  lastHeldOpenAt: number | null;
  openedAt: number | null;
  lastEventAt: number | null;
  lastGrantAt: number | null;
  unknown: UnknownEpisode | null;
}

export interface PersonSignals {
  refusals: number[];
  lastSpoofAt: number | null;
}

export function createDoorSignals(doorId: string): DoorSignals {
  return {
    doorId,
    refusals: [],
    attempts: [],
    lastSpoofAt: null,
    lastForcedAt: null,
    lastTamperAt: null,
    lastHeldOpenAt: null,
    openedAt: null,
    lastEventAt: null,
    lastGrantAt: null,
    unknown: null,
  };
}

export const createPersonSignals = (): PersonSignals => ({ refusals: [], lastSpoofAt: null });

function pushCapped(list: number[], at: number, cap: number): void {
  list.push(at);
  if (list.length > cap) list.splice(0, list.length - cap);
}

export function isSpoof(e: Pick<AttemptEvent, 'reasons' | 'liveness'>, knobs: SignalKnobs): boolean {
  return e.reasons.includes('spoofSuspected') || (e.liveness !== null && e.liveness < knobs.spoofBelow);
}

export const isRefusal = (e: AttemptEvent): boolean => e.outcome === 'deny';

const countsForSpeed = (e: AttemptInput): boolean => e.credential !== 'exitButton' && e.credential !== 'remote';

const isUnknownFace = (e: AttemptInput): boolean => e.credential === 'face' && e.personId === null;

export function observeAttemptSignals(door: DoorSignals, person: PersonSignals | undefined, e: AttemptEvent, knobs: SignalKnobs): void {
  door.lastEventAt = e.at;
  if (countsForSpeed(e)) pushCapped(door.attempts, e.at, knobs.maxRecent);
  if (e.outcome === 'grant') {
    // A grant ends a streak at the door: the person at the keypad got it right.
    door.refusals = [];
    door.lastGrantAt = e.at;
    door.unknown = null;
    if (person) person.refusals = [];
  } else if (isRefusal(e)) {
    pushCapped(door.refusals, e.at, knobs.maxRecent);
    if (person) pushCapped(person.refusals, e.at, knobs.maxRecent);
  }
  if (isSpoof(e, knobs)) {
    door.lastSpoofAt = e.at;
    if (person) person.lastSpoofAt = e.at;
  }
  if (isUnknownFace(e) && e.outcome !== 'grant') {
    const ep = door.unknown;
    if (ep && e.at - ep.last <= knobs.episodeGapMs) {
      ep.last = e.at;
      ep.sightings += 1;
    } else {
      door.unknown = { start: e.at, last: e.at, sightings: 1, rang: false };
    }
  }
}

/** Returns the open duration when the event closes the door, so the rhythm can learn it. */
export function observeDoorSignals(door: DoorSignals, e: DoorEvent): number | null {
  door.lastEventAt = e.at;
  switch (e.kind) {
    case 'opened':
      // A second 'opened' without a 'closed' (a lost frame) must not restart the open timer.
      door.openedAt ??= e.at;
      return null;
    case 'closed': {
      const opened = door.openedAt;
      door.openedAt = null;
      return opened === null ? null : e.at - opened;
    }
    case 'heldOpen':
      door.lastHeldOpenAt = e.at;
      return null;
    case 'forced':
      door.lastForcedAt = e.at;
      door.openedAt ??= e.at;
      return null;
    case 'tamper':
      door.lastTamperAt = e.at;
      return null;
    case 'bell':
      if (door.unknown) door.unknown.rang = true;
      return null;
  }
}

/** Refusals within the window (at the door since its last grant, or of a person). */
export function streak(refusals: readonly number[], now: number, knobs: SignalKnobs): number {
  let n = 0;
  for (const t of refusals) if (now - t <= knobs.failureWindowMs) n++;
  return n;
}

/** Gaps shorter than a human could manage among the recent attempts, including the one now. */
export function fastGaps(door: DoorSignals, now: number, knobs: SignalKnobs): number {
  // Only the last minute: a burst hours ago says nothing about the person at the door now.
  const times = [...door.attempts.slice(-5).filter((t) => now - t <= 60_000), now];
  let n = 0;
  for (let i = 1; i < times.length; i++) {
    const gap = (times[i] ?? 0) - (times[i - 1] ?? 0);
    if (gap >= 0 && gap < knobs.minHumanGapMs) n++;
  }
  return n;
}

/** How long an unknown face has lingered without ringing, as of now; 0 when none is. */
export function loiteringMs(door: DoorSignals, now: number, knobs: SignalKnobs): number {
  const ep = door.unknown;
  if (!ep || ep.rang || now - ep.last > knobs.episodeGapMs) return 0;
  return now - ep.start;
}

export const within = (at: number | null, now: number, windowMs: number): boolean => at !== null && now - at >= 0 && now - at <= windowMs;

/** Faces in frame that nobody enrolled accounts for. */
export function unknownCompanions(e: AttemptInput): number {
  const known = e.knownFaces ?? (e.personId === null ? 0 : 1);
  const subjectUnknown = e.personId === null ? 1 : 0;
  return Math.max(0, e.faces - known - subjectUnknown);
}
