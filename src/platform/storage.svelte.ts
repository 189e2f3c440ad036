/** Asks the browser not to evict the panel's data (people, keys, events) under storage pressure. */
export class PersistentStorage {
  #persisted = $state<boolean | null>(null);
  #usage = $state<number | null>(null);
  #quota = $state<number | null>(null);

  get persisted() {
    return this.#persisted;
  }
  get usage() {
    return this.#usage;
  }
  get quota() {
    return this.#quota;
  }

  async request(): Promise<void> {
    const storage = navigator.storage;
    if (!storage?.persist) {
      this.#persisted = false;
      return;
    }
    try {
      this.#persisted = (await storage.persisted()) || (await storage.persist());
    } catch (err) {
      console.warn('[storage]', err);
      this.#persisted = false;
    }
    await this.refresh();
  }

  async refresh(): Promise<void> {
    const estimate = await navigator.storage?.estimate?.().catch(() => undefined);
    this.#usage = estimate?.usage ?? null;
    this.#quota = estimate?.quota ?? null;
  }
}
