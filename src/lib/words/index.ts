import { de } from './de.ts';
import { en, type WordKey, type Words } from './en.ts';
import { deviceStore, readLanguageOverride, type Language } from './language.ts';

export type { WordKey, Words } from './en.ts';
export type { Language } from './language.ts';

const CATALOGUES: Readonly<Record<Language, Words>> = { en, de };

/** The device's language decides ('de', 'de-AT' … is German); anything else is English. An override wins. */
export function pickLanguage(deviceLanguage: string | undefined, override?: Language | null): Language {
  if (override === 'en' || override === 'de') return override;
  return (deviceLanguage ?? '').toLowerCase().startsWith('de') ? 'de' : 'en';
}

export const catalogue = (lang: Language): Words => CATALOGUES[lang];

/** Fills `{name}` placeholders; one without a value stays visible rather than vanishing. */
export function fill(template: string, vars: Readonly<Record<string, string>> = {}): string {
  return template.replace(/\{(\w+)\}/g, (all, k: string) => vars[k] ?? all);
}

export type Say = (key: WordKey, vars?: Readonly<Record<string, string>>) => string;
export const sayer = (w: Words): Say => (key, vars) => fill(w[key], vars);

// Only a browser has a device language; Node (the hub, unit tests) speaks the default, English.
export const deviceLanguage = (): string | undefined => (typeof window === 'undefined' || typeof navigator === 'undefined' ? undefined : navigator.language);

/** The language this device speaks, chosen once at start: its own choice if stored, else the device's language. */
export const language: Language = pickLanguage(deviceLanguage(), readLanguageOverride(deviceStore()));
/** The words of this device, read once at start (a changed choice applies at the next start). */
export const say: Say = sayer(catalogue(language));
