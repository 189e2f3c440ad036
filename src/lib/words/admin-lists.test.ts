import { describe, expect, it } from 'vitest';
import { enAdminLists } from './en-admin-lists.ts';
import { deAdminLists } from './de-admin-lists.ts';
import { formatDayMonth } from './format.ts';

describe('admin lists words', () => {
  it('stay under their screens\' prefixes, so they cannot clash with the other admin files\' keys', () => {
    for (const k of [...Object.keys(enAdminLists), ...Object.keys(deAdminLists)]) expect(k).toMatch(/^admin\.(people|keys|schedule|log|insight|matter)\./);
  });
  it('label a chart day by the device locale', () => {
    const at = new Date(2026, 10, 25).getTime();
    expect(formatDayMonth(at, 'de-DE')).toBe('25.11.');
    expect(formatDayMonth(at, 'en-US')).toBe('11/25');
  });
});
