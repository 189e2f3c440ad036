/**
 * `npm run bench:detectors`: fr_detect and MediaPipe Tasks' FaceDetector (BlazeFace full and
 * short range, CPU and the GPU delegate where the browser has WebGL 2) side by side in one run
 * of the real vision worker in headless Chromium, on real faces:
 * - groups: face-api's six demo photos (22 faces), at full size and as a 640x480 camera frame;
 * - door distances: each of those 22 faces alone in a 640x480 doorway at the size it has 0.5 m
 *   to 4 m from a 60-degree camera (face box 177 px at 0.5 m, 22 px at 4 m);
 * - time per 640x480 frame with one face (median, p95 of the worker's detect stage);
 * - what the rest of the pipeline makes of each detector's boxes: quality gate, liveness and
 *   the embedding's cosine to the one computed from fr_detect's box for the same face;
 * - the box calibration (MediaPipe box -> fr_detect's convention) fitted on the group photos.
 * Reference faces are fr_detect's at full size (all 22 visible faces, checked by eye). JSON on
 * stdout, a table on stderr.
 */
import { cpus } from 'node:os';
import { fitCalibration } from '../src/vision/mediapipe.ts';
import { summarise } from '../src/vision/metrics.ts';
import { iou, type Box } from '../src/vision/types.ts';
import { openRig, startVision } from './eval-browser.ts';

interface Choice {
  readonly kind: 'fr_detect' | 'mediapipe-full' | 'mediapipe-short';
  readonly delegate?: 'CPU' | 'GPU';
}
interface Face {
  readonly box: Box;
  readonly score: number;
  readonly quality: { readonly ok: boolean };
  readonly liveness?: number;
  readonly embedding?: number[];
}
interface Analysis {
  readonly faces: Face[];
  readonly timings: Record<string, number>;
  readonly detector: string;
}

const r2 = (x: number) => Math.round(x * 100) / 100;
const name = (c: Choice) => (c.kind === 'fr_detect' ? 'fr_detect' : `${c.kind}/${c.delegate ?? 'CPU'}`);
const cos = (a: number[], b: number[]) => a.reduce((s, v, i) => s + v * b[i]!, 0);

/** Distances (m) and the face box width a 640 px, 60-degree camera sees there (f = 554 px, face 0.16 m). */
export const DOOR_DISTANCES = [0.5, 0.75, 1, 1.5, 2, 3, 4] as const;
export const boxWidthAt = (metres: number): number => Math.round((554 * 0.16) / metres);

/** Each reference face matched to at most one detection (best IoU >= minIou); the rest are extra. */
function matchFaces(reference: readonly Box[], found: readonly Face[], minIou = 0.3): { pairs: { ref: number; face: Face }[]; extra: number } {
  const used = new Set<number>();
  const pairs: { ref: number; face: Face }[] = [];
  reference.forEach((ref, r) => {
    let best = -1;
    let bestIou = minIou;
    found.forEach((f, i) => {
      const o = iou(ref, f.box);
      if (!used.has(i) && o >= bestIou) {
        best = i;
        bestIou = o;
      }
    });
    if (best >= 0) {
      used.add(best);
      pairs.push({ ref: r, face: found[best]! });
    }
  });
  return { pairs, extra: found.length - used.size };
}

export async function runDetectorBench(args: { gpu?: boolean; runs?: number }, log: (m: string) => void) {
  const rig = await openRig();
  try {
    const status = await startVision(rig.page, { providers: ['wasm'], threads: 1 });
    if (status.status !== 'ready') throw new Error(`vision worker: ${status.status} ${status.detail}`);
    const page = rig.page;
    const webgl2 = await page.evaluate(() => !!new OffscreenCanvas(1, 1).getContext('webgl2'));
    const renderer = await page.evaluate(() => {
      const gl = new OffscreenCanvas(1, 1).getContext('webgl2');
      return gl ? String(gl.getParameter(gl.RENDERER)) : null;
    });
    const choices: Choice[] = [{ kind: 'fr_detect' }, { kind: 'mediapipe-full', delegate: 'CPU' }, { kind: 'mediapipe-short', delegate: 'CPU' }];
    if (webgl2 && args.gpu !== false) choices.push({ kind: 'mediapipe-full', delegate: 'GPU' }, { kind: 'mediapipe-short', delegate: 'GPU' });
    log(`worker ready (${status.detail || 'no notes'}); WebGL 2: ${renderer ?? 'none'}; detectors: ${choices.map(name).join(', ')}`);

    await page.evaluate(async () => {
      const w = window as unknown as Record<string, unknown>;
      const photos: ImageBitmap[] = [];
      for (let i = 1; i <= 6; i++) photos.push(await createImageBitmap(await (await fetch(`/node_modules/@vladmandic/face-api/demo/sample${i}.jpg`)).blob()));
      const doorway = (ctx: OffscreenCanvasRenderingContext2D) => {
        const g = ctx.createLinearGradient(0, 0, 0, 480);
        g.addColorStop(0, 'rgb(70,64,56)');
        g.addColorStop(1, 'rgb(110,104,96)');
        ctx.fillStyle = g;
        ctx.fillRect(0, 0, 640, 480);
      };
      w.__photo = (i: number) => createImageBitmap(photos[i]!);
      // The photo scaled into a 640x480 frame (letterboxed), as a camera would frame the group.
      w.__photoFrame = (i: number) => {
        const p = photos[i]!;
        const s = Math.min(640 / p.width, 480 / p.height);
        const c = new OffscreenCanvas(640, 480);
        const ctx = c.getContext('2d')!;
        doorway(ctx);
        ctx.drawImage(p, (640 - p.width * s) / 2, (480 - p.height * s) / 2, p.width * s, p.height * s);
        return { bitmap: c.transferToImageBitmap(), scale: s, dx: (640 - p.width * s) / 2, dy: (480 - p.height * s) / 2 };
      };
      // One face (its box with 60 % margin around it) alone, centred, `width` px wide.
      w.__faceAt = (i: number, box: { x1: number; y1: number; x2: number; y2: number }, width: number) => {
        const p = photos[i]!;
        const bw = box.x2 - box.x1;
        const m = bw * 0.6;
        const sx = Math.max(0, box.x1 - m);
        const sy = Math.max(0, box.y1 - m);
        const sw = Math.min(p.width, box.x2 + m) - sx;
        const sh = Math.min(p.height, box.y2 + m) - sy;
        const s = width / bw;
        const c = new OffscreenCanvas(640, 480);
        const ctx = c.getContext('2d')!;
        doorway(ctx);
        const cx = (box.x1 + box.x2) / 2;
        const cy = (box.y1 + box.y2) / 2;
        const ox = 320 - (cx - sx) * s;
        const oy = 240 - (cy - sy) * s;
        ctx.drawImage(p, sx, sy, sw, sh, ox, oy, sw * s, sh * s);
        const at = { x1: 320 - (bw * s) / 2, y1: 240 - ((box.y2 - box.y1) * s) / 2, x2: 320 + (bw * s) / 2, y2: 240 + ((box.y2 - box.y1) * s) / 2 };
        return { bitmap: c.transferToImageBitmap(), box: at };
      };
    });

    const analyse = (make: string, makeArgs: unknown[], options: Record<string, unknown>): Promise<Analysis & { wall: number; meta: Record<string, unknown> }> =>
      page.evaluate(
        async ({ make, makeArgs, options }) => {
          const w = window as unknown as Record<string, (...a: unknown[]) => Promise<unknown> | unknown> & { __vision: { request(k: string, p: unknown): Promise<Analysis> } };
          const made = (await w[make]!(...makeArgs)) as ImageBitmap | { bitmap: ImageBitmap };
          const { bitmap, ...meta } = made instanceof ImageBitmap ? { bitmap: made } : made;
          const t0 = performance.now();
          const r = await w.__vision.request('analyse', { bitmap, options });
          const faces = r.faces.map((f) => ({ box: f.box, score: f.score, quality: { ok: f.quality.ok }, ...(f.liveness !== undefined && { liveness: f.liveness }), ...(f.embedding && { embedding: Array.from(f.embedding as unknown as Float32Array) }) }));
          return { faces, timings: r.timings, detector: r.detector, wall: performance.now() - t0, meta };
        },
        { make, makeArgs, options },
      );

    // Reference: fr_detect on the full photos, with the whole pipeline on every face.
    const reference: Face[][] = [];
    for (let i = 0; i < 6; i++) reference.push((await analyse('__photo', [i], { detector: { kind: 'fr_detect' }, maxAnalysed: 16, ignoreQuality: true })).faces);
    const refBoxes = reference.map((fs) => fs.map((f) => f.box));
    const total = refBoxes.reduce((n, b) => n + b.length, 0);
    log(`reference: fr_detect at full size, ${total} faces`);

    const results: Record<string, unknown> = {};
    const calibrationPairs: Record<string, { from: Box; to: Box }[]> = {};
    for (const choice of choices) {
      const key = name(choice);
      const detector = { kind: choice.kind, ...(choice.delegate && { delegate: choice.delegate }) };
      // Groups at full size: counts, boxes against the reference, and the pipeline on each face.
      let found = 0;
      let extra = 0;
      let gated = 0;
      const ious: number[] = [];
      const cosines: number[] = [];
      const liveDiff: number[] = [];
      const pairsForFit: { from: Box; to: Box }[] = [];
      for (let i = 0; i < 6; i++) {
        const a = await analyse('__photo', [i], { detector, maxAnalysed: 16, ignoreQuality: true });
        const m = matchFaces(refBoxes[i]!, a.faces);
        found += m.pairs.length;
        extra += m.extra;
        for (const { ref, face } of m.pairs) {
          const r = reference[i]![ref]!;
          ious.push(iou(r.box, face.box));
          pairsForFit.push({ from: face.box, to: r.box });
          if (face.quality.ok) gated++;
          if (face.embedding && r.embedding) cosines.push(cos(face.embedding, r.embedding));
          if (face.liveness !== undefined && r.liveness !== undefined) liveDiff.push(Math.abs(face.liveness - r.liveness));
        }
      }
      calibrationPairs[key] = pairsForFit;
      // Groups as a 640x480 camera frame: faces shrink to 10-40 px.
      let foundFramed = 0;
      let extraFramed = 0;
      for (let i = 0; i < 6; i++) {
        const a = await analyse('__photoFrame', [i], { detector, detectOnly: true });
        const { scale, dx, dy } = a.meta as { scale: number; dx: number; dy: number };
        const framed = refBoxes[i]!.map((b) => ({ x1: b.x1 * scale + dx, y1: b.y1 * scale + dy, x2: b.x2 * scale + dx, y2: b.y2 * scale + dy }));
        const m = matchFaces(framed, a.faces);
        foundFramed += m.pairs.length;
        extraFramed += m.extra;
      }
      // Door distances: each reference face alone at each distance.
      const byDistance: Record<string, string> = {};
      for (const d of DOOR_DISTANCES) {
        let hit = 0;
        let n = 0;
        for (let i = 0; i < 6; i++) {
          for (const box of refBoxes[i]!) {
            const a = await analyse('__faceAt', [i, box, boxWidthAt(d)], { detector, detectOnly: true });
            const at = (a.meta as { box: Box }).box;
            n++;
            if (a.faces.some((f) => iou(f.box, at) >= 0.3)) hit++;
          }
        }
        byDistance[`${d} m (${boxWidthAt(d)} px)`] = `${hit}/${n}`;
      }
      // Time per 640x480 frame with one face (sample2's frontal face at 1 m), detect stage only.
      const times: number[] = [];
      const aliceBox = refBoxes[1]!.reduce((a, b) => (b.x2 - b.x1 > a.x2 - a.x1 ? b : a));
      for (let k = 0; k < (args.runs ?? 40) + 5; k++) {
        const a = await analyse('__faceAt', [1, aliceBox, boxWidthAt(1)], { detector, detectOnly: true });
        if (k >= 5) times.push(a.timings.detect ?? a.wall);
      }
      const t = summarise(times);
      results[key] = {
        groupsFullSize: `${found}/${total}`,
        extraFullSize: extra,
        groupsAt640x480: `${foundFramed}/${total}`,
        extraAt640x480: extraFramed,
        doorDistance: byDistance,
        frameMs: { median: r2(t.median), p95: r2(t.p95), n: times.length },
        boxIouToFrDetect: ious.length ? { min: r2(Math.min(...ious)), median: r2(summarise(ious).median) } : null,
        qualityGatePassed: `${gated}/${found}`,
        embeddingCosineToFrDetectPath: cosines.length ? { min: r2(Math.min(...cosines)), median: r2(summarise(cosines).median) } : null,
        livenessAbsDiff: liveDiff.length ? { median: r2(summarise(liveDiff).median), max: r2(Math.max(...liveDiff)) } : null,
      };
      log(`${key.padEnd(22)} groups ${found}/${total} (+${extra}) | 640x480 ${foundFramed}/${total} (+${extraFramed}) | ${Object.values(byDistance).join(' ')} | ${r2(t.median)} ms (p95 ${r2(t.p95)})`);
    }
    // The calibration the live path uses: BlazeFace box -> fr_detect's, on these faces. Fitted on
    // raw boxes, so run with an identity BOX_CALIBRATION to refit; with the shipped one it is ~identity.
    const calibration = Object.fromEntries(
      Object.entries(calibrationPairs)
        .filter(([k]) => k.startsWith('mediapipe') && k.endsWith('CPU'))
        .map(([k, pairs]) => [k, Object.fromEntries(Object.entries(fitCalibration(pairs)).map(([f, v]) => [f, Math.round(v * 1000) / 1000]))]),
    );
    return {
      machine: `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}`,
      browser: rig.browser.version(),
      onnxProvider: `${status.provider} x${status.threads}`,
      webgl2: renderer,
      referenceFaces: total,
      detectors: results,
      residualCalibration: calibration,
    };
  } finally {
    await rig.close();
  }
}
