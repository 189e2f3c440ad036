import type { Clock, TimerHandle } from './clock.ts';

/**
 * Owns the camera track. A missing or refused camera is a state the kiosk shows, not an
 * exception; the camera is tried again when devices change, when permission changes, and on a
 * slow retry, so a replugged camera comes back with nobody touching the panel.
 */
export type CameraStatus = 'starting' | 'live' | 'missing' | 'denied' | 'error';

const RETRY_MS = 5_000;

export class Camera {
  #status = $state<CameraStatus>('starting');
  #stream = $state<MediaStream | null>(null);
  #detail = $state('');
  #retry: TimerHandle | undefined;
  readonly #clock: Clock;
  #stopped = false;
  #starting = false;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  get status() {
    return this.#status;
  }
  get stream() {
    return this.#stream;
  }
  get detail() {
    return this.#detail;
  }

  /** Starts the camera and its watchers; the returned function stops them all. */
  start(): () => void {
    this.#stopped = false;
    const media = navigator.mediaDevices;
    const retry = () => void this.#open();
    media?.addEventListener('devicechange', retry);
    let permission: PermissionStatus | undefined;
    navigator.permissions
      ?.query({ name: 'camera' as PermissionName })
      .then((p) => {
        permission = p;
        p.addEventListener('change', retry);
      })
      .catch(() => undefined);
    void this.#open();
    return () => {
      this.#stopped = true;
      if (this.#retry !== undefined) this.#clock.clearTimeout(this.#retry);
      media?.removeEventListener('devicechange', retry);
      permission?.removeEventListener('change', retry);
      this.#release();
    };
  }

  async #open(): Promise<void> {
    if (this.#stopped || this.#starting || this.#status === 'live') return;
    this.#starting = true;
    if (this.#retry !== undefined) this.#clock.clearTimeout(this.#retry);
    try {
      if (!navigator.mediaDevices?.getUserMedia) throw new DOMException('No media devices (insecure context?)', 'NotSupportedError');
      const stream = await navigator.mediaDevices.getUserMedia({
        video: { width: { ideal: 640 }, height: { ideal: 480 }, facingMode: 'user' },
        audio: false,
      });
      if (this.#stopped) {
        stream.getTracks().forEach((t) => t.stop());
        return;
      }
      for (const track of stream.getVideoTracks()) track.addEventListener('ended', () => this.#lost());
      this.#stream = stream;
      this.#status = 'live';
      this.#detail = stream.getVideoTracks()[0]?.label ?? '';
    } catch (err) {
      const name = err instanceof DOMException ? err.name : 'Error';
      this.#status = name === 'NotAllowedError' || name === 'SecurityError' ? 'denied' : name === 'NotFoundError' || name === 'OverconstrainedError' ? 'missing' : 'error';
      this.#detail = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      console.warn('[camera]', this.#detail);
      this.#retry = this.#clock.setTimeout(() => void this.#open(), RETRY_MS);
    } finally {
      this.#starting = false;
    }
  }

  #lost(): void {
    this.#release();
    this.#status = 'missing';
    this.#detail = 'Camera disconnected';
    this.#retry = this.#clock.setTimeout(() => void this.#open(), RETRY_MS);
  }

  #release(): void {
    this.#stream?.getTracks().forEach((t) => t.stop());
    this.#stream = null;
  }
}
