import type { SecretHash } from '../lib/secret-hash.ts';
import type { LockoutRecord } from '../lib/lockout.ts';
import type { DoorwardDB } from './db.ts';
import { storable } from './storable.ts';
import type { Retention } from './events.ts';
import type { Settings, StepUpRule } from '../access/types.ts';
import type { StoredInsightState } from './insight-state.ts';
import type { AlertKnobs } from '../insight/alerts.ts';
import type { MatterBridgeRecord } from '../panel/matter-report.ts';

/** Typed keys for the settings store, so a misspelt key is a compile error, not a lost setting. */
export interface SettingsMap {
  adminPin: SecretHash;
  adminLockout: LockoutRecord;
  /** The visitor PIN pad's failure record, stored so a reload cannot reset the back-off. */
  pinPadLockout: LockoutRecord;
  accessSettings: Settings;
  stepUpRules: readonly StepUpRule[];
  retention: Retention;
  siteName: string;
  guestIssuer: { readonly kid: string; readonly publicJwk: JsonWebKey };
  guestKeysIssued: readonly IssuedGuestKey[];
  /** Uses this panel has counted per key id. */
  guestKeyUses: Readonly<Record<string, number>>;
  /** The insight engine's learnt state, strangers' faces sealed (see insight-state.ts). */
  insightState: StoredInsightState;
  panelPrefs: PanelPrefs;
  /** The relay pulse of an unlock, ms (bounds in panel/panel-settings.ts). */
  unlockPulseMs: number;
  /** Quiet hours for insight alerts, set by an admin; kept apart from insightState so a reset of the learnt state keeps them. */
  alertQuietHours: AlertKnobs['quietHours'];
  /** The broker a page's `?broker=` asked for, kept for boots without it. */
  'remote.brokerUrl': string;
  /** What the panel's own server last said about its broker (checked by parseServerBrokerConfig when read). */
  'remote.serverBroker': unknown;
  /** What each paired Matter bridge last reported of its commissioning (panel/matter-report.ts). */
  matterBridges: readonly MatterBridgeRecord[];
  /** The TURN server for doorbell calls, or null (checked by storedCallRelay when read). */
  callRelay: unknown;
}

/** Visitor-facing choices an admin makes for this door. */
export interface PanelPrefs {
  /** Spoken greeting and PIN-pad instructions, for visitors who cannot read the screen. */
  readonly speech: boolean;
  /** Shuffle the PIN pad digits for every entry, against smudges and shoulder-surfing. */
  readonly scrambledKeypad: boolean;
}

export const DEFAULT_PREFS: PanelPrefs = { speech: true, scrambledKeypad: false };

/** What the admin sees of a guest key after issuing it; the token itself is not kept. */
export interface IssuedGuestKey {
  readonly keyId: string;
  readonly name: string;
  readonly notBefore: number;
  readonly expires: number;
  readonly maxUses: number | null;
  readonly revoked: boolean;
  readonly issuedAt: number;
  /** Whether the key lets its guest enrol their own face; absent on keys issued before it was kept (read as false). */
  readonly selfEnrol?: boolean;
}

export interface SettingsRepo {
  get<K extends keyof SettingsMap>(key: K): Promise<SettingsMap[K] | undefined>;
  put<K extends keyof SettingsMap>(key: K, value: SettingsMap[K]): Promise<void>;
  /** Reads, changes and writes one setting in a single transaction; resolves with what was written. */
  update<K extends keyof SettingsMap>(key: K, change: (current: SettingsMap[K] | undefined) => SettingsMap[K]): Promise<SettingsMap[K]>;
}

export function settingsRepo(db: DoorwardDB): SettingsRepo {
  return {
    async get(key) {
      return (await db.get('settings', key)) as never;
    },
    async put(key, value) {
      await db.put('settings', storable(value), key);
    },
    async update(key, change) {
      const tx = db.transaction('settings', 'readwrite');
      const next = storable(change((await tx.store.get(key)) as never));
      await tx.store.put(next, key);
      await tx.done;
      return next;
    },
  };
}
