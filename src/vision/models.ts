import { alignFace } from './align.ts';
import { decodeDetections, DEFAULT_DETECT, detectorInput, type DetectOptions, type Detection } from './detect.ts';
import { embeddingInput, l2Normalize } from './embedding.ts';
import { eyeBoxes, eyeInput, eyeOpenProbability } from './eyes.ts';
import { decodeLandmarks, landmarkCropBox, landmarkInput } from './landmarks.ts';
import { liveProbability, livenessInput } from './liveness.ts';
import type { InferenceRuntime, ModelSession, TensorData } from './runtime.ts';
import type { Box, Point, RgbaImage } from './types.ts';

/** Weight file per model, as named in models/manifest.json and served at /models/<file>. */
export const MODEL_FILES = {
  detect: 'fr_detect.onnx',
  landmark: 'fr_landmark.onnx',
  liveness: 'fr_liveness.onnx',
  feature: 'fr_feature.onnx',
  eye: 'fr_eye.onnx',
} as const;

export type ModelId = keyof typeof MODEL_FILES;

/** Fetches a weight file's bytes (fs in Node, the integrity-checked cache in the browser). */
export type WeightLoader = (file: string) => Promise<Uint8Array | string>;

/**
 * One session per model, each run one at a time: ORT sessions must not be entered twice, and a
 * chain per session keeps a slow call from being overtaken. Errors do not poison the chain.
 */
class SerialSession {
  #tail: Promise<unknown> = Promise.resolve();
  constructor(readonly session: ModelSession) {}

  run(feeds: Record<string, TensorData>): Promise<Record<string, TensorData>> {
    const next = this.#tail.then(() => this.session.run(feeds));
    this.#tail = next.catch(() => undefined);
    return next;
  }
}

function output(out: Record<string, TensorData>, name: string): Float32Array {
  const t = out[name];
  if (!t) throw new Error(`model output "${name}" missing (got ${Object.keys(out).join(', ')})`);
  return t.data;
}

/**
 * Finds faces in a frame: fr_detect on the inference runtime, or MediaPipe's FaceDetector in
 * the worker (mediapipe.ts). Boxes are in frame pixels, on fr_detect's box convention.
 */
export interface FaceDetectorModel {
  /** For timings, the admin page and the bench: 'fr_detect', 'mediapipe-full/CPU', ... */
  readonly name: string;
  detect(frame: RgbaImage, opts?: DetectOptions): Promise<Detection[]>;
  release(): Promise<void> | void;
}

class OnnxDetector implements FaceDetectorModel {
  readonly name = 'fr_detect';
  constructor(readonly session: SerialSession) {}

  async detect(frame: RgbaImage, opts: DetectOptions = DEFAULT_DETECT): Promise<Detection[]> {
    const { data, letterbox } = detectorInput(frame);
    const out = await this.session.run({ input: { data, dims: [1, 3, 240, 320] } });
    return decodeDetections(output(out, 'scores'), output(out, 'boxes'), frame, opts, letterbox);
  }

  release(): Promise<void> {
    return this.session.session.release();
  }
}

export interface CreateOptions {
  /** Detect with this instead of fr_detect (whose weights are then not loaded unless `census` is it). */
  readonly detector?: FaceDetectorModel;
  /** A second detector that only counts faces (one that sees further than `detector`), for tailgating. */
  readonly census?: FaceDetectorModel;
}

/** The faceplugin models (and a face detector) behind one typed surface; built by `FaceModels.create`. */
export class FaceModels {
  readonly provider: string;
  readonly #s: Record<Exclude<ModelId, 'detect'>, SerialSession>;
  readonly #detector: FaceDetectorModel;
  readonly #census: FaceDetectorModel | null;

  private constructor(provider: string, sessions: Record<Exclude<ModelId, 'detect'>, SerialSession>, detector: FaceDetectorModel, census: FaceDetectorModel | null) {
    this.provider = provider;
    this.#s = sessions;
    this.#detector = detector;
    this.#census = census;
  }

  static async create(runtime: InferenceRuntime, load: WeightLoader, options: CreateOptions = {}): Promise<FaceModels> {
    const ids = (Object.keys(MODEL_FILES) as ModelId[]).filter((id) => id !== 'detect' || !options.detector);
    // One at a time: parallel compiles only compete for the same cores and spike memory.
    const sessions: Partial<Record<ModelId, SerialSession>> = {};
    for (const id of ids) {
      const bytes = await load(MODEL_FILES[id]);
      try {
        sessions[id] = new SerialSession(await runtime.createSession(bytes));
      } catch (err) {
        throw new Error(`cannot load ${MODEL_FILES[id]} on ${runtime.provider}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
      }
    }
    const { detect, ...rest } = sessions as Record<ModelId, SerialSession>;
    return new FaceModels(runtime.provider, rest, options.detector ?? new OnnxDetector(detect), options.census ?? null);
  }

  /** fr_detect on `runtime` alone, e.g. as the fallback or beside another detector in the bench. */
  static async onnxDetector(runtime: InferenceRuntime, load: WeightLoader): Promise<FaceDetectorModel> {
    return new OnnxDetector(new SerialSession(await runtime.createSession(await load(MODEL_FILES.detect))));
  }

  /** The same loaded models with another face detector (the bench compares detectors this way). */
  withDetector(detector: FaceDetectorModel): FaceModels {
    return new FaceModels(this.provider, this.#s, detector, null);
  }

  get detectorName(): string {
    return this.#detector.name;
  }

  get hasCensus(): boolean {
    return this.#census !== null;
  }

  /** The census detector's faces (the live detector's when there is no census). */
  census(frame: RgbaImage): Promise<Detection[]> {
    return (this.#census ?? this.#detector).detect(frame);
  }

  detect(frame: RgbaImage, opts?: DetectOptions): Promise<Detection[]> {
    return this.#detector.detect(frame, opts);
  }

  async landmarks(frame: RgbaImage, face: Box): Promise<Point[]> {
    const crop = landmarkCropBox(face);
    const out = await this.#s.landmark.run({ input: { data: landmarkInput(frame, crop), dims: [1, 1, 64, 64] } });
    return decodeLandmarks(output(out, 'output'), crop);
  }

  /** Probability of a live face (see LIVE_CLASS). */
  async liveness(frame: RgbaImage, face: Box): Promise<number> {
    const out = await this.#s.liveness.run({ input: { data: livenessInput(frame, face), dims: [1, 3, 128, 128] } });
    return liveProbability(output(out, 'output'));
  }

  /** Unit-length embedding of an already aligned 112x112 face. */
  async embedAligned(aligned: RgbaImage): Promise<Float32Array> {
    const out = await this.#s.feature.run({ input: { data: embeddingInput(aligned), dims: [1, 3, 112, 112] } });
    return l2Normalize(output(out, 'output'));
  }

  async embed(frame: RgbaImage, five: readonly Point[]): Promise<Float32Array> {
    return this.embedAligned(alignFace(frame, five));
  }

  /** Open-probability of each eye, for the blink check. */
  async eyes(frame: RgbaImage, landmarks: readonly Point[]): Promise<{ left: number; right: number }> {
    const boxes = eyeBoxes(landmarks);
    const run = async (b: Box): Promise<number> => {
      const out = await this.#s.eye.run({ input: { data: eyeInput(frame, b), dims: [1, 1, 24, 24] } });
      return eyeOpenProbability(output(out, 'output'));
    };
    return { left: await run(boxes.left), right: await run(boxes.right) };
  }

  async release(): Promise<void> {
    await this.#detector.release();
    await this.#census?.release();
    for (const s of Object.values(this.#s)) await s.session.release();
  }
}
