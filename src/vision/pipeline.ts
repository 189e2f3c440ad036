import { DEFAULT_DETECT, type DetectOptions } from './detect.ts';
import { lookAtFace } from './look.ts';
import type { FaceModels } from './models.ts';
import { DEFAULT_QUALITY, type QualityReport, type QualityThresholds } from './quality.ts';
import { rankFaces } from './tracker.ts';
import type { Box, Point, RgbaImage } from './types.ts';

export interface FaceAnalysis {
  readonly box: Box;
  readonly score: number;
  readonly landmarks: readonly Point[];
  readonly five: readonly Point[];
  readonly quality: QualityReport;
  /** Present only for faces that passed the quality gate (or when the gate is off). */
  readonly liveness?: number;
  readonly embedding?: Float32Array;
  readonly eyes?: { readonly left: number; readonly right: number };
}

export interface StageTimings {
  detect: number;
  landmark: number;
  quality: number;
  liveness: number;
  embed: number;
  eyes: number;
  total: number;
}

export interface FrameAnalysis {
  readonly faces: readonly FaceAnalysis[];
  readonly timings: StageTimings;
  readonly provider: string;
  /** Which face detector found the faces ('fr_detect', 'mediapipe-full/CPU', ...). */
  readonly detector: string;
}

export interface PipelineOptions {
  readonly detect: DetectOptions;
  readonly quality: QualityThresholds;
  /** Faces (largest first) that get landmarks and the gate; the door cares about the nearest one or two. */
  readonly maxAnalysed: number;
  /** Run liveness and embedding even on faces that fail the gate (enrolment review, evaluation). */
  readonly ignoreQuality: boolean;
  readonly liveness: boolean;
  readonly embed: boolean;
  readonly eyes: boolean;
}

export const DEFAULT_PIPELINE: PipelineOptions = {
  detect: DEFAULT_DETECT,
  quality: DEFAULT_QUALITY,
  maxAnalysed: 1,
  ignoreQuality: false,
  liveness: true,
  embed: true,
  eyes: false,
};

/**
 * image -> faces, each stage timed on the injected clock. The expensive models (liveness,
 * embedding) only see faces that pass the cheap quality gate.
 */
export async function analyseFrame(
  models: FaceModels,
  frame: RgbaImage,
  opts: Partial<PipelineOptions> = {},
  now: () => number = () => performance.now(),
): Promise<FrameAnalysis> {
  const o = { ...DEFAULT_PIPELINE, ...opts };
  const timings: StageTimings = { detect: 0, landmark: 0, quality: 0, liveness: 0, embed: 0, eyes: 0, total: 0 };
  const start = now();
  const timed = async <R>(stage: Exclude<keyof StageTimings, 'total'>, f: () => Promise<R> | R): Promise<R> => {
    const t0 = now();
    try {
      return await f();
    } finally {
      timings[stage] += now() - t0;
    }
  };

  const detections = rankFaces(await timed('detect', () => models.detect(frame, o.detect)), frame);
  const faces: FaceAnalysis[] = [];
  for (const det of detections.slice(0, o.maxAnalysed)) {
    const { landmarks, five, aligned, quality } = await lookAtFace(models, frame, det.box, o.quality, timed);
    const go = quality.ok || o.ignoreQuality;
    const liveness = go && o.liveness ? await timed('liveness', () => models.liveness(frame, det.box)) : undefined;
    const embedding = go && o.embed ? await timed('embed', () => models.embedAligned(aligned)) : undefined;
    const eyes = go && o.eyes ? await timed('eyes', () => models.eyes(frame, landmarks)) : undefined;
    faces.push({
      box: det.box,
      score: det.score,
      landmarks,
      five,
      quality,
      ...(liveness !== undefined && { liveness }),
      ...(embedding !== undefined && { embedding }),
      ...(eyes !== undefined && { eyes }),
    });
  }
  timings.total = now() - start;
  return { faces, timings, provider: models.provider, detector: models.detectorName };
}
