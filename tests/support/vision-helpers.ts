/**
 * Vision helpers that only tests use: measurements of alignment, synthetic blur, a per-track
 * agreement keeper and a mean template. Kept out of src/ so the app ships none of them.
 */
import { agree, DEFAULT_AGREEMENT, type Agreement, type AgreementPolicy } from '../../src/vision/agreement.ts';
import { applyAffine } from '../../src/vision/align.ts';
import { l2Normalize } from '../../src/vision/embedding.ts';
import type { Affine } from '../../src/vision/image.ts';
import type { MatchResult } from '../../src/vision/matcher.ts';
import type { Point, RgbaImage } from '../../src/vision/types.ts';

/** Root-mean-square distance between the mapped `src` points and `dst`, in `dst` pixels. */
export function alignmentError(m: Affine, src: readonly Point[], dst: readonly Point[]): number {
  let sum = 0;
  for (let i = 0; i < src.length; i++) {
    const p = applyAffine(m, src[i]!);
    sum += (p.x - dst[i]!.x) ** 2 + (p.y - dst[i]!.y) ** 2;
  }
  return Math.sqrt(sum / src.length);
}

/** 3x3 box blur, repeated `passes` times: a defocused or moving face for the sharpness check. */
export function boxBlur(img: RgbaImage, passes = 1): RgbaImage {
  let cur = img;
  for (let p = 0; p < passes; p++) {
    const { width: w, height: h, data } = cur;
    const out = new Uint8ClampedArray(data.length);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        for (let ch = 0; ch < 4; ch++) {
          let sum = 0;
          for (let dy = -1; dy <= 1; dy++) {
            const yy = Math.min(h - 1, Math.max(0, y + dy));
            for (let dx = -1; dx <= 1; dx++) {
              const xx = Math.min(w - 1, Math.max(0, x + dx));
              sum += data[(yy * w + xx) * 4 + ch]!;
            }
          }
          out[(y * w + x) * 4 + ch] = sum / 9;
        }
      }
    }
    cur = { width: w, height: h, data: out };
  }
  return cur;
}

/** Mean of unit vectors, renormalised: a sturdier single template from several captures. */
export function meanEmbedding(vs: readonly ArrayLike<number>[]): Float32Array {
  const first = vs[0];
  if (!first) throw new RangeError('no embeddings');
  const acc = new Float32Array(first.length);
  for (const v of vs) {
    const u = l2Normalize(v);
    for (let i = 0; i < acc.length; i++) acc[i]! += u[i]!;
  }
  return l2Normalize(acc);
}

/** Keeps the last `window` results per track id; forget a track when the tracker drops it. */
export class AgreementWindow {
  readonly #policy: AgreementPolicy;
  readonly #byTrack = new Map<number, MatchResult[]>();

  constructor(policy: AgreementPolicy = DEFAULT_AGREEMENT) {
    this.#policy = policy;
  }

  push(trackId: number, result: MatchResult): Agreement {
    const list = this.#byTrack.get(trackId) ?? [];
    list.push(result);
    if (list.length > this.#policy.window) list.shift();
    this.#byTrack.set(trackId, list);
    return agree(list, this.#policy);
  }

  /** Drops tracks that are no longer alive (pass the tracker's current ids). */
  retain(alive: Iterable<number>): void {
    const keep = new Set(alive);
    for (const id of [...this.#byTrack.keys()]) if (!keep.has(id)) this.#byTrack.delete(id);
  }

  reset(): void {
    this.#byTrack.clear();
  }
}
