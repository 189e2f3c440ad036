import { alignFace } from './align.ts';
import { toGrey } from './image.ts';
import { fivePoints } from './landmarks.ts';
import type { FaceModels } from './models.ts';
import { assessQuality, DEFAULT_QUALITY, type QualityReport, type QualityThresholds } from './quality.ts';
import type { Box, Point, RgbaImage } from './types.ts';

/**
 * What the cheap models say about one detected face: its 68 landmarks, the five alignment
 * points, the aligned 112x112 crop and the quality gate's verdict. The door loop, the still-image
 * pipeline and photo enrolment all look at a face this way, so they refuse the same pictures.
 */
export interface FaceLook {
  readonly landmarks: readonly Point[];
  readonly five: readonly Point[];
  readonly aligned: RgbaImage;
  readonly quality: QualityReport;
}

/** Times a stage on the caller's clock; the default does not time at all. */
export type StageTimer = <R>(stage: 'landmark' | 'quality', f: () => Promise<R> | R) => Promise<R>;

const untimed: StageTimer = async (_stage, f) => f();

/** landmarks -> five points -> alignment -> quality gate, for the face in `box`. */
export async function lookAtFace(
  models: FaceModels,
  frame: RgbaImage,
  box: Box,
  thresholds: QualityThresholds = DEFAULT_QUALITY,
  timed: StageTimer = untimed,
): Promise<FaceLook> {
  const landmarks = await timed('landmark', () => models.landmarks(frame, box));
  return timed('quality', () => {
    const five = fivePoints(landmarks);
    const aligned = alignFace(frame, five);
    const quality = assessQuality({ box, frame, landmarks, alignedGrey: toGrey(aligned) }, thresholds);
    return { landmarks, five, aligned, quality };
  });
}
