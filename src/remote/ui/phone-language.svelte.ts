import { pickLanguage, type Language } from '../../lib/words/index.ts';
import { readLanguageChoice, saveLanguageChoice, type KeyValueStore, type LanguageChoice } from '../../lib/words/language.ts';

/**
 * The phone's Language setting (device language, English, Deutsch). The words on screen were
 * chosen at start, so a choice that speaks another language than the running one asks for a
 * reload; one that speaks the same (English on an English phone) needs none.
 */
export class LanguageSetting {
  readonly #store: KeyValueStore | null;
  readonly #running: Language;
  readonly #deviceLanguage: string | undefined;
  #choice = $state<LanguageChoice>('device');
  #saveFailed = $state(false);

  constructor(store: KeyValueStore | null, running: Language, deviceLanguage: string | undefined) {
    this.#store = store;
    this.#running = running;
    this.#deviceLanguage = deviceLanguage;
    this.#choice = readLanguageChoice(store);
  }

  get choice(): LanguageChoice {
    return this.#choice;
  }

  /** True when the device would not keep the choice (storage refused). */
  get saveFailed(): boolean {
    return this.#saveFailed;
  }

  /** The choice speaks another language than the words on screen: a reload applies it. */
  get needsReload(): boolean {
    return !this.#saveFailed && pickLanguage(this.#deviceLanguage, this.#choice === 'device' ? null : this.#choice) !== this.#running;
  }

  choose(choice: LanguageChoice): void {
    this.#saveFailed = !saveLanguageChoice(this.#store, choice);
    if (!this.#saveFailed) this.#choice = choice;
  }
}
