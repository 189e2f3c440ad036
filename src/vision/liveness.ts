import { cropResize, toChw } from './image.ts';
import { boxCentre, boxHeight, boxWidth, type Box, type RgbaImage, type Size } from './types.ts';

export const LIVENESS_INPUT = 128;
/** Context around the face the anti-spoofing model wants (screen bezels, paper edges, hands). */
export const LIVENESS_SCALE = 2.7;
/**
 * Index of the "live" class in fr_liveness's 3 outputs. Measured, not assumed: on the real
 * photos in shared/faces and the face-api samples class 0 is the large one (models/README.md).
 */
export const LIVE_CLASS = 0;
/**
 * Channel order the model wants. Its JS library feeds RGB, but on 37 real faces BGR gave
 * class 0 > 0.5 on 31 (median 1.00) against 27 (median 0.95) for RGB: it was trained on
 * OpenCV's BGR frames (models/README.md).
 */
export const LIVENESS_ORDER = 'BGR';

/**
 * The box scaled about its centre (less when the frame is too small to hold it), then shifted
 * to lie inside the frame rather than padded: the model's own crop, which keeps real context.
 */
export function livenessCropBox(face: Box, frame: Size, scale = LIVENESS_SCALE): Box {
  // The model's library squares the detector box first; so do we.
  const side = Math.max(boxWidth(face), boxHeight(face));
  const w = side;
  const h = side;
  const s = Math.min((frame.height - 1) / h, (frame.width - 1) / w, scale);
  const nw = w * s;
  const nh = h * s;
  const c = boxCentre(face);
  let x1 = c.x - nw / 2;
  let y1 = c.y - nh / 2;
  x1 = Math.min(Math.max(0, x1), frame.width - nw);
  y1 = Math.min(Math.max(0, y1), frame.height - nh);
  return { x1, y1, x2: x1 + nw, y2: y1 + nh };
}

/** Tensor data [1, 3, 128, 128], BGR, raw 0..255 (this model takes no normalisation). */
export function livenessInput(frame: RgbaImage, face: Box): Float32Array {
  const crop = cropResize(frame, livenessCropBox(face, frame), LIVENESS_INPUT, LIVENESS_INPUT);
  return toChw(crop, { mean: 0, scale: 1, order: LIVENESS_ORDER });
}

export function softmax(logits: ArrayLike<number>): Float32Array {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]!);
  const out = new Float32Array(logits.length);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) {
    out[i] = Math.exp(logits[i]! - max);
    sum += out[i]!;
  }
  for (let i = 0; i < out.length; i++) out[i]! /= sum;
  return out;
}

/** Probability that the face is a live person (not a print or a screen). */
export function liveProbability(logits: ArrayLike<number>, liveClass = LIVE_CLASS): number {
  return softmax(logits)[liveClass] ?? 0;
}

/** Per-frame scores are clipped here before fusing, so one saturated frame cannot outvote the rest. */
const FUSE_CLIP = 1e-3;

/**
 * Passive liveness of one face over several frames of its track: the mean of the per-frame
 * log-odds, mapped back to a probability (a geometric mean of the odds). One frame is a noisy
 * witness (a real face swings from 0.76 to 0.09 under a flip or a darker frame); frames that
 * agree add up, and a single bad frame is outweighed by the others instead of deciding alone.
 * The choice against the median and the plain mean was measured with `npm run eval -- --spoof`
 * (models/README.md). An empty list is 0: no evidence of life.
 */
export function fuseLiveness(scores: readonly number[]): number {
  if (scores.length === 0) return 0;
  let sum = 0;
  for (const s of scores) {
    const p = Math.min(1 - FUSE_CLIP, Math.max(FUSE_CLIP, s));
    sum += Math.log(p / (1 - p));
  }
  return 1 / (1 + Math.exp(-sum / scores.length));
}
