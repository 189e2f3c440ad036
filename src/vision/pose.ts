import { DEFAULT_QUALITY, type QualityMetrics } from './quality.ts';

/**
 * The head poses guided enrolment asks for, checked on the yaw and pitch measured from the 68
 * landmarks (quality.ts `poseFromLandmarks`). Yaw grows as the head turns to the image's
 * right, which is the person's left on the panel's (unmirrored) camera; about 0.015-0.02 per
 * degree. Measured on the face-api and shared photos against a head-pose model (fr_pose, not
 * shipped): faces within 6 degrees of frontal read |yaw| <= 0.15, faces turned 14-17 degrees
 * read 0.32-0.37. So "straight" is |yaw| <= 0.2, and a turn is judged against the person's own
 * straight capture (faces differ), at least 0.15 (8-10 degrees) further in the asked direction.
 */
export type PoseWant = 'straight' | 'left' | 'right';

export type PoseTarget = { readonly want: 'straight' } | { readonly want: 'left' | 'right'; readonly fromYaw: number };

/** What the person should do to reach the pose (null: they are there). */
export type PoseProblem = 'look-straight' | 'turn-left' | 'turn-right' | 'turn-back';

export const POSE_LIMITS = {
  /** Straight: within about 10 degrees of frontal, and level as the gate wants it. */
  straightMaxYaw: 0.2,
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
