import { DEFAULT_LOCKOUT } from '../lib/lockout.ts';
import { LIVENESS_POLICY, MATCH_AGREEMENT, MATCH_POLICY } from '../vision/thresholds.ts';
import type { Settings } from './types.ts';

/**
 * Starting thresholds, from the vision module's measured operating point (models/README.md):
 * match score and margin for the shipped recogniser, agreement over frames, and passive liveness
 * above which a face counts as live. Real faces were seen as low as 0.03 on passive liveness, so
 * only a near-zero score is called a spoof outright; everything between asks for a blink.
 */
export const DEFAULT_SETTINGS: Settings = {
  match: { minScore: MATCH_POLICY.threshold, uncertainBand: 0.08, minMargin: MATCH_POLICY.margin, minFrames: MATCH_AGREEMENT.need },
  liveness: { pass: LIVENESS_POLICY.pass, spoofBelow: 0.02 },
  risk: { stepUpAt: 0.5, denyAt: 0.9 },
  lockout: DEFAULT_LOCKOUT,
};
