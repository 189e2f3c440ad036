import { describe, expect, it } from 'vitest';
import { eventsToCsv } from './csv.ts';

describe('access log CSV export', () => {
  it('writes one row per event with who, how and why', () => {
    const csv = eventsToCsv([
      {
        id: 'e1',
        at: Date.UTC(2026, 10, 25, 9, 30),
        kind: 'attempt',
        personId: 'p1',
        summary: 'grant Ada by pin',
        snapshotId: null,
        detail: { outcome: 'grant', credential: { kind: 'pin' }, reasons: ['pinVerified', 'unrestricted'], alerts: [], subject: { name: 'Ada' }, face: null },
      },
    ]);
    const [header, row] = csv.trim().split('\r\n');
    expect(header).toBe('time,kind,summary,person,outcome,credential,reasons,alerts,match,liveness');
    expect(row).toBe('2026-11-25T09:30:00.000Z,attempt,grant Ada by pin,Ada,grant,pin,pinVerified unrestricted,,,');
  });

  it('quotes commas and quotes, and defuses spreadsheet formulas', () => {
    const csv = eventsToCsv([
      { id: 'e2', at: 0, kind: 'attempt', personId: null, summary: '=HYPERLINK("x"), boom', snapshotId: null, detail: null },
    ]);
    expect(csv).toContain(`"'=HYPERLINK(""x""), boom"`);
  });
});
