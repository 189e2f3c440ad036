import type { PoseProblem } from './pose.ts';
import type { QualityReason } from './quality.ts';

/**
 * What to tell a person whose face the camera cannot use yet: one thing to do, in the words a
 * visitor at the door or someone enrolling can act on. Most actionable first: being in the
 * picture and close enough comes before angle, angle before light, light before holding still.
 */
export type CoachingProblem = QualityReason | PoseProblem | 'no-face' | 'timed-out';

const ORDER: readonly CoachingProblem[] = [
  'no-face',
  'cut-off',
  'too-small',
  'turn-back',
  'look-straight',
  'turned',
  'turn-left',
  'turn-right',
  'tilted-up-down',
  'rolled',
  'too-dark',
  'too-bright',
  'flat-light',
  'blurry',
  'timed-out',
];

export const COACHING_TEXT: Record<CoachingProblem, string> = {
  'no-face': 'Step in front of the camera.',
  'cut-off': 'Move into the middle of the picture.',
  'too-small': 'Come closer.',
  turned: 'Face the camera.',
  'look-straight': 'Look straight at the camera.',
  'turn-left': 'Turn your head a little more to your left.',
  'turn-right': 'Turn your head a little more to your right.',
  'turn-back': 'Not so far: turn back a little.',
  'tilted-up-down': 'Keep your head level.',
  rolled: 'Hold your head upright.',
  'too-dark': 'More light, please: face a light.',
  'too-bright': 'Too bright: step out of the direct light.',
  'flat-light': 'Face the light.',
  blurry: 'Hold still.',
  'timed-out': 'No usable picture in time: try again.',
};

/** The most useful problem first, then the rest in order. */
export function rankProblems<P extends CoachingProblem>(problems: readonly P[]): P[] {
  return [...new Set(problems)].sort((a, b) => ORDER.indexOf(a) - ORDER.indexOf(b));
}

/** The one instruction to show, or null when there is nothing to fix. */
export function coachingText(problems: readonly CoachingProblem[]): string | null {
  const first = rankProblems(problems)[0];
  return first ? COACHING_TEXT[first] : null;
}
