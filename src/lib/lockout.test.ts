import { describe, expect, it } from 'vitest';
import { DEFAULT_LOCKOUT, NO_FAILURES, recordFailure, recordSuccess, remainingLockMs } from './lockout.ts';

describe('lockout back-off', () => {
  it('allows the free tries without a lock', () => {
    let r = NO_FAILURES;
    for (let i = 0; i < DEFAULT_LOCKOUT.freeTries - 1; i++) r = recordFailure(r, 1000);
    expect(remainingLockMs(r, 1000)).toBe(0);
  });

  it('locks on the last free try and doubles with each further failure up to the cap', () => {
    let r = NO_FAILURES;
    const lengths: number[] = [];
    for (let i = 0; i < 10; i++) {
      r = recordFailure(r, 0);
      lengths.push(remainingLockMs(r, 0));
    }
    expect(lengths.slice(0, 2)).toEqual([0, 0]);
    expect(lengths.slice(2, 5)).toEqual([30_000, 60_000, 120_000]);
    expect(Math.max(...lengths)).toBe(DEFAULT_LOCKOUT.maxMs);
  });

  it('expires with time and clears on success', () => {
    let r = NO_FAILURES;
    for (let i = 0; i < 3; i++) r = recordFailure(r, 0);
    expect(remainingLockMs(r, 29_999)).toBe(1);
    expect(remainingLockMs(r, 30_000)).toBe(0);
    expect(recordSuccess()).toEqual(NO_FAILURES);
  });
});
