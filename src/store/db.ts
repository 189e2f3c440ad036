import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { Pass, Person } from '../access/types.ts';
import type { PinCredential } from '../access/pin.ts';
import type { Sealed } from './sealing.ts';

/**
 * The only file that knows the IndexedDB schema. Upgrades are cumulative `if (oldVersion < N)`
 * steps so a panel that skipped versions still arrives at the current shape.
 */
export const DB_NAME = 'doorward';
export const DB_VERSION = 2;

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
}

export type DoorwardDB = IDBPDatabase<DoorwardSchema>;
export type StoreName = 'settings' | 'people' | 'templates' | 'credentials' | 'passes' | 'events' | 'snapshots' | 'outbox' | 'keys';
export const ALL_STORES: readonly StoreName[] = ['settings', 'people', 'templates', 'credentials', 'passes', 'events', 'snapshots', 'outbox', 'keys'];

export function openDoorwardDB(name = DB_NAME): Promise<DoorwardDB> {
  return openDB<DoorwardSchema>(name, DB_VERSION, {
    upgrade(db, oldVersion) {
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
    },
    blocked() {
      console.warn('[db] upgrade blocked by another open tab');
    },
  });
}
