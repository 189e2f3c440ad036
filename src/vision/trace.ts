/**
 * Timestamps along the door's live path, for `npm run bench:door` only: the bench installs a
 * sink as `globalThis.doorwardTrace` before the app loads; without one every call is a property
 * lookup and nothing else. Times are `performance.now()` of the page.
 */
import type { Stage } from './engine.ts';

export type TraceEvent =
  /** A camera frame the vision worker finished: when it was grabbed (`at`), what it found. */
  | { readonly kind: 'frame'; readonly at: number; readonly faces: number; readonly stable: boolean | null; readonly timings: Partial<Record<Stage, number>> }
  | { readonly kind: 'face'; readonly face: 'tracked' | 'stable' | 'lost'; readonly trackId: number | null }
  | { readonly kind: 'evidence'; readonly trackId: number; readonly personId: string | null }
  /** The door: unlock command handed to the controller link, the controller's relay event, its answer. */
  | { readonly kind: 'unlock-sent' }
  /** controllerUptimeMs: the controller's clock (from its boot) when it switched. */
  | { readonly kind: 'relay'; readonly released: boolean; readonly controllerUptimeMs: number }
  | { readonly kind: 'unlock-done'; readonly ok: boolean };

type Sink = (e: TraceEvent & { readonly t: number }) => void;

export function trace(e: TraceEvent): void {
  const sink = (globalThis as { doorwardTrace?: Sink }).doorwardTrace;
  if (typeof sink === 'function') sink({ ...e, t: performance.now() });
}
