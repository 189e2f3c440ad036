import { describe, expect, it } from 'vitest';
import { lumaBytes, MotionDetector, MOTION_SIZE } from './motion.ts';

const n = MOTION_SIZE.width * MOTION_SIZE.height;
const grey = (f: (i: number) => number) => Uint8Array.from({ length: n }, (_, i) => f(i));

describe('MotionDetector', () => {
  it('ignores sensor-like noise and the first frame, and fires when a block of the picture changes', () => {
    const m = new MotionDetector();
    const base = grey((i) => 80 + (i % 32));
    expect(m.update(base)).toBe(false);
    expect(m.update(grey((i) => base[i]! + ((i * 7919) % 11) - 5))).toBe(false);
    // A person-sized dark shape over a fifth of the thumbnail.
    expect(m.update(grey((i) => (i % 32 < 12 && i < n / 2 ? 20 : base[i]!)))).toBe(true);
    m.reset();
    expect(m.update(base)).toBe(false);
  });

  it('takes BT.601 luma of RGBA', () => {
    expect(Array.from(lumaBytes([255, 255, 255, 255, 255, 0, 0, 255, 0, 0, 0, 255], 3))).toEqual([255, 77, 0]);
  });
});
