import { chromium, expect, test, type Page } from '@playwright/test';
import { chromiumArgs } from '../../playwright.config.ts';
import { openHarness } from './harness.ts';

/**
 * The vision worker in real Chromium, on the real weights (`node scripts/provision-models.mjs`
 * first; the dev server serves /models/* and /ort/*) and real photos shipped in npm packages.
 * These run the pipeline on fr_detect's boxes (the census and fallback detector; its scores are
 * its own scale); MediaPipe's detector on the live path is tested in vision-mediapipe.browser.ts.
 */
const FR_DETECT = { kind: 'fr_detect' } as const;

const SAMPLE = (n: number) => `/node_modules/@vladmandic/face-api/demo/sample${n}.jpg`;

interface Face {
  box: { x1: number; y1: number; x2: number; y2: number };
  score: number;
  quality: { ok: boolean; reasons: string[] };
  liveness?: number;
  embedding?: number[];
}
interface Analysis {
  provider: string;
  /** Width of the photo (or crop) before any re-drawing. */
  width: number;
  faces: Face[];
  timings: Record<string, number>;
}

/**
 * Runs the worker over images in the page. `transform` re-draws each photo first (scale, mirror,
 * brightness) so the faces are re-detected and re-aligned from different pixels.
 */
async function analyse(
  page: Page,
  urls: readonly string[],
  opts: { providers: string[]; transform?: { scale: number; mirror: boolean; gain: number }; crop?: { x: number; y: number; w: number; h: number }; detector?: { kind: string; delegate?: string } },
): Promise<{ status: string; provider: string | null; detail: string; threads: number; results: Analysis[] }> {
  return page.evaluate(
    async ({ urls, opts }) => {
      const { VisionBridge } = await import('/src/vision/bridge.ts' as string);
      const bridge = new VisionBridge({ providers: opts.providers });
      const ready = new Promise<{ status: string; provider: string | null; detail: string; threads: number }>((resolve) =>
        bridge.on((m: { type: string; status: string }) => {
          if (m.type === 'status' && m.status !== 'loading') resolve(m as never);
        }),
      );
      bridge.start();
      const status = await ready;
      const results: Analysis[] = [];
      for (const url of urls) {
        const source = await createImageBitmap(await (await fetch(url)).blob());
        const c = opts.crop ?? { x: 0, y: 0, w: source.width, h: source.height };
        const t = opts.transform ?? { scale: 1, mirror: false, gain: 1 };
        const canvas = new OffscreenCanvas(Math.round(c.w * t.scale), Math.round(c.h * t.scale));
        const ctx = canvas.getContext('2d')!;
        if (t.mirror) ctx.setTransform(-1, 0, 0, 1, canvas.width, 0);
        ctx.filter = `brightness(${t.gain})`;
        ctx.drawImage(source, c.x, c.y, c.w, c.h, 0, 0, canvas.width, canvas.height);
        source.close();
        const bitmap = canvas.transferToImageBitmap();
        const r = await bridge.request('analyse', { bitmap, options: { maxAnalysed: 16, ignoreQuality: true, ...(opts.detector && { detector: opts.detector }) } });
        results.push({
          provider: r.provider,
          width: c.w,
          timings: r.timings,
          faces: r.faces.map((f: Face & { embedding?: Float32Array }) => ({ ...f, embedding: f.embedding ? Array.from(f.embedding) : undefined, landmarks: undefined, five: undefined })),
        });
      }
      bridge.terminate();
      return { ...status, results };
    },
    { urls, opts },
  );
}

const cosine = (a: readonly number[], b: readonly number[]) => a.reduce((s, v, i) => s + v * b[i]!, 0);
const centre = (f: Face) => ({ x: (f.box.x1 + f.box.x2) / 2, y: (f.box.y1 + f.box.y2) / 2 });

test.describe('vision worker on WASM', () => {
  test.setTimeout(180_000);
  test.beforeEach(async ({ page }) => openHarness(page));

  test('finds every face in the six face-api photos, and the same people match across re-drawn copies', async ({ page }) => {
    const urls = [1, 2, 3, 4, 5, 6].map(SAMPLE);
    const original = await analyse(page, urls, { providers: ['wasm'], detector: FR_DETECT });
    expect(original.status).toBe('ready');
    expect(original.provider).toBe('wasm');
    // Threads need COEP on /ort/ (see src/vision/README.md); either way the count is reported.
    expect(original.threads).toBeGreaterThanOrEqual(1);
    // Counted by eye (models/README.md): 3/3/3/4/5/4 faces.
    expect(original.results.map((r) => r.faces.length)).toEqual([3, 3, 3, 4, 5, 4]);
    for (const r of original.results) for (const f of r.faces) expect(f.score).toBeGreaterThan(0.9);

    // The same photos at 70 %, mirrored, 20 % darker: every face re-found, re-aligned, and the
    // same person (mirrored position) is the best and a confident match.
    const copy = await analyse(page, urls, { providers: ['wasm'], transform: { scale: 0.7, mirror: true, gain: 0.8 }, detector: FR_DETECT });
    const genuine: number[] = [];
    const gatedGenuine: number[] = [];
    const impostor: number[] = [];
    original.results.forEach((r, i) => {
      const c = copy.results[i]!;
      for (const f of r.faces) {
        const p = centre(f);
        const half = (f.box.x2 - f.box.x1) / 2;
        for (const g of c.faces) {
          // Back to the original's coordinates: undo the 70 % scale and the mirror.
          const q = centre(g);
          const same = Math.hypot(r.width - q.x / 0.7 - p.x, q.y / 0.7 - p.y) < half;
          const s = cosine(f.embedding!, g.embedding!);
          (same ? genuine : impostor).push(s);
          if (same && f.quality.ok) gatedGenuine.push(s);
        }
      }
    });
    const r3 = (xs: number[]) => xs.sort((a, b) => a - b).map((x) => x.toFixed(3)).join(' ');
    console.log(`[wasm] genuine ${r3(genuine)}\n[wasm] gated genuine ${r3([...gatedGenuine])}\n[wasm] top impostors ${r3(impostor).split(' ').slice(-5).join(' ')}`);
    expect(genuine.length).toBe(22);
    // Faces that pass the quality gate (what the kiosk matches) clear the 0.50 threshold.
    expect(gatedGenuine.length).toBeGreaterThanOrEqual(10);
    expect(Math.min(...gatedGenuine)).toBeGreaterThan(0.5);
    // Nobody else does, and every face's own copy outscores every other face.
    expect(Math.max(...impostor)).toBeLessThan(0.5);
    expect(Math.min(...genuine)).toBeGreaterThan(Math.max(...impostor));
  });

  test('a different photo of the same woman matches her, and nobody else in those photos does', async ({ page }) => {
    // face-api's sample1 and sample3 share a model (found by the eval, models/README.md).
    const { results } = await analyse(page, [SAMPLE(1), SAMPLE(3)], { providers: ['wasm'], detector: FR_DETECT });
    const [a, b] = results as [Analysis, Analysis];
    const scores = a.faces.flatMap((f, i) => b.faces.map((g, j) => ({ i, j, s: cosine(f.embedding!, g.embedding!) })));
    scores.sort((x, y) => y.s - x.s);
    expect(scores[0]!.s).toBeGreaterThan(0.5);
    expect(scores[1]!.s).toBeLessThan(0.5);
    // The pipeline's real liveness model scores these real photos' matched faces as live.
    expect(a.faces[scores[0]!.i]!.liveness).toBeGreaterThan(0.5);
    expect(b.faces[scores[0]!.j]!.liveness).toBeGreaterThan(0.5);
  });
});

test('the WebGPU path gives the same faces and embeddings as WASM, within tolerance', async ({ baseURL }) => {
  test.setTimeout(300_000);
  // Software WebGPU (SwiftShader) is 30-260x slower than WASM here: one small crop, one face.
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: [...chromiumArgs, '--enable-unsafe-webgpu', '--use-angle=swiftshader', '--enable-unsafe-swiftshader'],
  });
  try {
    const page = await browser.newPage();
    await page.goto(`${baseURL}/tests/browser/blank.html`);
    const crop = { x: 0, y: 0, w: 0, h: 0 };
    const wasm = await analyse(page, [SAMPLE(2)], { providers: ['wasm'], detector: FR_DETECT });
    const face = wasm.results[0]!.faces[0]!;
    const side = (face.box.x2 - face.box.x1) * 2.2;
    Object.assign(crop, { x: Math.max(0, centre(face).x - side / 2), y: Math.max(0, centre(face).y - side / 2), w: side, h: side });
    const w = await analyse(page, [SAMPLE(2)], { providers: ['wasm'], crop, detector: FR_DETECT });
    const g = await analyse(page, [SAMPLE(2)], { providers: ['webgpu'], crop, detector: FR_DETECT });
    expect(g.status).toBe('ready');
    expect(g.provider).toBe('webgpu');
    const fw = w.results[0]!.faces[0]!;
    const fg = g.results[0]!.faces[0]!;
    expect(g.results[0]!.faces.length).toBe(w.results[0]!.faces.length);
    for (const k of ['x1', 'y1', 'x2', 'y2'] as const) expect(Math.abs(fg.box[k] - fw.box[k])).toBeLessThan(2);
    expect(Math.abs(fg.score - fw.score)).toBeLessThan(0.01);
    expect(Math.abs(fg.liveness! - fw.liveness!)).toBeLessThan(0.02);
    const maxDiff = Math.max(...fw.embedding!.map((v, i) => Math.abs(v - fg.embedding![i]!)));
    console.log(`[webgpu vs wasm] box dx max ${Math.max(...(['x1', 'y1', 'x2', 'y2'] as const).map((k) => Math.abs(fg.box[k] - fw.box[k]))).toFixed(3)} px, score diff ${Math.abs(fg.score - fw.score).toExponential(2)}, liveness diff ${Math.abs(fg.liveness! - fw.liveness!).toExponential(2)}, embedding max |diff| ${maxDiff.toExponential(2)}, cosine ${cosine(fw.embedding!, fg.embedding!).toFixed(5)}`);
    expect(cosine(fw.embedding!, fg.embedding!)).toBeGreaterThan(0.995);
  } finally {
    await browser.close();
  }
});
