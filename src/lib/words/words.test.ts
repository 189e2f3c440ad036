import { describe, expect, it } from 'vitest';
import { de } from './de.ts';
import { en } from './en.ts';
import { fill, pickLanguage } from './index.ts';
import { formatDateTime, formatFixed, formatNumber } from './format.ts';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('words catalogue', () => {
  it('has every key in both languages with the same placeholders', () => {
    expect(Object.keys(de).sort()).toEqual(Object.keys(en).sort());
    for (const k of Object.keys(en) as (keyof typeof en)[]) {
      expect({ k, p: placeholders(de[k]) }).toEqual({ k, p: placeholders(en[k]) });
      expect(de[k].trim()).not.toBe('');
    }
  });
  it('picks German for de* devices, English otherwise, and an override wins', () => {
    expect(pickLanguage('de-AT')).toBe('de');
    expect(pickLanguage('DE')).toBe('de');
    expect(pickLanguage('en-US')).toBe('en');
    expect(pickLanguage('fr')).toBe('en');
    expect(pickLanguage(undefined)).toBe('en');
    expect(pickLanguage('de-DE', 'en')).toBe('en');
  });
  it('fills placeholders and leaves a missing one visible', () => {
    expect(fill('{name} came in', { name: 'Ada' })).toBe('Ada came in');
    expect(fill('{name} came in')).toBe('{name} came in');
  });
  it('formats dates and numbers by locale', () => {
    const at = Date.UTC(2026, 11, 3, 18, 50);
    expect(formatDateTime(at, 'de-DE')).toMatch(/03\.12\.26/);
    expect(formatDateTime(at, 'en-US')).toMatch(/12\/3\/26/);
    expect(formatNumber(1234.5, 'de-DE')).toBe('1.234,5');
    expect(formatNumber(1234.5, 'en-US')).toBe('1,234.5');
    expect(formatFixed(0.55, 2, 'de-DE')).toBe('0,55');
    expect(formatFixed(3650, 0, 'en-US')).toBe('3650');
    expect(formatFixed(0.3, 2, 'en-US')).toBe('0.30');
  });
});
