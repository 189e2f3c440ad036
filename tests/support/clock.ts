// Time, faked once: it moves only when a test says so, and timers due within a step run in order.
import type { Clock, TimerHandle } from '../../src/platform/clock.ts';

interface Timer {
  id: number;
  at: number;
  cb: () => void;
}

// Taken at import, so a test that also fakes the global timers (vi.useFakeTimers) still settles.
const realSetTimeout = globalThis.setTimeout.bind(globalThis);

/** Lets queued promise callbacks and one round of real macrotasks (WebCrypto) run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 30; i++) await Promise.resolve();
  await new Promise<void>((resolve) => realSetTimeout(resolve, 0));
  for (let i = 0; i < 30; i++) await Promise.resolve();
}

export class FakeClock implements Clock {
  #now: number;
  #nextId = 1;
  #timers: Timer[] = [];

  /** Starts on a fixed afternoon unless told: wall-time rules (schedules, expiry) see a real date. */
  constructor(start = Date.UTC(2026, 10, 25, 12, 0, 0)) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(cb: () => void, ms: number): TimerHandle {
    const id = this.#nextId++;
    this.#timers.push({ id, at: this.#now + Math.max(0, ms), cb });
    return id;
  }

  clearTimeout(handle: TimerHandle): void {
    this.#timers = this.#timers.filter((t) => t.id !== handle);
  }

  /** Runs every timer due within ms, in time order, letting promise work settle in between. */
  async advance(ms: number): Promise<void> {
    const end = this.#now + ms;
    for (;;) {
      let next: Timer | undefined;
      for (const t of this.#timers) if (t.at <= end && (!next || t.at < next.at || (t.at === next.at && t.id < next.id))) next = t;
      if (!next) break;
      const due = next;
      this.#timers = this.#timers.filter((t) => t !== due);
      this.#now = due.at;
      due.cb();
      for (let i = 0; i < 30; i++) await Promise.resolve();
    }
    this.#now = end;
    await settle();
  }

  /** Sets the time without running timers (vector replays drive ticks themselves). */
  set(now: number): void {
    this.#now = now;
  }
}
