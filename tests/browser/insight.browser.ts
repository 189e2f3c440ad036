import { expect, test } from '@playwright/test';
import { openHarness } from './harness.ts';

test.beforeEach(async ({ page }) => openHarness(page));

// The access path with learnt behaviour, end to end in the browser (real IndexedDB, the
// simulated door running the firmware's logic): a seeded history of weekday 08:00 arrivals, then
// the same confident face at a usual hour and at 03:00. The clock is the injected one.
test('the same enrolled face opens hands-free at a usual hour and is asked for a PIN at an unusual one', async ({ page }) => {
  const r = await page.evaluate(async () => {
    const { panelKit } = await import('/tests/browser/panel-kit.ts' as string);
    const { decideExitButton } = await import('/src/access/policy.ts' as string);
    const { hashSecret } = await import('/src/lib/secret-hash.ts' as string);
    // Monday 2026-11-02 08:00 local time; the panel's zone is the browser's.
    const { clock, people, log, insight, gatekeeper } = await panelKit({ at: new Date(2026, 10, 2, 8, 0).getTime(), pulseMs: 500 });
    await people.put({ id: 'alice', name: 'Alice', role: 'resident', active: true, createdAt: clock.t });
    // She has a PIN: the step-up at an odd hour asks for it (someone without one is asked to blink).
    await people.setPin({ id: 'pin-alice', kind: 'pin', personId: 'alice', createdAt: clock.t, pin: await hashSecret('2468') });

    // Three weeks of weekday arrivals around 08:00.
    const subject = { personId: 'alice', name: 'Alice', role: 'resident' };
    for (let week = 0; week < 3; week++) {
      for (let day = 0; day < 5; day++) {
        const at = new Date(2026, 10, 2 + week * 7 + day, 8, (week * 7 + day) % 20).getTime();
        const decision = { ...decideExitButton(at), outcome: 'grant', passId: null, credential: { kind: 'face' }, subject, reasons: ['faceMatched', 'unrestricted'], factors: ['face'], face: { score: 0.9, margin: 0.5, agreedFrames: 3, passive: 0.99, active: null } };
        await insight.attempt(`seed-${week}-${day}`, decision, 1);
      }
    }
    const face = { match: { personId: 'alice', score: 0.9, margin: 0.5, agreedFrames: 3 }, liveness: { passive: 0.99, active: null } };
    clock.t = new Date(2026, 10, 23, 8, 10).getTime(); // the fourth Monday, at her usual time
    const usual = await gatekeeper.face(face, 1);
    clock.t = new Date(2026, 10, 25, 3, 0).getTime(); // a Wednesday at 03:00
    const unusual = await gatekeeper.face(face, 1);
    const last = (await log.recent(5)).find((e: { summary: string }) => e.summary.includes('stepUp'));
    return { usual, unusual, riskReasons: last?.detail?.riskReasons ?? [], reasons: last?.detail?.reasons ?? [] };
  });
  expect(r.usual).toEqual({ type: 'decision', outcome: 'grant', name: 'Alice' });
  expect(r.unusual).toEqual({ type: 'decision', outcome: 'stepUp', step: 'pin', because: 'unusualTime' });
  expect(r.riskReasons).toContain('unusualHour');
  expect(r.reasons).toContain('elevatedRisk');
});

test('a frequent unknown visitor is remembered across visits, then named and let in with their face', async ({ page }) => {
  const r = await page.evaluate(async () => {
    const { panelKit } = await import('/tests/browser/panel-kit.ts' as string);
    const { decideExitButton } = await import('/src/access/policy.ts' as string);
    const { clock, people: repo, log, insight, admin } = await panelKit({ at: new Date(2026, 10, 2, 10, 0).getTime(), pulseMs: 500 });
    // The same stranger's face (small per-visit noise) on four weekday mornings.
    const base = Float32Array.from({ length: 512 }, (_, i) => Math.sin(i * 0.37));
    const face = (seed: number) => {
      const v = base.map((x, i) => x + 0.05 * Math.sin(seed * 13 + i));
      const n = Math.hypot(...v);
      return v.map((x) => x / n);
    };
    for (let visit = 0; visit < 4; visit++) {
      clock.t = new Date(2026, 10, 2 + visit, 10, 5 * visit).getTime();
      const decision = { ...decideExitButton(clock.t), outcome: 'ring', credential: { kind: 'face' }, subject: null, reasons: ['unknownFace'], face: { score: 0.1, margin: 0.1, agreedFrames: 0, passive: 0.98, active: null } };
      await insight.attempt(`visit-${visit}`, decision, 1, face(visit));
    }
    const before = insight.visitors();
    const id = before[0]?.id;
    const problem = await insight.grantVisitor(id, 'Postman Pat', (name: string, embeddings: Float32Array[]) => admin.enrolKnownFace(name, embeddings));
    const person = (await repo.list()).find((p: { name: string }) => p.name === 'Postman Pat');
    return { before, problem, person, templates: person ? (await repo.templateCounts()).get(person.id) : 0, after: insight.visitors().length };
  });
  expect(r.before).toHaveLength(1);
  expect(r.before[0].visits).toBe(4);
  expect(r.before[0].text).toMatch(/4 visits, usually weekdays about 10:/);
  expect(r.problem).toBeNull();
  expect(r.person).toMatchObject({ name: 'Postman Pat', active: true });
  expect(r.templates).toBeGreaterThan(0);
  expect(r.after).toBe(0);
});
