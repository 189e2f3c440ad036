/**
 * Worker start-up: weights fetched, the execution provider chosen once from the device's
 * capabilities, onnxruntime-web loaded for it and the sessions created. Everything that can go
 * wrong becomes a status the main thread can show, never an exception.
 */
import { FaceModels, MODEL_FILES, type FaceDetectorModel } from '../models.ts';
import type { DetectorChoice, InitOptions, Provider, WorkerToMain } from '../protocol.ts';
import { DEFAULT_DETECTOR, PROVIDERS } from '../protocol.ts';
import { ortRuntime, type InferenceRuntime, type OrtLike } from '../runtime.ts';
import { loadMediaPipeDetector, MEDIAPIPE_FILES } from './mediapipe.ts';

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

type Status = Extract<WorkerToMain, { type: 'status' }>;

export const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));

const resolveUrl = (path: string, base: string): URL => new URL(path, new URL(base, self.location.href));

export async function chooseProvider(wanted: readonly Provider[]): Promise<{ list: Provider[]; notes: string[] }> {
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

async function loadOrt(p: Provider, init: InitOptions, threads: number): Promise<OrtModule> {
  // Only the native WebGPU EP bundle runs every model (the JSEP bundles fail on fr_detect).
  const ort = (p === 'webgpu' ? await import('onnxruntime-web/webgpu') : await import('onnxruntime-web/wasm')) as unknown as OrtModule;
  ort.env.logLevel = 'error';
  ort.env.wasm.wasmPaths = new URL(init.wasmBase, self.location.href).href;
  ort.env.wasm.numThreads = threads;
  ort.env.wasm.proxy = false;
  return ort;
}

/** Fetches weight files; a 404, the dev server's HTML fallback or a stub counts as missing. */
export async function fetchWeights(base: string, files: readonly string[]): Promise<{ weights: Map<string, Uint8Array>; missing: string[] }> {
  const weights = new Map<string, Uint8Array>();
  const missing: string[] = [];
  for (const file of files) {
    try {
      const res = await fetch(resolveUrl(file, base));
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
    const res = await fetch(resolveUrl('ort-wasm-simd-threaded.mjs', wasmBase), { method: 'HEAD' });
    return res.ok && res.headers.get('cross-origin-embedder-policy') !== null;
  } catch {
    return false;
  }
}

export interface Loaded {
  readonly models: FaceModels;
  readonly provider: Provider;
  readonly threads: number;
  readonly notes: string[];
  /** Loads another detector on request (bench, golden tests); each is built once. */
  readonly detector: (choice: DetectorChoice) => Promise<FaceDetectorModel>;
}

export const detectorKey = (c: DetectorChoice): string => (c.kind === 'fr_detect' ? 'fr_detect' : `${c.kind}/${c.delegate ?? 'CPU'}`);

/** Builds detectors from the fetched weights; a MediaPipe one needs its .tflite fetched on first use. */
function detectorFactory(runtime: InferenceRuntime, options: InitOptions, weights: Map<string, Uint8Array>) {
  const built = new Map<string, Promise<FaceDetectorModel>>();
  const load = async (choice: DetectorChoice): Promise<FaceDetectorModel> => {
    if (choice.kind === 'fr_detect') return FaceModels.onnxDetector(runtime, async (f) => weights.get(f) ?? new Uint8Array());
    const variant = choice.kind === 'mediapipe-full' ? 'full' : 'short';
    const file = MEDIAPIPE_FILES[variant];
    if (!weights.has(file)) {
      const got = await fetchWeights(options.modelBase, [file]);
      if (got.missing.length) throw new Error(`model weights missing: ${file} (run: node scripts/provision-models.mjs)`);
      weights.set(file, got.weights.get(file)!);
    }
    return loadMediaPipeDetector(weights.get(file)!, variant, choice.delegate ?? 'CPU', options.mediapipeBase ?? '/mediapipe/');
  };
  return (choice: DetectorChoice): Promise<FaceDetectorModel> => {
    const key = detectorKey(choice);
    let p = built.get(key);
    if (!p) {
      p = load(choice);
      built.set(key, p);
      // A failed build may be tried again later.
      p.catch(() => built.delete(key));
    }
    return p;
  };
}

/** Loads the models; `report` hears the loading status and any failure. Null when it failed. */
export async function loadModels(options: InitOptions, report: (s: Status) => void): Promise<Loaded | null> {
  const notes: string[] = [];
  const cores = Math.max(1, Math.min(4, self.navigator.hardwareConcurrency || 1));
  const usable = await threadsUsable(options.wasmBase);
  const threads = usable ? (options.threads ?? cores) : 1;
  if (!usable && cores > 1) notes.push(self.crossOriginIsolated ? 'wasm threads off: /ort/ glue served without COEP' : 'wasm threads off: page not cross-origin isolated');
  report({ type: 'status', status: 'loading', provider: null, detail: notes.join('; '), threads });
  try {
    const { weights, missing } = await fetchWeights(options.modelBase, Object.values(MODEL_FILES));
    if (missing.length) {
      const message = `model weights missing: ${missing.join(', ')} (run: node scripts/provision-models.mjs)`;
      report({ type: 'status', status: 'models-missing', provider: null, detail: message, threads, error: { code: 'models-missing', message, files: missing } });
      return null;
    }
    const { list, notes: providerNotes } = await chooseProvider(options.providers ?? PROVIDERS);
    notes.push(...providerNotes);
    if (list.length === 0) throw new Error(`no usable execution provider (${notes.join('; ')})`);
    for (const provider of list) {
      try {
        const ort = await loadOrt(provider, options, threads);
        const runtime = ortRuntime(ort, provider);
        const detector = detectorFactory(runtime, options, weights);
        const live = await liveDetector(detector, options.detector ?? DEFAULT_DETECTOR, notes);
        // BlazeFace loses faces beyond about 1.5 m: fr_detect keeps counting them (tailgating).
        const census = live.name === 'fr_detect' ? undefined : await detector({ kind: 'fr_detect' });
        const models = await FaceModels.create(runtime, async (f) => weights.get(f) ?? new Uint8Array(), { detector: live, ...(census && { census }) });
        return { models, provider, threads, notes, detector };
      } catch (err) {
        notes.push(`${provider}: ${errorText(err)}`);
      }
    }
    throw new Error(`no execution provider could load the models (${notes.join('; ')})`);
  } catch (err) {
    const message = errorText(err);
    report({ type: 'status', status: 'error', provider: null, detail: message, threads, error: { code: 'failed', message } });
    return null;
  }
}

/** The chosen detector, or fr_detect when it cannot start (the reason goes into the status). */
async function liveDetector(detector: (c: DetectorChoice) => Promise<FaceDetectorModel>, choice: DetectorChoice, notes: string[]): Promise<FaceDetectorModel> {
  if (choice.kind === 'fr_detect') return detector(choice);
  try {
    return await detector(choice);
  } catch (err) {
    notes.push(`${detectorKey(choice)}: ${errorText(err)}; detecting with fr_detect`);
    return detector({ kind: 'fr_detect' });
  }
}
