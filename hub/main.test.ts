import { describe, expect, it } from 'vitest';
import { parseCommandLine, request, USAGE } from './main.ts';

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

  it('reads a door id that starts with a dash as the id, as an argument and as an option value; it failed the site test when a panel drew such an id', () => {
    expect(parseCommandLine(['--state', '.cache/hub', 'door', 'doors-8f72', '-mcN1_NeXXKwec85'])).toEqual({ values: { state: '.cache/hub' }, positionals: ['door', 'doors-8f72', '-mcN1_NeXXKwec85'] });
    expect(request(parseCommandLine(['door', 'doors-8f72', '-mcN1_NeXXKwec85']).positionals, {})).toEqual(['POST', '/api/door-groups/doors-8f72/doors', { panelId: '-mcN1_NeXXKwec85' }]);
    const log = parseCommandLine(['log', '--door', '-mcN1_NeXXKwec85', '--csv', '--limit=20']);
    expect(request(log.positionals, log.values)).toEqual(['GET', '/api/log.csv?panel=-mcN1_NeXXKwec85&limit=20']);
    expect(parseCommandLine(['door', 'g', '--', '--rare-id'])).toEqual({ values: {}, positionals: ['door', 'g', '--rare-id'] });
  });

  it('refuses a mistyped option or a missing value with the reason instead of guessing', () => {
    expect(() => parseCommandLine(['log', '--limt', '5'])).toThrow("unknown option --limt; an argument that starts with '--' goes after a lone --");
    expect(() => parseCommandLine(['log', '--door'])).toThrow('--door needs a value');
    expect(() => parseCommandLine(['log', '--csv=yes'])).toThrow('unknown option --csv=yes');
  });
});
