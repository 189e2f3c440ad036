import { describe, expect, test } from 'vitest';
import { decodeDetections, DEFAULT_DETECT, DETECT_INPUT, detectorInput, letterboxFor, nms } from './detect.ts';
import type { RgbaImage } from './types.ts';

/** Builds fr_detect-shaped outputs from a list of (score, box in 0..1 of the model input). */
function outputs(rows: [number, number, number, number, number][]) {
  const scores = new Float32Array(rows.length * 2);
  const boxes = new Float32Array(rows.length * 4);
  rows.forEach(([s, ...b], i) => {
    scores.set([1 - s, s], i * 2);
    boxes.set(b, i * 4);
  });
  return { scores, boxes };
}

describe('fr_detect post-processing', () => {
  test('keeps class-1 scores over the threshold and scales to frame pixels', () => {
    const { scores, boxes } = outputs([
      [0.99, 0.25, 0.25, 0.5, 0.5],
      [0.5, 0.6, 0.6, 0.9, 0.9], // under 0.65
    ]);
    const dets = decodeDetections(scores, boxes, { width: 640, height: 480 });
    expect(dets).toHaveLength(1);
    expect(dets[0]!.score).toBeCloseTo(0.99, 6);
    expect(dets[0]!.box).toEqual({ x1: 160, y1: 120, x2: 320, y2: 240 });
  });

  test('undoes the letterbox of a portrait frame', () => {
    const frame = { width: 480, height: 960 }; // scale 0.25, 60 px bars left and right
    const lb = letterboxFor(frame);
    expect(lb.scale).toBeCloseTo(0.25);
    expect(lb.offsetX).toBeCloseTo(100);
    const { scores, boxes } = outputs([[0.9, 100 / 320, 0, 220 / 320, 0.5]]);
    const [d] = decodeDetections(scores, boxes, frame, DEFAULT_DETECT, lb);
    expect(d!.box.x1).toBeCloseTo(0);
    expect(d!.box.x2).toBeCloseTo(480);
    expect(d!.box.y2).toBeCloseTo(480);
  });

  test('NMS drops the weaker of two overlapping boxes but keeps separate faces', () => {
    const { scores, boxes } = outputs([
      [0.9, 0.1, 0.1, 0.3, 0.3],
      [0.95, 0.11, 0.1, 0.31, 0.3],
      [0.8, 0.6, 0.6, 0.8, 0.8],
    ]);
    const dets = decodeDetections(scores, boxes, DETECT_INPUT);
    expect(dets.map((d) => d.score.toFixed(2))).toEqual(['0.95', '0.80']);
    expect(nms([], 0.4)).toEqual([]);
  });

  test('drops degenerate boxes and respects maxFaces', () => {
    const { scores, boxes } = outputs([
      [0.9, 0.5, 0.5, 0.5, 0.9],
      [0.9, 0.0, 0.0, 0.1, 0.1],
      [0.8, 0.3, 0.3, 0.4, 0.4],
    ]);
    expect(decodeDetections(scores, boxes, DETECT_INPUT, { ...DEFAULT_DETECT, maxFaces: 1 })).toHaveLength(1);
    expect(decodeDetections(scores, boxes, DETECT_INPUT)).toHaveLength(2);
  });

  test('input tensor: normalised RGB planes, grey (0) letterbox bars', () => {
    const frame: RgbaImage = { width: 160, height: 240, data: new Uint8ClampedArray(160 * 240 * 4).fill(255) };
    const { data, letterbox } = detectorInput(frame);
    expect(data).toHaveLength(3 * 240 * 320);
    expect(letterbox.offsetX).toBe(80);
    expect(data[0]).toBe(0); // bar
    expect(data[160]).toBeCloseTo(1, 6); // (255 - 127) / 128 = 1
  });
});
