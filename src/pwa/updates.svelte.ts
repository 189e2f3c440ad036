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

  get state() {
    return this.#state;
  }
  /** True once a service worker serves this page, i.e. the kiosk can boot offline. */
  get controlled() {
    return this.#controlled;
  }

  async register(url = '/sw.js'): Promise<void> {
    if (!('serviceWorker' in navigator) || import.meta.env.DEV) {
      this.#state = 'unsupported';
      return;
    }
    this.#controlled = navigator.serviceWorker.controller !== null;
    navigator.serviceWorker.addEventListener('controllerchange', () => (this.#controlled = true));
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
