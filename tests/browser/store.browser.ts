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
  expect(result.version).toBe(4);
});

test('upgrading a version-3 database keeps its people and templates and adds the sealed thumbnails', async ({ page }) => {
  const r = await page.evaluate(async () => {
    // Written the way version 3 left it: every store but thumbnails, a person and a template in them.
    await new Promise<void>((resolve, reject) => {
      const req = indexedDB.open('doorward', 3);
      req.onupgradeneeded = () => {
        const db = req.result;
        db.createObjectStore('settings');
        for (const name of ['people', 'templates', 'credentials', 'passes', 'events', 'snapshots', 'outbox']) {
          const store = db.createObjectStore(name, { keyPath: 'id' });
          if (['templates', 'credentials', 'passes', 'events', 'snapshots'].includes(name)) store.createIndex('personId', 'personId');
          if (name === 'events' || name === 'snapshots') store.createIndex('at', 'at');
          if (name === 'snapshots') store.createIndex('eventId', 'eventId');
          if (name === 'outbox') store.createIndex('nextAttemptAt', 'nextAttemptAt');
        }
        db.createObjectStore('keys', { keyPath: 'name' });
        db.createObjectStore('phoneDoors', { keyPath: 'panelId' });
      };
      req.onsuccess = () => {
        const tx = req.result.transaction(['people', 'templates'], 'readwrite');
        tx.objectStore('people').put({ id: 'p-1', name: 'Ada Lovelace', role: 'resident', active: true, createdAt: 1 });
        tx.objectStore('templates').put({ id: 't-1', personId: 'p-1', createdAt: 1, quality: 0.9, sealed: { iv: new Uint8Array(12), data: new ArrayBuffer(16) } });
        tx.oncomplete = () => (req.result.close(), resolve());
      };
      req.onerror = () => reject(req.error);
    });
    const { openDoorwardDB } = await import('/src/store/db.ts' as string);
    const { peopleRepo } = await import('/src/store/people.ts' as string);
    const db = await openDoorwardDB();
    const people = peopleRepo(db, { now: () => Date.UTC(2026, 10, 2) });
    const before = await people.thumbnail('p-1');
    const jpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 7, 7, 7, 7, 7, 7, 0xff, 0xd9]);
    await people.setThumbnail('p-1', jpeg);
    const stored = await db.get('thumbnails', 'p-1');
    const atRest = Array.from(new Uint8Array(stored.sealed.data)).join(',');
    return {
      version: db.version,
      person: (await people.get('p-1'))?.name,
      templates: (await db.getAll('templates')).map((t: { id: string }) => t.id),
      before,
      after: Array.from((await people.thumbnail('p-1')) ?? []),
      jpeg: Array.from(jpeg),
      plainAtRest: atRest.includes('7,7,7,7,7,7'),
    };
  });
  expect(r.version).toBe(4);
  expect(r.person).toBe('Ada Lovelace');
  expect(r.templates).toEqual(['t-1']);
  // Enrolled before thumbnails existed: none until the face is enrolled again.
  expect(r.before).toBeNull();
  expect(r.after).toEqual(r.jpeg);
  expect(r.plainAtRest).toBe(false);
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

test('no plain float array of a face is in any store at any time: strangers\' embeddings are sealed like templates', async ({ page }) => {
  const r = await page.evaluate(async () => {
    const { strangerFace, unitOf } = await import('/tests/browser/faces.ts' as string);
    const { openDoorwardDB, DB_NAME } = await import('/src/store/db.ts' as string);
    const { settingsRepo } = await import('/src/store/settings.ts' as string);
    const { eventLog } = await import('/src/store/events.ts' as string);
    const { dataSealer } = await import('/src/store/sealing.ts' as string);
    const { InsightService } = await import('/src/panel/insight-service.svelte.ts' as string);
    const { decideExitButton } = await import('/src/access/policy.ts' as string);
    const { dumpDatabase, containsBytes } = await import('/tests/browser/idb-dump.ts' as string);

    const db = await openDoorwardDB();
    let now = new Date(2026, 10, 2, 10, 0).getTime();
    const clock = { now: () => now };
    const settings = settingsRepo(db);
    const log = eventLog(db, clock);
    const sealer = dataSealer(db, clock);
    const insight = await InsightService.load(settings, log, clock, 'front-door', sealer);
    const kept: Float32Array[] = [];
    const steps: { step: string; floatArrays: string[]; leakedFaces: number }[] = [];
    const check = async (step: string) => {
      const dump = await dumpDatabase(DB_NAME, 512);
      steps.push({ step, floatArrays: dump.floatArrays, leakedFaces: kept.filter((f) => containsBytes(dump, f)).length });
    };
    // Two strangers, each on four weekday mornings, as the Gatekeeper reports unrecognised faces.
    for (let visit = 0; visit < 4; visit++) {
      for (const who of [0, 1]) {
        now = new Date(2026, 10, 2 + visit, 10 + who, 5 * visit).getTime();
        const decision = { ...decideExitButton(now), outcome: 'ring', credential: { kind: 'face' }, subject: null, reasons: ['unknownFace'], face: { score: 0.1, margin: 0.1, agreedFrames: 0, passive: 0.98, active: null } };
        const face = strangerFace(who, visit);
        kept.push(unitOf(face));
        await insight.attempt(`visit-${who}-${visit}`, decision, 1, face);
      }
    }
    // The panel's own debounced save, not a test hook.
    for (let i = 0; i < 50 && (await settings.get('insightState')) === undefined; i++) await new Promise((res) => setTimeout(res, 100));
    await check('learnt and saved');
    const reloaded = await InsightService.load(settings, log, clock, 'front-door', sealer);
    const visitors = reloaded.visitors();
    reloaded.nameVisitor(visitors[0].id, 'Postman Pat');
    await reloaded.flush();
    await check('reloaded and named');
    const stored = await settings.get('insightState');
    const sealed = stored.clusters.clusters.map((c: { sealed: { data: ArrayBuffer; iv: Uint8Array } }) => c.sealed.data instanceof ArrayBuffer && c.sealed.iv.length === 12);
    // A cluster's sealed face moved onto another does not open (its id is the additional data).
    const [a, b] = stored.clusters.clusters;
    await settings.put('insightState', { ...stored, clusters: { ...stored.clusters, clusters: [{ ...a, sealed: b.sealed }, b] } });
    const afterTamper = (await InsightService.load(settings, log, clock, 'front-door', sealer)).visitors();
    await check('tampered and reloaded');
    return { steps, visitors: visitors.map((v: { visits: number }) => v.visits), named: reloaded.visitors().map((v: { name: string | null }) => v.name), sealed, afterTamper: afterTamper.map((v: { id: string }) => v.id), b: b.id };
  });
  for (const step of r.steps) expect(step, step.step).toEqual({ step: step.step, floatArrays: [], leakedFaces: 0 });
  expect(r.steps.map((s) => s.step)).toEqual(['learnt and saved', 'reloaded and named', 'tampered and reloaded']);
  // What was sealed still works after a reload: both visitors, their four visits, the name.
  expect(r.visitors).toEqual([4, 4]);
  expect(r.named).toContain('Postman Pat');
  expect(r.sealed).toEqual([true, true]);
  expect(r.afterTamper).toEqual([r.b]);
});

test('a learnt state an older panel stored with plain faces is sealed as soon as it loads, visitors kept', async ({ page }) => {
  const r = await page.evaluate(async () => {
    const { strangerFace, unitOf } = await import('/tests/browser/faces.ts' as string);
    const { openDoorwardDB, DB_NAME } = await import('/src/store/db.ts' as string);
    const { settingsRepo } = await import('/src/store/settings.ts' as string);
    const { eventLog } = await import('/src/store/events.ts' as string);
    const { dataSealer } = await import('/src/store/sealing.ts' as string);
    const { createInsight, observe } = await import('/src/insight/engine.ts' as string);
    const { InsightService } = await import('/src/panel/insight-service.svelte.ts' as string);
    const { dumpDatabase, containsBytes } = await import('/tests/browser/idb-dump.ts' as string);
    const db = await openDoorwardDB();
    const clock = { now: () => new Date(2026, 10, 9, 12).getTime() };
    // The engine's state exactly as the previous release wrote it: by structured clone, faces and all.
    const old = createInsight({ timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone });
    for (let visit = 0; visit < 3; visit++) {
      observe(old, { type: 'attempt', id: `v${visit}`, at: new Date(2026, 10, 2 + visit, 10).getTime(), doorId: 'front-door', personId: null, credential: 'face', matchScore: null, liveness: 0.98, faces: 1, outcome: 'ring', reasons: ['unknownFace'], unknownEmbedding: strangerFace(0, visit) });
    }
    await db.put('settings', old, 'insightState');
    const before = (await dumpDatabase(DB_NAME, 512)).floatArrays.length;
    const service = await InsightService.load(settingsRepo(db), eventLog(db, clock), clock, 'front-door', dataSealer(db, clock));
    const dump = await dumpDatabase(DB_NAME, 512);
    return { before, after: dump.floatArrays, leaked: [0, 1, 2].filter((v) => containsBytes(dump, unitOf(strangerFace(0, v)))).length, visits: service.visitors().map((v: { visits: number }) => v.visits) };
  });
  expect(r.before).toBeGreaterThan(0);
  expect(r.after).toEqual([]);
  expect(r.leaked).toBe(0);
  expect(r.visits).toEqual([3]);
});

test('erasing a person leaves no trace in any store: records, log lines, outbox, snapshots, habit map, face', async ({ page }) => {
  const r = await page.evaluate(async () => {
    const { strangerFace, unitOf } = await import('/tests/browser/faces.ts' as string);
    const { panelKit } = await import('/tests/browser/panel-kit.ts' as string);
    const { DB_NAME } = await import('/src/store/db.ts' as string);
    const { idbOutboxStore, outbox } = await import('/src/store/outbox.ts' as string);
    const { Prefs } = await import('/src/panel/prefs.svelte.ts' as string);
    const { InsightService } = await import('/src/panel/insight-service.svelte.ts' as string);
    const { panelActions } = await import('/src/panel/panel-actions.ts' as string);
    const { dumpDatabase, containsBytes } = await import('/tests/browser/idb-dump.ts' as string);

    const { db, clock, settings, people, log, sealer, keys, door, insight, gatekeeper, admin } = await panelKit({ at: new Date(2026, 10, 2, 8, 0).getTime(), pulseMs: 200 });
    const box = outbox(idbOutboxStore(db), clock);
    const prefs = new Prefs(settings);
    await prefs.load();
    // What the remote link does with every stored line: queue it for the phones.
    const { remoteEventOf } = await import('/src/remote/messages.ts' as string);
    log.onAppend((e: { id: string }) => void box.enqueue(e.id, 'events', remoteEventOf(e)));
    const actions = panelActions({ clock, gatekeeper, door, keys, people: admin, repo: people, log, online: () => true, enrolPhoto: null, prefs, alerts: insight, timeZone: 'UTC' });
    const ADMIN = 'admin-7f3a9c01d2e4';

    // Added from a phone (an audit line naming them), a face and a pass each, then two weeks of
    // mornings at the door: granted attempts with snapshots, queued for the phones, learnt as habits.
    const ids: Record<string, string> = {};
    const embedding: Record<string, Float32Array> = {};
    for (const [name, seed] of [['Zebedee Quartermain', 0.11], ['Ada Lovelace', 0.53]] as const) {
      const added = await actions.addPerson(ADMIN, { name, role: 'resident', pin: seed < 0.5 ? '482913' : '735120' });
      const id = added.personId as string;
      ids[name] = id;
      embedding[name] = Float32Array.from({ length: 512 }, (_, i) => Math.cos(i * seed));
      await people.addTemplate(id, embedding[name], 0.9);
      await people.setThumbnail(id, new Uint8Array([0xff, 0xd8, 0x51, Math.round(seed * 100), 0xff, 0xd9]));
      await db.put('passes', { id: `pass-${id}`, personId: id, from: 0, to: 1e13, maxUses: null, uses: 0 });
    }
    const gone = ids['Zebedee Quartermain'] as string;
    const stays = ids['Ada Lovelace'] as string;
    for (let day = 0; day < 10; day++) {
      for (const [id, hour] of [[gone, 8], [stays, 9]] as const) {
        clock.t = new Date(2026, 10, 2 + day + Math.floor(day / 5) * 2, hour, day).getTime();
        await gatekeeper.face({ match: { personId: id, score: 0.9, margin: 0.5, agreedFrames: 3 }, liveness: { passive: 0.99, active: null } }, 1, new Uint8Array([0xff, 0xd8, day, hour]));
        await new Promise((res) => setTimeout(res, 250)); // the relay pulse ends before the next visit
      }
    }
    // A stranger who keeps coming: their face stays remembered (sealed) through the erasure.
    for (let visit = 0; visit < 3; visit++) {
      clock.t = new Date(2026, 10, 16 + visit, 11).getTime();
      await gatekeeper.face({ match: { personId: null, score: 0.1, margin: 0.1, agreedFrames: 0 }, liveness: { passive: 0.98, active: null } }, 1, undefined, strangerFace(3, visit));
    }
    // What older releases and other writers left: a photo enrolment's audit line with the id only
    // in its detail, and an event still queued for the phones whose log line retention removed.
    await log.append({ at: clock.t, kind: 'admin', personId: null, summary: 'enrolled a face from a photo (remote admin admin-7f)', detail: { adminId: ADMIN, personId: gone } });
    await box.enqueue('pruned-event-1', 'events', { id: 'pruned-event-1', kind: 'attempt', personId: gone, summary: 'grant Zebedee Quartermain by face' });
    await insight.flush();

    const has = (dump: { texts: string[] }, s: string) => dump.texts.some((t) => t.includes(s));
    const before = await dumpDatabase(DB_NAME, 512);
    const storedBefore = await settings.get('insightState');
    const beforeErasure = {
      name: has(before, 'Zebedee'),
      id: has(before, gone),
      habit: storedBefore.people.has(gone),
      events: (await db.getAllFromIndex('events', 'personId', gone)).length,
      snapshots: (await db.getAllFromIndex('snapshots', 'personId', gone)).length,
      queued: (await db.getAll('outbox')).filter((o: { payload: unknown }) => JSON.stringify(o.payload).includes(gone)).length,
      thumbnail: (await people.thumbnail(gone)) !== null,
      floatArrays: before.floatArrays,
    };

    await actions.removePerson(ADMIN, gone);

    const after = await dumpDatabase(DB_NAME, 512);
    const stored = await settings.get('insightState');
    const tombstones = (await log.recent(500)).filter((e: { summary: string }) => e.summary.includes('erased'));
    return {
      beforeErasure,
      left: {
        id: after.texts.filter((t: string) => t.includes(gone)),
        name: after.texts.filter((t: string) => /Zebedee|Quartermain/.test(t)),
        face: containsBytes(after, embedding['Zebedee Quartermain'] as Float32Array),
        templates: (await db.getAllFromIndex('templates', 'personId', gone)).length,
        thumbnail: { kept: (await db.get('thumbnails', gone)) !== undefined, read: await people.thumbnail(gone) },
        habit: stored.people.has(gone),
        floatArrays: after.floatArrays,
        strangerFaceInClear: [0, 1, 2].some((v) => containsBytes(after, unitOf(strangerFace(3, v)))),
      },
      kept: {
        other: has(after, stays) && has(after, 'Ada Lovelace'),
        otherHabit: stored.people.has(stays),
        otherTemplates: (await people.templates()).templates.map((t: { personId: string }) => t.personId),
        otherSnapshots: (await db.getAllFromIndex('snapshots', 'personId', stays)).length,
        otherThumbnail: (await people.thumbnail(stays)) !== null,
        strangers: insight.visitors().map((v: { visits: number }) => v.visits),
        strangersAfterReload: (await InsightService.load(settings, log, clock, 'front-door', sealer)).visitors().length,
      },
      stays,
      tombstones: tombstones.map((e: { summary: string; personId: string | null; detail: unknown }) => ({ summary: e.summary, personId: e.personId, detail: e.detail })),
    };
  });
  // The set-up really did leave the person everywhere the erasure must reach.
  // Queued for the phones: his ten attempts, the audit lines naming him (added, enrolled from a photo), and the pruned one.
  expect(r.beforeErasure).toEqual({ name: true, id: true, habit: true, events: 11, snapshots: 10, queued: 13, thumbnail: true, floatArrays: [] });
  expect(r.left).toEqual({ id: [], name: [], face: false, templates: 0, thumbnail: { kept: false, read: null }, habit: false, floatArrays: [], strangerFaceInClear: false });
  expect(r.kept).toEqual({ other: true, otherHabit: true, otherTemplates: [r.stays], otherSnapshots: 10, otherThumbnail: true, strangers: [3], strangersAfterReload: 1 });
  // One line remains: that a person was erased, when and by which admin, naming nobody.
  expect(r.tombstones).toEqual([{ summary: 'a person was erased by remote admin admin-7f', personId: null, detail: { erasure: 'remoteAdmin', adminId: 'admin-7f3a9c01d2e4' } }]);
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
    const { idbOutboxStore, outbox } = await import('/src/store/outbox.ts' as string);
    const db = await openDoorwardDB();
    let now = 1_000;
    const box = outbox(idbOutboxStore(db), { now: () => now });
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
