import { expect, test } from '@playwright/test';
import { openHarness } from './harness.ts';

test.beforeEach(async ({ page }) => openHarness(page));

test('a self-enrolled guest enters on the key\'s own pass and is erased when the stay ends', async ({ page }) => {
  const r = await page.evaluate(async () => {
    const { openDoorwardDB } = await import('/src/store/db.ts' as string);
    const { peopleRepo } = await import('/src/store/people.ts' as string);
    const { PeopleAdmin } = await import('/src/people/people-admin.svelte.ts' as string);
    const { settingsRepo } = await import('/src/store/settings.ts' as string);
    const { eventLog } = await import('/src/store/events.ts' as string);
    const { dataSealer } = await import('/src/store/sealing.ts' as string);
    const { InsightService } = await import('/src/panel/insight-service.svelte.ts' as string);
    const { personErasure } = await import('/src/people/erasure.ts' as string);
    const db = await openDoorwardDB();
    let now = Date.UTC(2026, 10, 25, 12);
    const clock = { now: () => now };
    const repo = peopleRepo(db, clock);
    const log = eventLog(db, clock);
    const insight = await InsightService.load(settingsRepo(db), log, clock, 'front-door', dataSealer(db, clock));
    const admin = new PeopleAdmin(repo, clock, () => undefined, personErasure(insight, log, clock));
    const claims = {
      keyId: 'k1', issuer: 'iss', subject: 'guest:k1', name: 'Grace', doors: ['front-door'],
      notBefore: now - 3_600_000, expires: now + 86_400_000, issuedAt: now - 3_600_000, maxUses: 5, selfEnrol: true,
    };
    await admin.enrolGuest(claims, new Float32Array(512).fill(0.04), 0.9);
    const during = { person: await db.get('people', 'guest:k1'), pass: await db.get('passes', 'guest-key:k1'), templates: (await repo.templateCounts()).get('guest:k1') };
    const early = await admin.removeEndedStays(now);
    now += 86_400_000;
    const ended = await admin.removeEndedStays(now);
    const logged = (await log.recent(10)).map((e: { summary: string; personId: string | null }) => ({ summary: e.summary, personId: e.personId }));
    return { during, early, ended, logged, after: { person: await db.get('people', 'guest:k1'), pass: await db.get('passes', 'guest-key:k1'), templates: await db.count('templates') } };
  });
  expect(r.during.person).toMatchObject({ name: 'Grace', role: 'guest', active: true });
  expect(r.during.pass).toMatchObject({ personId: 'guest:k1', maxUses: 5, uses: 0 });
  expect(r.during.templates).toBe(1);
  expect(r.early).toBe(0);
  expect(r.ended).toBe(1);
  expect(r.after).toEqual({ person: undefined, pass: undefined, templates: 0 });
  expect(r.logged).toEqual([{ summary: 'a guest was erased when their stay ended', personId: null }]);
});
