import { describe, expect, it } from 'vitest';
import { every } from './clock.ts';
import { FakeClock } from '../../tests/support/clock.ts';

describe('every', () => {
  it('runs on the clock at each interval, and never again once stopped', async () => {
    const clock = new FakeClock(0);
    const at: number[] = [];
    const stop = every(clock, 1_000, () => at.push(clock.now()));
    await clock.advance(3_500);
    stop();
    await clock.advance(5_000);
    expect(at).toEqual([1_000, 2_000, 3_000]);
  });

  it('a run that throws does not stop the next one', async () => {
    const clock = new FakeClock(0);
    let runs = 0;
    every(clock, 10, () => {
      runs++;
      if (runs === 1) throw new Error('one bad probe');
    });
    await expect(clock.advance(10)).rejects.toThrow('one bad probe');
    await clock.advance(20);
    expect(runs).toBe(3);
  });
});
