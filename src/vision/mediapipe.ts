import type { Detection } from './detect.ts';
import type { Box, Size } from './types.ts';

/**
 * MediaPipe Tasks' FaceDetector (BlazeFace) results as the rest of the pipeline reads them.
 * The landmark and liveness models were trained on crops around fr_detect's boxes, which sit
 * lower and wider on the face than BlazeFace's; so each MediaPipe box is moved onto fr_detect's
 * convention with a calibration measured on the same faces (`npm run bench:detectors` prints it
 * again: BOX_CALIBRATION below is its output on face-api's six group photos). Pure: the worker
 * owns the MediaPipe runtime (worker/mediapipe.ts).
 */

/** The slice of a @mediapipe/tasks-vision Detection we read (pixel box, normalised keypoints). */
export interface MpDetection {
  readonly boundingBox?: { readonly originX: number; readonly originY: number; readonly width: number; readonly height: number };
  readonly categories: readonly { readonly score: number }[];
}

export type MpVariant = 'full' | 'short';
export type MpDelegate = 'CPU' | 'GPU';

/**
 * fr_detect box from a BlazeFace box: centre moved by (dx, dy) times the BlazeFace width and
 * height, size scaled by (sw, sh).
 */
export interface BoxCalibration {
  readonly dx: number;
  readonly dy: number;
  readonly sw: number;
  readonly sh: number;
}

export const IDENTITY_CALIBRATION: BoxCalibration = { dx: 0, dy: 0, sw: 1, sh: 1 };

export function calibrate(b: Box, c: BoxCalibration): Box {
  const w = b.x2 - b.x1;
  const h = b.y2 - b.y1;
  const cx = (b.x1 + b.x2) / 2 + c.dx * w;
  const cy = (b.y1 + b.y2) / 2 + c.dy * h;
  return { x1: cx - (w * c.sw) / 2, y1: cy - (h * c.sh) / 2, x2: cx + (w * c.sw) / 2, y2: cy + (h * c.sh) / 2 };
}

/**
 * The calibration that carries `from` boxes onto the `to` boxes of the same faces: medians of
 * the per-face ratios (robust to one odd pair).
 */
export function fitCalibration(pairs: readonly { readonly from: Box; readonly to: Box }[]): BoxCalibration {
  if (pairs.length === 0) throw new RangeError('no box pairs to fit');
  const med = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    const m = s.length >> 1;
    return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
  };
  const w = (b: Box) => b.x2 - b.x1;
  const h = (b: Box) => b.y2 - b.y1;
  return {
    dx: med(pairs.map(({ from, to }) => ((to.x1 + to.x2) / 2 - (from.x1 + from.x2) / 2) / w(from))),
    dy: med(pairs.map(({ from, to }) => ((to.y1 + to.y2) / 2 - (from.y1 + from.y2) / 2) / h(from))),
    sw: med(pairs.map(({ from, to }) => w(to) / w(from))),
    sh: med(pairs.map(({ from, to }) => h(to) / h(from))),
  };
}

/**
 * Measured: fr_detect box = BlazeFace box moved and scaled like this (medians over the 22 faces
 * of face-api's group photos, CPU delegate; `npm run bench:detectors` fits it on raw boxes when
 * this table is set to identity, and prints what is left over with it in place). fr_detect's
 * boxes are narrower, taller and reach higher up the forehead than BlazeFace's.
 */
export const BOX_CALIBRATION: Record<MpVariant, BoxCalibration> = {
  full: { dx: 0.032, dy: -0.072, sw: 0.895, sh: 1.19 },
  short: { dx: -0.051, dy: -0.116, sw: 0.767, sh: 0.97 },
};

const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));

/** MediaPipe detections -> frame-pixel Detections on fr_detect's box convention, best first. */
export function fromMediaPipe(dets: readonly MpDetection[], frame: Size, c: BoxCalibration): Detection[] {
  const out: Detection[] = [];
  for (const d of dets) {
    const bb = d.boundingBox;
    const score = d.categories[0]?.score ?? 0;
    if (!bb || bb.width <= 0 || bb.height <= 0) continue;
    const b = calibrate({ x1: bb.originX, y1: bb.originY, x2: bb.originX + bb.width, y2: bb.originY + bb.height }, c);
    out.push({ box: { x1: clamp(b.x1, 0, frame.width), y1: clamp(b.y1, 0, frame.height), x2: clamp(b.x2, 0, frame.width), y2: clamp(b.y2, 0, frame.height) }, score });
  }
  return out.sort((a, b) => b.score - a.score);
}
