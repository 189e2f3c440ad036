import { Workbox } from 'workbox-window';

/**
 * Prompt-style updates: a new service worker waits until the kiosk says the door is quiet, so an
 * update never reloads the screen in front of a visitor or mid-unlock.
 */
export type UpdateState = 'unsupported' | 'registering' | 'current' | 'waiting' | 'applying' | 'error';

export class AppUpdates {
  #state = $state<UpdateState>('registering');
  #workbox: Workbox | null = null;
  #controlled = $state(false);
  #assets = $state<{ cached: number; failed: number } | null>(null);

  get state() {
    return this.#state;
  }
  /** True once a service worker serves this page and has the wasm and weights: the kiosk can boot offline. */
  get offlineReady() {
    return this.#controlled && this.#assets !== null && this.#assets.failed === 0;
  }

  get assets() {
    return this.#assets;
  }

  async register(url = '/sw.js'): Promise<void> {
    if (!('serviceWorker' in navigator) || import.meta.env.DEV) {
      this.#state = 'unsupported';
      return;
    }
    const warm = () => navigator.serviceWorker.controller?.postMessage({ type: 'WARM_ASSETS' });
    navigator.serviceWorker.addEventListener('message', (e: MessageEvent<{ type?: string; cached?: number; failed?: number }>) => {
      if (e.data?.type === 'ASSETS_READY') this.#assets = { cached: e.data.cached ?? 0, failed: e.data.failed ?? 0 };
    });
    this.#controlled = navigator.serviceWorker.controller !== null;
    if (this.#controlled) warm();
    navigator.serviceWorker.addEventListener('controllerchange', () => {
      this.#controlled = true;
      warm();
    });
    const wb = new Workbox(url, { type: 'module' });
    this.#workbox = wb;
    wb.addEventListener('waiting', () => (this.#state = 'waiting'));
    wb.addEventListener('controlling', () => {
      // Only a worker we asked to take over reloads the page; the first install needs no reload.
      if (this.#state === 'applying') window.location.reload();
    });
    try {
      await wb.register();
      if (this.#state === 'registering') this.#state = 'current';
    } catch (err) {
      console.warn('[sw]', err);
      this.#state = 'error';
    }
  }

  /** Called by the kiosk when it is quiet; does nothing unless an update waits. */
  applyIfWaiting(): void {
    if (this.#state !== 'waiting' || !this.#workbox) return;
    this.#state = 'applying';
    this.#workbox.messageSkipWaiting();
  }

  async checkForUpdate(): Promise<void> {
    await this.#workbox?.update();
  }
}
