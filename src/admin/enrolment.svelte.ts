import type { VisionSession } from '../vision/vision-session.svelte.ts';
import type { CaptureProblem } from '../vision/engine.ts';
import type { PeopleAdmin } from './people-admin.svelte.ts';

/**
 * Guided enrolment at the panel: three captures (straight, a little left, a little right), each
 * only when the quality gate passes, with live feedback. Several templates per person make the
 * match robust to pose. A face that already matches someone else stops the enrolment.
 */
export const ENROL_STEPS = [
  { id: 'straight', say: 'Look straight at the camera' },
  { id: 'left', say: 'Turn your head a little to the left' },
  { id: 'right', say: 'Turn your head a little to the right' },
] as const;

const PROBLEM_TEXT: Record<CaptureProblem, string> = {
  'no-face': 'No face in view: step in front of the camera.',
  'timed-out': 'Could not get a good picture in time.',
  'too-small': 'Come closer.',
  'cut-off': 'Move into the middle of the picture.',
  turned: 'Turn a little less.',
  'tilted-up-down': 'Keep your head level.',
  rolled: 'Keep your head upright.',
  blurry: 'Hold still.',
  'too-dark': 'It is too dark: more light, please.',
  'too-bright': 'Too much light on you.',
  'flat-light': 'The light is too flat: face the light.',
};

export const problemText = (p: string): string => PROBLEM_TEXT[p as CaptureProblem] ?? p;

export type EnrolState =
  | { readonly kind: 'idle' }
  | { readonly kind: 'capturing'; readonly step: number; readonly hint: string }
  | { readonly kind: 'done'; readonly templates: number }
  | { readonly kind: 'failed'; readonly message: string };

export class Enrolment {
  #state = $state<EnrolState>({ kind: 'idle' });
  #abort: AbortController | null = null;
  readonly #vision: VisionSession;
  readonly #people: PeopleAdmin;

  constructor(vision: VisionSession, people: PeopleAdmin) {
    this.#vision = vision;
    this.#people = people;
  }

  get state(): EnrolState {
    return this.#state;
  }

  async run(personId: string, nameOf: (id: string) => string): Promise<void> {
    this.cancel();
    const abort = new AbortController();
    this.#abort = abort;
    if (this.#vision.status !== 'ready') {
      this.#state = { kind: 'failed', message: this.#vision.status === 'models-missing' ? 'Face models are missing on this panel.' : 'The camera or face models are not ready.' };
      return;
    }
    let saved = 0;
    for (let step = 0; step < ENROL_STEPS.length; step++) {
      this.#state = { kind: 'capturing', step, hint: '' };
      let result;
      try {
        result = await this.#vision.captureTemplate(abort.signal, (problems) => {
          this.#state = { kind: 'capturing', step, hint: problems.map(problemText).join(' ') };
        }, 8_000);
      } catch {
        if (abort.signal.aborted) return;
        this.#state = { kind: 'failed', message: 'The capture stopped unexpectedly.' };
        return;
      }
      if (!result.ok) {
        this.#state = { kind: 'failed', message: result.problems.map(problemText).join(' ') || 'No usable picture.' };
        return;
      }
      if (result.alreadyEnrolledAs && result.alreadyEnrolledAs.personId !== personId) {
        this.#state = { kind: 'failed', message: `This face is already enrolled as ${nameOf(result.alreadyEnrolledAs.personId)}. Nothing was saved for this step.` };
        return;
      }
      await this.#people.addTemplate(personId, result.embedding, result.quality);
      saved++;
    }
    this.#state = { kind: 'done', templates: saved };
  }

  cancel(): void {
    this.#abort?.abort();
    this.#abort = null;
    if (this.#state.kind === 'capturing') this.#state = { kind: 'idle' };
  }
}
