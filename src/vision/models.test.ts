import { describe, expect, test } from 'vitest';
import { FaceModels, MODEL_FILES } from './models.ts';
import type { InferenceRuntime, ModelSession, TensorData } from './runtime.ts';

/** Spy runtime: records loads and feeds, answers with fixed fr_* shaped outputs, one run at a time. */
function spyRuntime() {
  const loads: string[] = [];
  const feeds: { model: string; dims: readonly number[] }[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const runtime: InferenceRuntime = {
    provider: 'spy',
    async createSession(model) {
      const name = String(model);
      loads.push(name);
      const session: ModelSession = {
        async run(f: Readonly<Record<string, TensorData>>): Promise<Record<string, TensorData>> {
          inFlight++;
          maxInFlight = Math.max(maxInFlight, inFlight);
          feeds.push({ model: name, dims: f['input']!.dims });
          await new Promise((r) => setTimeout(r, 1));
          inFlight--;
          if (name === MODEL_FILES.detect) {
            const scores = new Float32Array(4420 * 2);
            const boxes = new Float32Array(4420 * 4);
            scores.set([0, 1], 0);
            boxes.set([0.25, 0.25, 0.5, 0.5], 0);
            return { scores: { data: scores, dims: [1, 4420, 2] }, boxes: { data: boxes, dims: [1, 4420, 4] } };
          }
          if (name === MODEL_FILES.feature) return { output: { data: new Float32Array(512).fill(2), dims: [1, 512] } };
          if (name === MODEL_FILES.liveness) return { output: { data: new Float32Array([3, 0, 0]), dims: [1, 3] } };
          return { output: { data: new Float32Array(136).fill(0.5), dims: [1, 136] } };
        },
        async release() {},
      };
      return session;
    },
  };
  return { runtime, loads, feeds, maxInFlight: () => maxInFlight };
}

const frame = { width: 640, height: 480, data: new Uint8ClampedArray(640 * 480 * 4).fill(128) };

describe('FaceModels with an injected runtime', () => {
  test('loads each weight once and feeds each model its input shape', async () => {
    const spy = spyRuntime();
    const models = await FaceModels.create(spy.runtime, async (f) => f);
    expect(spy.loads).toEqual(Object.values(MODEL_FILES));
    const [det] = await models.detect(frame);
    expect(det!.box).toEqual({ x1: 160, y1: 120, x2: 320, y2: 240 });
    expect(await models.liveness(frame, det!.box)).toBeGreaterThan(0.9);
    const emb = await models.embed(frame, [{ x: 200, y: 150 }, { x: 260, y: 150 }, { x: 230, y: 185 }, { x: 205, y: 215 }, { x: 255, y: 215 }]);
    expect(Math.hypot(...emb)).toBeCloseTo(1, 5);
    expect(spy.feeds.map((f) => [f.model, f.dims.join('x')])).toEqual([
      ['fr_detect.onnx', '1x3x240x320'],
      ['fr_liveness.onnx', '1x3x128x128'],
      ['fr_feature.onnx', '1x3x112x112'],
    ]);
  });

  test('concurrent calls on one session are serialised', async () => {
    const spy = spyRuntime();
    const models = await FaceModels.create(spy.runtime, async (f) => f);
    await Promise.all([models.detect(frame), models.detect(frame), models.detect(frame)]);
    expect(spy.maxInFlight()).toBe(1);
  });

  test('a failing load names the model and the provider', async () => {
    const runtime: InferenceRuntime = { provider: 'webgpu', createSession: async () => { throw new Error('no adapter'); } };
    await expect(FaceModels.create(runtime, async (f) => f)).rejects.toThrow('cannot load fr_detect.onnx on webgpu: no adapter');
  });
});
