import { DEFAULT_QUALITY, type QualityMetrics } from './quality.ts';

/**
 * The head poses guided enrolment asks for, checked on the yaw and pitch measured from the 68
 * landmarks (quality.ts `poseFromLandmarks`). Yaw grows as the head turns to the image's
 * right, which is the person's left on the panel's (unmirrored) camera. The landmark yaw of a
 * face looking straight at the camera reads up to about +-0.3 depending on the face (measured
 * on the face-api and shared photos, models/README.md), so "straight" is what the quality gate
 * accepts as frontal, and a turn is judged against the person's own straight capture rather than
 * against zero: about 0.015-0.02 per degree, so 0.15 is a turn of roughly 8-10 degrees.
 */

export type PoseWant = 'straight' | 'left' | 'right';

export type PoseTarget = { readonly want: 'straight' } | { readonly want: 'left' | 'right'; readonly fromYaw: number };

/** What the person should do to reach the pose (null: they are there). */
export type PoseProblem = 'look-straight' | 'turn-left' | 'turn-right' | 'turn-back';

export const POSE_LIMITS = {
  /** Straight: what the gate takes as frontal and level. */
  straightMaxYaw: DEFAULT_QUALITY.maxAbsYaw,
  straightPitch: DEFAULT_QUALITY.pitchRange,
  /** A turn: at least this much yaw away from the straight capture... */
  minTurn: 0.15,
  /** ...and not beyond this (towards a profile the landmarks and the embedding get unreliable). */
  maxYaw: 0.75,
} as const;

export function poseProblem(m: Pick<QualityMetrics, 'yaw' | 'pitch'>, target: PoseTarget): PoseProblem | null {
  const L = POSE_LIMITS;
  if (target.want === 'straight') {
    const level = m.pitch >= L.straightPitch[0] && m.pitch <= L.straightPitch[1];
    return Math.abs(m.yaw) <= L.straightMaxYaw && level ? null : 'look-straight';
  }
  if (Math.abs(m.yaw) > L.maxYaw) return 'turn-back';
  const turned = target.want === 'left' ? m.yaw - target.fromYaw : target.fromYaw - m.yaw;
  return turned >= L.minTurn ? null : target.want === 'left' ? 'turn-left' : 'turn-right';
}
