import { beforeAll, describe, expect, it } from 'vitest';
import { faceApiDemoDir, loadJpeg, loadNodeModels } from '../../scripts/eval-support.ts';
import { VisionEngine, type EngineEvent } from './engine.ts';
import { cropResize } from './image.ts';
import type { FaceModels } from './models.ts';
import type { RgbaImage } from './types.ts';

/** The live loop on real weights: sample2's frontal face framed like a door camera (640x480). */
let models: FaceModels;
let face: RgbaImage;
let empty: RgbaImage;

beforeAll(async () => {
  models = await loadNodeModels();
  const photo = loadJpeg(`${faceApiDemoDir}/sample2.jpg`);
  // Face box (1442,168)-(1646,391) centred, ~200 px wide.
  const s = 204 / 200;
  const cx = 1544;
  const cy = 280;
  face = cropResize(photo, { x1: cx - 320 * s, y1: cy - 240 * s, x2: cx + 320 * s, y2: cy + 240 * s }, 640, 480);
  empty = { width: 640, height: 480, data: new Uint8ClampedArray(640 * 480 * 4).fill(90) };
}, 60_000);

const kinds = (es: EngineEvent[]) => es.map((e) => (e.type === 'face' ? `${e.face.type}${e.face.type === 'faceTracked' ? `:${e.face.stable}` : ''}` : e.type));

describe('VisionEngine on real models', () => {
  it('tracks a face, becomes stable, gives one evidence after agreement, matches once enrolled, and loses it', async () => {
    const engine = new VisionEngine(models);
    const events: EngineEvent[] = [];
    let t = 0;
    for (let i = 0; i < 6; i++) events.push(...(await engine.step(face, (t += 66))).events);
    expect(kinds(events).slice(0, 2)).toEqual(['faceTracked:false', 'faceTracked:true']);
    const unknown = events.find((e) => e.type === 'evidence');
    expect(unknown?.type === 'evidence' && unknown.evidence.match.personId).toBeNull();
    expect(unknown?.type === 'evidence' && unknown.evidence.liveness.passive).toBeGreaterThan(0.5);

    const captureId = 7;
    engine.startTask(captureId, 'capture', t, 2000);
    const done = (await engine.step(face, (t += 66))).events.find((e) => e.type === 'task-done');
    expect(done?.type === 'task-done' && done.kind === 'capture' && done.result.ok).toBe(true);
    if (done?.type !== 'task-done' || done.kind !== 'capture' || !done.result.ok) return;
    engine.setTemplates([{ personId: 'alice', embeddings: [done.result.embedding] }]);

    const later: EngineEvent[] = [];
    for (let i = 0; i < 4; i++) later.push(...(await engine.step(face, (t += 66))).events);
    const matched = later.find((e) => e.type === 'evidence');
    expect(matched?.type === 'evidence' && matched.evidence.match).toMatchObject({ personId: 'alice', agreedFrames: 3 });

    const gone: EngineEvent[] = [];
    for (let i = 0; i < 12; i++) gone.push(...(await engine.step(empty, (t += 66))).events);
    expect(kinds(gone)).toContain('faceLost');
    // Idle after 3 s without a face.
    for (let i = 0; i < 40 && !engine.idle; i++) await engine.step(empty, (t += 100));
    expect(engine.idle).toBe(true);
  }, 60_000);
});

describe('VisionEngine at the door', () => {
  it('analyses a face from its first frame: with an enrolled person, the evidence comes with the third frame in view', async () => {
    const enrol = new VisionEngine(models);
    let t = 0;
    for (let i = 0; i < 3; i++) await enrol.step(face, (t += 66));
    enrol.startTask(1, 'capture', t, 2000);
    const captured = (await enrol.step(face, (t += 66))).events.find((e) => e.type === 'task-done');
    if (captured?.type !== 'task-done' || captured.kind !== 'capture' || !captured.result.ok) throw new Error('capture failed');

    const engine = new VisionEngine(models);
    engine.setTemplates([{ personId: 'alice', embeddings: [captured.result.embedding] }]);
    const perFrame: EngineEvent[][] = [];
    for (let i = 0; i < 3; i++) perFrame.push((await engine.step(face, (t += 66))).events);
    expect(perFrame.map((es) => es.some((e) => e.type === 'evidence'))).toEqual([false, false, true]);
    const evidence = perFrame[2]?.find((e) => e.type === 'evidence');
    expect(evidence?.type === 'evidence' && evidence.evidence.match).toMatchObject({ personId: 'alice', agreedFrames: 3 });
    // Stability is still announced on the second frame, as the kiosk's screen expects.
    expect(kinds(perFrame.flat()).filter((k) => k.startsWith('faceTracked'))).toEqual(['faceTracked:false', 'faceTracked:true']);
  }, 60_000);
});

describe('VisionEngine head count', () => {
  it('a census detector that sees further counts the faces the live detector misses (tailgating), on arrival and then once a second', async () => {
    const { FaceModels } = await import('./models.ts');
    const { loadJpeg: load, fsWeights } = await import('../../scripts/eval-support.ts');
    const ort = await import('onnxruntime-web');
    const { ortRuntime } = await import('./runtime.ts');
    const runtime = ortRuntime(ort as never, 'wasm');
    const fr = await FaceModels.onnxDetector(runtime, fsWeights);
    // A near-field detector: fr_detect's own faces, but only the largest (as BlazeFace loses the far ones).
    const near = { name: 'near-only', detect: async (f: RgbaImage) => (await fr.detect(f)).sort((a, b) => b.box.x2 - b.box.x1 - (a.box.x2 - a.box.x1)).slice(0, 1), release: () => undefined };
    const withCensus = await FaceModels.create(runtime, fsWeights, { detector: near, census: fr });
    const group = load(`${faceApiDemoDir}/sample5.jpg`); // five faces
    let t = 0;
    const engine = new VisionEngine(withCensus);
    const first = await engine.step(group, (t += 66));
    expect(first.timings.census).toBeGreaterThan(0);
    expect(first.faces).toBe(5);
    // The next frames reuse the fresh count without looking again...
    const second = await engine.step(group, (t += 66));
    expect(second.timings.census).toBeUndefined();
    expect(second.faces).toBe(5);
    // ...until a second has passed.
    t += 1_000;
    expect((await engine.step(group, t)).timings.census).toBeGreaterThan(0);
    // Without a census the count is the live detector's.
    const plain = new VisionEngine(withCensus.withDetector(near));
    expect((await plain.step(group, 66)).faces).toBe(1);
  }, 60_000);
});
