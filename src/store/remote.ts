import type { DoorwardDB } from './db.ts';
import type { Clock } from '../platform/clock.ts';
import type { LockoutRecord } from '../lib/lockout.ts';
import { storable } from './storable.ts';

/**
 * The remote layer's records (src/remote/store.ts turns them into its PanelStore and
 * PhoneStore). Private keys sit in `keys` as non-extractable CryptoKeys (IndexedDB keeps them
 * by structured clone, so their bytes are never in reach of script), everything else under
 * `remote.*` names in `settings`; only this file knows those names.
 *
 * Each record is written as its owner's type and read back as `unknown`: the remote layer
 * checks it again on every load, so a damaged entry reads as absent rather than as trust.
 */
export interface Cell<T> {
  load(): Promise<unknown>;
  save(value: T): Promise<void>;
  /** Reads, changes and writes in one transaction (two updates back to back cannot lose one). */
  update(change: (stored: unknown) => T): Promise<T>;
}

export interface StoredIdentity {
  readonly meta: unknown;
  readonly signingKey: CryptoKey | null;
  readonly ecdhKey: CryptoKey | null;
}

/** A key pair's public half and ids (in `settings`) with its private keys (in `keys`), written together. */
export interface IdentityRecord<M extends object> {
  load(): Promise<StoredIdentity>;
  save(meta: M, signingKey: CryptoKey, ecdhKey: CryptoKey): Promise<void>;
}

export interface PanelRemoteRecords {
  readonly identity: IdentityRecord<{ readonly panelId: string; readonly signingJwk: JsonWebKey; readonly encryptionJwk: JsonWebKey }>;
  readonly admins: Cell<readonly object[]>;
  /** The last command counter taken from each admin. */
  readonly counters: Cell<Readonly<Record<string, number>>>;
  readonly homeAssistant: Cell<object>;
  readonly haLockout: Cell<LockoutRecord>;
  readonly sequenceCeiling: Cell<number>;
}

export interface PhoneRemoteRecords {
  readonly identity: IdentityRecord<{ readonly adminId: string; readonly clientId: string; readonly signingJwk: JsonWebKey; readonly encryptionJwk: JsonWebKey }>;
  readonly panel: Cell<object | null>;
  readonly counter: Cell<number>;
  readonly seen: Cell<readonly string[]>;
  readonly notifyRules: Cell<object>;
  readonly sequences: Cell<object>;
}

function cell<T>(db: DoorwardDB, key: string): Cell<T> {
  return {
    load: async () => db.get('settings', key),
    save: async (value) => {
      await db.put('settings', storable(value), key);
    },
    update: async (change) => {
      const tx = db.transaction('settings', 'readwrite');
      const next = storable(change(await tx.store.get(key)));
      await tx.store.put(next, key);
      await tx.done;
      return next;
    },
  };
}

function identity<M extends object>(db: DoorwardDB, clock: Pick<Clock, 'now'>, metaKey: string, signName: string, ecdhName: string): IdentityRecord<M> {
  return {
    async load() {
      const [meta, sign, ecdh] = await Promise.all([db.get('settings', metaKey), db.get('keys', signName), db.get('keys', ecdhName)]);
      return { meta, signingKey: sign?.key ?? null, ecdhKey: ecdh?.key ?? null };
    },
    async save(meta, signingKey, ecdhKey) {
      const tx = db.transaction(['keys', 'settings'], 'readwrite');
      const now = clock.now();
      await tx.objectStore('keys').put({ name: signName, key: signingKey, createdAt: now });
      await tx.objectStore('keys').put({ name: ecdhName, key: ecdhKey, createdAt: now });
      await tx.objectStore('settings').put(storable(meta), metaKey);
      await tx.done;
    },
  };
}

export function panelRemoteRecords(db: DoorwardDB, clock: Pick<Clock, 'now'>): PanelRemoteRecords {
  return {
    identity: identity(db, clock, 'remote.panel.identity', 'remote.panel.sign', 'remote.panel.ecdh'),
    admins: cell(db, 'remote.panel.admins'),
    counters: cell(db, 'remote.panel.counters'),
    homeAssistant: cell(db, 'remote.panel.homeAssistant'),
    haLockout: cell(db, 'remote.panel.haLockout'),
    sequenceCeiling: cell(db, 'remote.panel.sequenceCeiling'),
  };
}

export function phoneRemoteRecords(db: DoorwardDB, clock: Pick<Clock, 'now'>): PhoneRemoteRecords {
  return {
    identity: identity(db, clock, 'remote.phone.identity', 'remote.phone.sign', 'remote.phone.ecdh'),
    panel: cell(db, 'remote.phone.panel'),
    counter: cell(db, 'remote.phone.counter'),
    seen: cell(db, 'remote.phone.seen'),
    notifyRules: cell(db, 'remote.phone.notify'),
    sequences: cell(db, 'remote.phone.sequences'),
  };
}
