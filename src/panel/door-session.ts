import type { FlowEvent, FlowState } from '../kiosk/flow.ts';
import type { FaceEvent } from '../vision/engine.ts';
import type { FaceEvidence } from '../access/index.ts';
import type { GuestKeyClaims } from '../access/index.ts';
import type { Clock } from '../platform/clock.ts';
import type { FlowDecision } from './flow-decision.ts';

/** The kiosk's door flow as the session drives it. */
export interface SessionKiosk {
  readonly state: FlowState;
  /** Nobody mid-interaction (idle, offline or a fault). */
  readonly quiet: boolean;
  dispatch(event: FlowEvent): void;
}

export interface SessionEvidence {
  readonly trackId: number;
  readonly evidence: FaceEvidence;
  readonly snapshotJpeg?: Uint8Array;
  readonly unknownEmbedding?: Float32Array;
}

/** The vision pipeline as the session needs it: faces coming and going, evidence, a blink check. */
export interface SessionVision {
  onFace(cb: (e: FaceEvent) => void): () => void;
  onEvidence(cb: (e: SessionEvidence) => void): () => void;
  checkBlink(signal?: AbortSignal, timeoutMs?: number): Promise<{ readonly blinked: boolean }>;
  /** Faces in the picture now (tailgating is judged from it). */
  readonly faces: number;
}

/** The access decision and its carrying out, one attempt at a time (the Gatekeeper). */
export interface SessionGate {
  face(evidence: FaceEvidence, faces: number, snapshot?: Uint8Array, unknownEmbedding?: Float32Array): Promise<FlowDecision>;
  pin(entered: string): Promise<FlowDecision>;
  guestKey(token: string): Promise<{ shown: FlowDecision; selfEnrol: GuestKeyClaims | null }>;
}

export interface DoorSessionDeps {
  readonly kiosk: SessionKiosk;
  readonly vision: SessionVision;
  readonly gate: SessionGate;
  readonly clock: Clock;
  /** A guest key that lets its guest save their face for the stay: the kiosk offers it. */
  readonly offerSelfEnrol: (claims: GuestKeyClaims) => void;
  readonly log?: (message: string, err: unknown) => void;
}

/** A key out of view this long has been put away: shown again, it is a new attempt. */
export const KEY_FORGET_MS = 5_000;
/** How long a blink is waited for when liveness was unsure. */
const BLINK_WAIT_MS = 6_000;
/** Tracks remembered as having had their attempt; a visit has one or two faces, this bounds memory. */
const MAX_TRACKS = 32;

/**
 * A visit at the door, from a face, a PIN or a key to what the screen says. One face or one key
 * showing gives one attempt: a track that has had its decision is not decided again while it
 * stays in view (a stranger who lingers is not refused, logged and alerted on every few
 * seconds), and once an attempt has gone to the decision its outcome is always shown, even if
 * the face turned away meanwhile. The Gatekeeper runs attempts one at a time.
 */
export class DoorSession {
  readonly #d: DoorSessionDeps;
  readonly #attempted = new Set<number>();
  /** Keys in view (or lately), by token: when last seen, and whether this showing was decided. */
  readonly #keys = new Map<string, { seenAt: number; attempted: boolean }>();
  #faceBusy = false;

  constructor(deps: DoorSessionDeps) {
    this.#d = deps;
  }

  start(): () => void {
    const offFace = this.#d.vision.onFace((e) => this.#onFace(e));
    const offEvidence = this.#d.vision.onEvidence((e) => this.#onEvidence(e));
    return () => {
      offFace();
      offEvidence();
    };
  }

  /** A PIN typed at the pad; resolves once its outcome is on the screen. */
  async pin(entered: string): Promise<void> {
    this.#d.kiosk.dispatch(await this.#d.gate.pin(entered));
  }

  /**
   * What the key scanner read in one look at the camera (empty: no key in view). A key in view is
   * one showing however long it stays: it is decided once, and shown again only after it has been
   * out of view for a moment.
   */
  keysSeen(tokens: readonly string[]): void {
    const now = this.#d.clock.now();
    for (const [token, showing] of this.#keys) if (now - showing.seenAt > KEY_FORGET_MS) this.#keys.delete(token);
    for (const token of tokens) {
      const showing = this.#keys.get(token) ?? { seenAt: now, attempted: false };
      showing.seenAt = now;
      this.#keys.set(token, showing);
      if (!showing.attempted && this.#freeForKey()) {
        showing.attempted = true;
        this.#keyAttempt(token);
      }
    }
  }

  /** Whether the key scanner should look: a key could be decided now, or one is still being held up. */
  get wantsKeys(): boolean {
    return this.#freeForKey() || this.#keys.size > 0;
  }

  #freeForKey(): boolean {
    return this.#d.kiosk.quiet || this.#d.kiosk.state.kind === 'faceSeen';
  }

  #keyAttempt(token: string): void {
    this.#d.kiosk.dispatch({ type: 'keyShown' });
    void this.#d.gate
      .guestKey(token)
      .then(({ shown, selfEnrol }) => {
        this.#d.kiosk.dispatch(shown);
        if (selfEnrol) this.#d.offerSelfEnrol(selfEnrol);
      })
      .catch((err: unknown) => this.#d.log?.('[door] key attempt failed', err));
  }

  #onFace(e: FaceEvent): void {
    if (e.type === 'faceLost') {
      // The visit is over: the next face, even at the same spot, is a new attempt.
      this.#attempted.clear();
      this.#d.kiosk.dispatch(e);
      return;
    }
    if (this.#attempted.has(e.trackId)) return;
    this.#d.kiosk.dispatch(e);
  }

  #onEvidence({ trackId, evidence, snapshotJpeg, unknownEmbedding }: SessionEvidence): void {
    if (this.#attempted.has(trackId)) return;
    const kiosk = this.#d.kiosk;
    // A face that stayed while the door was busy (open, another visitor) counts as arriving now.
    if (kiosk.quiet || kiosk.state.kind === 'faceSeen') {
      kiosk.dispatch({ type: 'faceTracked', trackId, stable: false });
      kiosk.dispatch({ type: 'faceTracked', trackId, stable: true });
    }
    // Only for the visit the flow is verifying, and one face at a time.
    const state = kiosk.state;
    if (this.#faceBusy || state.kind !== 'verifying' || state.trackId === null) return;
    this.#faceBusy = true;
    this.#remember(trackId);
    kiosk.dispatch({ type: 'attemptStarted' });
    const faces = Math.max(1, this.#d.vision.faces);
    void (async () => {
      let shown = await this.#d.gate.face(evidence, faces, snapshotJpeg, unknownEmbedding);
      if (shown.outcome === 'stepUp' && shown.step === 'activeLiveness') {
        kiosk.dispatch(shown);
        const blink = await this.#d.vision.checkBlink(undefined, BLINK_WAIT_MS).catch(() => ({ blinked: false }));
        shown = await this.#d.gate.face({ ...evidence, liveness: { ...evidence.liveness, active: blink.blinked } }, faces, snapshotJpeg);
      }
      kiosk.dispatch(shown);
    })()
      .catch((err: unknown) => this.#d.log?.('[door] face attempt failed', err))
      .finally(() => (this.#faceBusy = false));
  }

  #remember(trackId: number): void {
    this.#attempted.add(trackId);
    if (this.#attempted.size > MAX_TRACKS) {
      const oldest = this.#attempted.values().next().value;
      if (oldest !== undefined) this.#attempted.delete(oldest);
    }
  }
}
