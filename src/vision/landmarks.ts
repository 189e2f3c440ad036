import { cropResize, greyTensor, toGrey } from './image.ts';
import { boxCentre, boxHeight, boxWidth, squareAbout, type Box, type Point, type RgbaImage } from './types.ts';

export const LANDMARK_INPUT = 64;

/**
 * The square fr_landmark looks at: the detector box made square on its larger side. The model's
 * own library squares on the height; the larger side is the same for upright faces and does not
 * cut off a turned head whose box came out wide.
 */
export function landmarkCropBox(face: Box): Box {
  return squareAbout(boxCentre(face), Math.max(boxWidth(face), boxHeight(face)));
}

/** Tensor data [1, 1, 64, 64]: grey, v / 256, as fr_landmark was trained. */
export function landmarkInput(frame: RgbaImage, crop: Box): Float32Array {
  return greyTensor(toGrey(cropResize(frame, crop, LANDMARK_INPUT, LANDMARK_INPUT)), 1 / 256);
}

/** fr_landmark's 136 outputs are (x, y) pairs normalised to the crop box: back to frame pixels. */
export function decodeLandmarks(out: Float32Array, crop: Box): Point[] {
  if (out.length < 136) throw new RangeError(`expected 136 landmark values, got ${out.length}`);
  const w = boxWidth(crop);
  const h = boxHeight(crop);
  const pts: Point[] = [];
  for (let i = 0; i < 68; i++) pts.push({ x: crop.x1 + out[i * 2]! * w, y: crop.y1 + out[i * 2 + 1]! * h });
  return pts;
}

/** Indices into the 68-point iBUG 300-W layout fr_landmark follows. */
export const LM = {
  jaw: [0, 16],
  leftEye: [36, 37, 38, 39, 40, 41], // the eye on the image's left (the subject's right)
  rightEye: [42, 43, 44, 45, 46, 47],
  noseTip: 30,
  mouthLeft: [48, 60],
  mouthRight: [54, 64],
} as const;

function at(pts: readonly Point[], i: number): Point {
  const p = pts[i];
  if (!p) throw new RangeError(`landmark ${i} missing (have ${pts.length})`);
  return p;
}

export function mean(pts: readonly Point[], idx: readonly number[]): Point {
  let x = 0;
  let y = 0;
  for (const i of idx) {
    const p = at(pts, i);
    x += p.x;
    y += p.y;
  }
  return { x: x / idx.length, y: y / idx.length };
}

/** Eye centre from the four lid points (corners excluded: they drift with gaze less than the lids). */
export const leftEyeCentre = (pts: readonly Point[]): Point => mean(pts, [37, 38, 40, 41]);
export const rightEyeCentre = (pts: readonly Point[]): Point => mean(pts, [43, 44, 46, 47]);

/**
 * The five points the ArcFace template is defined on, in its order: image-left eye, image-right
 * eye, nose tip, image-left mouth corner, image-right mouth corner.
 */
export function fivePoints(pts: readonly Point[]): [Point, Point, Point, Point, Point] {
  return [leftEyeCentre(pts), rightEyeCentre(pts), at(pts, LM.noseTip), mean(pts, LM.mouthLeft), mean(pts, LM.mouthRight)];
}
