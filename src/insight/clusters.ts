import { decayFactor } from './decay.ts';
import { DAY_MS, hourOfWeek } from './time.ts';

/**
 * Online clustering of unrecognised faces, so a recurring visitor becomes one entry the admin can
 * name and enrol. Cosine similarity to each cluster's mean direction; a capped number of
 * clusters, each with a capped number of exemplars and snapshots; the least valuable is evicted.
 */
export interface UnknownCluster {
  readonly id: string;
  /** Sum of the unit-length embeddings that joined; its direction is the centroid. */
  sum: Float32Array;
  sightings: number;
  visits: number;
  firstAt: number;
  lastAt: number;
  /** Visits per local weekday, Monday first. */
  days: number[];
  /** Circular sums of the visit hour-of-day, for "usually about 10:00". */
  hourSin: number;
  hourCos: number;
  /** A few embeddings kept to enrol the visitor if the admin grants them. */
  exemplars: Float32Array[];
  snapshotIds: string[];
  name: string | null;
}

export interface ClusterStore {
  clusters: UnknownCluster[];
  nextId: number;
}

export interface ClusterKnobs {
  /** Cosine to a cluster's centroid at or above which a face joins it (see calibrateThreshold). */
  readonly joinAt: number;
  /** Two centroids this close are one person seen twice before the link was clear. */
  readonly mergeAt: number;
  readonly maxClusters: number;
  readonly maxExemplars: number;
  readonly maxSnapshots: number;
  /** Sightings closer than this are one visit. */
  readonly visitGapMs: number;
  /** Eviction weighs visits by recency with this half-life. */
  readonly halfLifeDays: number;
}

export const DEFAULT_CLUSTER_KNOBS: ClusterKnobs = {
  joinAt: 0.5,
  mergeAt: 0.7,
  maxClusters: 64,
  maxExemplars: 4,
  maxSnapshots: 3,
  visitGapMs: 30 * 60_000,
  halfLifeDays: 30,
};

export const createClusterStore = (): ClusterStore => ({ clusters: [], nextId: 1 });

function norm(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += (v[i] ?? 0) * (v[i] ?? 0);
  return Math.sqrt(s);
}

export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return -1;
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += (a[i] ?? 0) * (b[i] ?? 0);
  const n = norm(a) * norm(b);
  return n > 0 ? dot / n : -1;
}

function unit(v: Float32Array): Float32Array {
  const n = norm(v);
  const out = new Float32Array(v.length);
  if (n > 0) for (let i = 0; i < v.length; i++) out[i] = (v[i] ?? 0) / n;
  return out;
}

/** The best cluster for a face, without changing anything; null below joinAt. */
export function nearestCluster(store: ClusterStore, embedding: Float32Array, knobs: ClusterKnobs): { cluster: UnknownCluster; similarity: number } | null {
  let best: UnknownCluster | null = null;
  let bestSim = -Infinity;
  for (const c of store.clusters) {
    const s = cosine(c.sum, embedding);
    if (s > bestSim) {
      bestSim = s;
      best = c;
    }
  }
  return best && bestSim >= knobs.joinAt ? { cluster: best, similarity: bestSim } : null;
}

function addVisit(c: UnknownCluster, at: number, timeZone: string): void {
  const how = hourOfWeek(at, timeZone);
  const day = Math.floor(how / 24);
  c.days[day] = (c.days[day] ?? 0) + 1;
  const angle = ((how % 24) / 24) * 2 * Math.PI;
  c.hourSin += Math.sin(angle);
  c.hourCos += Math.cos(angle);
  c.visits += 1;
}

function keepLast<T>(list: T[], item: T, cap: number): void {
  list.push(item);
  if (list.length > cap) list.splice(0, list.length - cap);
}

function retention(c: UnknownCluster, now: number, knobs: ClusterKnobs): number {
  return c.visits * decayFactor(c.lastAt, now, knobs.halfLifeDays * DAY_MS);
}

function evictIfFull(store: ClusterStore, now: number, knobs: ClusterKnobs): void {
  while (store.clusters.length > knobs.maxClusters) {
    // Named visitors are the admin's, so unnamed ones go first; among those the least seen lately.
    let victim = -1;
    let worst = Infinity;
    store.clusters.forEach((c, i) => {
      const score = retention(c, now, knobs) + (c.name === null ? 0 : 1e9);
      if (score < worst) {
        worst = score;
        victim = i;
      }
    });
    store.clusters.splice(victim, 1);
  }
}

function mergeInto(target: UnknownCluster, other: UnknownCluster, knobs: ClusterKnobs): void {
  for (let i = 0; i < target.sum.length; i++) target.sum[i] = (target.sum[i] ?? 0) + (other.sum[i] ?? 0);
  target.sightings += other.sightings;
  target.visits += other.visits;
  target.firstAt = Math.min(target.firstAt, other.firstAt);
  target.lastAt = Math.max(target.lastAt, other.lastAt);
  target.days = target.days.map((d, i) => d + (other.days[i] ?? 0));
  target.hourSin += other.hourSin;
  target.hourCos += other.hourCos;
  for (const e of other.exemplars) keepLast(target.exemplars, e, knobs.maxExemplars);
  for (const s of other.snapshotIds) keepLast(target.snapshotIds, s, knobs.maxSnapshots);
  target.name ??= other.name;
}

export interface Sighting {
  readonly clusterId: string;
  /** True when this sighting started a new visit of the cluster. */
  readonly newVisit: boolean;
}

export function observeUnknownFace(
  store: ClusterStore,
  embedding: Float32Array,
  at: number,
  knobs: ClusterKnobs,
  snapshotId?: string,
  timeZone = 'UTC',
): Sighting {
  const x = unit(embedding);
  const near = nearestCluster(store, x, knobs);
  if (!near) {
    const c: UnknownCluster = {
      id: `u${store.nextId++}`,
      sum: Float32Array.from(x),
      sightings: 1,
      visits: 0,
      firstAt: at,
      lastAt: at,
      days: [0, 0, 0, 0, 0, 0, 0],
      hourSin: 0,
      hourCos: 0,
      exemplars: [x],
      snapshotIds: snapshotId ? [snapshotId] : [],
      name: null,
    };
    addVisit(c, at, timeZone);
    store.clusters.push(c);
    evictIfFull(store, at, knobs);
    return { clusterId: c.id, newVisit: true };
  }
  const c = near.cluster;
  for (let i = 0; i < c.sum.length; i++) c.sum[i] = (c.sum[i] ?? 0) + (x[i] ?? 0);
  c.sightings += 1;
  const newVisit = at - c.lastAt >= knobs.visitGapMs;
  if (newVisit) {
    addVisit(c, at, timeZone);
    keepLast(c.exemplars, x, knobs.maxExemplars);
  }
  c.lastAt = Math.max(c.lastAt, at);
  if (snapshotId && newVisit) keepLast(c.snapshotIds, snapshotId, knobs.maxSnapshots);
  // The centroid moved: it may now sit on top of another cluster of the same face.
  for (const other of store.clusters) {
    if (other !== c && cosine(other.sum, c.sum) >= knobs.mergeAt) {
      mergeInto(c, other, knobs);
      store.clusters = store.clusters.filter((k) => k !== other);
      break;
    }
  }
  return { clusterId: c.id, newVisit };
}

export function nameCluster(store: ClusterStore, id: string, name: string): boolean {
  const c = store.clusters.find((k) => k.id === id);
  if (!c) return false;
  c.name = name;
  return true;
}

/** Erases one visitor (the admin's delete, or after enrolling them as a person). */
export function eraseCluster(store: ClusterStore, id: string): boolean {
  const before = store.clusters.length;
  store.clusters = store.clusters.filter((c) => c.id !== id);
  return store.clusters.length < before;
}

/** Retention: forgets every visitor not seen since the cutoff, embeddings and snapshots alike. */
export function eraseNotSeenSince(store: ClusterStore, cutoff: number): number {
  const before = store.clusters.length;
  store.clusters = store.clusters.filter((c) => c.lastAt >= cutoff);
  return before - store.clusters.length;
}

/**
 * Takes a visitor out of the unknown list to enrol them: returns what enrolment needs and erases
 * the cluster, so the face is not both a person and an unknown visitor.
 */
export function promoteCluster(store: ClusterStore, id: string): { embeddings: Float32Array[]; snapshotIds: string[] } | null {
  const c = store.clusters.find((k) => k.id === id);
  if (!c) return null;
  eraseCluster(store, id);
  return { embeddings: [...c.exemplars], snapshotIds: [...c.snapshotIds] };
}

const DAY_NAMES = ['Mondays', 'Tuesdays', 'Wednesdays', 'Thursdays', 'Fridays', 'Saturdays', 'Sundays'];

export interface VisitorSummary {
  readonly id: string;
  readonly name: string | null;
  readonly visits: number;
  readonly days: 'weekdays' | 'weekends' | 'any day' | string;
  /** "HH:MM", rounded to the half hour. */
  readonly usualTime: string;
  readonly text: string;
}

export function describeCluster(c: UnknownCluster): VisitorSummary {
  const total = c.days.reduce((a, b) => a + b, 0) || 1;
  const weekdays = c.days.slice(0, 5).reduce((a, b) => a + b, 0);
  const top = c.days.reduce((best, v, i) => (v > (c.days[best] ?? 0) ? i : best), 0);
  let days: string;
  if ((c.days[top] ?? 0) / total >= 0.7 && total >= 3) days = DAY_NAMES[top] ?? 'any day';
  else if (weekdays / total >= 0.8) days = 'weekdays';
  else if (weekdays / total <= 0.2) days = 'weekends';
  else days = 'any day';
  const angle = Math.atan2(c.hourSin, c.hourCos);
  const hours = (((angle / (2 * Math.PI)) * 24) % 24 + 24) % 24;
  const halfHours = Math.round(hours * 2) % 48;
  const usualTime = `${String(Math.floor(halfHours / 2)).padStart(2, '0')}:${halfHours % 2 ? '30' : '00'}`;
  const who = c.name ?? 'unknown visitor';
  return { id: c.id, name: c.name, visits: c.visits, days, usualTime, text: `${who}, ${c.visits} visit${c.visits === 1 ? '' : 's'}, usually ${days} about ${usualTime}` };
}

/** Visitors worth showing the admin: seen on several visits, most frequent first. */
export function frequentVisitors(store: ClusterStore, minVisits = 3): VisitorSummary[] {
  return store.clusters
    .filter((c) => c.visits >= minVisits)
    .sort((a, b) => b.visits - a.visits || b.lastAt - a.lastAt)
    .map(describeCluster);
}

/**
 * Picks the join threshold from labelled similarity pairs (same person / different people) so
 * that at most `maxFalseJoin` of different-person pairs would be joined; reports how many
 * same-person pairs it still joins. Centroids are closer to each face than two faces are to
 * each other, so a pair threshold is conservative for joining a cluster.
 */
export function calibrateThreshold(same: readonly number[], different: readonly number[], maxFalseJoin = 0.001): { joinAt: number; sameJoined: number } {
  if (different.length === 0) throw new RangeError('calibration needs different-person pairs');
  const sorted = [...different].sort((a, b) => a - b);
  const idx = Math.min(sorted.length - 1, Math.ceil((1 - maxFalseJoin) * sorted.length) - 1);
  const joinAt = (sorted[Math.max(0, idx)] ?? 1) + 1e-6;
  const sameJoined = same.length ? same.filter((s) => s >= joinAt).length / same.length : 0;
  return { joinAt, sameJoined };
}
