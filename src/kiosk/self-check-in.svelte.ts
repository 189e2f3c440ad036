import type { Clock, TimerHandle } from '../platform/clock.ts';
import type { GuestKeyClaims } from '../access/index.ts';
import type { VisionSession } from '../vision/vision-session.svelte.ts';
import type { PeopleAdmin } from '../people/people-admin.svelte.ts';
import { captureFaceFor, livenessAtEnrolment } from '../people/enrolment.svelte.ts';

/**
 * Hospitality self check-in at the kiosk: a guest whose key allows it may save their face for the
 * stay right after the key opened the door. The offer lapses after a minute; the face lapses
 * with the key (PeopleAdmin.removeEndedStays).
 */
const OFFER_MS = 60_000;

export type CheckInState =
  | { readonly kind: 'none' }
  | { readonly kind: 'offered'; readonly name: string; readonly until: number }
  | { readonly kind: 'capturing'; readonly hint: string }
  | { readonly kind: 'done'; readonly name: string; readonly until: number }
  | { readonly kind: 'failed'; readonly message: string };

export class SelfCheckIn {
  #state = $state<CheckInState>({ kind: 'none' });
  #claims: GuestKeyClaims | null = null;
  #timer: TimerHandle | undefined;
  readonly #vision: VisionSession;
  readonly #people: PeopleAdmin;
  readonly #clock: Clock;

  constructor(vision: VisionSession, people: PeopleAdmin, clock: Clock) {
    this.#vision = vision;
    this.#people = people;
    this.#clock = clock;
  }

  get state(): CheckInState {
    return this.#state;
  }

  offer(claims: GuestKeyClaims): void {
    this.#claims = claims;
    this.#state = { kind: 'offered', name: claims.name, until: claims.expires };
    this.#lapseLater();
  }

  async accept(): Promise<void> {
    const claims = this.#claims;
    if (!claims || this.#state.kind !== 'offered') return;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#state = { kind: 'capturing', hint: 'Look straight at the camera.' };
    try {
      const result = await captureFaceFor(this.#vision, claims.subject, (hint) => (this.#state = { kind: 'capturing', hint }), undefined, { pose: { want: 'straight' } });
      // The same liveness as enrolment at the panel: no template from a print or a screen.
      const live = result.ok ? await livenessAtEnrolment(this.#vision, [result.capture.liveness], () => (this.#state = { kind: 'capturing', hint: 'Please blink slowly.' })) : null;
      if (!result.ok) {
        this.#state = { kind: 'failed', message: `${result.otherPersonId ? 'This face is already known here.' : result.message} Your key still works.` };
      } else if (live && !live.ok) {
        this.#state = { kind: 'failed', message: `${live.message} Your key still works.` };
      } else {
        await this.#people.enrolGuest(claims, result.embedding, result.quality);
        this.#state = { kind: 'done', name: claims.name, until: claims.expires };
      }
    } catch (err) {
      console.warn('[check-in]', err);
      this.#state = { kind: 'failed', message: 'That did not work. Your key still works.' };
    }
    this.#claims = null;
    this.#lapseLater();
  }

  dismiss(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#claims = null;
    this.#state = { kind: 'none' };
  }

  #lapseLater(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = this.#clock.setTimeout(() => this.dismiss(), OFFER_MS);
  }
}
