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
