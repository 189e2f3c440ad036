/**
 * The vision Web Worker: a thin shell around VisionEngine (engine.ts). It owns what needs the
 * worker's runtime: the message port, onnxruntime-web and its execution provider, turning
 * transferred ImageBitmaps into pixels, the idle thumbnail, the JPEG snapshot and the stats.
 * Frames that arrive while a frame is being processed are closed and counted, never queued.
 */
import { VisionEngine, type Stage, type Timings } from '../engine.ts';
import { FaceModels, MODEL_FILES } from '../models.ts';
import { lumaBytes, MOTION_SIZE } from '../motion.ts';
import { analyseFrame, DEFAULT_PIPELINE } from '../pipeline.ts';
import type { InitOptions, MainToWorker, Provider, Requests, StageStats, WorkerError, WorkerToMain } from '../protocol.ts';
import { PROVIDERS } from '../protocol.ts';
import { ortRuntime, type OrtLike } from '../runtime.ts';
import type { Box, RgbaImage } from '../types.ts';

declare const self: DedicatedWorkerGlobalScope;

/** The slice of onnxruntime-web's module we configure. */
interface OrtModule extends OrtLike {
  readonly env: {
    logLevel?: string;
    wasm: { wasmPaths?: string; numThreads?: number; proxy?: boolean };
  };
}

interface GpuNavigator {
  readonly gpu?: { requestAdapter(): Promise<unknown> };
}

const post = (msg: WorkerToMain, transfer: Transferable[] = []): void => self.postMessage(msg, transfer);

let engine: VisionEngine | null = null;
let loadedModels: FaceModels | null = null;
let provider: Provider | null = null;
let threads = 1;
let initialised = false;
let busy = false;
let chain: Promise<unknown> = Promise.resolve();
let processed = 0;
let processedAtLastReport = 0;
let dropped = 0;
let skipped = 0;
let lastReport = performance.now();
const samples = new Map<Stage, number[]>();
const lastTimings: Timings = {};
const cancelled = new Set<number>();

const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));

// ------------------------------------------------------------------------------------------
// Start-up: provider chosen once from capabilities, weights fetched, sessions created.

async function chooseProvider(wanted: readonly Provider[]): Promise<{ list: Provider[]; notes: string[] }> {
  const unknown = wanted.filter((p) => !PROVIDERS.includes(p));
  if (unknown.length) throw new Error(`unknown execution provider ${unknown.join(', ')}; valid: ${PROVIDERS.join(', ')}`);
  const notes: string[] = [];
  const list: Provider[] = [];
  for (const p of wanted) {
    if (p === 'webgpu') {
      const gpu = (self.navigator as unknown as GpuNavigator).gpu;
      const adapter = gpu ? await gpu.requestAdapter().catch(() => null) : null;
      if (adapter) list.push('webgpu');
      else notes.push(gpu ? 'webgpu: no adapter' : 'webgpu: not available');
    } else list.push(p);
  }
  return { list, notes };
}

async function loadOrt(p: Provider, init: InitOptions): Promise<OrtModule> {
  // Only the native WebGPU EP bundle runs every model (the JSEP bundles fail on fr_detect).
  const ort = (p === 'webgpu' ? await import('onnxruntime-web/webgpu') : await import('onnxruntime-web/wasm')) as unknown as OrtModule;
  ort.env.logLevel = 'error';
  ort.env.wasm.wasmPaths = new URL(init.wasmBase, self.location.href).href;
  ort.env.wasm.numThreads = threads;
  ort.env.wasm.proxy = false;
  return ort;
}

async function fetchWeights(base: string): Promise<{ weights: Map<string, Uint8Array>; missing: string[] }> {
  const weights = new Map<string, Uint8Array>();
  const missing: string[] = [];
  for (const file of Object.values(MODEL_FILES)) {
    try {
      const res = await fetch(new URL(file, new URL(base, self.location.href)));
      // A dev server answers unknown paths with index.html: that is a missing model too.
      const type = res.headers.get('content-type') ?? '';
      if (!res.ok || type.includes('text/html')) {
        missing.push(file);
        continue;
      }
      const bytes = new Uint8Array(await res.arrayBuffer());
      if (bytes.length < 1024) missing.push(file);
      else weights.set(file, bytes);
    } catch {
      missing.push(file);
    }
  }
  return { weights, missing };
}

/**
 * WASM threads are nested workers started from ORT's glue script; under COEP they only start when
 * that script is itself served with COEP, else the first session never settles. Checked once.
 */
async function threadsUsable(wasmBase: string): Promise<boolean> {
  if (!self.crossOriginIsolated) return false;
  try {
    const res = await fetch(new URL('ort-wasm-simd-threaded.mjs', new URL(wasmBase, self.location.href)), { method: 'HEAD' });
    return res.ok && res.headers.get('cross-origin-embedder-policy') !== null;
  } catch {
    return false;
  }
}

async function init(options: InitOptions): Promise<void> {
  const notes: string[] = [];
  const cores = Math.max(1, Math.min(4, self.navigator.hardwareConcurrency || 1));
  const usable = await threadsUsable(options.wasmBase);
  threads = usable ? (options.threads ?? cores) : 1;
  if (!usable && cores > 1) notes.push(self.crossOriginIsolated ? 'wasm threads off: /ort/ glue served without COEP' : 'wasm threads off: page not cross-origin isolated');
  post({ type: 'status', status: 'loading', provider: null, detail: notes.join('; '), threads });
  try {
    const { weights, missing } = await fetchWeights(options.modelBase);
    if (missing.length) {
      const message = `model weights missing: ${missing.join(', ')} (run: node scripts/provision-models.mjs)`;
      post({ type: 'status', status: 'models-missing', provider: null, detail: message, threads, error: { code: 'models-missing', message, files: missing } });
      return;
    }
    const { list, notes: providerNotes } = await chooseProvider(options.providers ?? PROVIDERS);
    notes.push(...providerNotes);
    if (list.length === 0) throw new Error(`no usable execution provider (${notes.join('; ')})`);
    let models: FaceModels | null = null;
    for (const p of list) {
      try {
        const ort = await loadOrt(p, options);
        models = await FaceModels.create(ortRuntime(ort, p), async (f) => weights.get(f) ?? new Uint8Array());
        provider = p;
        break;
      } catch (err) {
        notes.push(`${p}: ${errorText(err)}`);
      }
    }
    if (!models || !provider) throw new Error(`no execution provider could load the models (${notes.join('; ')})`);
    loadedModels = models;
    engine = new VisionEngine(models);
    post({ type: 'status', status: 'ready', provider, detail: notes.join('; '), threads });
    setInterval(report, options.statsEveryMs ?? 1000);
  } catch (err) {
    const message = errorText(err);
    post({ type: 'status', status: 'error', provider: null, detail: message, threads, error: { code: 'failed', message } });
  }
}

// ------------------------------------------------------------------------------------------
// Frames

let canvas: OffscreenCanvas | null = null;
let ctx: OffscreenCanvasRenderingContext2D | null = null;
const tiny = new OffscreenCanvas(MOTION_SIZE.width, MOTION_SIZE.height);
const tinyCtx = tiny.getContext('2d', { willReadFrequently: true });

function pixels(bitmap: ImageBitmap): RgbaImage {
  const { width, height } = bitmap;
  if (!canvas || canvas.width !== width || canvas.height !== height) {
    canvas = new OffscreenCanvas(width, height);
    ctx = canvas.getContext('2d', { willReadFrequently: true });
  }
  if (!ctx) throw new Error('no 2d context in the worker');
  ctx.drawImage(bitmap, 0, 0);
  return { width, height, data: ctx.getImageData(0, 0, width, height).data };
}

function thumbnail(bitmap: ImageBitmap): Uint8Array {
  if (!tinyCtx) throw new Error('no 2d context in the worker');
  tinyCtx.drawImage(bitmap, 0, 0, MOTION_SIZE.width, MOTION_SIZE.height);
  const n = MOTION_SIZE.width * MOTION_SIZE.height;
  return lumaBytes(tinyCtx.getImageData(0, 0, MOTION_SIZE.width, MOTION_SIZE.height).data, n);
}

/** A small JPEG of the face (1.6x its box, at most 160 px) for the access log. */
async function snapshot(bitmap: ImageBitmap, box: Box): Promise<Uint8Array | undefined> {
  try {
    const side = Math.max(box.x2 - box.x1, box.y2 - box.y1) * 1.6;
    const cx = (box.x1 + box.x2) / 2;
    const cy = (box.y1 + box.y2) / 2;
    const sx = Math.max(0, Math.round(cx - side / 2));
    const sy = Math.max(0, Math.round(cy - side / 2));
    const sw = Math.min(bitmap.width - sx, Math.round(side));
    const sh = Math.min(bitmap.height - sy, Math.round(side));
    const scale = Math.min(1, 160 / Math.max(sw, sh));
    const out = new OffscreenCanvas(Math.max(1, Math.round(sw * scale)), Math.max(1, Math.round(sh * scale)));
    out.getContext('2d')?.drawImage(bitmap, sx, sy, sw, sh, 0, 0, out.width, out.height);
    return new Uint8Array(await (await out.convertToBlob({ type: 'image/jpeg', quality: 0.8 })).arrayBuffer());
  } catch {
    return undefined;
  }
}

function record(t: Timings): void {
  for (const [stage, ms] of Object.entries(t) as [Stage, number][]) {
    const list = samples.get(stage) ?? [];
    list.push(ms);
    if (list.length > 120) list.shift();
    samples.set(stage, list);
    lastTimings[stage] = ms;
  }
}

let lastReported = '';
let lastReportedAt = 0;

function report(): void {
  const now = performance.now();
  // Only when something moved (or every 5 s): an idle panel should not wake the main thread.
  const key = `${processed}/${dropped}/${skipped}/${engine?.idle}`;
  if (key === lastReported && now - lastReportedAt < 5_000) return;
  lastReported = key;
  lastReportedAt = now;
  const timings: Partial<Record<Stage, StageStats>> = {};
  for (const [stage, list] of samples) {
    const s = [...list].sort((a, b) => a - b);
    const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * (s.length - 1) + 0.5))] ?? 0;
    timings[stage] = { last: lastTimings[stage] ?? 0, median: q(0.5), p95: q(0.95), n: s.length };
  }
  const fps = ((processed - processedAtLastReport) * 1000) / Math.max(1, now - lastReport);
  processedAtLastReport = processed;
  lastReport = now;
  post({ type: 'stats', stats: { fps, processed, dropped, skipped, idle: engine?.idle ?? false, timings } });
}

async function onFrame(bitmap: ImageBitmap, at: number): Promise<void> {
  const e = engine;
  if (!e) return;
  const now = performance.now();
  if (e.idle && !e.probe(thumbnail(bitmap), now)) {
    skipped++;
    return;
  }
  const t0 = performance.now();
  const frame = pixels(bitmap);
  const decode = performance.now() - t0;
  const result = await e.step(frame, now);
  processed++;
  record({ ...result.timings, decode });
  for (const ev of result.events) {
    switch (ev.type) {
      case 'face':
        post({ type: 'face', face: ev.face });
        break;
      case 'idle':
        post({ type: 'idle', idle: ev.idle });
        break;
      case 'evidence': {
        const jpeg = await snapshot(bitmap, ev.box);
        post(
          { type: 'evidence', trackId: ev.trackId, evidence: ev.evidence, box: ev.box, ...(jpeg && { snapshotJpeg: jpeg }), ...(ev.unknownEmbedding && { unknownEmbedding: ev.unknownEmbedding }) },
          jpeg ? [jpeg.buffer] : [],
        );
        break;
      }
      case 'task-progress':
        post({ type: 'progress', id: ev.id, problems: ev.problems });
        break;
      case 'task-done':
        if (ev.kind === 'capture') post({ type: 'reply', id: ev.id, kind: 'capture', ok: true, result: ev.result }, ev.result.ok ? [ev.result.embedding.buffer as ArrayBuffer] : []);
        else post({ type: 'reply', id: ev.id, kind: 'blink', ok: true, result: ev.result });
        break;
    }
  }
  post({ type: 'frame-done', at, faces: result.faces, primary: result.primary });
}

async function analyse(params: Requests['analyse']['params']): Promise<Requests['analyse']['result']> {
  const models = loadedModels;
  if (!models) throw new Error('vision models are not loaded');
  const frame = pixels(params.bitmap);
  const o = params.options;
  if (o.detectOnly) {
    const t0 = performance.now();
    const faces = await models.detect(frame);
    const detect = performance.now() - t0;
    return {
      faces: faces.map((d) => ({ box: d.box, score: d.score, landmarks: [], five: [], quality: { ok: false, reasons: [], metrics: emptyMetrics } })),
      timings: { detect, landmark: 0, quality: 0, liveness: 0, embed: 0, eyes: 0, total: detect },
      provider: models.provider,
    };
  }
  return analyseFrame(models, frame, { ...DEFAULT_PIPELINE, ...o });
}

/** Photos are decoded at most this large (longest side): plenty for a face, bounded memory. */
const MAX_PHOTO_SIDE = 2048;

/**
 * An encoded photo -> pixels, on a canvas of its own that is emptied straight away: the live
 * frame canvas never holds the photo, and nothing in the worker refers to it afterwards.
 */
async function decodePhoto(image: Blob): Promise<RgbaImage | null> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(image, { imageOrientation: 'from-image' });
  } catch {
    return null;
  }
  try {
    const scale = Math.min(1, MAX_PHOTO_SIDE / Math.max(bitmap.width, bitmap.height));
    const width = Math.max(1, Math.round(bitmap.width * scale));
    const height = Math.max(1, Math.round(bitmap.height * scale));
    const c = new OffscreenCanvas(width, height);
    const cx = c.getContext('2d', { willReadFrequently: true });
    if (!cx) throw new Error('no 2d context in the worker');
    cx.imageSmoothingQuality = 'high';
    cx.drawImage(bitmap, 0, 0, width, height);
    const data = cx.getImageData(0, 0, width, height).data;
    c.width = 0;
    c.height = 0;
    return { width, height, data };
  } finally {
    bitmap.close();
  }
}

async function embedPhotoRequest(e: VisionEngine, params: Requests['embedPhoto']['params']): Promise<Requests['embedPhoto']['result']> {
  const photo = await decodePhoto(params.image);
  if (!photo) return { ok: false, problems: ['unreadable'], faces: 0 };
  return e.embedPhoto(photo);
}

const emptyMetrics = { interEyePx: 0, yaw: 0, pitch: 0, rollDeg: 0, sharpness: 0, meanLuma: 0, lumaStd: 0, outside: 0 };


// ------------------------------------------------------------------------------------------
// Messages

const fail = (id: number, error: WorkerError): void => post({ type: 'reply', id, ok: false, error });

self.onmessage = (ev: MessageEvent<MainToWorker>) => {
  const msg = ev.data;
  switch (msg.type) {
    case 'init':
      if (initialised) return;
      initialised = true;
      chain = chain.then(() => init(msg.options));
      return;
    case 'frame':
      if (busy || !engine) {
        msg.bitmap.close();
        if (engine) dropped++;
        return;
      }
      busy = true;
      chain = chain
        .then(() => onFrame(msg.bitmap, msg.at))
        .catch((err: unknown) => console.warn('[vision] frame failed', err))
        .finally(() => {
          msg.bitmap.close();
          busy = false;
        });
      return;
    case 'setTemplates':
      chain = chain.then(() => engine?.setTemplates(msg.templates));
      return;
    case 'reset':
      chain = chain.then(() => engine?.reset());
      return;
    case 'cancel':
      cancelled.add(msg.id);
      engine?.cancelTask(msg.id);
      return;
    case 'request': {
      const { id } = msg;
      // Requests are queued behind the current work, never dropped.
      chain = chain.then(async () => {
        if (cancelled.delete(id)) {
          if (msg.kind === 'analyse') msg.params.bitmap.close();
          return fail(id, { code: 'cancelled', message: 'cancelled' });
        }
        if (!engine) {
          if (msg.kind === 'analyse') msg.params.bitmap.close();
          return fail(id, { code: 'not-ready', message: 'vision models are not loaded' });
        }
        try {
          if (msg.kind === 'analyse') {
            busy = true;
            try {
              post({ type: 'reply', id, kind: 'analyse', ok: true, result: await analyse(msg.params) });
            } finally {
              msg.params.bitmap.close();
              busy = false;
            }
          } else if (msg.kind === 'embedPhoto') {
            // Like analyse: frames that arrive meanwhile are dropped, not queued behind it.
            busy = true;
            try {
              const result = await embedPhotoRequest(engine, msg.params);
              post({ type: 'reply', id, kind: 'embedPhoto', ok: true, result }, result.ok ? [result.embedding.buffer as ArrayBuffer] : []);
            } finally {
              busy = false;
            }
          } else {
            // Tasks run on the live frames; their reply comes from onFrame.
            for (const e of engine.startTask(id, msg.kind, performance.now(), msg.params.timeoutMs)) if (e.type === 'idle') post({ type: 'idle', idle: e.idle });
          }
        } catch (err) {
          fail(id, { code: 'failed', message: errorText(err) });
        }
      });
      return;
    }
  }
};
