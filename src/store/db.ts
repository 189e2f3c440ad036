import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { Pass, Person } from '../access/types.ts';
import type { PinCredential } from '../access/pin.ts';
import type { Sealed } from './sealing.ts';

/**
 * The only file that knows the IndexedDB schema. Upgrades are cumulative `if (oldVersion < N)`
 * steps so a panel that skipped versions still arrives at the current shape.
 */
export const DB_NAME = 'doorward';
export const DB_VERSION = 4;

export interface PersonRecord extends Person {
  readonly createdAt: number;
}

/** One face template: the embedding is sealed (AES-GCM), only its bookkeeping is in clear. */
export interface TemplateRecord {
  readonly id: string;
  readonly personId: string;
  readonly createdAt: number;
  /** Capture quality 0..1 from the vision quality gate. */
  readonly quality: number;
  readonly sealed: Sealed;
}

/** A person's PIN (and optional duress PIN), as salted PBKDF2 hashes. */
export interface PinCredentialRecord extends PinCredential {
  readonly id: string;
  readonly kind: 'pin';
  readonly createdAt: number;
}

export type PassRecord = Pass;

export type EventKind = 'attempt' | 'door' | 'admin' | 'system';

/** One line of the access log. `detail` is plain data (a decision, a door event) for the admin. */
export interface EventRecord {
  readonly id: string;
  readonly at: number;
  readonly kind: EventKind;
  readonly personId: string | null;
  readonly summary: string;
  readonly detail: unknown;
  readonly snapshotId: string | null;
}

export interface SnapshotRecord {
  readonly id: string;
  readonly eventId: string;
  readonly personId: string | null;
  readonly at: number;
  readonly bytes: number;
  /** A small JPEG, sealed like templates. */
  readonly sealed: Sealed;
}

/** A person's face thumbnail (a 96 px JPEG of their enrolment capture), sealed like templates. */
export interface ThumbnailRecord {
  readonly personId: string;
  readonly createdAt: number;
  readonly sealed: Sealed;
}

/** The record id a thumbnail is sealed under (its additional data), apart from any template's. */
export const thumbnailSealId = (personId: string) => `thumbnail:${personId}`;

export interface OutboxRecord {
  /** The event id doubles as the de-duplication id for at-least-once delivery. */
  readonly id: string;
  readonly topic: string;
  readonly payload: unknown;
  readonly createdAt: number;
  readonly attempts: number;
  readonly nextAttemptAt: number;
}

export interface KeyRecord {
  readonly name: string;
  readonly key: CryptoKey;
  readonly createdAt: number;
}

/**
 * One panel a phone is paired with (the phone app holds several: front door, back door, office).
 * Everything but the name and the private keys (in `keys`, see phoneDoorKeyNames) is the remote
 * layer's, kept as it wrote it and checked again by it on load.
 */
export interface PhoneDoorRecord {
  readonly panelId: string;
  /** What the admin calls this door on the phone. */
  readonly name: string;
  readonly addedAt: number;
  /** True when the name is the panel's own (none was typed): a rename at the panel renames it here. */
  readonly followsPanel?: boolean;
  readonly identity?: unknown;
  readonly panel?: unknown;
  readonly counter?: unknown;
  readonly seen?: unknown;
  readonly sequences?: unknown;
}

/** The names of a door's private keys in `keys`. */
export const phoneDoorKeyNames = (panelId: string) => ({ sign: `remote.phone.door.${panelId}.sign`, ecdh: `remote.phone.door.${panelId}.ecdh` }) as const;

/** Where version 2 kept the one panel a phone could hold (moved into `phoneDoors` by version 3). */
const SINGLE_PHONE = {
  settings: { identity: 'remote.phone.identity', panel: 'remote.phone.panel', counter: 'remote.phone.counter', seen: 'remote.phone.seen', sequences: 'remote.phone.sequences' },
  keys: { sign: 'remote.phone.sign', ecdh: 'remote.phone.ecdh' },
} as const;

/**
 * A version-2 phone's pairing as the first door, or null where it held none. Pure, so the
 * upgrade step that uses it is only the reads and writes around it.
 */
export function doorFromSinglePanel(stored: { readonly identity: unknown; readonly panel: unknown; readonly counter: unknown; readonly seen: unknown; readonly sequences: unknown }): PhoneDoorRecord | null {
  const panel = stored.panel;
  if (typeof panel !== 'object' || panel === null || typeof (panel as { panelId?: unknown }).panelId !== 'string' || stored.identity === undefined) return null;
  const { panelId, pairedAt } = panel as { panelId: string; pairedAt?: unknown };
  return { panelId, name: 'Door', addedAt: typeof pairedAt === 'number' ? pairedAt : 0, followsPanel: true, identity: stored.identity, panel, counter: stored.counter, seen: stored.seen, sequences: stored.sequences };
}

export interface DoorwardSchema extends DBSchema {
  settings: { key: string; value: unknown };
  people: { key: string; value: PersonRecord };
  templates: { key: string; value: TemplateRecord; indexes: { personId: string } };
  credentials: { key: string; value: PinCredentialRecord; indexes: { personId: string } };
  passes: { key: string; value: PassRecord; indexes: { personId: string } };
  events: { key: string; value: EventRecord; indexes: { at: number; personId: string } };
  snapshots: { key: string; value: SnapshotRecord; indexes: { at: number; personId: string; eventId: string } };
  outbox: { key: string; value: OutboxRecord; indexes: { nextAttemptAt: number } };
  keys: { key: string; value: KeyRecord };
  phoneDoors: { key: string; value: PhoneDoorRecord };
  thumbnails: { key: string; value: ThumbnailRecord };
}

export type DoorwardDB = IDBPDatabase<DoorwardSchema>;
export type StoreName = 'settings' | 'people' | 'templates' | 'credentials' | 'passes' | 'events' | 'snapshots' | 'outbox' | 'keys' | 'phoneDoors' | 'thumbnails';
export const ALL_STORES: readonly StoreName[] = ['settings', 'people', 'templates', 'credentials', 'passes', 'events', 'snapshots', 'outbox', 'keys', 'phoneDoors', 'thumbnails'];

export function openDoorwardDB(name = DB_NAME): Promise<DoorwardDB> {
  return openDB<DoorwardSchema>(name, DB_VERSION, {
    async upgrade(db, oldVersion, _newVersion, tx) {
      if (oldVersion < 1) {
        db.createObjectStore('settings');
      }
      if (oldVersion < 2) {
        db.createObjectStore('people', { keyPath: 'id' });
        db.createObjectStore('templates', { keyPath: 'id' }).createIndex('personId', 'personId');
        db.createObjectStore('credentials', { keyPath: 'id' }).createIndex('personId', 'personId');
        db.createObjectStore('passes', { keyPath: 'id' }).createIndex('personId', 'personId');
        const events = db.createObjectStore('events', { keyPath: 'id' });
        events.createIndex('at', 'at');
        events.createIndex('personId', 'personId');
        const snaps = db.createObjectStore('snapshots', { keyPath: 'id' });
        snaps.createIndex('at', 'at');
        snaps.createIndex('personId', 'personId');
        snaps.createIndex('eventId', 'eventId');
        db.createObjectStore('outbox', { keyPath: 'id' }).createIndex('nextAttemptAt', 'nextAttemptAt');
        db.createObjectStore('keys', { keyPath: 'name' });
      }
      if (oldVersion < 3) {
        db.createObjectStore('phoneDoors', { keyPath: 'panelId' });
        // A phone that held one panel keeps it, as its first door; the old names go.
        const settings = tx.objectStore('settings');
        const keys = tx.objectStore('keys');
        const old = SINGLE_PHONE.settings;
        const [identity, panel, counter, seen, sequences, sign, ecdh] = await Promise.all([
          settings.get(old.identity), settings.get(old.panel), settings.get(old.counter), settings.get(old.seen), settings.get(old.sequences),
          keys.get(SINGLE_PHONE.keys.sign), keys.get(SINGLE_PHONE.keys.ecdh),
        ]);
        const door = doorFromSinglePanel({ identity, panel, counter, seen, sequences });
        if (door && sign && ecdh) {
          const names = phoneDoorKeyNames(door.panelId);
          await Promise.all([tx.objectStore('phoneDoors').put(door), keys.put({ ...sign, name: names.sign }), keys.put({ ...ecdh, name: names.ecdh })]);
        }
        await Promise.all([...Object.values(old).map((k) => settings.delete(k)), keys.delete(SINGLE_PHONE.keys.sign), keys.delete(SINGLE_PHONE.keys.ecdh)]);
      }
      if (oldVersion < 4) {
        // One per person: people enrolled before have none until their face is enrolled again.
        db.createObjectStore('thumbnails', { keyPath: 'personId' });
      }
    },
    blocked() {
      console.warn('[db] upgrade blocked by another open tab');
    },
  });
}
