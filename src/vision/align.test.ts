import { describe, expect, test } from 'vitest';
import { alignFace, applyAffine, ARCFACE_112, similarityTransform } from './align.ts';
import { alignmentError } from '../../tests/support/vision-helpers.ts';
import { fivePoints, decodeLandmarks, landmarkCropBox } from './landmarks.ts';
import type { Point, RgbaImage } from './types.ts';

describe('similarity transform', () => {
  test('recovers a known rotation, scale and shift exactly', () => {
    const th = 0.4, s = 2.5, tx = 30, ty = -12;
    const src: Point[] = [{ x: 1, y: 2 }, { x: 5, y: -1 }, { x: -3, y: 4 }, { x: 0, y: 0 }];
    const dst = src.map((p) => ({ x: s * (Math.cos(th) * p.x - Math.sin(th) * p.y) + tx, y: s * (Math.sin(th) * p.x + Math.cos(th) * p.y) + ty }));
    const m = similarityTransform(src, dst);
    expect(m.a).toBeCloseTo(s * Math.cos(th), 9);
    expect(m.d).toBeCloseTo(s * Math.sin(th), 9);
    expect(m.c).toBeCloseTo(tx, 9);
    expect(alignmentError(m, src, dst)).toBeLessThan(1e-9);
  });

  test('never reflects: mirrored points give a rotation, not a flip', () => {
    const src: Point[] = [{ x: 0, y: 0 }, { x: 1, y: 0 }, { x: 0, y: 1 }];
    const m = similarityTransform(src, src.map((p) => ({ x: -p.x, y: p.y })));
    expect(m.a * m.e - m.b * m.d).toBeGreaterThanOrEqual(0);
  });

  test('least squares: noisy template points map close to the template', () => {
    const noisy = ARCFACE_112.map((p, i) => ({ x: p.x * 3 + 100 + (i % 2 ? 1 : -1), y: p.y * 3 + 50 }));
    const m = similarityTransform(noisy, ARCFACE_112);
    expect(alignmentError(m, noisy, ARCFACE_112)).toBeLessThan(0.5);
    expect(applyAffine(m, noisy[2]!).x).toBeCloseTo(ARCFACE_112[2]!.x, 0);
    expect(() => similarityTransform([{ x: 1, y: 1 }, { x: 1, y: 1 }], ARCFACE_112.slice(0, 2))).toThrow(RangeError);
  });

  test('alignFace puts a marked source point on its template position', () => {
    // A 400x400 frame holding the template at 3x scale, with a white dot where the nose goes.
    const frame: RgbaImage = { width: 400, height: 400, data: new Uint8ClampedArray(400 * 400 * 4) };
    const five = ARCFACE_112.map((p) => ({ x: p.x * 3 + 20, y: p.y * 3 + 30 }));
    const nose = five[2]!;
    for (let y = -4; y <= 4; y++) for (let x = -4; x <= 4; x++) frame.data.set([255, 255, 255, 255], ((Math.round(nose.y) + y) * 400 + Math.round(nose.x) + x) * 4);
    const aligned = alignFace(frame, five);
    const at = (x: number, y: number) => aligned.data[(Math.round(y) * 112 + Math.round(x)) * 4]!;
    expect(at(ARCFACE_112[2]!.x, ARCFACE_112[2]!.y)).toBeGreaterThan(200);
    expect(at(ARCFACE_112[0]!.x, ARCFACE_112[0]!.y)).toBe(0);
  });
});

describe('landmarks', () => {
  test('decode scales normalised points into the crop box; five points average the right indices', () => {
    const out = new Float32Array(136);
    for (let i = 0; i < 68; i++) out.set([i / 100, 0.5], i * 2);
    const crop = landmarkCropBox({ x1: 100, y1: 100, x2: 180, y2: 200 }); // square on the height
    expect(crop).toEqual({ x1: 90, y1: 100, x2: 190, y2: 200 });
    const pts = decodeLandmarks(out, crop);
    expect(pts[30]!.x).toBeCloseTo(120, 4);
    expect(pts[30]!.y).toBeCloseTo(150, 4);
    const [le, re, nose, ml, mr] = fivePoints(pts);
    expect(le.x).toBeCloseTo(90 + ((37 + 38 + 40 + 41) / 4 / 100) * 100, 4);
    expect(re.x).toBeCloseTo(90 + ((43 + 44 + 46 + 47) / 4 / 100) * 100, 4);
    expect(nose.x).toBeCloseTo(120, 4);
    expect(ml.x).toBeCloseTo(90 + 54, 4);
    expect(mr.x).toBeCloseTo(90 + 59, 4);
    expect(() => decodeLandmarks(new Float32Array(10), crop)).toThrow(RangeError);
  });
});
