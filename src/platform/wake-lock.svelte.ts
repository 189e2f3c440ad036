/** Keeps the panel's screen on while the kiosk runs; the browser drops the lock when hidden, so it is taken again on return. */
export class ScreenWakeLock {
  #held = $state(false);
  #sentinel: WakeLockSentinel | null = null;

  get held() {
    return this.#held;
  }

  start(): () => void {
    let stopped = false;
    const acquire = async () => {
      if (stopped || document.visibilityState !== 'visible' || !('wakeLock' in navigator)) return;
      try {
        this.#sentinel = await navigator.wakeLock.request('screen');
        this.#held = true;
        this.#sentinel.addEventListener('release', () => (this.#held = false));
      } catch (err) {
        console.warn('[wake-lock]', err);
      }
    };
    const onVisible = () => void acquire();
    document.addEventListener('visibilitychange', onVisible);
    void acquire();
    return () => {
      stopped = true;
      document.removeEventListener('visibilitychange', onVisible);
      void this.#sentinel?.release();
    };
  }
}
