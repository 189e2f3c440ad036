import { describe, expect, it } from 'vitest';
import { allow, type RateBook } from './rate-window.ts';

describe('rate window', () => {
  const w = { limit: 2, windowMs: 60_000, maxKeys: 3 };
  it('allows the limit per key per window, each key on its own, and starts again after the window', () => {
    const book: RateBook = new Map();
    expect([allow(book, 'a', 0, w), allow(book, 'a', 10, w), allow(book, 'a', 20, w)]).toEqual([true, true, false]);
    expect(allow(book, 'b', 30, w)).toBe(true);
    expect(allow(book, 'a', 60_000, w)).toBe(true);
    // A clock set back does not lock a key out until it catches up.
    expect(allow(book, 'a', 5, w)).toBe(true);
  });
  it('forgets the keys seen longest ago beyond its bound', () => {
    const book: RateBook = new Map();
    for (const k of ['a', 'a', 'b', 'c', 'd']) allow(book, k, 0, w);
    expect([...book.keys()]).toEqual(['b', 'c', 'd']);
    expect(allow(book, 'a', 1, w)).toBe(true);
  });
});
