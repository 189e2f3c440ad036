import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, expect, test, type Page } from '@playwright/test';
import { chromiumArgs } from '../../playwright.config.ts';
import { openHarness } from './harness.ts';

/**
 * MediaPipe Tasks' FaceDetector in the vision worker, on the provisioned BlazeFace files (TFLite
 * metadata written at provisioning) and face-api's six group photos (22 faces, counted by eye).
 * Golden: tests/browser/golden/mediapipe-faces.json holds the counts, boxes and scores this
 * @mediapipe/tasks-vision (pinned in package.json) gives; a new version or a changed model file
 * that moves them fails here. UPDATE_GOLDEN=1 rewrites it (then look at the diff).
 */
const GOLDEN = join(import.meta.dirname, 'golden/mediapipe-faces.json');
const SAMPLE = (n: number) => `/node_modules/@vladmandic/face-api/demo/sample${n}.jpg`;

interface Box {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}
interface Face {
  box: Box;
  score: number;
  quality: { ok: boolean };
  liveness?: number;
  embedding?: number[];
}
type Golden = Record<string, { version: string; model: string; photos: { faces: { box: Box; score: number }[] }[] }>;

async function run(page: Page, detectors: { kind: string; delegate?: string }[], init: Record<string, unknown> = {}) {
  return page.evaluate(
    async ({ urls, detectors, init }) => {
      const { VisionBridge } = await import('/src/vision/bridge.ts' as string);
      const bridge = new VisionBridge({ providers: ['wasm'], ...init });
      const status = new Promise<{ status: string; detector?: string; detail: string }>((resolve) =>
        bridge.on((m: { type: string; status: string }) => {
          if (m.type === 'status' && m.status !== 'loading') resolve(m as never);
        }),
      );
      bridge.start();
      await status;
      const out: Record<string, { detector: string; faces: Face[] }[]> = {};
      for (const d of detectors) {
        const key = d.kind + (d.delegate ? `/${d.delegate}` : '');
        out[key] = [];
        for (const url of urls) {
          const bitmap = await createImageBitmap(await (await fetch(url)).blob());
          const r = await bridge.request('analyse', { bitmap, options: d.kind === 'mediapipe-short' || d.delegate === 'GPU' ? { detector: d, detectOnly: true } : { detector: d, maxAnalysed: 16, ignoreQuality: true } });
          out[key]!.push({ detector: r.detector, faces: r.faces.map((f: Face & { embedding?: Float32Array }) => ({ box: f.box, score: f.score, quality: { ok: f.quality.ok }, liveness: f.liveness, embedding: f.embedding ? Array.from(f.embedding) : undefined })) });
        }
      }
      bridge.terminate();
      return { status: await status, out };
    },
    { urls: [1, 2, 3, 4, 5, 6].map(SAMPLE), detectors, init },
  );
}

const iou = (a: Box, b: Box) => {
  const w = Math.max(0, Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1));
  const h = Math.max(0, Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1));
  const area = (x: Box) => (x.x2 - x.x1) * (x.y2 - x.y1);
  return (w * h) / (area(a) + area(b) - w * h);
};
const round = (b: Box): Box => ({ x1: Math.round(b.x1), y1: Math.round(b.y1), x2: Math.round(b.x2), y2: Math.round(b.y2) });
const version = () => (JSON.parse(readFileSync(join(import.meta.dirname, '../../node_modules/@mediapipe/tasks-vision/package.json'), 'utf8')) as { version: string }).version;
/** The provisioned model's SHA-256 (models/manifest.json): the golden figures hold for that file only. */
const modelSha = (file: string) => (JSON.parse(readFileSync(join(import.meta.dirname, '../../models/manifest.json'), 'utf8')) as { models: { file: string; sha256: string }[] }).models.find((m) => m.file === file)!.sha256;
const MODEL_FILE = { 'mediapipe-full/CPU': 'face_detection_full_range.tflite', 'mediapipe-short/CPU': 'face_detection_short_range.tflite' } as const;

test.describe('MediaPipe FaceDetector in the vision worker', () => {
  test.setTimeout(240_000);
  test.beforeEach(async ({ page }) => openHarness(page));

  test('the live path runs MediaPipe full range; counts and boxes match the golden file; the pipeline on its boxes agrees with fr_detect', async ({ page }) => {
    const { status, out } = await run(page, [{ kind: 'mediapipe-full', delegate: 'CPU' }, { kind: 'mediapipe-short', delegate: 'CPU' }, { kind: 'fr_detect' }]);
    expect(status.status).toBe('ready');
    expect(status.detector).toBe('mediapipe-full/CPU');
    const full = out['mediapipe-full/CPU']!;
    const short = out['mediapipe-short/CPU']!;
    const fr = out['fr_detect']!;
    expect(full.every((p) => p.detector === 'mediapipe-full/CPU')).toBe(true);
    // Full range finds all 22 faces, as fr_detect does; short range (made for faces within 2 m) fewer.
    expect(full.map((p) => p.faces.length)).toEqual([3, 3, 3, 4, 5, 4]);
    expect(fr.map((p) => p.faces.length)).toEqual([3, 3, 3, 4, 5, 4]);
    const shortFound = short.reduce((n, p) => n + p.faces.length, 0);
    expect(shortFound).toBeLessThan(22);

    const golden: Golden = Object.fromEntries(
      (['mediapipe-full/CPU', 'mediapipe-short/CPU'] as const).map((key) => [
        key,
        { version: version(), model: modelSha(MODEL_FILE[key]), photos: out[key]!.map((p) => ({ faces: p.faces.map((f) => ({ box: round(f.box), score: Math.round(f.score * 1000) / 1000 })) })) },
      ]),
    );
    // One face per line: a changed box reads as a one-line diff.
    if (process.env.UPDATE_GOLDEN || !existsSync(GOLDEN)) writeFileSync(GOLDEN, `${JSON.stringify(golden, null, 1).replace(/\{\s+"box": \{\s+"x1": (\d+),\s+"y1": (\d+),\s+"x2": (\d+),\s+"y2": (\d+)\s+\},\s+"score": ([\d.]+)\s+\}/g, '{ "box": { "x1": $1, "y1": $2, "x2": $3, "y2": $4 }, "score": $5 }')}\n`);
    const want = JSON.parse(readFileSync(GOLDEN, 'utf8')) as Golden;
    for (const key of ['mediapipe-full/CPU', 'mediapipe-short/CPU'] as const) {
      expect(want[key]!.version).toBe(version());
      expect(want[key]!.model).toBe(modelSha(MODEL_FILE[key]));
      want[key]!.photos.forEach((p, i) => {
        const got = golden[key]!.photos[i]!.faces;
        expect(got.length).toBe(p.faces.length);
        p.faces.forEach((f, j) => {
          for (const k of ['x1', 'y1', 'x2', 'y2'] as const) expect(Math.abs(got[j]!.box[k] - f.box[k])).toBeLessThanOrEqual(2);
          expect(Math.abs(got[j]!.score - f.score)).toBeLessThanOrEqual(0.01);
        });
      });
    }

    // Every MediaPipe face is one of fr_detect's (boxes on fr_detect's convention after calibration),
    // and what the pipeline makes of it is the same person: the embedding's cosine to the one from fr_detect's box.
    const ious: number[] = [];
    const cosines: number[] = [];
    const gatedCosines: number[] = [];
    full.forEach((p, i) => {
      for (const f of p.faces) {
        const best = fr[i]!.faces.reduce((a, g) => (iou(f.box, g.box) > iou(f.box, a.box) ? g : a));
        ious.push(iou(f.box, best.box));
        const c = f.embedding!.reduce((s, v, k) => s + v * best.embedding![k]!, 0);
        cosines.push(c);
        if (f.quality.ok && best.quality.ok) gatedCosines.push(c);
      }
    });
    const fmt = (xs: number[]) => [...xs].sort((a, b) => a - b).map((x) => x.toFixed(2)).join(' ');
    console.log(`[mediapipe] IoU with fr_detect ${fmt(ious)}\n[mediapipe] embedding cosine to fr_detect's ${fmt(cosines)} (gated ${fmt(gatedCosines)})`);
    // The same face (BlazeFace's boxes vary more from face to face than the calibration can take out).
    expect(Math.min(...ious)).toBeGreaterThan(0.4);
    expect(gatedCosines.length).toBeGreaterThanOrEqual(8);
    expect(Math.min(...gatedCosines)).toBeGreaterThan(0.9);
  });

  test('without its runtime the worker falls back to fr_detect and says why', async ({ page }) => {
    const { status, out } = await run(page, [], { mediapipeBase: '/no-such-dir/' });
    expect(status.status).toBe('ready');
    expect(status.detector).toBe('fr_detect');
    expect(status.detail).toMatch(/mediapipe-full\/CPU: .*detecting with fr_detect/);
    expect(out).toEqual({});
  });
});

test('the GPU delegate (WebGL 2) finds the same faces as the CPU', async ({ baseURL }) => {
  test.setTimeout(300_000);
  // Headless Chromium's WebGL is SwiftShader (software): correctness only, not speed.
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: chromiumArgs });
  try {
    const page = await browser.newPage();
    await page.goto(`${baseURL}/tests/browser/blank.html`);
    const { out } = await run(page, [{ kind: 'mediapipe-full', delegate: 'GPU' }, { kind: 'mediapipe-full', delegate: 'CPU' }]);
    const gpu = out['mediapipe-full/GPU']!;
    const cpu = out['mediapipe-full/CPU']!;
    expect(gpu.every((p) => p.detector === 'mediapipe-full/GPU')).toBe(true);
    let matched = 0;
    gpu.forEach((p, i) => {
      for (const f of p.faces) if (cpu[i]!.faces.some((g) => iou(f.box, g.box) > 0.5)) matched++;
    });
    const found = gpu.reduce((n, p) => n + p.faces.length, 0);
    console.log(`[mediapipe gpu] ${found} faces, ${matched} of them a CPU face too (IoU > 0.5)`);
    // Measured: 21 of the 22 (the GPU path's image conversion differs slightly).
    expect(found).toBeGreaterThanOrEqual(20);
    expect(matched).toBe(found);
  } finally {
    await browser.close();
  }
});
