/**
 * Every message between the main thread (bridge.ts) and the vision worker, as two unions. Only
 * structured-cloneable data; frames travel as transferred ImageBitmaps and are closed by the
 * worker. This file is type-only, shared by both runtimes (DOM and WebWorker libs).
 */
import type { FaceEvidence } from './evidence.ts';
import type { BlinkResult, CaptureOptions, CaptureProblem, CaptureResult, FaceEvent, PrimaryFace, Stage, TemplateSet } from './engine.ts';
import type { PhotoResult } from './photo.ts';
import type { FrameAnalysis, PipelineOptions } from './pipeline.ts';
import type { Box } from './types.ts';

export type Provider = 'webgpu' | 'wasm';
export const PROVIDERS: readonly Provider[] = ['webgpu', 'wasm'];

export type VisionStatus = 'loading' | 'ready' | 'models-missing' | 'error';

/** Face detectors the worker can run: fr_detect (ONNX) or MediaPipe Tasks' BlazeFace. */
export type DetectorKind = 'fr_detect' | 'mediapipe-full' | 'mediapipe-short';
export const DETECTORS: readonly DetectorKind[] = ['fr_detect', 'mediapipe-full', 'mediapipe-short'];

export interface DetectorChoice {
  readonly kind: DetectorKind;
  /** MediaPipe only: XNNPACK on the CPU or the WebGL GPU delegate. */
  readonly delegate?: 'CPU' | 'GPU';
}

/**
 * The live path's detector, chosen by `npm run bench:detectors` (figures in models/README.md):
 * MediaPipe full range on the CPU finds every face fr_detect finds, at door distances and in
 * groups, in a fraction of the time. fr_detect stays loaded as the fallback when MediaPipe
 * cannot start.
 */
export const DEFAULT_DETECTOR: DetectorChoice = { kind: 'mediapipe-full', delegate: 'CPU' };

export interface InitOptions {
  /** Where the weights are served (`/models/`). */
  readonly modelBase: string;
  /** Where onnxruntime-web's .wasm/.mjs are served (`/ort/`). */
  readonly wasmBase: string;
  /** Ordered preference; the first one the device supports is used. Default: webgpu, wasm. */
  readonly providers?: readonly Provider[];
  /** WASM threads; default: hardwareConcurrency (max 4) when cross-origin isolated, else 1. */
  readonly threads?: number;
  /** How often the worker reports stats (ms). */
  readonly statsEveryMs?: number;
  /** The live path's face detector; default DEFAULT_DETECTOR, fr_detect when it cannot start. */
  readonly detector?: DetectorChoice;
  /** Where @mediapipe/tasks-vision's wasm is served (`/mediapipe/`). */
  readonly mediapipeBase?: string;
}

export interface StageStats {
  readonly last: number;
  readonly median: number;
  readonly p95: number;
  readonly n: number;
}

export interface VisionStats {
  /** Frames fully processed per second over the last report period. */
  readonly fps: number;
  readonly processed: number;
  /** Frames the worker dropped because it was busy (back-pressure), since start. */
  readonly dropped: number;
  /** Idle frames skipped after the motion check, since start. */
  readonly skipped: number;
  readonly idle: boolean;
  readonly timings: Partial<Record<Stage, StageStats>>;
  /** Requests to other origins that the worker refused (a library phoning home), since start. */
  readonly blocked?: number;
}

export interface AnalyseOptions extends Partial<Omit<PipelineOptions, 'detect' | 'quality'>> {
  /** Only run the detector (bench: detection fps). */
  readonly detectOnly?: boolean;
  /** Detect with this one instead of the live path's (bench, golden tests); loaded on first use. */
  readonly detector?: DetectorChoice;
}

/** Request kinds with their parameters and results: one table, so bridge and worker agree. */
export interface Requests {
  /** A still image through the pipeline (tests, eval). Faces carry embeddings when analysed. */
  analyse: { params: { bitmap: ImageBitmap; options: AnalyseOptions }; result: FrameAnalysis };
  /** Enrolment: the next good face's embedding, or what is wrong with the picture. */
  capture: { params: { timeoutMs: number; options?: CaptureOptions }; result: CaptureResult };
  /** Active liveness: a blink by the primary face within the time. */
  blink: { params: { timeoutMs: number }; result: BlinkResult };
  /**
   * Enrolment from a photo: the encoded image (JPEG, PNG, WebP...) is decoded in the worker, its
   * clearly largest face embedded, and the pixels dropped. Queued like the other requests.
   */
  embedPhoto: { params: { image: Blob }; result: PhotoResult };
}
export type RequestKind = keyof Requests;

export type MainToWorker =
  | { readonly type: 'init'; readonly options: InitOptions }
  | { readonly type: 'frame'; readonly bitmap: ImageBitmap; readonly at: number }
  | { readonly type: 'setTemplates'; readonly templates: readonly TemplateSet[] }
  | { readonly [K in RequestKind]: { readonly type: 'request'; readonly id: number; readonly kind: K; readonly params: Requests[K]['params'] } }[RequestKind]
  | { readonly type: 'cancel'; readonly id: number }
  | { readonly type: 'reset' };

export type WorkerError =
  | { readonly code: 'models-missing'; readonly message: string; readonly files: readonly string[] }
  | { readonly code: 'not-ready'; readonly message: string }
  | { readonly code: 'cancelled'; readonly message: string }
  | { readonly code: 'failed'; readonly message: string };

export type WorkerToMain =
  | {
      readonly type: 'status';
      readonly status: VisionStatus;
      readonly provider: Provider | null;
      /** Why the preferred provider was not used, or what failed. */
      readonly detail: string;
      readonly threads: number;
      /** The face detector the live path runs, e.g. 'mediapipe-full/CPU' or 'fr_detect'. */
      readonly detector?: string;
      readonly error?: WorkerError;
    }
  | { readonly type: 'face'; readonly face: FaceEvent }
  | {
      readonly type: 'evidence';
      readonly trackId: number;
      readonly evidence: FaceEvidence;
      readonly box: Box;
      readonly snapshotJpeg?: Uint8Array;
      readonly unknownEmbedding?: Float32Array;
    }
  | { readonly type: 'idle'; readonly idle: boolean }
  | { readonly type: 'stats'; readonly stats: VisionStats }
  /** Per processed frame: what an overlay draws. */
  | {
      readonly type: 'frame-done';
      readonly at: number;
      readonly faces: number;
      readonly primary: PrimaryFace | null;
      /** This frame's stage times (ms), for the door bench's breakdown and the overlay. */
      readonly timings?: Partial<Record<Stage, number>>;
    }
  /** A frame the worker did not analyse (busy with a request, or idle and nothing moved): the next may come. */
  | { readonly type: 'frame-dropped'; readonly at: number }
  | { readonly type: 'progress'; readonly id: number; readonly problems: readonly CaptureProblem[] }
  | { readonly [K in RequestKind]: { readonly type: 'reply'; readonly id: number; readonly kind: K; readonly ok: true; readonly result: Requests[K]['result'] } }[RequestKind]
  | { readonly type: 'reply'; readonly id: number; readonly ok: false; readonly error: WorkerError };
