/**
 * Unknown visitors, one alert per visit. A stranger standing at the door is decided again every
 * few seconds (not recognised, offered the PIN pad and the bell); each of those attempts is
 * logged, but the household hears of the visit once.
 *
 * A visit is one stranger's run of unrecognised attempts with gaps shorter than `gapMs`. Strangers
 * are told apart by the frequent-visitor cluster their face joined (clusters.ts), so only an id is
 * kept here, never a face; an attempt with no face to compare joins whichever visit is open. The
 * first attempt of a visit alerts, but never sooner than `minIntervalMs` after the last such alert
 * (two strangers arriving together, a face lost and found by the tracker: one notification). A
 * visit held back by the interval alerts at its next attempt after it. A visitor who rings has
 * announced themselves: their visit does not alert as well.
 */
export interface VisitKnobs {
  readonly gapMs: number;
  readonly minIntervalMs: number;
  /** Visits followed at once (two or three strangers at a door is already a crowd). */
  readonly maxOpen: number;
}

export const DEFAULT_VISIT_KNOBS: VisitKnobs = { gapMs: 3 * 60_000, minIntervalMs: 60_000, maxOpen: 8 };

export interface StrangerVisit {
  readonly start: number;
  last: number;
  /** The frequent-visitor cluster of the face, when there was one to compare. */
  stranger: string | null;
  alerted: boolean;
}

export interface VisitBook {
  visits: StrangerVisit[];
  lastAlertAt: number | null;
  /** The last ring: a visit that starts soon after it was announced by it. */
  rangAt: number | null;
}

export const createVisitBook = (): VisitBook => ({ visits: [], lastAlertAt: null, rangAt: null });

export interface StrangerSighting {
  readonly at: number;
  readonly stranger: string | null;
}

const sameStranger = (v: StrangerVisit, s: StrangerSighting): boolean => v.stranger === null || s.stranger === null || v.stranger === s.stranger;

/** Visits whose stranger has been gone longer than the gap (or that a clock set back put in the future) are over. */
function openVisits(book: VisitBook, at: number, k: VisitKnobs): StrangerVisit[] {
  return book.visits.filter((v) => at - v.last <= k.gapMs && at >= v.start);
}

/** Records an unrecognised attempt; returns its visit when this is the attempt that should alert. */
export function strangerSeen(book: VisitBook, s: StrangerSighting, k: VisitKnobs = DEFAULT_VISIT_KNOBS): StrangerVisit | null {
  book.visits = openVisits(book, s.at, k);
  let visit = book.visits.find((v) => sameStranger(v, s));
  if (visit) {
    visit.last = Math.max(visit.last, s.at);
    visit.stranger ??= s.stranger;
  } else {
    const rang = book.rangAt !== null && s.at >= book.rangAt && s.at - book.rangAt <= k.gapMs;
    visit = { start: s.at, last: s.at, stranger: s.stranger, alerted: rang };
    book.visits = [...book.visits, visit].slice(-k.maxOpen);
  }
  if (visit.alerted) return null;
  const last = book.lastAlertAt;
  if (last !== null && s.at >= last && s.at - last < k.minIntervalMs) return null;
  visit.alerted = true;
  book.lastAlertAt = s.at;
  return visit;
}

/** Someone rang: whoever is at the door now has announced themselves. */
export function visitorRang(book: VisitBook, at: number, k: VisitKnobs = DEFAULT_VISIT_KNOBS): void {
  book.visits = openVisits(book, at, k);
  for (const v of book.visits) v.alerted = true;
  book.rangAt = at;
}
