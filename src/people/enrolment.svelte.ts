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

/**
 * One capture of the face in front of the panel for `personId` (who may not exist yet), with the
 * quality hints passed on as they come. Shared by enrolment in the admin area and a guest's
 * self check-in, so both refuse the same bad pictures and a face that belongs to someone else.
 */
export async function captureFaceFor(
  vision: VisionSession,
  personId: string,
  onHint: (hint: string) => void,
  signal?: AbortSignal,
): Promise<{ ok: true; embedding: Float32Array; quality: number } | { ok: false; message: string; otherPersonId?: string }> {
  let result;
  try {
    result = await vision.captureTemplate(signal, (problems) => onHint(problems.map(problemText).join(' ')), 8_000);
  } catch {
    return { ok: false, message: 'The capture stopped unexpectedly.' };
  }
  if (!result.ok) return { ok: false, message: result.problems.map(problemText).join(' ') || 'No usable picture.' };
  const other = result.alreadyEnrolledAs;
  if (other && other.personId !== personId) return { ok: false, message: 'This face is already enrolled as someone else.', otherPersonId: other.personId };
  return { ok: true, embedding: result.embedding, quality: result.quality };
}

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
      const result = await captureFaceFor(this.#vision, personId, (hint) => (this.#state = { kind: 'capturing', step, hint }), abort.signal);
      if (abort.signal.aborted) return;
      if (!result.ok) {
        const message = result.otherPersonId ? `This face is already enrolled as ${nameOf(result.otherPersonId)}. Nothing was saved for this step.` : result.message;
        this.#state = { kind: 'failed', message };
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
