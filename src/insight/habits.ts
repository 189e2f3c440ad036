import { decayFactor, effectiveWeeks, scaleInPlace } from './decay.ts';
import { binOf, DAY_MS, HOUR_MS, hourOfWeek, HOURS_PER_WEEK, isWeekendBin, WEEK_MS, wrapBin } from './time.ts';
import { CREDENTIAL_KINDS, type CredentialKind } from './types.ts';

/**
 * A person's time-of-week habit: 168 hourly bins of decayed visit counts plus their credential
 * mix. Fixed size whatever the history length. Visits, not events, are counted: a retry or a
 * second tap minutes later is the same arrival and must not double its weight.
 */
export interface HabitModel {
  readonly personId: string;
  bins: number[];
  credentials: Record<CredentialKind, number>;
  /** Sum of bins (decayed), kept to avoid re-summing. */
  mass: number;
  /** Undecayed count of visits ever seen, for the cold-start rule. */
  visits: number;
  firstAt: number;
  lastEntryAt: number;
  /** The instant the decayed sums are expressed at. */
  decayedAt: number;
}

export interface HabitKnobs {
  /** Half-life of old habits; ~10 days lets a new job's hours dominate within two weeks. */
  readonly halfLifeDays: number;
  /** Entries closer together than this are one visit. */
  readonly visitGapMs: number;
  /** Fewer visits than this, or less history than minSpanDays: cold start, no habit judgement. */
  readonly minVisits: number;
  readonly minSpanDays: number;
  /** Smoothing across neighbouring hours: arrivals wander by an hour or so. */
  readonly kernelSigmaHours: number;
  /** Share of the density borrowed from the same hour on similar days (weekdays or weekend). */
  readonly dayShare: number;
  /** Share spread over the whole week, so no hour is impossible, only rare. */
  readonly floorShare: number;
}

export const DEFAULT_HABIT_KNOBS: HabitKnobs = {
  halfLifeDays: 10,
  visitGapMs: 15 * 60_000,
  minVisits: 4,
  minSpanDays: 14,
  kernelSigmaHours: 1,
  dayShare: 0.35,
  floorShare: 0.004,
};

const zeroCredentials = (): Record<CredentialKind, number> => ({ face: 0, pin: 0, guestKey: 0, remote: 0, exitButton: 0 });

export function createHabit(personId: string, at: number): HabitModel {
  return {
    personId,
    bins: new Array<number>(HOURS_PER_WEEK).fill(0),
    credentials: zeroCredentials(),
    mass: 0,
    visits: 0,
    firstAt: at,
    lastEntryAt: Number.NEGATIVE_INFINITY,
    decayedAt: at,
  };
}

const halfLifeMs = (k: HabitKnobs): number => k.halfLifeDays * DAY_MS;

function decayTo(model: HabitModel, at: number, knobs: HabitKnobs): void {
  const f = decayFactor(model.decayedAt, at, halfLifeMs(knobs));
  if (f === 1) return;
  scaleInPlace(model.bins, f);
  for (const c of CREDENTIAL_KINDS) model.credentials[c] *= f;
  model.mass *= f;
  model.decayedAt = at;
}

/** Learns from a granted entry. Returns whether it started a new visit (and so was counted). */
export function observeEntry(model: HabitModel, at: number, credential: CredentialKind, knobs: HabitKnobs, timeZone = 'UTC'): boolean {
  const sameVisit = at - model.lastEntryAt < knobs.visitGapMs;
  model.lastEntryAt = Math.max(model.lastEntryAt, at);
  if (sameVisit) return false;
  decayTo(model, at, knobs);
  const bin = binOf(at, timeZone);
  model.bins[bin] = (model.bins[bin] ?? 0) + 1;
  model.credentials[credential] += 1;
  model.mass += 1;
  model.visits += 1;
  model.firstAt = Math.min(model.firstAt, at);
  return true;
}

export function isColdStart(model: HabitModel | undefined, now: number, knobs: HabitKnobs): boolean {
  return !model || model.visits < knobs.minVisits || now - model.firstAt < knobs.minSpanDays * DAY_MS;
}

/** Smoothed probability of a visit falling in each hour-of-week bin; sums to 1. */
export function habitDensity(model: HabitModel, knobs: HabitKnobs): Float64Array {
  const out = new Float64Array(HOURS_PER_WEEK);
  if (model.mass <= 0) return out.fill(1 / HOURS_PER_WEEK);
  const reach = Math.ceil(knobs.kernelSigmaHours * 3);
  const kernel: number[] = [];
  let kernelSum = 0;
  for (let o = -reach; o <= reach; o++) {
    const w = Math.exp(-(o * o) / (2 * knobs.kernelSigmaHours * knobs.kernelSigmaHours));
    kernel.push(w);
    kernelSum += w;
  }
  const smoothed = new Float64Array(HOURS_PER_WEEK);
  for (let b = 0; b < HOURS_PER_WEEK; b++) {
    let s = 0;
    for (let o = -reach; o <= reach; o++) s += (model.bins[wrapBin(b + o)] ?? 0) * (kernel[o + reach] ?? 0);
    smoothed[b] = s / kernelSum;
  }
  // Same hour on similar days: five Tuesdays at 9 make a Wednesday at 9 plausible, not usual.
  const weekday = new Float64Array(24);
  const weekend = new Float64Array(24);
  for (let b = 0; b < HOURS_PER_WEEK; b++) {
    if (isWeekendBin(b)) weekend[b % 24]! += (smoothed[b] ?? 0) / 2;
    else weekday[b % 24]! += (smoothed[b] ?? 0) / 5;
  }
  const floor = (knobs.floorShare * model.mass) / HOURS_PER_WEEK;
  let total = 0;
  for (let b = 0; b < HOURS_PER_WEEK; b++) {
    const pooled = (isWeekendBin(b) ? weekend : weekday)[b % 24] ?? 0;
    const v = (1 - knobs.dayShare) * (smoothed[b] ?? 0) + knobs.dayShare * pooled + floor;
    out[b] = v;
    total += v;
  }
  for (let b = 0; b < HOURS_PER_WEEK; b++) out[b] = (out[b] ?? 0) / total;
  return out;
}

/**
 * How unusual an instant is for this person: the share of their visits that fall in hours at
 * most as likely as this one (a p-value over the week). Calibrated per person: a shift worker
 * with spread-out hours is not flagged as often as someone who always comes at 9.
 */
export function hourTail(model: HabitModel, at: number, knobs: HabitKnobs, timeZone = 'UTC'): number {
  const density = habitDensity(model, knobs);
  const here = density[binOf(at, timeZone)] ?? 0;
  let tail = 0;
  for (const d of density) if (d <= here * (1 + 1e-9)) tail += d;
  return Math.min(1, tail);
}

/** Decayed share of visits made with this credential. */
export function credentialShare(model: HabitModel, credential: CredentialKind): number {
  let total = 0;
  for (const c of CREDENTIAL_KINDS) total += model.credentials[c];
  return total > 0 ? model.credentials[credential] / total : 0;
}

/**
 * Decayed number of times the hour `bin` has come round since the person was first seen: the
 * exposure a weekly rate is measured against. Counted occurrence by occurrence, so the estimate
 * does not sag in the days just before the slot, which is exactly when it is needed.
 */
function slotExposure(model: HabitModel, bin: number, now: number, knobs: HabitKnobs, timeZone: string): number {
  const back = (((hourOfWeek(now, timeZone) - (bin + 0.5)) % HOURS_PER_WEEK) + HOURS_PER_WEEK) % HOURS_PER_WEEK;
  let sum = 0;
  // A year back is plenty: with any sensible half-life older weeks add nothing measurable.
  for (let k = 0, t = now - back * HOUR_MS; k < 52 && t >= model.firstAt - 1.5 * HOUR_MS; k++, t -= WEEK_MS) {
    sum += decayFactor(t, now, halfLifeMs(knobs));
  }
  return sum;
}

/**
 * Expected visits per week in bins [bin - halfWidth, bin + halfWidth]: decayed visits there over
 * the decayed number of weeks that hour was observed. A carer seen every Tuesday at 9 gives 1.
 */
export function weeklyRate(model: HabitModel, bin: number, now: number, knobs: HabitKnobs, halfWidth = 1, timeZone = 'UTC'): number {
  const weeks = slotExposure(model, bin, now, knobs, timeZone);
  if (weeks <= 0) return 0;
  const f = decayFactor(model.decayedAt, now, halfLifeMs(knobs));
  let sum = 0;
  for (let o = -halfWidth; o <= halfWidth; o++) sum += model.bins[wrapBin(bin + o)] ?? 0;
  return (sum * f) / weeks;
}

export interface RegularSlot {
  /** Centre hour-of-week bin. */
  readonly bin: number;
  /** Expected visits per week around it. */
  readonly rate: number;
}

/** Hours at which this person is near-certain to arrive each week (peaks of visits, rate >= minRate). */
export function regularSlots(model: HabitModel, now: number, knobs: HabitKnobs, minRate: number, timeZone = 'UTC'): RegularSlot[] {
  // Peaks of the 3-hour window sum; the centre bin's own count breaks ties, so a visit that
  // always falls at 9:05 is centred on 9, not on 8 whose window also reaches it.
  const key = (b: number): number =>
    (model.bins[wrapBin(b - 1)] ?? 0) + (model.bins[wrapBin(b)] ?? 0) * 1.001 + (model.bins[wrapBin(b + 1)] ?? 0);
  const slots: RegularSlot[] = [];
  for (let b = 0; b < HOURS_PER_WEEK; b++) {
    const k = key(b);
    if (k <= 0 || !(k > key(b - 1) && k >= key(b + 1))) continue;
    const rate = weeklyRate(model, b, now, knobs, 1, timeZone);
    if (rate >= minRate) slots.push({ bin: b, rate });
  }
  return slots;
}

/** Visits per week in each hour-of-week bin, for the admin heat map. */
export function heatMap(model: HabitModel, now: number, knobs: HabitKnobs): number[] {
  const weeks = Math.max(effectiveWeeks(now - model.firstAt, halfLifeMs(knobs), WEEK_MS), 1 / 7);
  const f = decayFactor(model.decayedAt, now, halfLifeMs(knobs));
  return model.bins.map((v) => (v * f) / weeks);
}
