/**
 * At most `limit` per key in each fixed window, for work an untrusted sender can make us do (a
 * log line per refused request). Pure over a Map the caller keeps; beyond `maxKeys` the keys
 * seen longest ago are forgotten, so a sender that changes its name every time costs memory only
 * up to that bound.
 */
export interface RateWindow {
  readonly limit: number;
  readonly windowMs: number;
  readonly maxKeys: number;
}

export type RateBook = Map<string, { start: number; count: number }>;

export function allow(book: RateBook, key: string, now: number, w: RateWindow): boolean {
  const entry = book.get(key);
  const current = entry && now - entry.start < w.windowMs && now >= entry.start ? entry : { start: now, count: 0 };
  book.delete(key);
  book.set(key, { start: current.start, count: current.count + 1 });
  while (book.size > w.maxKeys) {
    const oldest = book.keys().next();
    if (oldest.done) break;
    book.delete(oldest.value);
  }
  return current.count < w.limit;
}
