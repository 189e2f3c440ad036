/** Plain-data types shared by every vision module: no DOM objects, so they cross worker boundaries. */

/** An RGBA image, row-major, 4 bytes per pixel: the layout of DOM ImageData and VideoFrame RGBA copies. */
export interface RgbaImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8ClampedArray;
}

/** Single-channel image as floats (grey levels 0..255 unless stated). */
export interface GreyImage {
  readonly width: number;
  readonly height: number;
  readonly data: Float32Array;
}

export interface Size {
  readonly width: number;
  readonly height: number;
}

export interface Point {
  readonly x: number;
  readonly y: number;
}

/** Axis-aligned box in pixels of the frame it was found in; x2/y2 are exclusive edges. */
export interface Box {
  readonly x1: number;
  readonly y1: number;
  readonly x2: number;
  readonly y2: number;
}

export const boxWidth = (b: Box): number => b.x2 - b.x1;
export const boxHeight = (b: Box): number => b.y2 - b.y1;
export const boxArea = (b: Box): number => Math.max(0, b.x2 - b.x1) * Math.max(0, b.y2 - b.y1);
export const boxCentre = (b: Box): Point => ({ x: (b.x1 + b.x2) / 2, y: (b.y1 + b.y2) / 2 });

export function iou(a: Box, b: Box): number {
  const w = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1);
  const h = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  return inter / (boxArea(a) + boxArea(b) - inter);
}

/** A square of the given side about a centre. */
export function squareAbout(c: Point, side: number): Box {
  return { x1: c.x - side / 2, y1: c.y - side / 2, x2: c.x + side / 2, y2: c.y + side / 2 };
}
