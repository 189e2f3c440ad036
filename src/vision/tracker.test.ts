import { describe, expect, test } from 'vitest';
import { FaceTracker, rankFaces } from './tracker.ts';
import type { Box } from './types.ts';

const face = (x: number, y: number, s: number) => ({ box: { x1: x, y1: y, x2: x + s, y2: y + s } as Box });
const frame = { width: 640, height: 480 };

describe('FaceTracker', () => {
  test('ids stay stable as faces move a little, and new faces get new ids', () => {
    const t = new FaceTracker();
    const a = t.update([face(100, 100, 100), face(400, 100, 60)], 0, frame);
    expect(a.map((x) => x.id)).toEqual([1, 2]);
    const b = t.update([face(410, 105, 60), face(110, 102, 100)], 33, frame);
    expect(b.map((x) => x.id)).toEqual([1, 2]); // largest first, same ids
    expect(b[0]!.hits).toBe(2);
    const c = t.update([face(110, 102, 100), face(300, 300, 50)], 66, frame);
    expect(c.map((x) => x.id)).toEqual([1, 3]);
  });

  test('a face missing for less than the gap keeps its id; longer and it is new', () => {
    const t = new FaceTracker({ minIou: 0.3, maxGapMs: 200 });
    t.update([face(100, 100, 100)], 0, frame);
    t.update([], 100, frame);
    expect(t.update([face(105, 100, 100)], 150, frame)[0]!.id).toBe(1);
    t.update([], 200, frame);
    expect(t.ids).toEqual([1]);
    t.update([], 400, frame);
    expect(t.ids).toEqual([]);
    expect(t.update([face(105, 100, 100)], 420, frame)[0]!.id).toBe(2);
  });

  test('rankFaces: largest first; near-equal sizes go to the one nearest the centre', () => {
    const r = rankFaces([face(0, 0, 100), face(270, 190, 102), face(0, 300, 150)], frame);
    expect(r.map((f) => f.box.x1)).toEqual([0, 270, 0]);
    expect(r[0]!.box.y1).toBe(300);
  });
});
