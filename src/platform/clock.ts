/** Time is injected everywhere so tests and the e2e harness can move it. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
