import { describe, expect, it } from 'vitest';
import { request, USAGE } from './main.ts';

describe('the hub CLI', () => {
  it('holiday and unholiday: a closed date, an open one with its spans or all day, and back to the weekly windows (issue #15)', () => {
    expect(request(['holiday', 'schedule-1', '2026-12-25'], { note: 'Christmas' })).toEqual(['POST', '/api/schedules/schedule-1/holidays', { date: '2026-12-25', kind: 'closed', note: 'Christmas' }]);
    expect(request(['holiday', 'schedule-1', '2026-12-27'], { open: '10:00-12:00,14:00-16:00' })).toEqual([
      'POST',
      '/api/schedules/schedule-1/holidays',
      { date: '2026-12-27', kind: 'open', spans: [{ start: '10:00', end: '12:00' }, { start: '14:00', end: '16:00' }] },
    ]);
    expect(request(['holiday', 'schedule-1', '2026-12-28'], { open: 'all' })).toEqual(['POST', '/api/schedules/schedule-1/holidays', { date: '2026-12-28', kind: 'open' }]);
    expect(request(['unholiday', 'schedule-1', '2026-12-25'], {})).toEqual(['DELETE', '/api/schedules/schedule-1/holidays/2026-12-25']);
    expect(request(['holiday', 'schedule-1'], {})).toBeNull();
    expect(request(['unholiday', 'schedule-1'], {})).toBeNull();
    expect(USAGE).toMatch(/holiday SCHEDULE_ID/);
    expect(USAGE).toMatch(/unholiday SCHEDULE_ID/);
  });
});
