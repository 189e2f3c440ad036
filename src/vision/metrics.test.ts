import { describe, expect, test } from 'vitest';
import { equalErrorRate, nextUp, ratesAt, rocAuc, summarise, thresholdForFmr } from './metrics.ts';

describe('verification metrics', () => {
  test('AUC: 1 when separable, 0.5 for identical sets, ties count half', () => {
    expect(rocAuc([0.8, 0.9], [0.1, 0.2, 0.3])).toBe(1);
    expect(rocAuc([0.5, 0.5], [0.5, 0.5])).toBe(0.5);
    expect(rocAuc([0.3, 0.9], [0.5])).toBe(0.5);
  });

  test('rates and EER on a small overlapping example', () => {
    const g = [0.4, 0.6, 0.7, 0.8];
    const i = [0.1, 0.2, 0.3, 0.5];
    expect(ratesAt(g, i, 0.5)).toEqual({ threshold: 0.5, fmr: 0.25, fnmr: 0.25 });
    expect(equalErrorRate(g, i)).toEqual({ eer: 0.25, threshold: 0.5 });
  });

  test('threshold for a target FMR sits just above the allowed impostors', () => {
    const imp = Array.from({ length: 100 }, (_, k) => k / 100); // 0 .. 0.99
    const r = thresholdForFmr(imp, 0.05);
    expect(r.threshold).toBeGreaterThan(0.94);
    expect(r.threshold).toBeLessThan(0.95000001);
    expect(r.observedFmr).toBe(0.05);
    const strict = thresholdForFmr(imp, 1e-4); // below 1/N: above the maximum, and say what is supported
    expect(strict.threshold).toBeGreaterThan(0.99);
    expect(strict.observedFmr).toBe(0);
    expect(strict.supportedFmr).toBeCloseTo(0.03, 9);
  });

  test('nextUp and summarise', () => {
    expect(nextUp(1)).toBeGreaterThan(1);
    expect(nextUp(1) - 1).toBeLessThan(1e-15);
    expect(nextUp(-1)).toBeGreaterThan(-1);
    expect(summarise([3, 1, 2])).toMatchObject({ n: 3, min: 1, median: 2, max: 3, mean: 2 });
  });
});
