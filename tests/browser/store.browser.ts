import { expect, test } from '@playwright/test';
import { openHarness } from './harness.ts';

test.beforeEach(async ({ page }) => openHarness(page));

test('upgrading a version-1 database keeps its settings and adds every store', async ({ page }) => {
  const result = await page.evaluate(async () => {
    // Written the way version 1 wrote it: only the settings store.
    await new Promise<void>((resolve, reject) => {
      const req = indexedDB.open('doorward', 1);
      req.onupgradeneeded = () => req.result.createObjectStore('settings');
      req.onsuccess = () => {
        const tx = req.result.transaction('settings', 'readwrite');
        tx.objectStore('settings').put({ failures: 2, lockedUntil: 0 }, 'adminLockout');
        tx.oncomplete = () => (req.result.close(), resolve());
      };
      req.onerror = () => reject(req.error);
    });
    const { openDoorwardDB, ALL_STORES } = await import('/src/store/db.ts' as string);
    const db = await openDoorwardDB();
    return { stores: [...db.objectStoreNames].sort(), expected: [...ALL_STORES].sort(), kept: await db.get('settings', 'adminLockout'), version: db.version };
  });
  expect(result.stores).toEqual(result.expected);
  expect(result.kept).toEqual({ failures: 2, lockedUntil: 0 });
  expect(result.version).toBe(2);
});

test('templates are encrypted at rest with a non-extractable key and read back exactly', async ({ page }) => {
  const r = await page.evaluate(async () => {
    const { openDoorwardDB } = await import('/src/store/db.ts' as string);
    const { peopleRepo } = await import('/src/store/people.ts' as string);
    const db = await openDoorwardDB();
    const people = peopleRepo(db, { now: () => 1000 });
    await people.put({ id: 'p1', name: 'Ada', role: 'resident', active: true, createdAt: 1 });
    const embedding = Float32Array.from({ length: 512 }, (_, i) => Math.sin(i));
    const id = await people.addTemplate('p1', embedding, 0.9);
    const raw = await db.get('templates', id);
    const keyRecord = await db.get('keys', 'data-at-rest');
    const hex = (u: Uint8Array) => Array.from(u, (b) => b.toString(16).padStart(2, '0')).join('');
    const clear = new Uint8Array(embedding.buffer);
    const stored = new Uint8Array(raw.sealed.data);
    const { templates } = await people.templates();
    return {
      extractable: keyRecord.key.extractable,
      // Neither the start nor the middle of the clear embedding appears in what is stored.
      leaks: [0, 1000].some((at) => hex(stored).includes(hex(clear.slice(at, at + 16)))),
      roundTrip: Array.from(templates[0].embeddings[0] as Float32Array).every((v, i) => v === embedding[i]),
      ivLength: raw.sealed.iv.length,
    };
  });
  expect(r.extractable).toBe(false);
  expect(r.leaks).toBe(false);
  expect(r.roundTrip).toBe(true);
  expect(r.ivLength).toBe(12);
});

test('a tampered or moved template is skipped and reported, the others still load', async ({ page }) => {
  const r = await page.evaluate(async () => {
    const { openDoorwardDB } = await import('/src/store/db.ts' as string);
    const { peopleRepo } = await import('/src/store/people.ts' as string);
    const db = await openDoorwardDB();
    const people = peopleRepo(db, { now: () => 1000 });
    await people.put({ id: 'p1', name: 'Ada', role: 'resident', active: true, createdAt: 1 });
    const a = await people.addTemplate('p1', new Float32Array(512).fill(0.5), 0.9);
    const b = await people.addTemplate('p1', new Float32Array(512).fill(0.25), 0.9);
    // Move a's ciphertext onto b: the record id is bound as additional data, so it must not open.
    const ra = await db.get('templates', a);
    const rb = await db.get('templates', b);
    await db.put('templates', { ...rb, sealed: ra.sealed });
    const { templates, corrupt } = await people.templates();
    return { corrupt, count: templates[0]?.embeddings.length ?? 0, first: templates[0]?.embeddings[0][0] };
  });
  expect(r.corrupt).toHaveLength(1);
  expect(r.count).toBe(1);
  expect(r.first).toBe(0.5);
});

test('erasing a person leaves nothing of them in any store', async ({ page }) => {
  const r = await page.evaluate(async () => {
    const { openDoorwardDB, ALL_STORES } = await import('/src/store/db.ts' as string);
    const { peopleRepo } = await import('/src/store/people.ts' as string);
    const { eventLog } = await import('/src/store/events.ts' as string);
    const { outbox } = await import('/src/store/outbox.ts' as string);
    const { hashSecret } = await import('/src/lib/secret-hash.ts' as string);
    const db = await openDoorwardDB();
    const clock = { now: () => Date.now() };
    const people = peopleRepo(db, clock);
    const log = eventLog(db, clock);
    const box = outbox(db, clock);
    for (const [id, name] of [['gone-7f3a', 'Zebedee Quartermain'], ['stays-1', 'Ada']] as const) {
      await people.put({ id, name, role: 'resident', active: true, createdAt: 1 });
      await people.addTemplate(id, new Float32Array(512).fill(0.1), 0.8);
      await people.setPin({ id: `pin-${id}`, personId: id, kind: 'pin', pin: await hashSecret('1234', 1000), createdAt: 1 });
      await db.put('passes', { id: `pass-${id}`, personId: id, from: 0, to: 1e13, maxUses: null, uses: 0 });
      const ev = await log.append({ at: Date.now(), kind: 'attempt', personId: id, summary: `granted ${name}`, detail: { name } }, new Uint8Array([0xff, 0xd8, 1, 2, 3]));
      await box.enqueue(ev.id, 'events', { name, personId: id });
    }
    await people.erase('gone-7f3a');
    const dump: string[] = [];
    for (const store of ALL_STORES) {
      for (const value of await db.getAll(store)) dump.push(JSON.stringify(value));
    }
    const text = dump.join('\n');
    return {
      leftId: text.includes('gone-7f3a'),
      leftName: text.includes('Zebedee'),
      keptOther: text.includes('stays-1') && text.includes('Ada'),
      templates: (await people.templates()).templates.map((t: { personId: string }) => t.personId),
      erasedEvents: (await log.recent(10)).filter((e: { summary: string }) => e.summary === 'erased person').length,
    };
  });
  expect(r.leftId).toBe(false);
  expect(r.leftName).toBe(false);
  expect(r.keptOther).toBe(true);
  expect(r.templates).toEqual(['stays-1']);
  expect(r.erasedEvents).toBe(1);
});

test('retention removes old events with their snapshots and keeps the snapshot budget, oldest first', async ({ page }) => {
  const r = await page.evaluate(async () => {
    const { openDoorwardDB } = await import('/src/store/db.ts' as string);
    const { eventLog } = await import('/src/store/events.ts' as string);
    const db = await openDoorwardDB();
    let now = Date.UTC(2026, 0, 1);
    const log = eventLog(db, { now: () => now });
    const day = 86_400_000;
    for (let i = 0; i < 10; i++) {
      await log.append({ at: now - (9 - i) * day, kind: 'attempt', personId: null, summary: `e${i}`, detail: null }, new Uint8Array(1000).fill(i));
    }
    const pruned = await log.prune({ maxDays: 5, maxSnapshotBytes: 3000 });
    const left = await log.recent(100);
    return { pruned, summaries: left.map((e: { summary: string }) => e.summary), withSnap: left.filter((e: { snapshotId: string | null }) => e.snapshotId).map((e: { summary: string }) => e.summary), snapshots: await db.count('snapshots'), picture: Array.from((await log.snapshot(left[0].snapshotId)) ?? []).slice(0, 2) };
  });
  // Exactly maxDays old is still kept; older goes.
  expect(r.summaries).toEqual(['e9', 'e8', 'e7', 'e6', 'e5', 'e4']);
  expect(r.withSnap).toEqual(['e9', 'e8', 'e7']);
  expect(r.snapshots).toBe(3);
  expect(r.picture).toEqual([9, 9]);
});

test('a full disk evicts old snapshots, keeps the event, and never touches people or keys', async ({ page }) => {
  // Chromium here ignores CDP quota overrides and gives every origin at least 1 GB, so the disk
  // filling up is injected at the one edge that cannot be reached: the snapshot store's put()
  // throws a real QuotaExceededError (and so aborts its transaction) for the next n writes.
  const r = await page.evaluate(async () => {
    const { openDoorwardDB } = await import('/src/store/db.ts' as string);
    const { peopleRepo } = await import('/src/store/people.ts' as string);
    const { eventLog } = await import('/src/store/events.ts' as string);
    const real = await openDoorwardDB();
    let failPuts = 0;
    const db = new Proxy(real, {
      get(target, prop) {
        if (prop !== 'transaction') return Reflect.get(target, prop, target);
        return (...args: unknown[]) => {
          const tx = target.transaction(...args);
          return new Proxy(tx, {
            get(t, p) {
              if (p !== 'objectStore') return Reflect.get(t, p, t);
              return (name: string) => {
                const store = t.objectStore(name);
                if (name !== 'snapshots') return store;
                return new Proxy(store, {
                  get(st, q) {
                    if (q === 'put' && failPuts > 0) {
                      return () => {
                        failPuts--;
                        t.abort();
                        return Promise.reject(new DOMException('disk full', 'QuotaExceededError'));
                      };
                    }
                    const v = Reflect.get(st, q, st);
                    return typeof v === 'function' ? v.bind(st) : v;
                  },
                });
              };
            },
          });
        };
      },
    });
    const clock = { now: () => Date.now() };
    await peopleRepo(real, clock).put({ id: 'p1', name: 'Ada', role: 'resident', active: true, createdAt: 1 });
    const log = eventLog(db, clock);
    for (let i = 0; i < 30; i++) await log.append({ at: i, kind: 'attempt', personId: null, summary: `old${i}`, detail: null }, new Uint8Array(1000).fill(i));
    failPuts = 1;
    const once = await log.append({ at: 100, kind: 'attempt', personId: null, summary: 'new-after-eviction', detail: null }, new Uint8Array(1000).fill(7));
    const afterEviction = await real.count('snapshots');
    const oldest = (await real.getAllFromIndex('snapshots', 'at'))[0];
    failPuts = 2;
    const twice = await log.append({ at: 101, kind: 'attempt', personId: null, summary: 'new-without-picture', detail: null }, new Uint8Array(1000).fill(8));
    const events = await log.recent(100);
    return {
      once: once.snapshotKept,
      twice: twice.snapshotKept,
      afterEviction,
      oldestLeft: oldest?.at,
      eventCount: events.length,
      last: events[0].summary,
      lastSnapshot: events[0].snapshotId,
      person: (await real.get('people', 'p1'))?.name,
      key: (await real.get('keys', 'data-at-rest')) !== undefined,
    };
  });
  expect(r.once).toBe(true);
  // 30 old + 1 new, less the 20 oldest evicted to make room.
  expect(r.afterEviction).toBe(11);
  expect(r.oldestLeft).toBe(20);
  expect(r.twice).toBe(false);
  expect(r.eventCount).toBe(32);
  expect(r.last).toBe('new-without-picture');
  expect(r.lastSnapshot).toBeNull();
  expect(r.person).toBe('Ada');
  expect(r.key).toBe(true);
});

test('the outbox delivers at least once and puts a failed send back for later', async ({ page }) => {
  const r = await page.evaluate(async () => {
    const { openDoorwardDB } = await import('/src/store/db.ts' as string);
    const { outbox } = await import('/src/store/outbox.ts' as string);
    const db = await openDoorwardDB();
    let now = 1_000;
    const box = outbox(db, { now: () => now });
    await box.enqueue('e1', 'events', { n: 1 });
    await box.enqueue('e2', 'events', { n: 2 });
    await box.enqueue('e1', 'events', { n: 1 }); // same id: one entry
    const first = await box.flush(async (rec: { id: string }) => {
      if (rec.id === 'e2') throw new Error('link down');
    });
    const dueNow = (await box.due(10)).length;
    now += 2_000;
    const second = await box.flush(async () => undefined);
    return { first, dueNow, second, left: await box.size() };
  });
  expect(r.first).toEqual({ sent: 1, failed: 1 });
  expect(r.dueNow).toBe(0);
  expect(r.second).toEqual({ sent: 1, failed: 0 });
  expect(r.left).toBe(0);
});
