/**
 * Verification metrics over genuine (same person) and impostor (different people) scores,
 * higher score = more alike. Pure, so the eval script and the tests share one definition.
 */

export interface RatesAt {
  readonly threshold: number;
  /** False-match rate: impostor scores >= threshold. */
  readonly fmr: number;
  /** False-non-match rate: genuine scores < threshold. */
  readonly fnmr: number;
}

export function ratesAt(genuine: readonly number[], impostor: readonly number[], threshold: number): RatesAt {
  const fm = impostor.filter((s) => s >= threshold).length;
  const fnm = genuine.filter((s) => s < threshold).length;
  return { threshold, fmr: impostor.length ? fm / impostor.length : 0, fnmr: genuine.length ? fnm / genuine.length : 0 };
}

/** Area under the ROC curve = P(genuine > impostor), ties counted half (Mann-Whitney U). */
export function rocAuc(genuine: readonly number[], impostor: readonly number[]): number {
  if (!genuine.length || !impostor.length) return Number.NaN;
  const all = [...genuine.map((s) => ({ s, g: 1 })), ...impostor.map((s) => ({ s, g: 0 }))].sort((a, b) => a.s - b.s);
  let rankSumG = 0;
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j < all.length && all[j]!.s === all[i]!.s) j++;
    const midRank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) if (all[k]!.g) rankSumG += midRank;
    i = j;
  }
  const nG = genuine.length;
  return (rankSumG - (nG * (nG + 1)) / 2) / (nG * impostor.length);
}

/** Equal error rate: where FMR and FNMR cross, over every observed score as a threshold. */
export function equalErrorRate(genuine: readonly number[], impostor: readonly number[]): { eer: number; threshold: number } {
  const candidates = [...new Set([...genuine, ...impostor])].sort((a, b) => a - b);
  let best = { eer: 1, threshold: Number.NaN, gap: Infinity };
  for (const t of candidates) {
    const r = ratesAt(genuine, impostor, t);
    const gap = Math.abs(r.fmr - r.fnmr);
    if (gap < best.gap) best = { eer: (r.fmr + r.fnmr) / 2, threshold: t, gap };
  }
  return { eer: best.eer, threshold: best.threshold };
}

/**
 * The lowest threshold whose measured FMR is <= target. With N impostor pairs no FMR below 1/N
 * can be observed: when target < 1/N this is just above the highest impostor score, and
 * `supportedFmr` says what the data can vouch for (rule of three: 95 % upper bound 3/N with no
 * false match among N independent pairs).
 */
export function thresholdForFmr(impostor: readonly number[], target: number): { threshold: number; observedFmr: number; supportedFmr: number } {
  const sorted = [...impostor].sort((a, b) => b - a);
  const n = sorted.length;
  if (!n) return { threshold: Number.NaN, observedFmr: Number.NaN, supportedFmr: 1 };
  const allowed = Math.floor(target * n); // impostors that may sit at or above the threshold
  const boundary = sorted[allowed]!; // the first impostor that must fall below it
  const threshold = nextUp(boundary);
  const observed = sorted.filter((s) => s >= threshold).length / n;
  return { threshold, observedFmr: observed, supportedFmr: Math.max(target, 3 / n) };
}

export interface Summary {
  readonly n: number;
  readonly min: number;
  readonly p05: number;
  readonly median: number;
  readonly p95: number;
  readonly max: number;
  readonly mean: number;
}

export function summarise(xs: readonly number[]): Summary {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number): number => s[Math.min(s.length - 1, Math.max(0, Math.round(p * (s.length - 1))))] ?? Number.NaN;
  return { n: s.length, min: s[0] ?? Number.NaN, p05: q(0.05), median: q(0.5), p95: q(0.95), max: s[s.length - 1] ?? Number.NaN, mean: s.reduce((a, b) => a + b, 0) / (s.length || 1) };
}

/** The next float64 above x, so that ">= threshold" excludes the boundary score itself. */
export function nextUp(x: number): number {
  if (Number.isNaN(x) || x === Infinity) return x;
  if (x === 0) return Number.MIN_VALUE;
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigInt64(0);
  view.setBigInt64(0, x > 0 ? bits + 1n : bits - 1n);
  return view.getFloat64(0);
}
