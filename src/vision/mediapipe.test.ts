import { describe, expect, it } from 'vitest';
import { calibrate, fitCalibration, fromMediaPipe, IDENTITY_CALIBRATION } from './mediapipe.ts';

describe('MediaPipe boxes on fr_detect convention', () => {
  it('fitCalibration recovers a known shift and scale, and calibrate applies it', () => {
    const truth = { dx: 0.02, dy: 0.11, sw: 1.08, sh: 1.22 };
    const from = [
      { x1: 100, y1: 50, x2: 180, y2: 140 },
      { x1: 300, y1: 220, x2: 340, y2: 266 },
      { x1: 10, y1: 10, x2: 210, y2: 240 },
    ];
    const pairs = from.map((b) => ({ from: b, to: calibrate(b, truth) }));
    const fit = fitCalibration(pairs);
    for (const k of ['dx', 'dy', 'sw', 'sh'] as const) expect(fit[k]).toBeCloseTo(truth[k], 9);
    expect(() => fitCalibration([])).toThrow(RangeError);
  });

  it('fromMediaPipe keeps boxes inside the frame, drops empty ones and sorts by score', () => {
    const dets = [
      { boundingBox: { originX: -10, originY: 5, width: 60, height: 70 }, categories: [{ score: 0.6 }] },
      { boundingBox: { originX: 100, originY: 100, width: 0, height: 30 }, categories: [{ score: 0.99 }] },
      { categories: [{ score: 0.9 }] },
      { boundingBox: { originX: 600, originY: 400, width: 80, height: 100 }, categories: [{ score: 0.8 }] },
    ];
    const out = fromMediaPipe(dets, { width: 640, height: 480 }, IDENTITY_CALIBRATION);
    expect(out.map((d) => d.score)).toEqual([0.8, 0.6]);
    expect(out[0]!.box).toEqual({ x1: 600, y1: 400, x2: 640, y2: 480 });
    expect(out[1]!.box).toEqual({ x1: 0, y1: 5, x2: 50, y2: 75 });
  });
});
