import { storable } from './storable.ts';
import { thumbnailSealId, type DoorwardDB, type PassRecord, type PersonRecord, type PinCredentialRecord, type TemplateRecord } from './db.ts';
import { dataKey, seal, unseal, SealError } from './sealing.ts';
import type { Clock } from '../platform/clock.ts';

/** Decrypted templates of one person, ready for the matcher. */
export interface PersonTemplates {
  readonly personId: string;
  readonly embeddings: readonly Float32Array[];
}

export interface PeopleRepo {
  list(): Promise<PersonRecord[]>;
  get(id: string): Promise<PersonRecord | undefined>;
  put(person: PersonRecord): Promise<void>;
  addTemplate(personId: string, embedding: Float32Array, quality: number): Promise<string>;
  /** Every readable template; a corrupt one is skipped and reported, never fatal. */
  templates(): Promise<{ templates: PersonTemplates[]; corrupt: string[] }>;
  putPass(pass: PassRecord): Promise<void>;
  passes(): Promise<PassRecord[]>;
  /** Counts one entry on a pass, in one transaction with its read; the updated pass, or null if gone. */
  countPassUse(passId: string): Promise<PassRecord | null>;
  /** How many templates each person has, without decrypting any. */
  templateCounts(): Promise<Map<string, number>>;
  setPin(record: PinCredentialRecord): Promise<void>;
  /** Removes the person's PIN and duress PIN. */
  clearPin(personId: string): Promise<void>;
  pins(): Promise<PinCredentialRecord[]>;
  /** Keeps (or replaces) a person's face thumbnail, sealed. */
  setThumbnail(personId: string, jpeg: Uint8Array): Promise<void>;
  /** A person's face thumbnail, unsealed; null when none is kept or it cannot be read. */
  thumbnail(personId: string): Promise<Uint8Array | null>;
  /**
   * Real erasure, in one transaction: the person, their templates, thumbnail, credentials and passes, every
   * log line and snapshot about them, and what the outbox still holds about them. The tombstone
   * (a person was erased, by whom) is the caller's (PeopleAdmin.erase).
   */
  erase(id: string): Promise<void>;
}

export function peopleRepo(db: DoorwardDB, clock: Clock): PeopleRepo {
  return {
    list: () => db.getAll('people'),
    get: (id) => db.get('people', id),
    async put(person) {
      await db.put('people', storable(person));
    },
    async addTemplate(personId, embedding, quality) {
      if (!(await db.get('people', personId))) throw new Error(`no person ${personId}`);
      const key = await dataKey(db, clock.now());
      const id = crypto.randomUUID();
      const sealed = await seal(key, id, embedding.slice().buffer as ArrayBuffer);
      const record: TemplateRecord = { id, personId, createdAt: clock.now(), quality, sealed };
      await db.add('templates', record);
      return id;
    },
    async templates() {
      const key = await dataKey(db, clock.now());
      const byPerson = new Map<string, Float32Array[]>();
      const corrupt: string[] = [];
      for (const t of await db.getAll('templates')) {
        try {
          const plain = await unseal(key, t.id, t.sealed);
          const list = byPerson.get(t.personId) ?? [];
          list.push(new Float32Array(plain));
          byPerson.set(t.personId, list);
        } catch (err) {
          if (!(err instanceof SealError)) throw err;
          console.warn('[store] template unreadable, skipped', t.id);
          corrupt.push(t.id);
        }
      }
      return { templates: [...byPerson].map(([personId, embeddings]) => ({ personId, embeddings })), corrupt };
    },
    async putPass(pass) {
      await db.put('passes', storable(pass));
    },
    passes: () => db.getAll('passes'),
    async countPassUse(passId) {
      const tx = db.transaction('passes', 'readwrite');
      const pass = await tx.store.get(passId);
      const counted = pass ? { ...pass, uses: pass.uses + 1 } : null;
      if (counted) await tx.store.put(counted);
      await tx.done;
      return counted;
    },
    async templateCounts() {
      const counts = new Map<string, number>();
      let cursor = await db.transaction('templates').store.index('personId').openKeyCursor();
      while (cursor) {
        const personId = String(cursor.key);
        counts.set(personId, (counts.get(personId) ?? 0) + 1);
        cursor = await cursor.continue();
      }
      return counts;
    },
    async setPin(record) {
      await db.put('credentials', storable(record));
    },
    async clearPin(personId) {
      const tx = db.transaction('credentials', 'readwrite');
      for (const key of await tx.store.index('personId').getAllKeys(personId)) await tx.store.delete(key);
      await tx.done;
    },
    pins: () => db.getAll('credentials'),
    async setThumbnail(personId, jpeg) {
      if (!(await db.get('people', personId))) throw new Error(`no person ${personId}`);
      const key = await dataKey(db, clock.now());
      const sealed = await seal(key, thumbnailSealId(personId), jpeg.slice().buffer as ArrayBuffer);
      await db.put('thumbnails', { personId, createdAt: clock.now(), sealed });
    },
    async thumbnail(personId) {
      const record = await db.get('thumbnails', personId);
      if (!record) return null;
      try {
        return new Uint8Array(await unseal(await dataKey(db, clock.now()), thumbnailSealId(personId), record.sealed));
      } catch (err) {
        if (!(err instanceof SealError)) throw err;
        console.warn('[store] thumbnail unreadable', personId);
        return null;
      }
    },
    async erase(id) {
      const tx = db.transaction(['people', 'templates', 'thumbnails', 'credentials', 'passes', 'snapshots', 'events', 'outbox'], 'readwrite');
      const deleteByPerson = async (store: 'templates' | 'credentials' | 'passes') => {
        for (const key of await tx.objectStore(store).index('personId').getAllKeys(id)) await tx.objectStore(store).delete(key);
      };
      await tx.objectStore('people').delete(id);
      await tx.objectStore('thumbnails').delete(id);
      await Promise.all([deleteByPerson('templates'), deleteByPerson('credentials'), deleteByPerson('passes')]);
      // Every line about them goes, not just their name: their attempts' times are their habits
      // again. Found by the index, and by any personId inside (older lines kept it in the detail).
      const events = tx.objectStore('events');
      const gone = new Set<string>();
      let cursor = await events.openCursor();
      while (cursor) {
        if (cursor.value.personId === id || namesPerson(cursor.value.detail, id)) {
          gone.add(cursor.value.id);
          await cursor.delete();
        }
        cursor = await cursor.continue();
      }
      const snaps = tx.objectStore('snapshots');
      let snap = await snaps.openCursor();
      while (snap) {
        if (snap.value.personId === id || gone.has(snap.value.eventId)) {
          const event = gone.has(snap.value.eventId) ? undefined : await events.get(snap.value.eventId);
          if (event) await events.put({ ...event, snapshotId: null });
          await snap.delete();
        }
        snap = await snap.continue();
      }
      const box = tx.objectStore('outbox');
      let queued = await box.openCursor();
      while (queued) {
        if (gone.has(queued.value.id) || namesPerson(queued.value.payload, id)) await queued.delete();
        queued = await queued.continue();
      }
      await tx.done;
    },
  };
}

/** True when a plain record has a `personId` naming the person anywhere inside (a subject, a payload). */
export function namesPerson(value: unknown, personId: string, depth = 0): boolean {
  if (typeof value !== 'object' || value === null || depth > 8) return false;
  if (Array.isArray(value)) return value.some((v) => namesPerson(v, personId, depth + 1));
  return Object.entries(value).some(([k, v]) => (k === 'personId' && v === personId) || namesPerson(v, personId, depth + 1));
}
