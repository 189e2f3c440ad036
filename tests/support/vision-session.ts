import type { FaceEvent } from '../../src/vision/engine.ts';
import type { SessionEvidence, SessionVision } from '../../src/panel/door-session.ts';

/**
 * The vision pipeline as the door sees it, driven by hand: a test says when a face is tracked,
 * when its evidence is ready, when it leaves, and how a blink check ends.
 */
export class FakeVision implements SessionVision {
  faces = 1;
  blinkResult: { blinked: boolean } = { blinked: true };
  blinkChecks = 0;
  readonly #face = new Set<(e: FaceEvent) => void>();
  readonly #evidence = new Set<(e: SessionEvidence) => void>();

  onFace(cb: (e: FaceEvent) => void): () => void {
    this.#face.add(cb);
    return () => this.#face.delete(cb);
  }
  onEvidence(cb: (e: SessionEvidence) => void): () => void {
    this.#evidence.add(cb);
    return () => this.#evidence.delete(cb);
  }
  async checkBlink(): Promise<{ blinked: boolean }> {
    this.blinkChecks++;
    return this.blinkResult;
  }

  tracked(trackId: number, stable = true): void {
    for (const cb of this.#face) cb({ type: 'faceTracked', trackId, stable });
  }
  lost(): void {
    for (const cb of this.#face) cb({ type: 'faceLost' });
  }
  evidence(e: SessionEvidence): void {
    for (const cb of this.#evidence) cb(e);
  }
}
