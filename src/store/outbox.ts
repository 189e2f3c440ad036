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

export function outbox(db: DoorwardDB, clock: Clock): Outbox {
  const self: Outbox = {
    async enqueue(id, topic, payload) {
      const now = clock.now();
      await db.put('outbox', storable({ id, topic, payload, createdAt: now, attempts: 0, nextAttemptAt: now }));
    },
    async due(limit) {
      return db.getAllFromIndex('outbox', 'nextAttemptAt', IDBKeyRange.upperBound(clock.now()), limit);
    },
    async delivered(id) {
      await db.delete('outbox', id);
    },
    async failed(id) {
      const tx = db.transaction('outbox', 'readwrite');
      const record = await tx.store.get(id);
      if (record) {
        const attempts = record.attempts + 1;
        const delay = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** (attempts - 1));
        await tx.store.put({ ...record, attempts, nextAttemptAt: clock.now() + delay });
      }
      await tx.done;
    },
    size: () => db.count('outbox'),
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
