import { describe, expect, it } from 'vitest';
import { createVisitBook, DEFAULT_VISIT_KNOBS, strangerSeen, visitorRang, type StrangerSighting, type VisitBook } from './visits.ts';

const T0 = Date.UTC(2026, 10, 25, 10, 0, 0);
const S = 1_000;
const k = DEFAULT_VISIT_KNOBS;

/** Which of the sightings alerted, in order. */
function alerts(book: VisitBook, sightings: readonly StrangerSighting[]): boolean[] {
  return sightings.map((s) => strangerSeen(book, s, k) !== null);
}

describe('unknown-visitor alerts: one per visit', () => {
  it('a stranger decided again every few seconds for 20 s alerts once', () => {
    const book = createVisitBook();
    const standing = Array.from({ length: 5 }, (_, i) => ({ at: T0 + i * 5 * S, stranger: 'u1' }));
    expect(alerts(book, standing)).toEqual([true, false, false, false, false]);
  });

  it('the same stranger back after the gap is a new visit; a shorter absence is not', () => {
    const book = createVisitBook();
    expect(alerts(book, [{ at: T0, stranger: 'u1' }, { at: T0 + k.gapMs - S, stranger: 'u1' }])).toEqual([true, false]);
    // Gone longer than the gap since last seen: a new visit.
    expect(alerts(book, [{ at: T0 + 2 * k.gapMs + S, stranger: 'u1' }])).toEqual([true]);
  });

  it('two strangers are two visits, but alerts keep the minimum interval; the one held back alerts at its next attempt after it', () => {
    const book = createVisitBook();
    const seen = alerts(book, [
      { at: T0, stranger: 'u1' },
      { at: T0 + 10 * S, stranger: 'u2' },
      { at: T0 + 20 * S, stranger: 'u2' },
      { at: T0 + k.minIntervalMs + S, stranger: 'u2' },
      { at: T0 + k.minIntervalMs + 5 * S, stranger: 'u2' },
    ]);
    expect(seen).toEqual([true, false, false, true, false]);
  });

  it('an attempt with no face to compare joins the open visit; with none open it starts one', () => {
    const book = createVisitBook();
    expect(alerts(book, [{ at: T0, stranger: null }, { at: T0 + 5 * S, stranger: 'u1' }, { at: T0 + 10 * S, stranger: null }])).toEqual([true, false, false]);
    expect(book.visits).toEqual([expect.objectContaining({ stranger: 'u1', start: T0, last: T0 + 10 * S })]);
  });

  it('a visitor who rings has announced themselves, before or after their first attempt', () => {
    const before = createVisitBook();
    visitorRang(before, T0);
    expect(alerts(before, [{ at: T0 + 3 * S, stranger: 'u1' }, { at: T0 + 8 * S, stranger: 'u1' }])).toEqual([false, false]);
    const after = createVisitBook();
    expect(alerts(after, [{ at: T0, stranger: 'u1' }])).toEqual([true]);
    visitorRang(after, T0 + 5 * S);
    expect(alerts(after, [{ at: T0 + 2 * k.minIntervalMs, stranger: 'u1' }])).toEqual([false]);
  });

  it('keeps a bounded number of visits, and a clock set back neither joins nor silences them', () => {
    const book = createVisitBook();
    for (let i = 0; i < 3 * k.maxOpen; i++) strangerSeen(book, { at: T0 + i * S, stranger: `u${i}` }, k);
    expect(book.visits).toHaveLength(k.maxOpen);
    // The clock jumps back an hour: the visits "in the future" are over, and the interval does not hold.
    expect(strangerSeen(book, { at: T0 - 3_600_000, stranger: 'u0' }, k)).not.toBeNull();
  });
});
