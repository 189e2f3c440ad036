import { watchQrTexts } from '../../panel/qr.ts';
import { checkPairingText } from '../pairing.ts';
import { say } from '../../lib/words/index.ts';

/**
 * Pairing by pointing the phone's rear camera at the panel's QR code: the camera is open only
 * while the scanner is, and shut the moment a usable pairing code is read, which goes on exactly
 * like pasted text. Other QR codes, and codes whose time is up, are named on screen while the
 * scan goes on, so the admin can press "Pair a phone" on the panel again without starting over.
 */
export type ScanView =
  | { readonly state: 'starting' }
  | { readonly state: 'scanning'; readonly hint: string | null }
  | { readonly state: 'read' }
  | { readonly state: 'failed'; readonly problem: string };

/** What the scanner needs of a camera stream (a MediaStream is one). */
export interface CameraStream {
  getTracks(): readonly { stop(): void }[];
}

export interface ScanRuntime<S extends CameraStream> {
  openCamera(): Promise<S>;
  /** Reads QR codes from the stream until the returned function is called. */
  watch(stream: S, onTexts: (texts: readonly string[]) => void): () => void;
  now(): number;
}

export const NOT_PAIRING_HINT = say('phone.scan.notPairing');
export const EXPIRED_HINT = say('phone.scan.expired');

/** The first usable pairing text among one read's, or what to tell the admin about the rest. */
export function judgeScan(texts: readonly string[], now: number): { readonly text: string } | { readonly hint: string | null } {
  let hint: string | null = null;
  for (const text of texts) {
    const check = checkPairingText(text, now);
    if (check.ok) return { text };
    // An expired Doorward code says more than a stranger's QR code beside it.
    if (check.problem === 'expired') hint = EXPIRED_HINT;
    else hint ??= NOT_PAIRING_HINT;
  }
  return { hint };
}

/** getUserMedia's refusals, said so that the admin knows what to do next. */
export function cameraProblem(err: unknown): string {
  switch (err instanceof Error ? err.name : '') {
    case 'NotAllowedError':
    case 'SecurityError':
      return say('phone.scan.cameraDenied');
    case 'NotFoundError':
    case 'OverconstrainedError':
      return say('phone.scan.noCamera');
    case 'NotReadableError':
    case 'AbortError':
      return say('phone.scan.cameraBusy');
    case 'NotSupportedError':
      return say('phone.scan.cameraUnsupported');
    default:
      return say('phone.scan.cameraFailed', { reason: err instanceof Error ? err.message : String(err) });
  }
}

export class PairScan<S extends CameraStream = MediaStream> {
  readonly #rt: ScanRuntime<S>;
  #view = $state<ScanView>({ state: 'starting' });
  #stream = $state.raw<S | null>(null);

  constructor(runtime: ScanRuntime<S>) {
    this.#rt = runtime;
  }

  get view(): ScanView {
    return this.#view;
  }
  /** The live picture to preview; null once the camera is shut. */
  get stream(): S | null {
    return this.#stream;
  }

  /**
   * Opens the camera and reads until a pairing code turns up; the camera is shut before
   * `onPayload` hears of it. The returned function shuts it at any time (cancel, unmount).
   */
  start(onPayload: (text: string) => void): () => void {
    let done = false;
    let stopWatching: (() => void) | null = null;
    let stream: S | null = null;
    const shut = () => {
      done = true;
      stopWatching?.();
      stopWatching = null;
      stream?.getTracks().forEach((t) => t.stop());
      stream = null;
      this.#stream = null;
    };
    this.#view = { state: 'starting' };
    this.#rt.openCamera().then(
      (s) => {
        if (done) return s.getTracks().forEach((t) => t.stop());
        stream = s;
        this.#stream = s;
        this.#view = { state: 'scanning', hint: null };
        stopWatching = this.#rt.watch(s, (texts) => {
          if (done) return;
          const verdict = judgeScan(texts, this.#rt.now());
          if ('text' in verdict) {
            shut();
            this.#view = { state: 'read' };
            onPayload(verdict.text);
          } else if (verdict.hint) {
            this.#view = { state: 'scanning', hint: verdict.hint };
          }
        });
      },
      (err: unknown) => {
        if (!done) this.#view = { state: 'failed', problem: cameraProblem(err) };
      },
    );
    return shut;
  }
}

/** The phone's rear camera, read with the kiosk's own QR reader. */
export const browserScanRuntime: ScanRuntime<MediaStream> = {
  async openCamera() {
    if (!navigator.mediaDevices?.getUserMedia) throw new DOMException('No media devices (insecure context?)', 'NotSupportedError');
    // "ideal", not "exact": a laptop with only a front camera can still hold the code up to it.
    return navigator.mediaDevices.getUserMedia({ video: { facingMode: { ideal: 'environment' }, width: { ideal: 1280 }, height: { ideal: 720 } }, audio: false });
  },
  watch: (stream, onTexts) => watchQrTexts(stream, onTexts),
  now: () => Date.now(),
};
