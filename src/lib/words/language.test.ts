import { describe, expect, it } from 'vitest';
import { MemoryStorage } from '../../../tests/support/storage.ts';
import { pickLanguage, say } from './index.ts';
import { LANGUAGE_KEY, parseLanguageChoice, readLanguageChoice, readLanguageOverride, saveLanguageChoice } from './language.ts';

describe('the language override kept on the device', () => {
  it('a stored choice wins over the device language; none, or an odd value, leaves the device language', () => {
    expect(pickLanguage('de-DE', readLanguageOverride(new MemoryStorage({ [LANGUAGE_KEY]: 'en' })))).toBe('en');
    expect(pickLanguage('en-US', readLanguageOverride(new MemoryStorage({ [LANGUAGE_KEY]: 'de' })))).toBe('de');
    expect(pickLanguage('de-DE', readLanguageOverride(new MemoryStorage()))).toBe('de');
    expect(pickLanguage('de-DE', readLanguageOverride(new MemoryStorage({ [LANGUAGE_KEY]: 'fr' })))).toBe('de');
    expect(pickLanguage('en-GB', readLanguageOverride(new MemoryStorage({ [LANGUAGE_KEY]: ' DE' })))).toBe('en');
    expect(pickLanguage('de-AT', readLanguageOverride(null))).toBe('de');
  });

  it('storage that refuses to be read means the device language, not a crash at start', () => {
    const store = new MemoryStorage({ [LANGUAGE_KEY]: 'en' });
    store.refuse = true;
    expect(readLanguageOverride(store)).toBeNull();
    expect(pickLanguage('de-DE', readLanguageOverride(store))).toBe('de');
  });

  it('saving English or Deutsch keeps it; Device language removes the override', () => {
    const store = new MemoryStorage();
    expect(saveLanguageChoice(store, 'de')).toBe(true);
    expect(store.getItem(LANGUAGE_KEY)).toBe('de');
    expect(readLanguageChoice(store)).toBe('de');
    expect(saveLanguageChoice(store, 'device')).toBe(true);
    expect(store.getItem(LANGUAGE_KEY)).toBeNull();
    expect(readLanguageChoice(store)).toBe('device');
  });

  it('a refused save or no storage says so', () => {
    const store = new MemoryStorage();
    store.refuse = true;
    expect(saveLanguageChoice(store, 'en')).toBe(false);
    expect(saveLanguageChoice(null, 'en')).toBe(false);
  });

  it('a form value is a known language or the device choice', () => {
    expect(parseLanguageChoice('en')).toBe('en');
    expect(parseLanguageChoice('de')).toBe('de');
    expect(parseLanguageChoice('device')).toBe('device');
    expect(parseLanguageChoice('xx')).toBe('device');
  });

  it('outside a browser (the hub, these tests) say speaks English', () => {
    expect(say('phone.nav.doors')).toBe('Doors');
  });
});
