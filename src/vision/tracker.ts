import { boxArea, boxCentre, iou, type Box, type Size } from './types.ts';

export interface Track<T> {
  readonly id: number;
  readonly box: Box;
  readonly data: T;
  /** Frames in a row this track was matched (1 on the frame it appeared). */
  readonly hits: number;
  readonly firstSeen: number;
  readonly lastSeen: number;
}

export interface TrackerOptions {
  /** Overlap a detection needs with a track's last box to continue it. */
  readonly minIou: number;
  /** A track not seen for this long is dropped (ms, on the caller's clock). */
  readonly maxGapMs: number;
}

export const DEFAULT_TRACKER: TrackerOptions = { minIou: 0.3, maxGapMs: 500 };

/**
 * Greedy IoU tracker: enough at the door, where faces move little between frames and rarely
 * cross. Ids are stable while a face stays in view, so per-face work (agreement votes, blink
 * state) can be keyed on them. Time comes from the caller: no clock inside.
 */
export class FaceTracker<T extends { readonly box: Box }> {
  readonly #opts: TrackerOptions;
  #tracks: Track<T>[] = [];
  #nextId = 1;

  constructor(opts: TrackerOptions = DEFAULT_TRACKER) {
    this.#opts = opts;
  }

  /** Returns the live tracks seen this frame, largest first, then closest to the frame centre. */
  update(detections: readonly T[], now: number, frame: Size): Track<T>[] {
    const pairs: { t: number; d: number; o: number }[] = [];
    this.#tracks.forEach((tr, t) =>
      detections.forEach((det, d) => {
        const o = iou(tr.box, det.box);
        if (o >= this.#opts.minIou) pairs.push({ t, d, o });
      }),
    );
    pairs.sort((a, b) => b.o - a.o);
    const usedT = new Set<number>();
    const usedD = new Set<number>();
    const next: Track<T>[] = [];
    for (const { t, d } of pairs) {
      if (usedT.has(t) || usedD.has(d)) continue;
      usedT.add(t);
      usedD.add(d);
      const tr = this.#tracks[t]!;
      const det = detections[d]!;
      next.push({ ...tr, box: det.box, data: det, hits: tr.hits + 1, lastSeen: now });
    }
    detections.forEach((det, d) => {
      if (!usedD.has(d)) next.push({ id: this.#nextId++, box: det.box, data: det, hits: 1, firstSeen: now, lastSeen: now });
    });
    const kept = this.#tracks.filter((tr, t) => !usedT.has(t) && now - tr.lastSeen <= this.#opts.maxGapMs);
    this.#tracks = [...next, ...kept];
    return rankFaces(next, frame);
  }

  get ids(): number[] {
    return this.#tracks.map((t) => t.id);
  }

  reset(): void {
    this.#tracks = [];
  }
}

/** The person at the door is the biggest face; ties (within 10 %) go to the one nearest the centre. */
export function rankFaces<U extends { readonly box: Box }>(items: readonly U[], frame: Size): U[] {
  const cx = frame.width / 2;
  const cy = frame.height / 2;
  const off = (b: Box): number => {
    const c = boxCentre(b);
    return Math.hypot(c.x - cx, c.y - cy);
  };
  return [...items].sort((a, b) => {
    const aa = boxArea(a.box);
    const ab = boxArea(b.box);
    if (Math.abs(aa - ab) > 0.1 * Math.max(aa, ab)) return ab - aa;
    return off(a.box) - off(b.box);
  });
}
