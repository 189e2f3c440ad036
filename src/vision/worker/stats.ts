import type { Stage, Timings } from '../engine.ts';
import type { StageStats, VisionStats } from '../protocol.ts';

/** Per-stage samples kept for the median / p95 (about four seconds at 30 fps). */
const KEEP = 120;

/** Frame counters and per-stage latency of the worker, reported only when something moved. */
export class WorkerStats {
  processed = 0;
  dropped = 0;
  skipped = 0;
  blocked = 0;
  readonly #samples = new Map<Stage, number[]>();
  readonly #last: Timings = {};
  #processedAtReport = 0;
  #reportAt: number;
  #lastKey = '';
  #lastKeyAt = 0;

  constructor(now: number) {
    this.#reportAt = now;
  }

  record(t: Timings): void {
    this.processed++;
    for (const [stage, ms] of Object.entries(t) as [Stage, number][]) {
      const list = this.#samples.get(stage) ?? [];
      list.push(ms);
      if (list.length > KEEP) list.shift();
      this.#samples.set(stage, list);
      this.#last[stage] = ms;
    }
  }

  /** The stats to send, or null when nothing changed (an idle panel should not wake the page); every 5 s regardless. */
  report(now: number, idle: boolean): VisionStats | null {
    const key = `${this.processed}/${this.dropped}/${this.skipped}/${this.blocked}/${idle}`;
    if (key === this.#lastKey && now - this.#lastKeyAt < 5_000) return null;
    this.#lastKey = key;
    this.#lastKeyAt = now;
    const timings: Partial<Record<Stage, StageStats>> = {};
    for (const [stage, list] of this.#samples) {
      const s = [...list].sort((a, b) => a - b);
      const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * (s.length - 1) + 0.5))] ?? 0;
      timings[stage] = { last: this.#last[stage] ?? 0, median: q(0.5), p95: q(0.95), n: s.length };
    }
    const fps = ((this.processed - this.#processedAtReport) * 1000) / Math.max(1, now - this.#reportAt);
    this.#processedAtReport = this.processed;
    this.#reportAt = now;
    return { fps, processed: this.processed, dropped: this.dropped, skipped: this.skipped, blocked: this.blocked, idle, timings };
  }
}
