import { beforeAll, describe, expect, it } from 'vitest';
import { faceApiDemoDir, loadJpeg, loadNodeModels } from '../../scripts/eval-support.ts';
import { turnHead } from '../../tests/e2e/support/head-turn.ts';
import { VisionEngine, type CaptureResult, type EngineEvent } from './engine.ts';
import { cropResize } from './image.ts';
import { fuseLiveness } from './liveness.ts';
import type { FaceModels } from './models.ts';
import { poseProblem } from './pose.ts';
import type { RgbaImage } from './types.ts';

/**
 * Guided capture on real weights: a frontal face from face-api's sample5 (the woman at the
 * bottom left, box 380,889-548,1166) framed like the door camera at about 0.6 m, and the same
 * face turned by the cylinder model (tests/e2e/support/head-turn.ts) to her left and right.
 */
const FACE = { x1: 380, y1: 889, x2: 548, y2: 1166 };
let models: FaceModels;
const frames: Record<'straight' | 'left' | 'right' | 'farLeft', RgbaImage> = {} as never;

function doorFrame(photo: RgbaImage): RgbaImage {
  const cx = (FACE.x1 + FACE.x2) / 2;
  const cy = (FACE.y1 + FACE.y2) / 2;
  const s = (FACE.x2 - FACE.x1) / 150; // face ~150 px wide in 640x480
  return cropResize(photo, { x1: cx - 320 * s, y1: cy - 240 * s, x2: cx + 320 * s, y2: cy + 240 * s }, 640, 480);
}

beforeAll(async () => {
  models = await loadNodeModels();
  const photo = loadJpeg(`${faceApiDemoDir}/sample5.jpg`);
  const turned = (deg: number) => {
    const t = turnHead({ width: photo.width, height: photo.height, data: new Uint8Array(photo.data.buffer) }, FACE, deg);
    return doorFrame({ width: t.width, height: t.height, data: new Uint8ClampedArray(t.data.buffer) });
  };
  frames.straight = doorFrame(photo);
  frames.left = turned(18);
  frames.right = turned(-18);
  frames.farLeft = turned(45);
}, 60_000);

async function capture(engine: VisionEngine, frame: RgbaImage, t: { now: number }, id: number, options: Parameters<VisionEngine['startTask']>[4], steps = 4) {
  engine.startTask(id, 'capture', t.now, 5_000, options);
  const progress: string[][] = [];
  let result: CaptureResult | null = null;
  for (let i = 0; i < steps && !result; i++) {
    for (const e of (await engine.step(frame, (t.now += 66))).events as EngineEvent[]) {
      if (e.type === 'task-progress' && e.id === id) progress.push([...e.problems]);
      if (e.type === 'task-done' && e.id === id && e.kind === 'capture') result = e.result;
    }
  }
  engine.cancelTask(id);
  return { result, progress };
}

describe('guided capture waits for the pose it asks for', () => {
  it('straight, then a turn to each side measured against the straight capture, each from its own frame', async () => {
    const engine = new VisionEngine(models);
    const t = { now: 0 };
    for (let i = 0; i < 2; i++) await engine.step(frames.straight, (t.now += 66));

    const straight = await capture(engine, frames.straight, t, 1, { pose: { want: 'straight' } });
    expect(straight.result?.ok).toBe(true);
    if (!straight.result?.ok) return;
    const s = straight.result;
    expect(Math.abs(s.yaw)).toBeLessThanOrEqual(0.2);

    // Still looking straight: the left step keeps asking for the turn, and captures nothing.
    const notYet = await capture(engine, frames.straight, t, 2, { pose: { want: 'left', fromYaw: s.yaw }, after: s.frame });
    expect(notYet.result).toBeNull();
    expect(notYet.progress.at(-1)).toContain('turn-left');

    const left = await capture(engine, frames.left, t, 3, { pose: { want: 'left', fromYaw: s.yaw }, after: s.frame }, 6);
    expect(left.result?.ok).toBe(true);
    if (!left.result?.ok) return;
    expect(left.result.yaw - s.yaw).toBeGreaterThanOrEqual(0.15);
    expect(left.result.frame).toBeGreaterThan(s.frame);

    const right = await capture(engine, frames.right, t, 4, { pose: { want: 'right', fromYaw: s.yaw }, after: left.result.frame }, 6);
    expect(right.result?.ok).toBe(true);
    if (!right.result?.ok) return;
    expect(s.yaw - right.result.yaw).toBeGreaterThanOrEqual(0.15);
    expect(new Set([s.frame, left.result.frame, right.result.frame]).size).toBe(3);
    // Three different pictures of one person: all three templates are hers.
    const cos = (a: Float32Array, b: Float32Array) => a.reduce((x, v, i) => x + v * b[i]!, 0);
    expect(cos(s.embedding, left.result.embedding)).toBeGreaterThan(0.5);
    expect(cos(s.embedding, right.result.embedding)).toBeGreaterThan(0.5);
    console.log(`[pose] yaw straight ${s.yaw.toFixed(2)}, left ${left.result.yaw.toFixed(2)}, right ${right.result.yaw.toFixed(2)}; liveness ${s.liveness.toFixed(2)}`);
  }, 60_000);

  it('a face turned away is told to face the camera at the door and during a straight capture', async () => {
    const engine = new VisionEngine(models);
    const t = { now: 0 };
    let problems: readonly string[] | undefined;
    for (let i = 0; i < 4; i++) problems = (await engine.step(frames.farLeft, (t.now += 66))).primary?.problems ?? problems;
    expect(problems).toContain('turned');
    const r = await capture(engine, frames.farLeft, t, 9, { pose: { want: 'straight' } });
    expect(r.result).toBeNull();
    expect(r.progress.at(-1)?.[0]).toBe('turned');
  }, 60_000);

  it('poseProblem: straight wants a level, frontal face; a turn is judged from the straight yaw and not beyond a profile', () => {
    expect(poseProblem({ yaw: 0.1, pitch: 0.5 }, { want: 'straight' })).toBeNull();
    expect(poseProblem({ yaw: 0.3, pitch: 0.5 }, { want: 'straight' })).toBe('look-straight');
    expect(poseProblem({ yaw: 0.1, pitch: 0.8 }, { want: 'straight' })).toBe('look-straight');
    expect(poseProblem({ yaw: 0.2, pitch: 0.5 }, { want: 'left', fromYaw: 0.1 })).toBe('turn-left');
    expect(poseProblem({ yaw: 0.3, pitch: 0.5 }, { want: 'left', fromYaw: 0.1 })).toBeNull();
    expect(poseProblem({ yaw: -0.1, pitch: 0.5 }, { want: 'right', fromYaw: 0.1 })).toBeNull();
    expect(poseProblem({ yaw: 0.3, pitch: 0.5 }, { want: 'right', fromYaw: 0.1 })).toBe('turn-right');
    expect(poseProblem({ yaw: 0.8, pitch: 0.5 }, { want: 'left', fromYaw: 0.1 })).toBe('turn-back');
    expect(poseProblem({ yaw: -0.8, pitch: 0.5 }, { want: 'right', fromYaw: 0.1 })).toBe('turn-back');
  });
});

describe('fuseLiveness', () => {
  it('frames that agree add up, one bad frame does not decide alone, and no frames is no evidence', () => {
    expect(fuseLiveness([])).toBe(0);
    expect(fuseLiveness([0.95, 0.95, 0.95])).toBeCloseTo(0.95, 6);
    // One dark frame among good ones: still live (a median would say the same, a minimum would not).
    expect(fuseLiveness([0.99, 0.98, 0.1, 0.97, 0.99])).toBeGreaterThan(0.9);
    // A print: mostly near zero, one lucky frame does not make it live.
    expect(fuseLiveness([0.02, 0.01, 0.95, 0.03, 0.02])).toBeLessThan(0.1);
    // Saturated frames are clipped, so a single 1.0 cannot outvote four confident 0.0s.
    expect(fuseLiveness([1, 0, 0, 0, 0])).toBeLessThan(0.05);
  });
});
