import type { AttemptInput, RiskAssessment, RiskReason } from './types.ts';

/**
 * Adaptive authentication: turns a risk score and the match confidence into what the door asks
 * for. The knobs live in settings; every outcome names the rule that produced it for the log.
 * This advises the access policy (which stays the authority); it never loosens a static rule.
 */
export type StepUpFactor = 'pin' | 'activeLiveness' | 'face';

export type AdaptiveAction =
  | { readonly kind: 'open' }
  | { readonly kind: 'stepUp'; readonly factor: StepUpFactor }
  | { readonly kind: 'refuse' };

export type AdaptiveRule = 'exitOrRemote' | 'lowRisk' | 'coldStart' | 'elevatedRisk' | 'uncertainMatch' | 'highRisk';

export interface AdaptiveDecision {
  readonly action: AdaptiveAction;
  readonly rule: AdaptiveRule;
  /** Tell the admins now (a refusal always does; some step-ups do). */
  readonly alert: boolean;
}

export interface AdaptiveKnobs {
  readonly stepUpAt: number;
  readonly refuseAt: number;
  /** Risk from which an attempt alerts the admins even if it is only stepped up. */
  readonly alertAt: number;
  /** A face match at least this good is confident enough for hands-free entry at low risk. */
  readonly handsFreeMatch: number;
  /** Below handsFreeMatch, this much risk is already enough to ask for a second factor. */
  readonly uncertainMatchStepUpAt: number;
  /** Reasons that a PIN does not answer (a photo can be shown with a stolen PIN): ask for a live move. */
  readonly livenessReasons: readonly RiskReason[];
  /** What to ask of each credential when stepping up. */
  readonly stepUpFactor: Readonly<Record<'face' | 'pin' | 'guestKey', StepUpFactor>>;
}

export const DEFAULT_ADAPTIVE_KNOBS: AdaptiveKnobs = {
  stepUpAt: 0.5,
  refuseAt: 0.9,
  alertAt: 0.8,
  handsFreeMatch: 0.75,
  uncertainMatchStepUpAt: 0.3,
  livenessReasons: ['recentSpoof'],
  stepUpFactor: { face: 'pin', pin: 'face', guestKey: 'pin' },
};

export function adapt(input: AttemptInput, risk: RiskAssessment, knobs: AdaptiveKnobs): AdaptiveDecision {
  const credential = input.credential;
  if (credential === 'exitButton' || credential === 'remote') return { action: { kind: 'open' }, rule: 'exitOrRemote', alert: false };
  const score = Number.isFinite(risk.score) ? risk.score : 1;
  if (score >= knobs.refuseAt) return { action: { kind: 'refuse' }, rule: 'highRisk', alert: true };
  const alert = score >= knobs.alertAt;
  const factor = (): StepUpFactor => {
    if (credential === 'face' && risk.reasons.some((r) => knobs.livenessReasons.includes(r))) return 'activeLiveness';
    return knobs.stepUpFactor[credential];
  };
  if (score >= knobs.stepUpAt) return { action: { kind: 'stepUp', factor: factor() }, rule: 'elevatedRisk', alert };
  const uncertain = input.credential === 'face' && (input.matchScore ?? 0) < knobs.handsFreeMatch;
  if (uncertain && score >= knobs.uncertainMatchStepUpAt) return { action: { kind: 'stepUp', factor: factor() }, rule: 'uncertainMatch', alert };
  return { action: { kind: 'open' }, rule: risk.reasons.includes('coldStart') ? 'coldStart' : 'lowRisk', alert };
}

/** The access layer's RiskHint: what `decide(input, now)` takes. */
export function toRiskHint(risk: RiskAssessment): { score: number; reasons: string[] } {
  return { score: risk.score, reasons: [...risk.reasons] };
}
