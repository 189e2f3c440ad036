/**
 * The phone's own language choice: the device's language unless its user picked one, kept on the
 * device (localStorage under `doorward.language`) and read once at start by `say`.
 */
export type Language = 'en' | 'de';
export type LanguageChoice = Language | 'device';

export const LANGUAGE_KEY = 'doorward.language';
export const LANGUAGE_CHOICES: readonly LanguageChoice[] = ['device', 'en', 'de'];
/** Each language in its own words: the same on every screen, so not in the catalogue. */
export const LANGUAGE_NAMES: Readonly<Record<Language, string>> = { en: 'English', de: 'Deutsch' };

/** The part of `Storage` the choice needs, so tests hand in a memory one (tests/support/storage.ts). */
export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export const isLanguage = (v: unknown): v is Language => v === 'en' || v === 'de';

/** The stored override, or null for the device's language: also when nothing, something odd, or no storage at all is there. */
export function readLanguageOverride(store: KeyValueStore | null): Language | null {
  try {
    const v = store?.getItem(LANGUAGE_KEY) ?? null;
    return isLanguage(v) ? v : null;
  } catch {
    return null; // storage refused (a locked-down browser): the device's language
  }
}

/** A choice as a form hands it over: a known language, else the device's. */
export const parseLanguageChoice = (v: string): LanguageChoice => (isLanguage(v) ? v : 'device');

export const readLanguageChoice = (store: KeyValueStore | null): LanguageChoice => readLanguageOverride(store) ?? 'device';

/** Keeps the choice; 'device' removes the override. False when the device would not store it. */
export function saveLanguageChoice(store: KeyValueStore | null, choice: LanguageChoice): boolean {
  if (!store) return false;
  try {
    if (choice === 'device') store.removeItem(LANGUAGE_KEY);
    else store.setItem(LANGUAGE_KEY, choice);
    return true;
  } catch {
    return false;
  }
}

/** This browser's localStorage, or null outside a browser (the hub, unit tests) or where it is refused. */
export function deviceStore(): KeyValueStore | null {
  if (typeof window === 'undefined') return null;
  try {
    return window.localStorage ?? null;
  } catch {
    return null;
  }
}
