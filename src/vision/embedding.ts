import { toChw } from './image.ts';
import type { RgbaImage } from './types.ts';

export const EMBEDDING_DIM = 512;

/** Tensor data [1, 3, 112, 112], RGB, (v - 127) / 128, from an aligned face. */
export function embeddingInput(aligned: RgbaImage): Float32Array {
  return toChw(aligned, { mean: 127, scale: 1 / 128, order: 'RGB' });
}

/** Unit-length copy: fr_feature's raw output is not normalised, and cosine becomes a dot product. */
export function l2Normalize(v: ArrayLike<number>): Float32Array {
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += v[i]! * v[i]!;
  const inv = sum > 0 ? 1 / Math.sqrt(sum) : 0;
  const out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = v[i]! * inv;
  return out;
}

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError(`length ${a.length} vs ${b.length}`);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const na = Math.sqrt(dot(a, a));
  const nb = Math.sqrt(dot(b, b));
  return na > 0 && nb > 0 ? dot(a, b) / (na * nb) : 0;
}
