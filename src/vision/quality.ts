import { leftEyeCentre, mean, rightEyeCentre, LM } from './landmarks.ts';
import type { GreyImage, Point, Size, Box } from './types.ts';
import { boxHeight, boxWidth } from './types.ts';

export type QualityReason =
  | 'too-small'
  | 'cut-off'
  | 'turned'
  | 'tilted-up-down'
  | 'rolled'
  | 'blurry'
  | 'too-dark'
  | 'too-bright'
  | 'flat-light';

export interface QualityMetrics {
  /** Distance between the eye centres, frame pixels: the usual face-size measure (ISO/IEC 19794-5). */
  readonly interEyePx: number;
  /** -1 (turned fully to image-left) .. 1; 0 is frontal. From nose-to-jaw distances. */
  readonly yaw: number;
  /** Nose tip's height between the eye line (0) and the mouth line (1); ~0.5 frontal. */
  readonly pitch: number;
  /** Angle of the eye line, degrees. */
  readonly rollDeg: number;
  /** Variance of the Laplacian over the aligned face, grey levels squared. */
  readonly sharpness: number;
  readonly meanLuma: number;
  readonly lumaStd: number;
  /** Share of the face box that lies outside the frame. */
  readonly outside: number;
}

export interface QualityThresholds {
  readonly minInterEyePx: number;
  readonly maxAbsYaw: number;
  readonly pitchRange: readonly [number, number];
  readonly maxAbsRollDeg: number;
  readonly minSharpness: number;
  readonly lumaRange: readonly [number, number];
  readonly minLumaStd: number;
  readonly maxOutside: number;
}

/**
 * Calibrated on the real faces in shared/faces and the face-api samples (models/README.md):
 * sharpness of the originals is 105..4231 at the 112 px aligned scale, an 8-pass box blur
 * brings soft-focus photos to 60..70 (but a high-contrast portrait only to ~280: the measure
 * scales with contrast, so it catches heavy blur, not mild softness); yaw of frontal faces
 * stays within +-0.4, profiles read 0.7..0.9.
 */
export const DEFAULT_QUALITY: QualityThresholds = {
  minInterEyePx: 28,
  maxAbsYaw: 0.45,
  pitchRange: [0.25, 0.75],
  maxAbsRollDeg: 25,
  minSharpness: 100,
  lumaRange: [45, 215],
  minLumaStd: 18,
  maxOutside: 0.15,
};

export interface QualityReport {
  readonly ok: boolean;
  readonly reasons: readonly QualityReason[];
  readonly metrics: QualityMetrics;
}

const dist = (a: Point, b: Point): number => Math.hypot(a.x - b.x, a.y - b.y);

export function poseFromLandmarks(pts: readonly Point[]): { yaw: number; pitch: number; rollDeg: number } {
  const le = leftEyeCentre(pts);
  const re = rightEyeCentre(pts);
  const nose = pts[LM.noseTip]!;
  const jawL = pts[2]!;
  const jawR = pts[14]!;
  const dl = dist(nose, jawL);
  const dr = dist(nose, jawR);
  // A head turned to the image-left brings the nose towards the left jaw line.
  const yaw = (dl - dr) / Math.max(1e-6, dl + dr);
  const eyeMid = { x: (le.x + re.x) / 2, y: (le.y + re.y) / 2 };
  const mouth = mean(pts, [48, 54, 60, 64]);
  // Project onto the eye-mid -> mouth axis so in-plane roll does not read as pitch.
  const ax = mouth.x - eyeMid.x;
  const ay = mouth.y - eyeMid.y;
  const len2 = Math.max(1e-6, ax * ax + ay * ay);
  const pitch = ((nose.x - eyeMid.x) * ax + (nose.y - eyeMid.y) * ay) / len2;
  const rollDeg = (Math.atan2(re.y - le.y, re.x - le.x) * 180) / Math.PI;
  return { yaw, pitch, rollDeg };
}

/** Variance of the 4-neighbour Laplacian: low when the face is out of focus or smeared by motion. */
export function laplacianVariance(g: GreyImage, inset = 0): number {
  const { width: w, height: h, data } = g;
  let sum = 0;
  let sum2 = 0;
  let n = 0;
  for (let y = 1 + inset; y < h - 1 - inset; y++) {
    for (let x = 1 + inset; x < w - 1 - inset; x++) {
      const i = y * w + x;
      const l = data[i - 1]! + data[i + 1]! + data[i - w]! + data[i + w]! - 4 * data[i]!;
      sum += l;
      sum2 += l * l;
      n++;
    }
  }
  return n ? sum2 / n - (sum / n) ** 2 : 0;
}

/** Mean and standard deviation of the central region (skin, not the black warp border). */
export function lumaStats(g: GreyImage, inset: number): { mean: number; std: number } {
  let s = 0, s2 = 0, n = 0;
  for (let y = inset; y < g.height - inset; y++) {
    for (let x = inset; x < g.width - inset; x++) {
      const v = g.data[y * g.width + x]!;
      s += v; s2 += v * v; n++;
    }
  }
  const m = n ? s / n : 0;
  return { mean: m, std: n ? Math.sqrt(Math.max(0, s2 / n - m * m)) : 0 };
}

function outsideShare(box: Box, frame: Size): number {
  const area = boxWidth(box) * boxHeight(box);
  if (area <= 0) return 1;
  const w = Math.min(box.x2, frame.width) - Math.max(box.x1, 0);
  const h = Math.min(box.y2, frame.height) - Math.max(box.y1, 0);
  return 1 - (Math.max(0, w) * Math.max(0, h)) / area;
}

export interface QualityInput {
  readonly box: Box;
  readonly frame: Size;
  readonly landmarks: readonly Point[];
  /** The aligned 112x112 face in grey: a fixed scale, so sharpness compares across distances. */
  readonly alignedGrey: GreyImage;
}

/** Cheap checks before the expensive models: each failed check is named so the kiosk can coach. */
export function assessQuality(input: QualityInput, t: QualityThresholds = DEFAULT_QUALITY): QualityReport {
  const pose = poseFromLandmarks(input.landmarks);
  const interEyePx = dist(leftEyeCentre(input.landmarks), rightEyeCentre(input.landmarks));
  // Inset 16 px of 112 keeps to the eyes, nose and mouth and away from the zero border.
  const sharpness = laplacianVariance(input.alignedGrey, 16);
  const luma = lumaStats(input.alignedGrey, 24);
  const metrics: QualityMetrics = {
    interEyePx,
    ...pose,
    sharpness,
    meanLuma: luma.mean,
    lumaStd: luma.std,
    outside: outsideShare(input.box, input.frame),
  };
  const reasons: QualityReason[] = [];
  if (metrics.outside > t.maxOutside) reasons.push('cut-off');
  if (interEyePx < t.minInterEyePx) reasons.push('too-small');
  if (Math.abs(pose.yaw) > t.maxAbsYaw) reasons.push('turned');
  if (pose.pitch < t.pitchRange[0] || pose.pitch > t.pitchRange[1]) reasons.push('tilted-up-down');
  if (Math.abs(pose.rollDeg) > t.maxAbsRollDeg) reasons.push('rolled');
  if (luma.mean < t.lumaRange[0]) reasons.push('too-dark');
  if (luma.mean > t.lumaRange[1]) reasons.push('too-bright');
  if (luma.std < t.minLumaStd) reasons.push('flat-light');
  if (sharpness < t.minSharpness) reasons.push('blurry');
  return { ok: reasons.length === 0, reasons, metrics };
}

/**
 * 0 when the gate fails; otherwise (0, 1]: face size (full at twice the minimum eye distance),
 * frontality and sharpness (full at three times the minimum), multiplied. Ranks enrolment shots.
 */
export function qualityScore(q: QualityReport, t: QualityThresholds = DEFAULT_QUALITY): number {
  if (!q.ok) return 0;
  const size = Math.min(1, q.metrics.interEyePx / (2 * t.minInterEyePx));
  const frontal = 1 - 0.5 * Math.min(1, Math.abs(q.metrics.yaw) / t.maxAbsYaw);
  const sharp = Math.min(1, q.metrics.sharpness / (3 * t.minSharpness));
  return Math.max(0.01, size * frontal * sharp);
}
