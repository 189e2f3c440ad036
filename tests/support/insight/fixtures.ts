/**
 * Shared builders for the insight tests (no test runner imports, so it type-checks with the app).
 * Monday 2025-01-06 00:00 UTC is the origin of every test week.
 */
import { DAY_MS, HOUR_MS } from '../../../src/insight/time.ts';
import type { AttemptEvent, CredentialKind, DoorEvent, DoorEventKind } from '../../../src/insight/types.ts';

export const MONDAY = Date.UTC(2025, 0, 6);

/** Epoch ms of a local (UTC) time in test week `week`, day 0 = Monday. */
export const at = (week: number, day: number, hour: number, minute = 0): number => MONDAY + (week * 7 + day) * DAY_MS + hour * HOUR_MS + minute * 60_000;

let n = 0;

export function attempt(time: number, over: Partial<Omit<AttemptEvent, 'type' | 'id' | 'at'>> = {}): AttemptEvent {
  const credential: CredentialKind = over.credential ?? 'face';
  return {
    type: 'attempt',
    id: `t${++n}`,
    at: time,
    doorId: 'front',
    personId: 'alice',
    credential,
    outcome: 'grant',
    reasons: [],
    matchScore: credential === 'face' ? 0.9 : null,
    liveness: credential === 'face' ? 0.95 : null,
    faces: credential === 'face' ? 1 : 0,
    ...over,
  };
}

export const doorEvent = (time: number, kind: DoorEventKind, doorId = 'front'): DoorEvent => ({ type: 'door', id: `d${++n}`, at: time, doorId, kind });

/** A unit vector along axis `i` plus a little deterministic noise, for clustering tests. */
export function face(identity: number, jitter: number, dim = 16): Float32Array {
  const v = new Float32Array(dim);
  v[identity % dim] = 1;
  for (let k = 0; k < dim; k++) v[k] = (v[k] ?? 0) + 0.15 * Math.sin(1.7 * (k + 1) * (jitter + 1) + identity);
  return v;
}
