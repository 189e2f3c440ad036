import { describe, expect, test } from 'vitest';
import { cropResize, flipHorizontal, invertAffine, resize, scaleBrightness, shrinkTowards, toChw, toGrey, warpRgba } from './image.ts';
import type { RgbaImage } from './types.ts';

/** A horizontal ramp: R = 10 * x, G = 10 * y, B = 7. */
function ramp(w: number, h: number): RgbaImage {
  const data = new Uint8ClampedArray(w * h * 4);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.set([10 * x, 10 * y, 7, 255], (y * w + x) * 4);
  return { width: w, height: h, data };
}
const px = (img: RgbaImage, x: number, y: number) => Array.from(img.data.subarray((y * img.width + x) * 4, (y * img.width + x) * 4 + 4));

describe('image helpers', () => {
  test('identity crop reproduces the image exactly', () => {
    const img = ramp(8, 6);
    expect(cropResize(img, { x1: 0, y1: 0, x2: 8, y2: 6 }, 8, 6).data).toEqual(img.data);
  });

  test('2x upscale interpolates between pixel centres', () => {
    const up = resize(ramp(4, 4), 8, 8);
    // Output pixel 3 has its centre at source x = 1.75 - 0.5 = 1.25: 10 * 1.25 = 12.5.
    expect(Math.abs(px(up, 3, 0)[0]! - 12.5)).toBeLessThanOrEqual(0.5); // 12.5, stored as a byte
    expect(px(up, 0, 0)[0]).toBe(0); // replicated edge
  });

  test('crop outside the frame replicates the edge pixels', () => {
    const c = cropResize(ramp(4, 4), { x1: -4, y1: 0, x2: 0, y2: 4 }, 4, 4);
    expect(px(c, 0, 2)[0]).toBe(0);
    expect(px(c, 3, 2)[1]).toBe(px(ramp(4, 4), 0, 2)[1]);
  });

  test('zero border paints outside black, opaque', () => {
    const w = warpRgba(ramp(4, 4), { a: 1, b: 0, c: 100, d: 0, e: 1, f: 0 }, 2, 2, 'zero');
    expect(Array.from(w.data)).toEqual([0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255]);
  });

  test('invertAffine undoes a rotation, scale and shift', () => {
    const m = { a: 2 * Math.cos(0.3), b: -2 * Math.sin(0.3), c: 5, d: 2 * Math.sin(0.3), e: 2 * Math.cos(0.3), f: -3 };
    const i = invertAffine(m);
    const p = { x: 7, y: -2 };
    const q = { x: m.a * p.x + m.b * p.y + m.c, y: m.d * p.x + m.e * p.y + m.f };
    expect(i.a * q.x + i.b * q.y + i.c).toBeCloseTo(7, 9);
    expect(i.d * q.x + i.e * q.y + i.f).toBeCloseTo(-2, 9);
    expect(() => invertAffine({ a: 1, b: 2, c: 0, d: 2, e: 4, f: 0 })).toThrow(RangeError);
  });

  test('shrinkTowards halves by 2x2 averaging until under twice the target', () => {
    const s = shrinkTowards(ramp(16, 16), 4, 4);
    expect([s.width, s.height]).toEqual([4, 4]);
    expect(px(s, 0, 0)[0]).toBe(15); // mean of 0,10,20,30 (rounded)
    expect(shrinkTowards(ramp(7, 7), 4, 4).width).toBe(7);
  });

  test('toChw writes planes in the asked order with mean and scale', () => {
    const img: RgbaImage = { width: 2, height: 1, data: new Uint8ClampedArray([255, 127, 0, 255, 127, 255, 0, 255]) };
    expect(Array.from(toChw(img, { mean: 127, scale: 1 / 128, order: 'RGB' }))).toEqual([1, 0, 0, 1, -127 / 128, -127 / 128]);
    expect(Array.from(toChw(img, { mean: 0, scale: 1, order: 'BGR' }))).toEqual([0, 0, 127, 255, 255, 127]);
  });

  test('toGrey uses BT.601 luma', () => {
    const img: RgbaImage = { width: 3, height: 1, data: new Uint8ClampedArray([255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255]) };
    const g = Array.from(toGrey(img).data);
    expect(g[0]).toBeCloseTo(76.245, 3);
    expect(g[1]).toBeCloseTo(149.685, 3);
    expect(g[2]).toBeCloseTo(29.07, 3);
  });

  test('flip twice is the identity; brightness gain clamps', () => {
    const img = ramp(5, 3);
    expect(px(flipHorizontal(img), 0, 1)).toEqual(px(img, 4, 1));
    expect(flipHorizontal(flipHorizontal(img)).data).toEqual(img.data);
    expect(px(scaleBrightness(img, 10), 4, 2)).toEqual([255, 200, 70, 255]);
  });
});
