import { expect, test } from '@playwright/test';
import { openHarness } from './harness.ts';

test.beforeEach(async ({ page }) => openHarness(page));

test('Home Assistant unlock tries are counted in IndexedDB one at a time, however many arrive at once, and kept across a reopen', async ({ page }) => {
  const r = await page.evaluate(async () => {
    const { openDoorwardDB } = await import('/src/store/db.ts' as string);
    const { idbPanelStore } = await import('/src/remote/store.ts' as string);
    const now = 1_000_000;
    const db = await openDoorwardDB();
    const store = idbPanelStore(db, { now: () => now });
    // Ten tries started together: each reads and writes the count in its own transaction.
    const tries: { allowed: boolean }[] = await Promise.all(Array.from({ length: 10 }, () => store.countHaAttempt(now)));
    db.close();
    const again = idbPanelStore(await openDoorwardDB(), { now: () => now });
    const afterReopen: { allowed: boolean; lockedForMs: number } = await again.countHaAttempt(now + 1);
    return { allowed: tries.filter((t) => t.allowed).length, afterReopen };
  });
  // DEFAULT_LOCKOUT: three tries, then 30 s; a lost update would have let all ten through.
  expect(r.allowed).toBe(3);
  expect(r.afterReopen.allowed).toBe(false);
  expect(r.afterReopen.lockedForMs).toBe(30_000 - 1);
});
