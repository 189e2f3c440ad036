import type { DoorwardDB } from './db.ts';
import type { Clock } from '../platform/clock.ts';

/**
 * The `keys` store: non-extractable CryptoKeys by name (IndexedDB keeps them as keys, never as
 * bytes). put() replaces, so a re-provisioned board or a new issuer key takes the old one's place.
 */
export interface KeyRing {
  get(name: string): Promise<CryptoKey | null>;
  put(name: string, key: CryptoKey): Promise<void>;
}

export function keyRing(db: DoorwardDB, clock: Pick<Clock, 'now'>): KeyRing {
  return {
    get: async (name) => (await db.get('keys', name))?.key ?? null,
    put: async (name, key) => {
      await db.put('keys', { name, key, createdAt: clock.now() });
    },
  };
}
