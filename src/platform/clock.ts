/**
 * Time is injected everywhere so tests and the e2e harness can move it, timers included: a
 * decision, a back-off or a retry reads `now()` and waits with `setTimeout` from the same clock.
 */
export type TimerHandle = unknown;

export interface Clock {
  now(): number;
  setTimeout(cb: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

const timers = {
  setTimeout: (cb: () => void, ms: number): TimerHandle => globalThis.setTimeout(cb, ms),
  clearTimeout: (h: TimerHandle): void => globalThis.clearTimeout(h as ReturnType<typeof globalThis.setTimeout>),
};

/** Wall time: what people, schedules and the log see (an admin may set it). */
export const systemClock: Clock = { now: () => Date.now(), ...timers };

/** Time since the page started, never set back: for link timeouts and heartbeats. */
export const monotonicClock: Clock = { now: () => performance.now(), ...timers };

/** Runs `fn` every `ms` by the clock's timers until the returned function stops it. */
export function every(clock: Clock, ms: number, fn: () => void): () => void {
  let stopped = false;
  const tick = () => {
    if (stopped) return;
    handle = clock.setTimeout(tick, ms);
    fn();
  };
  let handle = clock.setTimeout(tick, ms);
  return () => {
    stopped = true;
    clock.clearTimeout(handle);
  };
}
