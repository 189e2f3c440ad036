// The Web Storage boundary (localStorage), faked once: what a device keeps for itself.
import type { KeyValueStore } from '../../src/lib/words/language.ts';

/** localStorage in memory; `refuse` makes it throw as a locked-down browser's does. */
export class MemoryStorage implements KeyValueStore {
  readonly #items = new Map<string, string>();
  refuse = false;

  constructor(items: Readonly<Record<string, string>> = {}) {
    for (const [k, v] of Object.entries(items)) this.#items.set(k, v);
  }

  getItem(key: string): string | null {
    this.#check();
    return this.#items.get(key) ?? null;
  }

  setItem(key: string, value: string): void {
    this.#check();
    this.#items.set(key, String(value));
  }

  removeItem(key: string): void {
    this.#check();
    this.#items.delete(key);
  }

  #check(): void {
    if (this.refuse) throw new DOMException('The operation is insecure.', 'SecurityError');
  }
}
