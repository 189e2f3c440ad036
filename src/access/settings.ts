import { DEFAULT_LOCKOUT } from '../lib/lockout.ts';
import type { Settings } from './types.ts';

/**
 * Starting thresholds. Match scores are cosine similarities on the matcher's 0..1 scale; the
 * vision module's evaluation should retune minScore and minMargin for the model it ships.
 */
export const DEFAULT_SETTINGS: Settings = {
  match: { minScore: 0.62, uncertainBand: 0.08, minMargin: 0.08, minFrames: 3 },
  liveness: { pass: 0.8, spoofBelow: 0.4 },
  risk: { stepUpAt: 0.5, denyAt: 0.9 },
  lockout: DEFAULT_LOCKOUT,
};
