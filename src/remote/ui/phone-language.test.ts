import { describe, expect, it } from 'vitest';
import { MemoryStorage } from '../../../tests/support/storage.ts';
import { LANGUAGE_KEY } from '../../lib/words/language.ts';
import { LanguageSetting } from './phone-language.svelte.ts';

describe('the phone Language setting', () => {
  it('shows the stored choice, and Device language when there is none', () => {
    expect(new LanguageSetting(new MemoryStorage({ [LANGUAGE_KEY]: 'en' }), 'en', 'de-DE').choice).toBe('en');
    expect(new LanguageSetting(new MemoryStorage(), 'de', 'de-DE').choice).toBe('device');
  });

  it('asks for a reload only when the choice speaks another language than the screen', () => {
    const store = new MemoryStorage();
    const s = new LanguageSetting(store, 'de', 'de-DE');
    expect(s.needsReload).toBe(false);
    s.choose('en');
    expect(store.getItem(LANGUAGE_KEY)).toBe('en');
    expect(s.needsReload).toBe(true);
    s.choose('device'); // back to German, as on screen
    expect(store.getItem(LANGUAGE_KEY)).toBeNull();
    expect(s.needsReload).toBe(false);
    s.choose('de'); // German by choice: still what the screen speaks
    expect(s.needsReload).toBe(false);
  });

  it('a device that will not store the choice keeps the old one and says so', () => {
    const store = new MemoryStorage();
    store.refuse = true;
    const s = new LanguageSetting(store, 'en', 'en-US');
    s.choose('de');
    expect(s.saveFailed).toBe(true);
    expect(s.choice).toBe('device');
    expect(s.needsReload).toBe(false);
  });
});
