import { isRecord, isSafeInt } from './canonical.ts';

/**
 * The panel's message sequence, and what a phone remembers of it.
 *
 * Every message the panel signs carries the next number of one strictly increasing sequence
 * (state, config, events and replies alike), so a phone can tell a newer message from an older
 * one whatever topic brought it. The numbers follow the clock where it moves forward (so a fresh
 * panel starts above anything a phone has seen) but never go back with it: the panel stores a
 * ceiling ahead of what it uses, and after a restart or a clock set back starts above it.
 *
 * A phone keeps, per panel and across all its tabs, the highest number it has believed on each
 * stream that says how things are now (state, config). Anything older is someone re-publishing
 * the past, and is dropped; the same number again is the same message and changes nothing.
 * Events are a log, not a current value: they are de-duplicated by id instead.
 */

/** How far ahead of the numbers in use the stored ceiling is kept: one store write per block. */
export const SEQUENCE_BLOCK = 3_600_000;

export interface SequenceStore {
  loadSequenceCeiling(): Promise<number>;
  saveSequenceCeiling(ceiling: number): Promise<void>;
}

export class PanelSequence {
  readonly #store: SequenceStore;
  readonly #now: () => number;
  #last: number;
  #ceiling: number;
  #saving: Promise<void> = Promise.resolve();

  private constructor(store: SequenceStore, now: () => number, ceiling: number) {
    this.#store = store;
    this.#now = now;
    this.#ceiling = ceiling;
    this.#last = ceiling;
  }

  static async load(store: SequenceStore, now: () => number): Promise<PanelSequence> {
    const stored = await store.loadSequenceCeiling();
    return new PanelSequence(store, now, isSafeInt(stored) && stored > 0 ? stored : 0);
  }

  /** The next number; resolves once a ceiling above it is stored (a failed store fails the message). */
  async next(): Promise<number> {
    const n = Math.max(this.#last + 1, Math.floor(this.#now()));
    if (!Number.isSafeInteger(n)) throw new Error('panel sequence exhausted');
    this.#last = n;
    if (n > this.#ceiling) {
      const ceiling = n + SEQUENCE_BLOCK;
      this.#ceiling = ceiling;
      const save = this.#saving.catch(() => undefined).then(() => this.#store.saveSequenceCeiling(ceiling));
      this.#saving = save;
      await save;
    } else {
      await this.#saving;
    }
    return n;
  }
}

/** The streams a phone orders: each says how things are now, so only the newest counts. */
export type OrderedStream = 'state' | 'config';

export interface PanelSequences {
  readonly panelId: string;
  readonly state: number;
  readonly config: number;
  /** The number of the panel's reply that paired this phone: a config older than it that does not list the phone is from before. */
  readonly paired: number;
}

export const noSequences = (panelId: string): PanelSequences => ({ panelId, state: 0, config: 0, paired: 0 });

/** The stored records, one per panel this device has been paired with (a few at most). */
export type SequenceBook = Readonly<Record<string, PanelSequences>>;
const MAX_PANELS = 8;

/** One panel's record from what was stored; missing or damaged counts as nothing seen. */
export function parseSequences(raw: unknown, panelId: string): PanelSequences {
  const entry = isRecord(raw) && Object.hasOwn(raw, panelId) ? raw[panelId] : undefined;
  if (!isRecord(entry) || entry.panelId !== panelId) return noSequences(panelId);
  const n = (v: unknown) => (isSafeInt(v) && v >= 0 ? v : 0);
  return { panelId, state: n(entry.state), config: n(entry.config), paired: n(entry.paired) };
}

/** What to store after `seen` moved on: the other panels' records kept, this one last (the oldest go first). */
export function withSequences(raw: unknown, seen: PanelSequences): SequenceBook {
  const book: Record<string, PanelSequences> = {};
  if (isRecord(raw)) for (const [id, entry] of Object.entries(raw)) if (id !== seen.panelId && isRecord(entry) && entry.panelId === id) book[id] = parseSequences(raw, id);
  const kept = Object.entries(book).slice(-(MAX_PANELS - 1));
  return Object.fromEntries([...kept, [seen.panelId, seen]]);
}

/** Whether a message numbered `seq` on `stream` may still be believed. */
export const admits = (seen: PanelSequences, stream: OrderedStream, seq: number): boolean => seq >= seen[stream];

export const advance = (seen: PanelSequences, stream: OrderedStream, seq: number): PanelSequences => ({ ...seen, [stream]: Math.max(seen[stream], seq) });

/** The two records of one panel taken together (another tab may have moved on meanwhile). */
export const newest = (a: PanelSequences, b: PanelSequences): PanelSequences => ({ panelId: a.panelId, state: Math.max(a.state, b.state), config: Math.max(a.config, b.config), paired: Math.max(a.paired, b.paired) });
