import { invertAffine, warpRgba, type Affine } from './image.ts';
import type { Point, RgbaImage } from './types.ts';

/** Where ArcFace-family models expect the five points in their 112x112 input (InsightFace's reference). */
export const ARCFACE_112: readonly Point[] = [
  { x: 38.2946, y: 51.6963 },
  { x: 73.5318, y: 51.5014 },
  { x: 56.0252, y: 71.7366 },
  { x: 41.5493, y: 92.3655 },
  { x: 70.7299, y: 92.2041 },
];
export const ALIGNED_SIZE = 112;

/**
 * Least-squares similarity (rotation, uniform scale, translation; no reflection) taking `src`
 * onto `dst`: the 2-D case of Umeyama (1991), which has this closed form. A full affine would
 * also fit shear, i.e. bend the face to the template and erase identity cues.
 */
export function similarityTransform(src: readonly Point[], dst: readonly Point[]): Affine {
  const n = src.length;
  if (n < 2 || dst.length !== n) throw new RangeError('need two or more point pairs of equal count');
  let sx = 0, sy = 0, dx = 0, dy = 0;
  for (let i = 0; i < n; i++) {
    sx += src[i]!.x; sy += src[i]!.y; dx += dst[i]!.x; dy += dst[i]!.y;
  }
  sx /= n; sy /= n; dx /= n; dy /= n;
  let dot = 0, cross = 0, norm = 0;
  for (let i = 0; i < n; i++) {
    const px = src[i]!.x - sx, py = src[i]!.y - sy;
    const qx = dst[i]!.x - dx, qy = dst[i]!.y - dy;
    dot += px * qx + py * qy;
    cross += px * qy - py * qx;
    norm += px * px + py * py;
  }
  if (norm < 1e-9) throw new RangeError('source points coincide');
  const a = dot / norm; // s*cos(theta)
  const b = cross / norm; // s*sin(theta)
  return { a, b: -b, c: dx - (a * sx - b * sy), d: b, e: a, f: dy - (b * sx + a * sy) };
}

export function applyAffine(m: Affine, p: Point): Point {
  return { x: m.a * p.x + m.b * p.y + m.c, y: m.d * p.x + m.e * p.y + m.f };
}

/** Warps `frame` so that `five` lands on the ArcFace template: the 112x112 embedding crop. */
export function alignFace(frame: RgbaImage, five: readonly Point[]): RgbaImage {
  const toTemplate = similarityTransform(five, ARCFACE_112);
  return warpRgba(frame, invertAffine(toTemplate), ALIGNED_SIZE, ALIGNED_SIZE, 'zero');
}
