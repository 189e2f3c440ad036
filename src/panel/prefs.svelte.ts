import { DEFAULT_PREFS, type PanelPrefs, type SettingsRepo } from '../store/settings.ts';
import { DEFAULT_RETENTION, type Retention } from '../store/events.ts';
import { DEFAULT_SETTINGS, type Settings } from '../access/index.ts';
import { ensurePulseLimit } from '../door/pulse-limit.ts';
import { storedCallRelay, type CallRelay } from './call-relay.ts';
import { retentionOf, settingProblem, storedDoorName, storedPulseMs, withThresholds, DEFAULT_DOOR_NAME, DEFAULT_PULSE_MS } from './panel-settings.ts';

/** Whether the door controller takes this unlock time: a problem in words, or null. */
export type PulseLimit = (pulseMs: number) => Promise<string | null>;

const noBoard: PulseLimit = async (ms) => {
  const r = await ensurePulseLimit(null, ms);
  return r.ok ? null : r.problem;
};

/** The panel's preferences, readable synchronously by the kiosk and saved on every change. */
export class Prefs {
  #prefs = $state<PanelPrefs>(DEFAULT_PREFS);
  #retention = $state<Retention>(DEFAULT_RETENTION);
  #pulseMs = $state(DEFAULT_PULSE_MS);
  #doorName = $state(DEFAULT_DOOR_NAME);
  #callRelay = $state.raw<CallRelay | null>(null);
  readonly #renamed = new Set<(name: string) => void>();
  // Raw: always replaced whole, and stored as it is (a deep proxy cannot be structured-cloned).
  #access = $state.raw<Settings>(DEFAULT_SETTINGS);
  readonly #settings: SettingsRepo;
  readonly #pulseLimit: PulseLimit;

  /**
   * `pulseLimit` asks the door controller to allow an unlock time (DoorLink.allowPulse): a problem
   * in words, or null. Absent: nothing above a board's default ceiling (5 s) can be checked, so
   * nothing above it is saved.
   */
  constructor(settings: SettingsRepo, pulseLimit: PulseLimit = noBoard) {
    this.#settings = settings;
    this.#pulseLimit = pulseLimit;
  }

  get prefs(): PanelPrefs {
    return this.#prefs;
  }
  get retention(): Retention {
    return this.#retention;
  }
  /** The unlock pulse; the Gatekeeper reads it at every unlock. */
  get pulseMs(): number {
    return this.#pulseMs;
  }
  /** What the kiosk screen and the remote side call this door. */
  get doorName(): string {
    return this.#doorName;
  }
  /** The TURN server doorbell calls relay through (each new call reads it); null: home network only. */
  get callRelay(): CallRelay | null {
    return this.#callRelay;
  }
  /** The access policy's thresholds (the Gatekeeper reads the stored copy at every decision). */
  get access(): Settings {
    return this.#access;
  }

  async load(): Promise<void> {
    this.#prefs = { ...DEFAULT_PREFS, ...((await this.#settings.get('panelPrefs')) ?? {}) };
    this.#retention = (await this.#settings.get('retention')) ?? DEFAULT_RETENTION;
    this.#pulseMs = storedPulseMs(await this.#settings.get('unlockPulseMs'));
    this.#doorName = storedDoorName(await this.#settings.get('siteName'));
    this.#access = (await this.#settings.get('accessSettings')) ?? DEFAULT_SETTINGS;
    this.#callRelay = storedCallRelay(await this.#settings.get('callRelay'));
  }

  async update(change: Partial<PanelPrefs>): Promise<void> {
    this.#prefs = { ...this.#prefs, ...change };
    await this.#settings.put('panelPrefs', this.#prefs);
  }

  /** Returns a problem in words, or null when saved. */
  async setRetention(days: number, snapshotMb: number): Promise<string | null> {
    const problem = settingProblem('retentionDays', days) ?? settingProblem('snapshotMb', snapshotMb);
    if (problem) return problem;
    const next = retentionOf(days, snapshotMb);
    await this.#settings.put('retention', next);
    this.#retention = next;
    return null;
  }

  /** Returns a problem in words, or null when saved; the next unlock uses it. */
  async setPulseMs(ms: number): Promise<string | null> {
    const problem = settingProblem('pulseMs', ms) ?? (await this.#pulseLimit(ms));
    if (problem) return problem;
    await this.#settings.put('unlockPulseMs', ms);
    this.#pulseMs = ms;
    return null;
  }

  /** Returns a problem in words, or null when saved (trimmed); the kiosk and the remote side follow at once. */
  async setDoorName(name: string): Promise<string | null> {
    const problem = settingProblem('doorName', name);
    if (problem) return problem;
    const next = name.trim();
    if (next === this.#doorName) return null;
    await this.#settings.put('siteName', next);
    this.#doorName = next;
    for (const listener of this.#renamed) listener(next);
    return null;
  }

  /** Returns a problem in words, or null when saved; null removes the relay. The next call uses it. */
  async setCallRelay(relay: CallRelay | null): Promise<string | null> {
    const problem = settingProblem('callRelay', relay);
    if (problem) return problem;
    const next = storedCallRelay(relay);
    await this.#settings.put('callRelay', next);
    this.#callRelay = next;
    return null;
  }

  /** Called after each saved rename (Home Assistant's device name, say); returns the unsubscribe. */
  onDoorRenamed(listener: (name: string) => void): () => void {
    this.#renamed.add(listener);
    return () => this.#renamed.delete(listener);
  }

  /** Returns a problem in words, or null when saved; the next decision uses them. */
  async setThresholds(faceMatch: number, livenessPass: number, riskStepUp: number = this.#access.risk.stepUpAt): Promise<string | null> {
    const problem = settingProblem('faceMatch', faceMatch) ?? settingProblem('livenessPass', livenessPass) ?? settingProblem('riskStepUp', riskStepUp);
    if (problem) return problem;
    const next = withThresholds(this.#access, faceMatch, livenessPass, riskStepUp);
    await this.#settings.put('accessSettings', next);
    this.#access = next;
    return null;
  }
}
