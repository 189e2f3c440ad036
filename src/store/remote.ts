import { phoneDoorKeyNames, type DoorwardDB } from './db.ts';
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

/** One door's records on the phone: its own identity and keys, link, command counter, what it has seen. */
export interface PhoneDoorRecords {
  readonly identity: IdentityRecord<{ readonly adminId: string; readonly clientId: string; readonly signingJwk: JsonWebKey; readonly encryptionJwk: JsonWebKey }>;
  readonly panel: Cell<object | null>;
  readonly counter: Cell<number>;
  readonly seen: Cell<readonly string[]>;
  readonly sequences: Cell<object>;
}

export interface PhoneDoorSummary {
  readonly panelId: string;
  readonly name: string;
  readonly addedAt: number;
  readonly followsPanel: boolean;
}

/** The doors a phone is paired with, one record each (`phoneDoors`), and what the phone chose for all. */
export interface PhoneDoorsRecords {
  /** Every door with a record, oldest first; its link is checked by the remote layer. */
  list(): Promise<readonly (PhoneDoorSummary & { readonly panel: unknown })[]>;
  door(panelId: string): PhoneDoorRecords;
  rename(panelId: string, name: string, followsPanel: boolean): Promise<void>;
  /** The door's record and its keys, in one transaction; the other doors are not touched. */
  remove(panelId: string): Promise<void>;
  readonly notifyRules: Cell<object>;
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

type DoorField = 'identity' | 'panel' | 'counter' | 'seen' | 'sequences';

/** One field of a door's record; the first write makes the record (named after nothing better yet). */
function doorCell<T>(db: DoorwardDB, clock: Pick<Clock, 'now'>, panelId: string, field: Exclude<DoorField, 'identity'>): Cell<T> {
  const update = async (change: (stored: unknown) => T): Promise<T> => {
    const tx = db.transaction('phoneDoors', 'readwrite');
    const record = (await tx.store.get(panelId)) ?? { panelId, name: '', addedAt: clock.now() };
    const next = storable(change(record[field]));
    await tx.store.put({ ...record, [field]: next });
    await tx.done;
    return next;
  };
  return {
    load: async () => (await db.get('phoneDoors', panelId))?.[field],
    save: async (value) => void (await update(() => value)),
    update,
  };
}

function doorIdentity(db: DoorwardDB, clock: Pick<Clock, 'now'>, panelId: string): PhoneDoorRecords['identity'] {
  const names = phoneDoorKeyNames(panelId);
  return {
    async load() {
      const [record, sign, ecdh] = await Promise.all([db.get('phoneDoors', panelId), db.get('keys', names.sign), db.get('keys', names.ecdh)]);
      return { meta: record?.identity, signingKey: sign?.key ?? null, ecdhKey: ecdh?.key ?? null };
    },
    async save(meta, signingKey, ecdhKey) {
      const tx = db.transaction(['keys', 'phoneDoors'], 'readwrite');
      const now = clock.now();
      const doors = tx.objectStore('phoneDoors');
      const record = (await doors.get(panelId)) ?? { panelId, name: '', addedAt: now };
      await tx.objectStore('keys').put({ name: names.sign, key: signingKey, createdAt: now });
      await tx.objectStore('keys').put({ name: names.ecdh, key: ecdhKey, createdAt: now });
      await doors.put({ ...record, identity: storable(meta) });
      await tx.done;
    },
  };
}

export function phoneDoorsRecords(db: DoorwardDB, clock: Pick<Clock, 'now'>): PhoneDoorsRecords {
  return {
    async list() {
      const all = await db.getAll('phoneDoors');
      return all.sort((a, b) => a.addedAt - b.addedAt).map(({ panelId, name, addedAt, followsPanel, panel }) => ({ panelId, name, addedAt, followsPanel: followsPanel === true, panel }));
    },
    door: (panelId) => ({
      identity: doorIdentity(db, clock, panelId),
      panel: doorCell(db, clock, panelId, 'panel'),
      counter: doorCell(db, clock, panelId, 'counter'),
      seen: doorCell(db, clock, panelId, 'seen'),
      sequences: doorCell(db, clock, panelId, 'sequences'),
    }),
    async rename(panelId, name, followsPanel) {
      const tx = db.transaction('phoneDoors', 'readwrite');
      const record = await tx.store.get(panelId);
      if (record) await tx.store.put({ ...record, name, followsPanel });
      await tx.done;
    },
    async remove(panelId) {
      const names = phoneDoorKeyNames(panelId);
      const tx = db.transaction(['keys', 'phoneDoors'], 'readwrite');
      await Promise.all([tx.objectStore('phoneDoors').delete(panelId), tx.objectStore('keys').delete(names.sign), tx.objectStore('keys').delete(names.ecdh), tx.done]);
    },
    notifyRules: cell(db, 'remote.phone.notify'),
  };
}
