import { describe, expect, it } from 'vitest';
import { EVALUATION_SEEDS, formatBench, runBench, TUNING_SEEDS } from './bench.ts';

describe('insight bench', () => {
  it('keeps tuning and evaluation seeds apart', () => {
    expect(TUNING_SEEDS.some((s) => EVALUATION_SEEDS.includes(s))).toBe(false);
  });

  it('scores one small history end to end', () => {
    const f = runBench({ seeds: [3], households: 3, offices: 1, shortLets: 1 });
    expect(f.sites).toEqual({ household: 3, office: 1, shortLet: 1 });
    const intruderLike = f.kinds.filter((k) => ['intruder3am', 'bruteForcePin', 'spoofReplay'].includes(k.kind));
    for (const k of intruderLike) {
      expect(k.incidents).toBeGreaterThan(0);
      expect(k.caught).toBeLessThanOrEqual(k.incidents);
    }
    expect(f.intruderLikeRecall).toBeGreaterThan(0.8);
    expect(f.friction.legitEntries).toBeGreaterThan(500);
    expect(f.friction.share).toBeLessThan(0.08);
    const text = formatBench(f, 'test');
    expect(text).toContain('seeds 3');
    expect(text).toContain('intruder-like recall');
  });
});
