import type { Box, GreyImage, RgbaImage } from './types.ts';

/**
 * 2x3 affine map [a b c; d e f]: x' = a*x + b*y + c, y' = d*x + e*y + f.
 * Used both for crops (axis-aligned scale + shift) and for face alignment (similarity).
 */
export interface Affine {
  readonly a: number;
  readonly b: number;
  readonly c: number;
  readonly d: number;
  readonly e: number;
  readonly f: number;
}

export function invertAffine(m: Affine): Affine {
  const det = m.a * m.e - m.b * m.d;
  if (Math.abs(det) < 1e-12) throw new RangeError('affine map is singular');
  const a = m.e / det;
  const b = -m.b / det;
  const d = -m.d / det;
  const e = m.a / det;
  return { a, b, c: -(a * m.c + b * m.f), d, e, f: -(d * m.c + e * m.f) };
}

/**
 * What to sample outside the source. `replicate` suits crops that overhang the frame (a face at
 * the edge still looks like a face); `zero` matches the black border the embedding model was
 * trained with (OpenCV warpAffine's default).
 */
export type Border = 'replicate' | 'zero';

/**
 * Resamples `src` into a new width x height image; `toSrc` maps output pixel centres to source
 * coordinates (pixel centres at integer + 0.5, OpenCV's convention). Bilinear.
 */
export function warpRgba(src: RgbaImage, toSrc: Affine, width: number, height: number, border: Border): RgbaImage {
  const out = new Uint8ClampedArray(width * height * 4);
  const { width: sw, height: sh, data } = src;
  for (let v = 0; v < height; v++) {
    for (let u = 0; u < width; u++) {
      const ox = u + 0.5;
      const oy = v + 0.5;
      const x = toSrc.a * ox + toSrc.b * oy + toSrc.c - 0.5;
      const y = toSrc.d * ox + toSrc.e * oy + toSrc.f - 0.5;
      const o = (v * width + u) * 4;
      if (border === 'zero' && (x <= -1 || y <= -1 || x >= sw || y >= sh)) {
        out[o + 3] = 255;
        continue;
      }
      const x0f = Math.floor(x);
      const y0f = Math.floor(y);
      const fx = x - x0f;
      const fy = y - y0f;
      const inX0 = x0f >= 0 && x0f < sw;
      const inX1 = x0f + 1 >= 0 && x0f + 1 < sw;
      const inY0 = y0f >= 0 && y0f < sh;
      const inY1 = y0f + 1 >= 0 && y0f + 1 < sh;
      const cx0 = Math.min(sw - 1, Math.max(0, x0f));
      const cx1 = Math.min(sw - 1, Math.max(0, x0f + 1));
      const cy0 = Math.min(sh - 1, Math.max(0, y0f));
      const cy1 = Math.min(sh - 1, Math.max(0, y0f + 1));
      const zero = border === 'zero';
      const w00 = zero && !(inX0 && inY0) ? 0 : (1 - fx) * (1 - fy);
      const w10 = zero && !(inX1 && inY0) ? 0 : fx * (1 - fy);
      const w01 = zero && !(inX0 && inY1) ? 0 : (1 - fx) * fy;
      const w11 = zero && !(inX1 && inY1) ? 0 : fx * fy;
      const p00 = (cy0 * sw + cx0) * 4;
      const p10 = (cy0 * sw + cx1) * 4;
      const p01 = (cy1 * sw + cx0) * 4;
      const p11 = (cy1 * sw + cx1) * 4;
      for (let ch = 0; ch < 3; ch++) {
        out[o + ch] = data[p00 + ch]! * w00 + data[p10 + ch]! * w10 + data[p01 + ch]! * w01 + data[p11 + ch]! * w11;
      }
      out[o + 3] = 255;
    }
  }
  return { width, height, data: out };
}

/** Maps output pixels of a width x height image onto `box` of the source. */
export function cropMap(box: Box, width: number, height: number): Affine {
  const sx = (box.x2 - box.x1) / width;
  const sy = (box.y2 - box.y1) / height;
  return { a: sx, b: 0, c: box.x1, d: 0, e: sy, f: box.y1 };
}

/** Crops `box` (which may overhang the frame: edges are replicated) and resizes it bilinearly. */
export function cropResize(src: RgbaImage, box: Box, width: number, height: number): RgbaImage {
  return warpRgba(src, cropMap(box, width, height), width, height, 'replicate');
}

export function resize(src: RgbaImage, width: number, height: number): RgbaImage {
  return cropResize(src, { x1: 0, y1: 0, x2: src.width, y2: src.height }, width, height);
}

/**
 * Halves the image (2x2 box average) until it is less than twice the target size: bilinear
 * sampling alone skips pixels on large downscales and aliases fine detail (a 1920 px photo to
 * 320 px), which costs the detector small faces.
 */
export function shrinkTowards(src: RgbaImage, width: number, height: number): RgbaImage {
  let img = src;
  while (img.width >= width * 2 && img.height >= height * 2) {
    const w = img.width >> 1;
    const h = img.height >> 1;
    const out = new Uint8ClampedArray(w * h * 4);
    const d = img.data;
    const sw = img.width;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const p = (2 * y * sw + 2 * x) * 4;
        const q = p + sw * 4;
        const o = (y * w + x) * 4;
        for (let ch = 0; ch < 4; ch++) out[o + ch] = (d[p + ch]! + d[p + 4 + ch]! + d[q + ch]! + d[q + 4 + ch]! + 2) >> 2;
      }
    }
    img = { width: w, height: h, data: out };
  }
  return img;
}

export interface ChwOptions {
  /** Subtracted from each 0..255 channel value before scaling. */
  readonly mean: number;
  /** Multiplied after the mean is removed. */
  readonly scale: number;
  readonly order: 'RGB' | 'BGR';
}

/** Planar float tensor data [3, H, W] from an RGBA image, as ONNX vision models take it. */
export function toChw(img: RgbaImage, { mean, scale, order }: ChwOptions): Float32Array {
  const n = img.width * img.height;
  const out = new Float32Array(3 * n);
  const d = img.data;
  const r = order === 'RGB' ? 0 : 2 * n;
  const b = order === 'RGB' ? 2 * n : 0;
  for (let i = 0; i < n; i++) {
    out[r + i] = (d[i * 4]! - mean) * scale;
    out[n + i] = (d[i * 4 + 1]! - mean) * scale;
    out[b + i] = (d[i * 4 + 2]! - mean) * scale;
  }
  return out;
}

/** BT.601 luma, the weights OpenCV's RGB2GRAY uses, which the grey-input models were trained on. */
export function toGrey(img: RgbaImage): GreyImage {
  const n = img.width * img.height;
  const out = new Float32Array(n);
  const d = img.data;
  for (let i = 0; i < n; i++) out[i] = 0.299 * d[i * 4]! + 0.587 * d[i * 4 + 1]! + 0.114 * d[i * 4 + 2]!;
  return { width: img.width, height: img.height, data: out };
}

/** Grey values scaled into a fresh tensor buffer (v * scale). */
export function greyTensor(img: GreyImage, scale: number): Float32Array {
  const out = new Float32Array(img.data.length);
  for (let i = 0; i < out.length; i++) out[i] = img.data[i]! * scale;
  return out;
}

export function flipHorizontal(img: RgbaImage): RgbaImage {
  const out = new Uint8ClampedArray(img.data.length);
  const w = img.width;
  for (let y = 0; y < img.height; y++) {
    for (let x = 0; x < w; x++) {
      const s = (y * w + x) * 4;
      const t = (y * w + (w - 1 - x)) * 4;
      out[t] = img.data[s]!;
      out[t + 1] = img.data[s + 1]!;
      out[t + 2] = img.data[s + 2]!;
      out[t + 3] = img.data[s + 3]!;
    }
  }
  return { width: img.width, height: img.height, data: out };
}

/** Multiplies RGB by `gain` (clamped): a cheap stand-in for a darker or brighter hallway. */
export function scaleBrightness(img: RgbaImage, gain: number): RgbaImage {
  const out = new Uint8ClampedArray(img.data.length);
  for (let i = 0; i < out.length; i += 4) {
    out[i] = img.data[i]! * gain;
    out[i + 1] = img.data[i + 1]! * gain;
    out[i + 2] = img.data[i + 2]! * gain;
    out[i + 3] = img.data[i + 3]!;
  }
  return { width: img.width, height: img.height, data: out };
}

