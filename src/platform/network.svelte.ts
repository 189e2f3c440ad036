import { every, type Clock } from './clock.ts';

/**
 * Online means the panel's server answers, not just that a cable is in: the service worker keeps
 * the app running either way, so the kiosk probes `/health` (never cached) to know the truth.
 */
const PROBE_MS = 10_000;
const PROBE_TIMEOUT_MS = 4_000;

export class NetworkStatus {
  #online = $state(true);
  #checked = $state(false);
  readonly #clock: Clock;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  get online() {
    return this.#online;
  }
  get checked() {
    return this.#checked;
  }

  start(): () => void {
    const probe = () => void this.#probe();
    window.addEventListener('online', probe);
    window.addEventListener('offline', probe);
    const stopProbing = every(this.#clock, PROBE_MS, probe);
    probe();
    return () => {
      stopProbing();
      window.removeEventListener('online', probe);
      window.removeEventListener('offline', probe);
    };
  }

  async #probe(): Promise<void> {
    if (!navigator.onLine) {
      this.#set(false);
      return;
    }
    try {
      const res = await fetch('/health', { cache: 'no-store', signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
      this.#set(res.ok);
    } catch {
      this.#set(false);
    }
  }

  #set(online: boolean): void {
    this.#online = online;
    this.#checked = true;
  }
}
