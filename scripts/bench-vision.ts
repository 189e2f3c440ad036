/**
 * Vision micro-bench in Node (onnxruntime-web WASM, 1 thread by default): per-stage latency on a
 * 640x480 frame cut from a real photo, and open-set matching over 10,000 templates.
 * Run through scripts/bench-vision.mjs.
 */
import { TemplateIndex } from '../src/vision/matcher.ts';
import { l2Normalize } from '../src/vision/embedding.ts';
import { cropResize } from '../src/vision/image.ts';
import { analyseFrame, type StageTimings } from '../src/vision/pipeline.ts';
import { summarise } from '../src/vision/metrics.ts';
import { MATCH_POLICY } from '../src/vision/thresholds.ts';
import { faceApiDemoDir, loadJpeg, loadNodeModels } from './eval-support.ts';

const r2 = (x: number): number => Math.round(x * 100) / 100;
const stats = (xs: number[]) => {
  const s = summarise(xs);
  return { median: r2(s.median), p95: r2(s.p95), min: r2(s.min) };
};

/** Deterministic pseudo-random unit vectors (xorshift), so runs compare. */
function randomUnit(dim: number, seed: number): Float32Array {
  let x = seed | 0 || 1;
  const v = new Float32Array(dim);
  for (let i = 0; i < dim; i++) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    v[i] = (x >>> 0) / 4294967296 - 0.5;
  }
  return l2Normalize(v);
}

export function benchMatching(templates = 10_000, people = 2_500, runs = 200) {
  const index = new TemplateIndex(512, templates);
  for (let t = 0; t < templates; t++) index.add(`p${t % people}`, randomUnit(512, t + 1));
  const query = randomUnit(512, 999_999);
  for (let i = 0; i < 20; i++) index.match(query, MATCH_POLICY); // warm the JIT
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    index.match(query, MATCH_POLICY);
    times.push(performance.now() - t0);
  }
  return { templates, people, runs, ms: stats(times) };
}

export async function benchPipeline(runs = 30, threads = 1) {
  const models = await loadNodeModels(threads);
  // A 640x480 kiosk-like frame: one face, filling a door-camera share of the picture.
  const photo = loadJpeg(`${faceApiDemoDir}/sample6.jpg`);
  const frame = cropResize(photo, { x1: 960, y1: 60, x2: 1760, y2: 660 }, 640, 480);
  const stages: Record<keyof StageTimings, number[]> = { detect: [], landmark: [], quality: [], liveness: [], embed: [], eyes: [], total: [] };
  const detectOnly: number[] = [];
  let faces = 0;
  for (let i = 0; i < runs + 3; i++) {
    const full = await analyseFrame(models, frame, { ignoreQuality: true, eyes: true });
    const t0 = performance.now();
    await models.detect(frame);
    const dt = performance.now() - t0;
    if (i < 3) continue; // warm-up
    faces = full.faces.length;
    for (const k of Object.keys(stages) as (keyof StageTimings)[]) stages[k].push(full.timings[k]);
    detectOnly.push(dt);
  }
  await models.release();
  const det = stats(detectOnly);
  return {
    provider: `${models.provider} (${threads} thread${threads > 1 ? 's' : ''}), Node ${process.version}`,
    frame: '640x480',
    faces,
    runs,
    detectOnlyMs: det,
    detectFps: Math.round(1000 / det.median),
    stagesMs: Object.fromEntries(Object.entries(stages).map(([k, v]) => [k, stats(v)])),
  };
}
