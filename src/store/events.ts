import { storable } from './storable.ts';
import type { DoorwardDB, EventRecord, SnapshotRecord } from './db.ts';
import { dataKey, seal, unseal } from './sealing.ts';
import type { Clock } from '../platform/clock.ts';
import { Events } from '../lib/events.ts';

export interface LogEvents {
  appended: EventRecord;
}


export interface Retention {
  readonly maxDays: number;
  readonly maxSnapshotBytes: number;
}

export const DEFAULT_RETENTION: Retention = { maxDays: 30, maxSnapshotBytes: 50 * 1024 * 1024 };

export interface AppendResult {
  readonly id: string;
  /** False when storage was too full even after evicting snapshots: the event was kept without it. */
  readonly snapshotKept: boolean;
  readonly snapshotId: string | null;
}

export interface EventLog {
  append(event: Omit<EventRecord, 'id' | 'snapshotId'> & { id?: string }, snapshotJpeg?: Uint8Array): Promise<AppendResult>;
  recent(limit: number): Promise<EventRecord[]>;
  snapshot(id: string): Promise<Uint8Array | null>;
  prune(retention: Retention): Promise<{ events: number; snapshots: number }>;
  /** Called with every event once it is stored (the remote link and live views follow the log). */
  onAppend(listener: (event: EventRecord) => void): () => void;
}

const isQuotaError = (err: unknown) => err instanceof DOMException && err.name === 'QuotaExceededError';

/**
 * The access log. Under storage pressure snapshots go first, oldest first; events are kept
 * without their picture before anything else is lost, and people, keys and settings are never
 * touched here.
 */
export function eventLog(db: DoorwardDB, clock: Clock): EventLog {
  const events = new Events<LogEvents>();
  const stored = (event: EventRecord): void => events.emit('appended', event);

  async function evictOldestSnapshots(count: number): Promise<number> {
    const tx = db.transaction(['snapshots', 'events'], 'readwrite');
    let cursor = await tx.objectStore('snapshots').index('at').openCursor();
    let n = 0;
    while (cursor && n < count) {
      const event = await tx.objectStore('events').get(cursor.value.eventId);
      if (event) await tx.objectStore('events').put({ ...event, snapshotId: null });
      await cursor.delete();
      n++;
      cursor = await cursor.continue();
    }
    await tx.done;
    return n;
  }

  async function write(event: EventRecord, snap: SnapshotRecord | null): Promise<void> {
    const tx = db.transaction(['events', 'snapshots'], 'readwrite');
    await tx.objectStore('events').put(storable(event));
    if (snap) await tx.objectStore('snapshots').put(snap);
    await tx.done;
  }

  return {
    async append(input, jpeg) {
      const id = input.id ?? crypto.randomUUID();
      let snap: SnapshotRecord | null = null;
      if (jpeg) {
        const key = await dataKey(db, clock.now());
        const snapId = `snap-${id}`;
        snap = { id: snapId, eventId: id, personId: input.personId, at: input.at, bytes: jpeg.byteLength, sealed: await seal(key, snapId, jpeg as BufferSource) };
      }
      const event: EventRecord = { ...input, id, snapshotId: snap?.id ?? null };
      try {
        await write(event, snap);
        stored(event);
        return { id, snapshotKept: snap !== null, snapshotId: event.snapshotId };
      } catch (err) {
        if (!isQuotaError(err)) throw err;
        console.warn('[store] storage full: evicting old snapshots');
        await evictOldestSnapshots(20);
        try {
          await write(event, snap);
          stored(event);
          return { id, snapshotKept: snap !== null, snapshotId: event.snapshotId };
        } catch (again) {
          if (!isQuotaError(again) || !snap) throw again;
          const bare = { ...event, snapshotId: null };
          await write(bare, null);
          stored(bare);
          return { id, snapshotKept: false, snapshotId: null };
        }
      }
    },
    async recent(limit) {
      const out: EventRecord[] = [];
      let cursor = await db.transaction('events').store.index('at').openCursor(null, 'prev');
      while (cursor && out.length < limit) {
        out.push(cursor.value);
        cursor = await cursor.continue();
      }
      return out;
    },
    async snapshot(id) {
      const record = await db.get('snapshots', id);
      if (!record) return null;
      const key = await dataKey(db, clock.now());
      return new Uint8Array(await unseal(key, id, record.sealed));
    },
    onAppend: (listener) => events.on('appended', listener),
    async prune(retention) {
      const cutoff = clock.now() - retention.maxDays * 86_400_000;
      const tx = db.transaction(['events', 'snapshots'], 'readwrite');
      let events = 0;
      let snapshots = 0;
      let cursor = await tx.objectStore('events').index('at').openCursor(IDBKeyRange.upperBound(cutoff, true));
      while (cursor) {
        if (cursor.value.snapshotId) {
          await tx.objectStore('snapshots').delete(cursor.value.snapshotId);
          snapshots++;
        }
        await cursor.delete();
        events++;
        cursor = await cursor.continue();
      }
      await tx.done;
      // Then the byte budget, newest kept.
      const all = await db.getAllFromIndex('snapshots', 'at');
      let total = all.reduce((s, r) => s + r.bytes, 0);
      const victims: string[] = [];
      for (const r of all) {
        if (total <= retention.maxSnapshotBytes) break;
        victims.push(r.id);
        total -= r.bytes;
      }
      if (victims.length > 0) snapshots += await evictOldestSnapshots(victims.length);
      return { events, snapshots };
    },
  };
}
