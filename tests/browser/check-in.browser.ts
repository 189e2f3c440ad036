import { expect, test } from '@playwright/test';
import { openHarness } from './harness.ts';

test.beforeEach(async ({ page }) => openHarness(page));

test('a self-enrolled guest enters on the key\'s own pass and is erased when the stay ends', async ({ page }) => {
  const r = await page.evaluate(async () => {
    const { openDoorwardDB } = await import('/src/store/db.ts' as string);
    const { peopleRepo } = await import('/src/store/people.ts' as string);
    const { PeopleAdmin } = await import('/src/admin/people-admin.svelte.ts' as string);
    const db = await openDoorwardDB();
    let now = Date.UTC(2026, 10, 25, 12);
    const clock = { now: () => now };
    const repo = peopleRepo(db, clock);
    const admin = new PeopleAdmin(repo, clock);
    const claims = {
      keyId: 'k1', issuer: 'iss', subject: 'guest:k1', name: 'Grace', doors: ['front-door'],
      notBefore: now - 3_600_000, expires: now + 86_400_000, issuedAt: now - 3_600_000, maxUses: 5, selfEnrol: true,
    };
    await admin.enrolGuest(claims, new Float32Array(512).fill(0.04), 0.9);
    const during = { person: await db.get('people', 'guest:k1'), pass: await db.get('passes', 'guest-key:k1'), templates: (await repo.templateCounts()).get('guest:k1') };
    const early = await admin.removeEndedStays(now);
    now += 86_400_000;
    const ended = await admin.removeEndedStays(now);
    return { during, early, ended, after: { person: await db.get('people', 'guest:k1'), pass: await db.get('passes', 'guest-key:k1'), templates: await db.count('templates') } };
  });
  expect(r.during.person).toMatchObject({ name: 'Grace', role: 'guest', active: true });
  expect(r.during.pass).toMatchObject({ personId: 'guest:k1', maxUses: 5, uses: 0 });
  expect(r.during.templates).toBe(1);
  expect(r.early).toBe(0);
  expect(r.ended).toBe(1);
  expect(r.after).toEqual({ person: undefined, pass: undefined, templates: 0 });
});
