import { expect, test } from '@playwright/test';
import { openHarness } from './harness.ts';

test.beforeEach(async ({ page }) => openHarness(page));

/** The panel's access path over real IndexedDB and WebCrypto, with the simulated door controller. */
async function panel(page: import('@playwright/test').Page) {
  await page.evaluate(async () => {
    const { panelKit } = await import('/tests/browser/panel-kit.ts' as string);
    const kit = await panelKit({ at: Date.UTC(2026, 10, 25, 12), pulseMs: 300 });
    Object.assign(window, { ...kit, repo: kit.people });
  });
}

test('a burst of PINs sent at once gets no more checks than the back-off allows, and the right PIN after it is refused as locked out', async ({ page }) => {
  await panel(page);
  const r = await page.evaluate(async () => {
    const w = window as unknown as { admin: { add(name: string, role: string, pin: string, duress: string): Promise<string | null> }; gatekeeper: { pin(p: string): Promise<unknown> }; settings: { get(k: string): Promise<unknown> }; log: { recent(n: number): Promise<{ kind: string; detail: { reasons: string[] } }[]> } };
    await w.admin.add('Ada', 'resident', '2468', '');
    // Ten wrong PINs at once (as a keyboard emulator would type them), then the right one.
    const burst = await Promise.all([...Array.from({ length: 10 }, (_, i) => w.gatekeeper.pin(`13${String(50 + i)}`)), w.gatekeeper.pin('2468')]);
    // Attempts only: the log also holds the alerts insight raised about the burst.
    const events = (await w.log.recent(50)).filter((e) => e.kind === 'attempt');
    return {
      burst,
      stored: await w.settings.get('pinPadLockout'),
      checked: events.filter((e) => e.detail.reasons.includes('pinWrong')).length,
      lockedOut: events.filter((e) => e.detail.reasons.includes('pinLockedOut')).length,
    };
  });
  expect(r.checked).toBe(3);
  expect(r.stored).toMatchObject({ failures: 3 });
  expect(r.burst.at(-1)).toEqual({ type: 'decision', outcome: 'deny', reason: 'lockedOut', retryAfterMs: expect.any(Number) });
  expect(r.burst.filter((d) => (d as { outcome: string }).outcome === 'grant')).toHaveLength(0);
  expect(r.lockedOut).toBeGreaterThanOrEqual(8);
});

test('a 2-use guest key with self check-in opens twice in all, by QR and by face; the third entry is refused either way', async ({ page }) => {
  await panel(page);
  const r = await page.evaluate(async () => {
    type Shown = { outcome: string; reason?: string };
    const w = window as unknown as {
      clock: { t: number };
      keys: { issue(r: unknown): Promise<{ token: string }> };
      gatekeeper: { guestKey(t: string): Promise<{ shown: Shown; selfEnrol: unknown }>; face(e: unknown, n: number): Promise<Shown> };
      admin: { enrolGuest(c: unknown, e: Float32Array, q: number): Promise<void> };
    };
    const { token } = await w.keys.issue({ name: 'Grace', notBefore: w.clock.t - 60_000, expires: w.clock.t + 86_400_000, maxUses: 2, selfEnrol: true });
    const first = await w.gatekeeper.guestKey(token);
    await w.admin.enrolGuest(first.selfEnrol, new Float32Array(512).fill(0.04), 0.9);
    const subject = (first.selfEnrol as { subject: string }).subject;
    const face = { match: { personId: subject, score: 0.9, margin: 0.5, agreedFrames: 3 }, liveness: { passive: 0.99, active: null } };
    const second = await w.gatekeeper.face(face, 1);
    const third = await w.gatekeeper.face(face, 1);
    const qrAfter = await w.gatekeeper.guestKey(token);
    return { first: first.shown, second, third, qrAfter: qrAfter.shown };
  });
  expect(r.first.outcome).toBe('grant');
  expect(r.second.outcome).toBe('grant');
  expect(r.third).toMatchObject({ outcome: 'deny' });
  expect(r.qrAfter).toMatchObject({ outcome: 'deny', reason: 'keyInvalid' });
});

test('a setting changed from the UI survives a reload: reactive state is stored as plain data', async ({ page }) => {
  const r = await page.evaluate(async () => {
    const { openDoorwardDB } = await import('/src/store/db.ts' as string);
    const { settingsRepo } = await import('/src/store/settings.ts' as string);
    const { Prefs } = await import('/src/panel/prefs.svelte.ts' as string);
    const settings = settingsRepo(await openDoorwardDB());
    const prefs = new Prefs(settings);
    await prefs.load();
    let error: string | null = null;
    try {
      await prefs.update({ scrambledKeypad: true });
    } catch (err) {
      error = String(err);
    }
    const again = new Prefs(settingsRepo(await openDoorwardDB()));
    await again.load();
    return { error, scrambled: again.prefs.scrambledKeypad, speech: again.prefs.speech };
  });
  expect(r.error).toBeNull();
  expect(r.scrambled).toBe(true);
  expect(r.speech).toBe(true);
});

test('one photo held to the camera: the next resident without a PIN is asked to blink for that visit only, then opens hands-free', async ({ page }) => {
  await panel(page);
  const r = await page.evaluate(async () => {
    const { decideExitButton } = await import('/src/access/policy.ts' as string);
    type Shown = { outcome: string; step?: string; because?: string };
    const w = window as unknown as Record<string, never> & { clock: { t: number; now(): number } };
    const insight = w.insight as unknown as { attempt(id: string, d: unknown, faces: number): Promise<void> };
    const gatekeeper = w.gatekeeper as unknown as { face(e: unknown, n: number): Promise<unknown> };
    await (w.admin as unknown as { add(n: string, r: string, p: string, d: string): Promise<unknown> }).add('Alice', 'resident', '', '');
    const alice = ((await (w.repo as unknown as { list(): Promise<{ id: string; name: string }[]> }).list()).find((p) => p.name === 'Alice'))!;
    // Someone holds a printed photo up: a spoof, logged and learnt from like any attempt.
    const spoof = { ...decideExitButton(w.clock.t), outcome: 'deny', credential: { kind: 'face' }, subject: null, reasons: ['spoofSuspected'], face: { score: 0.2, margin: 0.1, agreedFrames: 3, passive: 0.05, active: null } };
    await insight.attempt('spoof-1', spoof, 1);
    const face = (active: boolean | null) => ({ match: { personId: alice.id, score: 0.92, margin: 0.5, agreedFrames: 3 }, liveness: { passive: 0.97, active } });
    w.clock.t += 60_000; // a minute later, the same visit
    const soon = (await gatekeeper.face(face(null), 1)) as Shown;
    const blinked = (await gatekeeper.face(face(true), 1)) as Shown;
    w.clock.t += 5 * 60_000; // five minutes later, a new visit
    const later = (await gatekeeper.face(face(null), 1)) as Shown;
    return { soon, blinked, later };
  });
  // Asked for what she has (a blink), with the reason the screen can say; never a PIN pad.
  expect(r.soon).toEqual({ type: 'decision', outcome: 'stepUp', step: 'activeLiveness', because: 'recentTrouble' });
  expect(r.blinked.outcome).toBe('grant');
  expect(r.later.outcome).toBe('grant');
});
