import { lookAtFace } from './look.ts';
import type { TemplateIndex, PersonScore } from './matcher.ts';
import type { FaceModels } from './models.ts';
import { DEFAULT_QUALITY, qualityScore, type QualityReason, type QualityThresholds } from './quality.ts';
import { MATCH_POLICY } from './thresholds.ts';
import { rankFaces } from './tracker.ts';
import { boxWidth, type Box, type RgbaImage } from './types.ts';

/**
 * Enrolment from a still photo (taken on an admin's phone): the one clearly largest face is
 * gated, aligned and embedded. Pure over the injected models; the caller decodes the image and
 * drops it afterwards (nothing here keeps a reference to the pixels).
 *
 * Several faces: a photo is only accepted when its largest face is clearly the subject, i.e.
 * every other face is narrower than `SEVERAL_FACES_RATIO` of it (a passer-by in the background,
 * a face on a poster). Two faces of similar size give 'several-faces' and nothing is enrolled:
 * guessing between two people would enrol the wrong one half the time, and a wrong template is
 * a door opened for someone else. The admin crops the photo or takes another.
 */

export type PhotoProblem = QualityReason | 'no-face' | 'several-faces' | 'unreadable';

export type PhotoResult =
  | {
      readonly ok: true;
      readonly embedding: Float32Array;
      /** 0..1, see qualityScore (quality.ts). */
      readonly quality: number;
      /** Passive liveness of the face in the photo (informative only: a photo of a photo scores low). */
      readonly liveness: number;
      /** The face already matches this enrolled person at the operating threshold. */
      readonly alreadyEnrolledAs: PersonScore | null;
      /** The face that was used, in the decoded image's pixels. */
      readonly box: Box;
      /** A 96 px JPEG of that face, added by the worker: the person's thumbnail. */
      readonly thumbnailJpeg?: Uint8Array;
      readonly faces: number;
      readonly width: number;
      readonly height: number;
    }
  | { readonly ok: false; readonly problems: readonly PhotoProblem[]; readonly faces: number };

/** A second face at least this wide (relative to the largest) makes the photo ambiguous. */
export const SEVERAL_FACES_RATIO = 0.7;

export async function embedPhoto(
  models: FaceModels,
  frame: RgbaImage,
  index: TemplateIndex | null,
  t: QualityThresholds = DEFAULT_QUALITY,
): Promise<PhotoResult> {
  const faces = rankFaces(await models.detect(frame), frame);
  const first = faces[0];
  if (!first) return { ok: false, problems: ['no-face'], faces: 0 };
  // rankFaces puts near-equal faces (within 10 % of area) in centre order, so look at widths.
  const widest = Math.max(...faces.map((f) => boxWidth(f.box)));
  const subject = faces.find((f) => boxWidth(f.box) === widest) ?? first;
  const rival = faces.some((f) => f !== subject && boxWidth(f.box) >= SEVERAL_FACES_RATIO * widest);
  if (rival) return { ok: false, problems: ['several-faces'], faces: faces.length };

  const { aligned, quality } = await lookAtFace(models, frame, subject.box, t);
  if (!quality.ok) return { ok: false, problems: [...quality.reasons], faces: faces.length };

  const embedding = await models.embedAligned(aligned);
  const liveness = await models.liveness(frame, subject.box);
  const top = index && index.size > 0 ? (index.scores(embedding, 1)[0] ?? null) : null;
  return {
    ok: true,
    embedding,
    quality: qualityScore(quality, t),
    liveness,
    alreadyEnrolledAs: top && top.score >= MATCH_POLICY.threshold ? top : null,
    box: subject.box,
    faces: faces.length,
    width: frame.width,
    height: frame.height,
  };
}

/** What an admin is told for each problem (phone or panel), in the words the kiosk coaches with. */
export const PHOTO_PROBLEM_TEXT: Record<PhotoProblem, string> = {
  'no-face': 'No face found in the photo.',
  'several-faces': 'Several faces of similar size: take a photo of this person alone.',
  unreadable: 'The photo could not be read.',
  'too-small': 'The face is too small: take the photo closer.',
  'cut-off': 'The face is cut off at the edge of the photo.',
  turned: 'The face is turned away: take it from the front.',
  'tilted-up-down': 'The head is tilted up or down: keep it level.',
  rolled: 'The head is tilted sideways: keep it upright.',
  blurry: 'The photo is blurry: hold the phone still.',
  'too-dark': 'The photo is too dark.',
  'too-bright': 'The photo is too bright.',
  'flat-light': 'The light is too flat: face the light.',
};

/** One line for the admin: every problem, in order. */
export const photoProblemText = (problems: readonly PhotoProblem[]): string => problems.map((p) => PHOTO_PROBLEM_TEXT[p] ?? p).join(' ');
