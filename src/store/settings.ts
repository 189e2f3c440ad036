import type { SecretHash } from '../lib/secret-hash.ts';
import type { LockoutRecord } from '../lib/lockout.ts';
import type { DoorwardDB } from './db.ts';

/** Typed keys for the settings store, so a misspelt key is a compile error, not a lost setting. */
export interface SettingsMap {
  adminPin: SecretHash;
  adminLockout: LockoutRecord;
}

export interface SettingsRepo {
  get<K extends keyof SettingsMap>(key: K): Promise<SettingsMap[K] | undefined>;
  put<K extends keyof SettingsMap>(key: K, value: SettingsMap[K]): Promise<void>;
}

export function settingsRepo(db: DoorwardDB): SettingsRepo {
  return {
    async get(key) {
      return (await db.get('settings', key)) as never;
    },
    async put(key, value) {
      await db.put('settings', value, key);
    },
  };
}
