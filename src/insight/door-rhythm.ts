import { decayFactor, effectiveWeeks, scaleInPlace } from './decay.ts';
import { binOf, DAY_MS, HOUR_MS, HOURS_PER_WEEK, WEEK_MS, wrapBin } from './time.ts';

/**
 * A door's rhythm: how much traffic each hour of the week usually brings, and how long the door
 * usually stays open. Both decayed, both fixed size.
 */
export interface DoorRhythm {
  readonly doorId: string;
  /** Decayed count of attempts per hour-of-week bin. */
  activity: number[];
  /** Decayed counts of open durations in log2-second buckets: [<1 s, 1-2 s, 2-4 s, ...]. */
  openDurations: number[];
  firstAt: number;
  decayedAt: number;
}

export interface RhythmKnobs {
  /** Longer than a person's habit: a building's traffic changes slowly. */
  readonly halfLifeDays: number;
  /** Less history than this: the door's quiet hours are not known yet. */
  readonly minSpanDays: number;
}

export const DEFAULT_RHYTHM_KNOBS: RhythmKnobs = { halfLifeDays: 28, minSpanDays: 10 };

const DURATION_BUCKETS = 16;

export function createRhythm(doorId: string, at: number): DoorRhythm {
  return {
    doorId,
    activity: new Array<number>(HOURS_PER_WEEK).fill(0),
    openDurations: new Array<number>(DURATION_BUCKETS).fill(0),
    firstAt: at,
    decayedAt: at,
  };
}

function decayTo(r: DoorRhythm, at: number, knobs: RhythmKnobs): void {
  const f = decayFactor(r.decayedAt, at, knobs.halfLifeDays * DAY_MS);
  if (f === 1) return;
  scaleInPlace(r.activity, f);
  scaleInPlace(r.openDurations, f);
  r.decayedAt = at;
}

export function observeActivity(r: DoorRhythm, at: number, knobs: RhythmKnobs, timeZone = 'UTC'): void {
  decayTo(r, at, knobs);
  const b = binOf(at, timeZone);
  r.activity[b] = (r.activity[b] ?? 0) + 1;
  r.firstAt = Math.min(r.firstAt, at);
}

function durationBucket(ms: number): number {
  const s = Math.max(ms, 1) / 1000;
  return Math.min(DURATION_BUCKETS - 1, Math.max(0, Math.floor(Math.log2(s)) + 1));
}

export function observeOpenDuration(r: DoorRhythm, at: number, ms: number, knobs: RhythmKnobs): void {
  decayTo(r, at, knobs);
  const b = durationBucket(ms);
  r.openDurations[b] = (r.openDurations[b] ?? 0) + 1;
}

/** Upper edge (ms) of the bucket holding quantile q of open durations; null before any. */
export function openDurationQuantile(r: DoorRhythm, q: number): number | null {
  const total = r.openDurations.reduce((a, b) => a + b, 0);
  if (total <= 0) return null;
  let acc = 0;
  for (let b = 0; b < DURATION_BUCKETS; b++) {
    acc += r.openDurations[b] ?? 0;
    if (acc >= q * total) return Math.pow(2, b) * 1000;
  }
  return Math.pow(2, DURATION_BUCKETS - 1) * 1000;
}

export function rhythmKnown(r: DoorRhythm, now: number, knobs: RhythmKnobs): boolean {
  return now - r.firstAt >= knobs.minSpanDays * DAY_MS;
}

/** Expected attempts per hour in this bin (a rate, from decayed counts over decayed weeks). */
export function hourlyRate(r: DoorRhythm, bin: number, now: number, knobs: RhythmKnobs): number {
  const weeks = effectiveWeeks(now - r.firstAt, knobs.halfLifeDays * DAY_MS, WEEK_MS);
  if (weeks <= 0) return 0;
  return ((r.activity[wrapBin(bin)] ?? 0) * decayFactor(r.decayedAt, now, knobs.halfLifeDays * DAY_MS)) / weeks;
}

/** Attempts the door would usually see between two instants. */
export function expectedAttempts(r: DoorRhythm, from: number, to: number, now: number, knobs: RhythmKnobs, timeZone = 'UTC'): number {
  let sum = 0;
  for (let t = from; t < to; t += HOUR_MS) {
    const slice = Math.min(HOUR_MS, to - t) / HOUR_MS;
    sum += hourlyRate(r, binOf(t, timeZone), now, knobs) * slice;
  }
  return sum;
}

/**
 * Share of the door's traffic in hours at most as busy as this one (smoothed over +-1 h):
 * small means a quiet hour, when an unknown face is more telling.
 */
export function quietTail(r: DoorRhythm, at: number, timeZone = 'UTC'): number {
  const smooth: number[] = [];
  let total = 0;
  for (let b = 0; b < HOURS_PER_WEEK; b++) {
    const v = 0.25 * (r.activity[wrapBin(b - 1)] ?? 0) + 0.5 * (r.activity[b] ?? 0) + 0.25 * (r.activity[wrapBin(b + 1)] ?? 0);
    smooth.push(v);
    total += v;
  }
  if (total <= 0) return 1;
  const here = smooth[binOf(at, timeZone)] ?? 0;
  let tail = 0;
  for (const v of smooth) if (v <= here * (1 + 1e-9)) tail += v;
  return tail / total;
}

/** The busiest and the quietest hours-of-week (bins), for the admin page. */
export function busyAndQuietHours(r: DoorRhythm, count = 5): { busy: number[]; quiet: number[] } {
  const order = r.activity.map((v, b) => ({ v, b })).sort((x, y) => y.v - x.v || x.b - y.b);
  return { busy: order.slice(0, count).map((e) => e.b), quiet: order.slice(-count).reverse().map((e) => e.b) };
}
