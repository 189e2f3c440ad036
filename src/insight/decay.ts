/**
 * Exponential forgetting. Learners keep decayed sums and apply the decay lazily when touched, so
 * an idle model costs nothing and old behaviour fades at a fixed half-life whatever the traffic.
 */

export function decayFactor(fromMs: number, toMs: number, halfLifeMs: number): number {
  if (toMs <= fromMs) return 1;
  return Math.pow(2, -(toMs - fromMs) / halfLifeMs);
}

/**
 * How many weeks of observation the decayed sums are worth after `spanMs` of history: the
 * integral of the decay over the span, in weeks. Saturates at halfLife/ln2, so a weekly habit
 * seen every week has a decayed count that converges to this number.
 */
export function effectiveWeeks(spanMs: number, halfLifeMs: number, weekMs: number): number {
  if (spanMs <= 0) return 0;
  return ((halfLifeMs / Math.LN2) * (1 - Math.pow(2, -spanMs / halfLifeMs))) / weekMs;
}

export function scaleInPlace(values: number[], factor: number): void {
  for (let i = 0; i < values.length; i++) values[i] = (values[i] ?? 0) * factor;
}
