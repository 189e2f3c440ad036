/**
 * Idle-mode motion check: a tiny grey thumbnail (32x24, ~0.8 k pixels) compared with the last
 * one. The worker makes the thumbnail with one GPU-backed drawImage, so an idle panel never
 * reads back a full frame.
 */
export const MOTION_SIZE = { width: 32, height: 24 } as const;

export interface MotionOptions {
  /** A pixel counts as changed when its grey level moves by more than this. */
  readonly pixelDelta: number;
  /** Motion when more than this share of the pixels changed. */
  readonly share: number;
}

/** Sensor noise moves few pixels of a 32x24 average by 16 levels; a person walking in moves many. */
export const DEFAULT_MOTION: MotionOptions = { pixelDelta: 16, share: 0.015 };

/** BT.601 luma of RGBA pixels, rounded to bytes. */
export function lumaBytes(rgba: ArrayLike<number>, pixels: number): Uint8Array {
  const out = new Uint8Array(pixels);
  for (let i = 0; i < pixels; i++) out[i] = (77 * rgba[i * 4]! + 150 * rgba[i * 4 + 1]! + 29 * rgba[i * 4 + 2]! + 128) >> 8;
  return out;
}

export class MotionDetector {
  readonly #o: MotionOptions;
  #last: Uint8Array | null = null;

  constructor(o: MotionOptions = DEFAULT_MOTION) {
    this.#o = o;
  }

  /** True when this thumbnail differs from the previous one; the first after a reset never does. */
  update(grey: Uint8Array): boolean {
    const last = this.#last;
    this.#last = grey;
    if (!last || last.length !== grey.length) return false;
    let changed = 0;
    for (let i = 0; i < grey.length; i++) if (Math.abs(grey[i]! - last[i]!) > this.#o.pixelDelta) changed++;
    return changed > this.#o.share * grey.length;
  }

  reset(): void {
    this.#last = null;
  }
}
