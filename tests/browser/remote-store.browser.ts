import { expect, test } from '@playwright/test';
import { openHarness } from './harness.ts';

test.beforeEach(async ({ page }) => openHarness(page));

test('Home Assistant unlock tries are counted in IndexedDB one at a time, however many arrive at once, and kept across a reopen', async ({ page }) => {
  const r = await page.evaluate(async () => {
    const { openDoorwardDB } = await import('/src/store/db.ts' as string);
    const { idbPanelStore } = await import('/src/remote/store.ts' as string);
    const { countedCheck } = await import('/src/lib/counted-secret.ts' as string);
    const now = 1_000_000;
    const db = await openDoorwardDB();
    const store = idbPanelStore(db, { now: () => now });
    // Ten wrong tries started together, not even queued: each reads and writes the count in its
    // own transaction before its (slow) check, so none can see another's count go missing.
    const wrong = () => new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 20));
    const tries: { kind: string }[] = await Promise.all(Array.from({ length: 10 }, () => countedCheck(store.haLockout, now, undefined, wrong, (ok: boolean) => ok)));
    db.close();
    const again = idbPanelStore(await openDoorwardDB(), { now: () => now });
    const afterReopen: { kind: string; remainingMs?: number } = await countedCheck(again.haLockout, now + 1, undefined, async () => true, (ok: boolean) => ok);
    return { allowed: tries.filter((t) => t.kind === 'checked').length, afterReopen };
  });
  // DEFAULT_LOCKOUT: three tries, then 30 s; a lost update would have let all ten through.
  expect(r.allowed).toBe(3);
  expect(r.afterReopen).toMatchObject({ kind: 'locked', remainingMs: 30_000 - 1 });
});

test('a phone that held one panel (database version 2) finds it as its first door after the upgrade, keys and counter kept, the old names gone', async ({ page }) => {
  const r = await page.evaluate(async () => {
    const { generateKeyPairs } = await import('/src/remote/keys.ts' as string);
    const phone = await generateKeyPairs();
    const panel = await generateKeyPairs();
    const link = { panelId: 'panel0000000001', brokerUrl: 'ws://192.168.1.20:8081', sign: panel.signingJwk, enc: panel.encryptionJwk, role: 'owner', pairedAt: 1_700_000_000_000 };
    // Written the way version 2 wrote a phone's one pairing: `remote.phone.*` settings and keys.
    await new Promise<void>((resolve, reject) => {
      const req = indexedDB.open('doorward', 2);
      req.onupgradeneeded = () => {
        req.result.createObjectStore('settings');
        req.result.createObjectStore('keys', { keyPath: 'name' });
      };
      req.onsuccess = () => {
        const tx = req.result.transaction(['settings', 'keys'], 'readwrite');
        const settings = tx.objectStore('settings');
        settings.put({ adminId: phone.id, clientId: `dw-admin-${phone.id.slice(0, 16)}`, signingJwk: phone.signingJwk, encryptionJwk: phone.encryptionJwk }, 'remote.phone.identity');
        settings.put(link, 'remote.phone.panel');
        settings.put(1_700_000_123_456, 'remote.phone.counter');
        settings.put(['e1', 'e2'], 'remote.phone.seen');
        settings.put({ dtmf: true }, 'remote.phone.notify');
        tx.objectStore('keys').put({ name: 'remote.phone.sign', key: phone.signing.privateKey, createdAt: 1 });
        tx.objectStore('keys').put({ name: 'remote.phone.ecdh', key: phone.encryption.privateKey, createdAt: 1 });
        tx.oncomplete = () => (req.result.close(), resolve());
      };
      req.onerror = () => reject(req.error);
    });
    const { openDoorwardDB } = await import('/src/store/db.ts' as string);
    const { idbPhoneDoors } = await import('/src/remote/store.ts' as string);
    const db = await openDoorwardDB();
    const doors = idbPhoneDoors(db, { now: () => 2_000_000_000_000 });
    const list = await doors.list();
    const door = doors.door('panel0000000001');
    const identity = await door.loadIdentity();
    // The migrated private key still signs, and the public key it was paired with verifies it.
    const data = new TextEncoder().encode('still me');
    const sig = identity ? await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, identity.signingKey, data) : new ArrayBuffer(0);
    const verifies = await crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, phone.signing.publicKey, sig, data);
    const old = await Promise.all(['remote.phone.identity', 'remote.phone.panel', 'remote.phone.counter'].map((k) => db.get('settings', k)));
    const oldKeys = await Promise.all(['remote.phone.sign', 'remote.phone.ecdh'].map((k) => db.get('keys', k)));
    return { list, adminId: identity?.adminId === phone.id, verifies, panel: await door.loadPanel(), counter: await door.loadCounter(), seen: await door.loadSeen(), notify: await door.loadNotifyRules(), old, oldKeys, version: db.version };
  });
  expect(r.version).toBe(4);
  // Its name was never typed: the panel's own name replaces it at the first signed state.
  expect(r.list).toEqual([{ panelId: 'panel0000000001', name: 'Door', addedAt: 1_700_000_000_000, followsPanel: true }]);
  expect(r).toMatchObject({ adminId: true, verifies: true, panel: { panelId: 'panel0000000001', brokerUrl: 'ws://192.168.1.20:8081', role: 'owner' }, counter: 1_700_000_123_456, seen: ['e1', 'e2'], notify: { dtmf: true } });
  expect(r.old).toEqual([undefined, undefined, undefined]);
  expect(r.oldKeys).toEqual([undefined, undefined]);
});

test('two doors in IndexedDB: each keeps its own keys and counter; removing one deletes its record and keys and leaves the other whole', async ({ page }) => {
  const r = await page.evaluate(async () => {
    const { generateKeyPairs } = await import('/src/remote/keys.ts' as string);
    const { openDoorwardDB } = await import('/src/store/db.ts' as string);
    const { idbPhoneDoors } = await import('/src/remote/store.ts' as string);
    const db = await openDoorwardDB();
    // Doors are listed in the order they were added.
    let now = 1_000;
    const doors = idbPhoneDoors(db, { now: () => now++ });
    const ids = ['panelfront00001', 'panelback000001'];
    const mine: string[] = [];
    for (const [i, panelId] of ids.entries()) {
      const k = await generateKeyPairs();
      const panel = await generateKeyPairs();
      mine.push(k.id);
      const store = doors.door(panelId);
      await store.saveIdentity({ adminId: k.id, clientId: `dw-admin-${k.id.slice(0, 16)}`, signingKey: k.signing.privateKey, ecdhKey: k.encryption.privateKey, signingJwk: k.signingJwk, encryptionJwk: k.encryptionJwk });
      await store.savePanel({ panelId, brokerUrl: 'ws://127.0.0.1:1884', sign: panel.signingJwk, enc: panel.encryptionJwk, role: 'owner', pairedAt: 1_000 + i });
      await store.saveCounter(100 + i);
      await doors.rename(panelId, i === 0 ? 'Front door' : 'Back door');
    }
    // A door whose pairing never finished (no link) is not listed.
    await doors.door('panelhalfmade01').saveCounter(5);
    const before = await doors.list();
    await doors.remove('panelfront00001');
    const back = doors.door('panelback000001');
    const front = doors.door('panelfront00001');
    return {
      before: before.map((d: { name: string }) => d.name),
      after: (await doors.list()).map((d: { name: string }) => d.name),
      backIdentity: (await back.loadIdentity())?.adminId === mine[1],
      backCounter: await back.loadCounter(),
      frontIdentity: await front.loadIdentity(),
      frontKeys: await Promise.all(['remote.phone.door.panelfront00001.sign', 'remote.phone.door.panelfront00001.ecdh'].map((k) => db.get('keys', k))),
      backKeys: (await Promise.all(['remote.phone.door.panelback000001.sign', 'remote.phone.door.panelback000001.ecdh'].map((k) => db.get('keys', k)))).map((x: unknown) => !!x),
    };
  });
  expect(r.before).toEqual(['Front door', 'Back door']);
  expect(r.after).toEqual(['Back door']);
  expect(r).toMatchObject({ backIdentity: true, backCounter: 101, frontIdentity: null, frontKeys: [undefined, undefined], backKeys: [true, true] });
});
