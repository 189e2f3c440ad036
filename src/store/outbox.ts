import { storable } from './storable.ts';
import type { DoorwardDB, OutboxRecord } from './db.ts';
import type { Clock } from '../platform/clock.ts';

/**
 * Events waiting for the remote link. Delivery is at least once: an entry leaves only when the
 * sender confirms it, and a failed send puts it back with a later retry time. The receiver
 * de-duplicates by id.
 */
export interface Outbox {
  enqueue(id: string, topic: string, payload: unknown): Promise<void>;
  due(limit: number): Promise<OutboxRecord[]>;
  delivered(id: string): Promise<void>;
  failed(id: string): Promise<void>;
  size(): Promise<number>;
  flush(send: (record: OutboxRecord) => Promise<void>, limit?: number): Promise<{ sent: number; failed: number }>;
}

const RETRY_BASE_MS = 2_000;
const RETRY_MAX_MS = 10 * 60_000;

/** Where the outbox keeps its records (IndexedDB here; a Map in tests): storage only, no policy. */
export interface OutboxStore {
  put(record: OutboxRecord): Promise<void>;
  /** Records due at or before `at`, soonest first. */
  dueBy(at: number, limit: number): Promise<OutboxRecord[]>;
  delete(id: string): Promise<void>;
  /** Rewrites one record in one transaction with the read; nothing if it has gone. */
  update(id: string, change: (record: OutboxRecord) => OutboxRecord): Promise<void>;
  count(): Promise<number>;
}

export function idbOutboxStore(db: DoorwardDB): OutboxStore {
  return {
    async put(record) {
      await db.put('outbox', storable(record));
    },
    dueBy: (at, limit) => db.getAllFromIndex('outbox', 'nextAttemptAt', IDBKeyRange.upperBound(at), limit),
    delete: (id) => db.delete('outbox', id),
    async update(id, change) {
      const tx = db.transaction('outbox', 'readwrite');
      const record = await tx.store.get(id);
      if (record) await tx.store.put(storable(change(record)));
      await tx.done;
    },
    count: () => db.count('outbox'),
  };
}

/** The delivery policy (due times, retry back-off, flushing) over any store. */
export function outbox(store: OutboxStore, clock: Clock): Outbox {
  const self: Outbox = {
    async enqueue(id, topic, payload) {
      const now = clock.now();
      await store.put({ id, topic, payload, createdAt: now, attempts: 0, nextAttemptAt: now });
    },
    due: (limit) => store.dueBy(clock.now(), limit),
    delivered: (id) => store.delete(id),
    failed: (id) =>
      store.update(id, (record) => {
        const attempts = record.attempts + 1;
        return { ...record, attempts, nextAttemptAt: clock.now() + Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** (attempts - 1)) };
      }),
    size: () => store.count(),
    async flush(send, limit = 50) {
      let sent = 0;
      let failed = 0;
      for (const record of await self.due(limit)) {
        try {
          await send(record);
          await self.delivered(record.id);
          sent++;
        } catch {
          await self.failed(record.id);
          failed++;
        }
      }
      return { sent, failed };
    },
  };
  return self;
}
