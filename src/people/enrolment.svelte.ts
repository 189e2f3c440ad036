import type { VisionSession } from '../vision/vision-session.svelte.ts';
import type { CaptureProblem, CaptureResult } from '../vision/engine.ts';
import { COACHING_TEXT, rankProblems } from '../vision/coaching.ts';
import { fuseLiveness } from '../vision/liveness.ts';
import type { PoseTarget } from '../vision/pose.ts';
import { LIVENESS_POLICY } from '../vision/thresholds.ts';
import type { PeopleAdmin } from './people-admin.svelte.ts';

/**
 * Guided enrolment at the panel: three captures (straight, a little to the person's left, a
 * little to their right), each waiting for the pose it asks for (yaw measured from the
 * landmarks against the person's own straight capture), each from a frame of its own, with
 * live coaching (face the camera, come closer, more light). Several templates per person make
 * the match robust to pose. Nothing is saved until the face has also passed liveness: a clear
 * spoof (a print, a screen) is refused, and an unsure score asks for a blink first. A face that
 * already matches someone else stops the enrolment.
 */
export const ENROL_STEPS = [
  { id: 'straight', say: 'Look straight at the camera' },
  { id: 'left', say: 'Turn your head a little to your left' },
  { id: 'right', say: 'Turn your head a little to your right' },
] as const;

/** Per step, how long the person has to reach the pose. */
const STEP_MS = 12_000;
/** How long a blink is waited for when liveness is unsure. */
const BLINK_MS = 6_000;

export const problemText = (p: string): string => COACHING_TEXT[p as CaptureProblem] ?? p;
/** The one most useful instruction for these problems. */
const hintFor = (problems: readonly CaptureProblem[]): string => {
  const first = rankProblems(problems)[0];
  return first ? problemText(first) : '';
};

export type LivenessVerdict = { readonly ok: true; readonly blinked: boolean } | { readonly ok: false; readonly message: string };

export const SPOOF_MESSAGE = 'This looks like a photo or a screen, not a person: enrolment needs the person themselves in front of the camera.';

/**
 * Liveness before a template is saved (enrolment, a guest's self check-in): the passive scores of
 * the captures fused; at or above the pass cut it is a person; below the unsure cut it is a clear
 * spoof and refused; in between the person is asked to blink, and only a blink lets it through.
 */
export async function livenessAtEnrolment(
  vision: Pick<VisionSession, 'checkBlink'>,
  scores: readonly number[],
  onAsk: () => void,
  signal?: AbortSignal,
): Promise<LivenessVerdict> {
  const fused = fuseLiveness(scores);
  if (fused >= LIVENESS_POLICY.pass) return { ok: true, blinked: false };
  if (fused < LIVENESS_POLICY.uncertain) return { ok: false, message: SPOOF_MESSAGE };
  onAsk();
  const blink = await vision.checkBlink(signal, BLINK_MS).catch(() => ({ blinked: false }));
  return blink.blinked ? { ok: true, blinked: true } : { ok: false, message: 'No blink was seen, so nothing was saved. Try again, looking at the camera.' };
}

type Captured = Extract<CaptureResult, { ok: true }>;

/**
 * One capture of the face in front of the panel for `personId` (who may not exist yet), with the
 * coaching passed on as it comes. Shared by enrolment and a guest's self check-in, so both refuse
 * the same bad pictures and a face that belongs to someone else.
 */
export async function captureFaceFor(
  vision: VisionSession,
  personId: string,
  onHint: (hint: string) => void,
  signal?: AbortSignal,
  options: { pose?: PoseTarget; after?: number; timeoutMs?: number } = {},
): Promise<{ ok: true; capture: Captured; embedding: Float32Array; quality: number } | { ok: false; message: string; otherPersonId?: string }> {
  let result: CaptureResult;
  try {
    const { timeoutMs = 8_000, ...capture } = options;
    result = await vision.captureTemplate(signal, (problems) => onHint(hintFor(problems)), timeoutMs, capture);
  } catch {
    return { ok: false, message: 'The capture stopped unexpectedly.' };
  }
  if (!result.ok) return { ok: false, message: hintFor(result.problems.filter((p) => p !== 'timed-out')) || problemText('timed-out') };
  const other = result.alreadyEnrolledAs;
  if (other && other.personId !== personId) return { ok: false, message: 'This face is already enrolled as someone else.', otherPersonId: other.personId };
  return { ok: true, capture: result, embedding: result.embedding, quality: result.quality };
}

export type EnrolState =
  | { readonly kind: 'idle' }
  /** `captured`: how many of the steps are done (the progress the person sees). */
  | { readonly kind: 'capturing'; readonly step: number; readonly captured: number; readonly hint: string }
  | { readonly kind: 'blink'; readonly captured: number }
  | { readonly kind: 'done'; readonly templates: number; readonly blinked: boolean }
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
    const captures: Captured[] = [];
    for (let step = 0; step < ENROL_STEPS.length; step++) {
      const id = ENROL_STEPS[step]!.id;
      const straight = captures[0];
      const pose: PoseTarget = id === 'straight' || !straight ? { want: 'straight' } : { want: id, fromYaw: straight.yaw };
      this.#state = { kind: 'capturing', step, captured: step, hint: '' };
      const result = await captureFaceFor(this.#vision, personId, (hint) => (this.#state = { kind: 'capturing', step, captured: step, hint }), abort.signal, {
        pose,
        timeoutMs: STEP_MS,
        ...(captures.length > 0 && { after: captures.at(-1)!.frame }),
      });
      if (abort.signal.aborted) return;
      if (!result.ok) {
        const message = result.otherPersonId ? `This face is already enrolled as ${nameOf(result.otherPersonId)}. Nothing was saved.` : `${result.message} Nothing was saved.`;
        this.#state = { kind: 'failed', message };
        return;
      }
      captures.push(result.capture);
      // A print or a screen is told so at once, rather than asked to turn its head.
      if (step === 0 && result.capture.liveness < LIVENESS_POLICY.uncertain) {
        this.#state = { kind: 'failed', message: SPOOF_MESSAGE };
        return;
      }
    }
    const live = await livenessAtEnrolment(this.#vision, captures.map((c) => c.liveness), () => (this.#state = { kind: 'blink', captured: captures.length }), abort.signal);
    if (abort.signal.aborted) return;
    if (!live.ok) {
      this.#state = { kind: 'failed', message: live.message };
      return;
    }
    for (const c of captures) await this.#people.addTemplate(personId, c.embedding, c.quality);
    // The straight capture is the face people know: it becomes the thumbnail.
    const face = captures[0]?.thumbnailJpeg;
    if (face) await this.#people.setThumbnail(personId, face);
    this.#state = { kind: 'done', templates: captures.length, blinked: live.blinked };
  }

  cancel(): void {
    this.#abort?.abort();
    this.#abort = null;
    if (this.#state.kind === 'capturing' || this.#state.kind === 'blink') this.#state = { kind: 'idle' };
  }
}
