import { shrinkTowards, toChw, warpRgba } from './image.ts';
import { boxArea, iou, type Box, type RgbaImage, type Size } from './types.ts';

/** fr_detect's input size (its priors are laid out for 320x240). */
export const DETECT_INPUT = { width: 320, height: 240 } as const;

/**
 * How a frame sits in the detector input: uniformly scaled and centred with grey bars. The
 * model's own library stretches instead; measured here, stretching a square portrait to 4:3
 * squashed the face and gave two false faces (0.91 and 0.61) where letterboxing gave none, with
 * every real face still found (models/README.md). A 4:3 camera frame fills the input either way.
 */
export interface Letterbox {
  /** Input pixels per frame pixel. */
  readonly scale: number;
  readonly offsetX: number;
  readonly offsetY: number;
}

export function letterboxFor(frame: Size): Letterbox {
  const scale = Math.min(DETECT_INPUT.width / frame.width, DETECT_INPUT.height / frame.height);
  return {
    scale,
    offsetX: (DETECT_INPUT.width - frame.width * scale) / 2,
    offsetY: (DETECT_INPUT.height - frame.height * scale) / 2,
  };
}

export interface Detection {
  readonly box: Box;
  readonly score: number;
}

export interface DetectOptions {
  /** Face probability a prior needs; the model's own library uses 0.65. */
  readonly confidence: number;
  /** Overlap above which the weaker of two boxes is dropped. */
  readonly nmsIou: number;
  readonly maxFaces: number;
  /** Boxes narrower than this many frame pixels are dropped (noise at the smallest prior size). */
  readonly minSide: number;
}

export const DEFAULT_DETECT: DetectOptions = { confidence: 0.65, nmsIou: 0.4, maxFaces: 16, minSide: 8 };

/** Tensor data [1, 3, 240, 320], RGB, (v - 127) / 128, letterboxed (padding reads as 0). */
export function detectorInput(frame: RgbaImage): { data: Float32Array; letterbox: Letterbox } {
  const letterbox = letterboxFor(frame);
  const small = shrinkTowards(frame, Math.ceil(frame.width * letterbox.scale), Math.ceil(frame.height * letterbox.scale));
  // Input pixel -> source pixel of the (possibly pre-shrunk) image.
  const k = small.width / frame.width / letterbox.scale;
  const toSrc = { a: k, b: 0, c: -letterbox.offsetX * k, d: 0, e: k, f: -letterbox.offsetY * k };
  const boxed = warpRgba(small, toSrc, DETECT_INPUT.width, DETECT_INPUT.height, 'zero');
  const data = toChw(boxed, { mean: 127, scale: 1 / 128, order: 'RGB' });
  // The zero border would read as -1 (black); mid-grey (0) is what the padding should look like.
  fillPadding(data, letterbox);
  return { data, letterbox };
}

function fillPadding(data: Float32Array, lb: Letterbox): void {
  const { width: w, height: h } = DETECT_INPUT;
  const x0 = Math.floor(lb.offsetX);
  const x1 = Math.ceil(w - lb.offsetX);
  const y0 = Math.floor(lb.offsetY);
  const y1 = Math.ceil(h - lb.offsetY);
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        if (x < x0 || x >= x1 || y < y0 || y >= y1) data[c * w * h + y * w + x] = 0;
      }
    }
  }
}

/**
 * Turns fr_detect's outputs into frame-pixel boxes. `scores` is [N, 2] already softmaxed (class 1
 * = face); `boxes` is [N, 4] already decoded against the priors as x1, y1, x2, y2 in 0..1 of the
 * input, so only thresholding, scaling and NMS remain.
 */
export function decodeDetections(
  scores: Float32Array,
  boxes: Float32Array,
  frame: Size,
  opts: DetectOptions = DEFAULT_DETECT,
  letterbox: Letterbox = letterboxFor(frame),
): Detection[] {
  const { scale, offsetX, offsetY } = letterbox;
  const toX = (v: number): number => clamp((clamp(v, 0, 1) * DETECT_INPUT.width - offsetX) / scale, 0, frame.width);
  const toY = (v: number): number => clamp((clamp(v, 0, 1) * DETECT_INPUT.height - offsetY) / scale, 0, frame.height);
  const n = Math.min(scores.length / 2, boxes.length / 4);
  const candidates: Detection[] = [];
  for (let i = 0; i < n; i++) {
    const score = scores[i * 2 + 1]!;
    if (!(score >= opts.confidence)) continue;
    const box: Box = { x1: toX(boxes[i * 4]!), y1: toY(boxes[i * 4 + 1]!), x2: toX(boxes[i * 4 + 2]!), y2: toY(boxes[i * 4 + 3]!) };
    if (box.x2 - box.x1 < opts.minSide || box.y2 - box.y1 < opts.minSide) continue;
    candidates.push({ box, score });
  }
  return nms(candidates, opts.nmsIou).slice(0, opts.maxFaces);
}

/** Greedy non-maximum suppression: highest score first, drop anything overlapping a kept box. */
export function nms(dets: readonly Detection[], maxIou: number): Detection[] {
  const sorted = [...dets].sort((a, b) => b.score - a.score || boxArea(b.box) - boxArea(a.box));
  const kept: Detection[] = [];
  for (const d of sorted) {
    if (kept.every((k) => iou(k.box, d.box) <= maxIou)) kept.push(d);
  }
  return kept;
}

const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));
