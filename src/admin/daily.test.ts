import { describe, expect, it } from 'vitest';
import { dailyCounts } from './daily.ts';
import type { EventRecord } from '../store/db.ts';

const at = (d: number, h: number) => new Date(2026, 10, d, h).getTime();
const ev = (ms: number, kind: EventRecord['kind'], summary: string, outcome?: string): EventRecord => ({
  id: `${ms}-${summary}`,
  at: ms,
  kind,
  personId: null,
  summary,
  detail: outcome ? { outcome } : null,
  snapshotId: null,
});

describe('daily counts for the insight chart', () => {
  it('counts entries, refusals and alerts per local day, with empty days present', () => {
    const counts = dailyCounts(
      [
        ev(at(24, 8), 'attempt', 'grant Ada by face', 'grant'),
        ev(at(24, 9), 'attempt', 'deny unknown by pin', 'deny'),
        ev(at(24, 9), 'attempt', 'ring unknown by face', 'ring'),
        ev(at(25, 3), 'system', 'alert intruder: ...'),
        ev(at(25, 3), 'door', 'door opened'),
        ev(at(10, 8), 'attempt', 'grant old', 'grant'),
      ],
      at(25, 12),
      3,
    );
    expect(counts.map((c) => c.day)).toEqual(['2026-11-23', '2026-11-24', '2026-11-25']);
    expect(counts[0]).toMatchObject({ entries: 0, refusals: 0, alerts: 0 });
    expect(counts[1]).toMatchObject({ entries: 1, refusals: 2, alerts: 0 });
    expect(counts[2]).toMatchObject({ entries: 0, refusals: 0, alerts: 1 });
  });
});
