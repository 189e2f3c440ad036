// The camera boundary as the phone's pairing scanner sees it, faked once.
import type { Clock } from '../../src/platform/clock.ts';
import type { CameraStream, ScanRuntime } from '../../src/remote/ui/pair-scanner.svelte.ts';

// ---------------------------------------------------------------------------------------------
// The phone's camera, for the pairing scanner

export class FakeCameraStream implements CameraStream {
  live = true;
  getTracks() {
    return [{ stop: () => void (this.live = false) }];
  }
}

/**
 * getUserMedia and the QR reader in one: opens (or refuses with a DOMException of the given
 * name, as browsers do) and reads whatever QR texts the test holds up with `show()`.
 */
export class FakeScanCamera implements ScanRuntime<FakeCameraStream> {
  readonly streams: FakeCameraStream[] = [];
  readonly #readers = new Set<(texts: readonly string[]) => void>();
  readonly #clock: Clock;
  readonly #refusal: string | null;

  constructor(clock: Clock, refusal: string | null = null) {
    this.#clock = clock;
    this.#refusal = refusal;
  }

  /** How many reading loops are running. */
  get reading(): number {
    return this.#readers.size;
  }

  async openCamera(): Promise<FakeCameraStream> {
    if (this.#refusal) throw new DOMException('refused', this.#refusal);
    const s = new FakeCameraStream();
    this.streams.push(s);
    return s;
  }

  watch(_stream: FakeCameraStream, onTexts: (texts: readonly string[]) => void): () => void {
    this.#readers.add(onTexts);
    return () => this.#readers.delete(onTexts);
  }

  now(): number {
    return this.#clock.now();
  }

  /** One read of the picture, with these QR codes in view. */
  show(...texts: string[]): void {
    for (const read of [...this.#readers]) read(texts);
  }
}
