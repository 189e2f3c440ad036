// The Web Locks boundary, faked once: the tab locks of a phone with several tabs open.
import type { LockRequester } from '../../src/platform/locks.ts';

// ---------------------------------------------------------------------------------------------
// Tabs

/**
 * `navigator.locks` of one device, shared by the tabs of one phone: exclusive locks by name,
 * granted at once, in turn, or (with `ifAvailable`) not at all, and held until the callback's
 * promise settles.
 */
export class FakeLocks implements LockRequester {
  readonly #held = new Set<string>();
  readonly #waiting = new Map<string, (() => void)[]>();

  get held(): readonly string[] {
    return [...this.#held];
  }

  request(name: string, options: { ifAvailable: true }, callback: (lock: unknown) => Promise<void> | void): Promise<unknown>;
  request<T>(name: string, callback: (lock: unknown) => Promise<T>): Promise<T>;
  async request(name: string, a: unknown, b?: unknown): Promise<unknown> {
    const callback = (typeof a === 'function' ? a : b) as (lock: unknown) => unknown;
    if (this.#held.has(name)) {
      if (typeof a === 'object') return callback(null);
      // Handed over by the holder on release, so nobody can slip in between.
      await new Promise<void>((granted) => this.#waiting.set(name, [...(this.#waiting.get(name) ?? []), granted]));
    }
    this.#held.add(name);
    try {
      return await callback({ name, mode: 'exclusive' });
    } finally {
      const next = this.#waiting.get(name)?.shift();
      if (next) next();
      else this.#held.delete(name);
    }
  }
}
