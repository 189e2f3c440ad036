import { DEFAULT_PREFS, type PanelPrefs, type SettingsRepo } from '../store/settings.ts';
import { DEFAULT_RETENTION, type Retention } from '../store/events.ts';

/** The panel's preferences, readable synchronously by the kiosk and saved on every change. */
export class Prefs {
  #prefs = $state<PanelPrefs>(DEFAULT_PREFS);
  #retention = $state<Retention>(DEFAULT_RETENTION);
  readonly #settings: SettingsRepo;

  constructor(settings: SettingsRepo) {
    this.#settings = settings;
  }

  get prefs(): PanelPrefs {
    return this.#prefs;
  }
  get retention(): Retention {
    return this.#retention;
  }

  async load(): Promise<void> {
    this.#prefs = { ...DEFAULT_PREFS, ...((await this.#settings.get('panelPrefs')) ?? {}) };
    this.#retention = (await this.#settings.get('retention')) ?? DEFAULT_RETENTION;
  }

  async update(change: Partial<PanelPrefs>): Promise<void> {
    this.#prefs = { ...this.#prefs, ...change };
    await this.#settings.put('panelPrefs', this.#prefs);
  }

  /** Returns a problem in words, or null when saved. */
  async setRetention(days: number, snapshotMb: number): Promise<string | null> {
    if (!(Number.isInteger(days) && days >= 1 && days <= 3650)) return 'Keep events for 1 to 3650 days.';
    if (!(snapshotMb >= 0 && snapshotMb <= 10_000)) return 'Snapshot space must be 0 to 10000 MB.';
    this.#retention = { maxDays: days, maxSnapshotBytes: Math.round(snapshotMb * 1024 * 1024) };
    await this.#settings.put('retention', this.#retention);
    return null;
  }
}
