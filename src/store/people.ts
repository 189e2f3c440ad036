import { storable } from './storable.ts';
import type { DoorwardDB, PassRecord, PersonRecord, PinCredentialRecord, TemplateRecord } from './db.ts';
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
  /** How many templates each person has, without decrypting any. */
  templateCounts(): Promise<Map<string, number>>;
  setPin(record: PinCredentialRecord): Promise<void>;
  /** Removes the person's PIN and duress PIN. */
  clearPin(personId: string): Promise<void>;
  pins(): Promise<PinCredentialRecord[]>;
  /** Real erasure: the person, their templates, credentials, passes and snapshots, and their name in the log. */
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
    async erase(id) {
      const tx = db.transaction(['people', 'templates', 'credentials', 'passes', 'snapshots', 'events', 'outbox'], 'readwrite');
      const deleteByPerson = async (store: 'templates' | 'credentials' | 'passes' | 'snapshots') => {
        for (const key of await tx.objectStore(store).index('personId').getAllKeys(id)) await tx.objectStore(store).delete(key);
      };
      await tx.objectStore('people').delete(id);
      await Promise.all([deleteByPerson('templates'), deleteByPerson('credentials'), deleteByPerson('passes'), deleteByPerson('snapshots')]);
      // The log keeps that an attempt happened, not who it was: the person is replaced by a marker.
      const events = tx.objectStore('events');
      for (const event of await events.index('personId').getAll(id)) {
        await events.put({ ...event, personId: null, summary: 'erased person', detail: { erased: true }, snapshotId: null });
        await tx.objectStore('outbox').delete(event.id);
      }
      await tx.done;
    },
  };
}
