import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { deviceBrowser } from './support/device.ts';
import { openAdmin, startEnrolment, typePin } from './support/admin.ts';
import { visitsVideo, type VISITORS } from './support/vision-fixtures.ts';
import { shot } from './support/shots.ts';
import { installWallClock, setWallClock } from './support/wall-clock.ts';

// Weeks of history lived through the real kiosk: the page's wall clock is moved from visit to
// visit, while the fake camera plays a visitor who comes, stays 12 seconds and goes.
// Every attempt goes through the same path as at a real door (vision worker, Gatekeeper,
// insight, IndexedDB); nothing is written behind the app's back.
const day = (n: number, h: number, m = 0) => new Date(Date.UTC(2026, 10, 2 + n, h, m)); // day 0: Monday 2 November 2026

async function panel(who: keyof typeof VISITORS, start: Date): Promise<{ ctx: BrowserContext; page: Page }> {
  const ctx = await deviceBrowser({ profile: mkdtempSync(join(tmpdir(), 'doorward-insight-')), video: visitsVideo(who, 12), permissions: ['camera'], timezoneId: 'UTC' });
  await installWallClock(ctx);
  // The kiosk's states as they pass, printed when a visit is not judged in time.
  await ctx.addInitScript(() => {
    const trail: string[] = ((globalThis as unknown as { kioskTrail: string[] }).kioskTrail = []);
    setInterval(() => {
      const k = document.querySelector('[data-testid="kiosk"]');
      const entry = `${k?.getAttribute('data-state')}@${new Date(Number(k?.getAttribute('data-since'))).toISOString()}`;
      if (k && trail.at(-1) !== entry) trail.push(entry);
    }, 50);
  });
  const page = ctx.pages()[0] ?? (await ctx.newPage());
  await page.goto('/');
  await setWallClock(page, start);
  return { ctx, page };
}

/**
 * Moves the panel's clock to `at` and waits for the visitor's next arrival to be judged there:
 * the kiosk must first come to rest after the move (so the attempt that follows was decided at
 * the new time, not one decided just before it), then reach `state`.
 */
async function visitAt(page: Page, at: Date, state: string): Promise<void> {
  await test.step(`${state} at ${at.toISOString()}`, () => judgedAt(page, at, state));
}

async function judgedAt(page: Page, at: Date, state: string): Promise<void> {
  await setWallClock(page, at);
  const kioskSince = (states: readonly string[], after: number) =>
    page.waitForFunction(
      ({ states, after }) => {
        const k = document.querySelector('[data-testid="kiosk"]');
        const since = Number(k?.getAttribute('data-since'));
        return states.includes(k?.getAttribute('data-state') ?? '') && since >= after ? since : false;
      },
      { states, after },
      { polling: 50, timeout: 90_000 },
    );
  try {
    const rested = Number(await (await kioskSince(['idle', 'faceSeen'], at.getTime())).jsonValue());
    await kioskSince([state], rested);
  } catch (err) {
    const trail = await page.evaluate(() => (globalThis as unknown as { kioskTrail: string[] }).kioskTrail.slice(-30));
    throw new Error(`no ${state} after ${at.toISOString()}; kiosk states: ${trail.join(' ')}; last decisions: ${(await lastDecisions(page)).join(' | ')}`, { cause: err });
  }
}

/** The access log's last attempts with their reasons and liveness, read from the page's IndexedDB. */
function lastDecisions(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const r = indexedDB.open('doorward');
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    const events = await new Promise<{ at: number; kind: string; summary: string; detail: unknown }[]>((resolve, reject) => {
      const r = db.transaction('events').objectStore('events').getAll();
      r.onsuccess = () => resolve(r.result as { at: number; kind: string; summary: string; detail: unknown }[]);
      r.onerror = () => reject(r.error);
    });
    db.close();
    return events
      .filter((e) => e.kind === 'attempt')
      .sort((a, b) => a.at - b.at)
      .slice(-8)
      .map((e) => {
        const d = e.detail as { reasons?: string[]; riskReasons?: string[]; face?: { passive?: number; score?: number } | null } | null;
        return `${e.summary} [${d?.reasons?.join(',') ?? ''}; risk ${d?.riskReasons?.join(',') ?? ''}] score=${d?.face?.score?.toFixed(3) ?? '?'} passive=${d?.face?.passive?.toFixed(3) ?? '?'}`;
      });
  });
}

test('with a learnt history, the same face opens hands-free at a usual hour and is asked for the PIN at an unusual one', async () => {
  test.setTimeout(480_000);
  const { ctx, page } = await panel('alice', day(0, 7, 50));
  await openAdmin(page);
  await expect(page.getByTestId('vision-status')).toContainText('ready', { timeout: 60_000 });
  await startEnrolment(page, 'Alice', '2468');
  await expect(page.getByTestId('enrol-done')).toContainText('3 pictures saved', { timeout: 60_000 });
  await page.evaluate(() => (location.hash = '#/'));

  // Two weeks of weekday arrivals a few minutes after 08:00 (cold start until then: every one opens).
  for (const [n, m] of [[0, 5], [3, 12], [7, 2], [10, 9], [15, 6]] as const) await visitAt(page, day(n, 8, m), 'granted');

  // Wednesday of the third week: at her usual time the door opens hands-free ...
  await visitAt(page, day(16, 8, 10), 'granted');

  // ... and at 03:00 the same face must add her PIN.
  await visitAt(page, day(17, 3), 'enterPin');
  await expect(page.getByTestId('status-title')).toHaveText('Enter PIN');
  await expect(page.getByTestId('status-detail')).toHaveText('This is not a time you usually come, so a PIN is needed as well.');
  await shot(page, 'kiosk-step-up-unusual-hour');
  await typePin(page, '2468');
  await expect(page.getByTestId('kiosk')).toHaveAttribute('data-state', /granted|doorOpen/);

  // The admin sees why, and the habit the kiosk learnt.
  await openAdmin(page);
  await page.getByRole('button', { name: 'Access log' }).click();
  const unusual = page.getByTestId('log-row').filter({ hasText: 'risk:unusualHour' });
  await expect(unusual.filter({ hasText: 'stepUp Alice by face' }).first()).toContainText('elevatedRisk');
  await expect(unusual.filter({ hasText: 'grant Alice by pin' }).first()).toContainText('pinVerified');
  // Only the 03:00 attempt was unusual: the weeks of 08:00 arrivals opened without a second factor.
  await expect(unusual.filter({ hasText: /8:\d\d:\d\d AM/ })).toHaveCount(0);
  await page.getByRole('button', { name: 'Insight' }).click();
  const map = page.getByTestId('heatmap').filter({ hasText: 'Alice: usual entry times' });
  await expect(map).toBeVisible();
  const share = (cell: string) => map.locator(`[data-cell="${cell}"]`).getAttribute('data-share').then(Number);
  expect(await share('Tue 08')).toBeGreaterThan(50);
  expect(await share('Thu 08')).toBeGreaterThan(50);
  expect(await share('Wed 03')).toBeLessThan(await share('Wed 08'));
  await shot(page, 'admin-insight-habits');
  await ctx.close();
});

test('an unknown visitor seen on several mornings is listed on the insight page, named and let in, and then opens the door with their face', async () => {
  test.setTimeout(480_000);
  const { ctx, page } = await panel('bob', day(0, 9, 50));
  await openAdmin(page);
  await expect(page.getByTestId('vision-status')).toContainText('ready', { timeout: 60_000 });
  await page.evaluate(() => (location.hash = '#/'));

  for (const n of [0, 1, 3, 4]) {
    await visitAt(page, day(n, 10, 2 * n), 'denied');
    await expect(page.getByTestId('status-detail')).toHaveText('We could not recognise you. Use your PIN or ring.');
  }

  await openAdmin(page);
  await page.getByRole('button', { name: 'Insight' }).click();
  const visitor = page.getByTestId('visitor');
  await expect(visitor).toHaveCount(1);
  await expect(visitor).toContainText(/4 visits, usually weekdays about 10:/);
  await shot(page, 'admin-insight-visitor');
  await visitor.getByLabel('Name this visitor').fill('Bob the gardener');
  await visitor.getByRole('button', { name: 'Name and let in' }).click();
  await expect(page.getByRole('status')).toContainText('Bob the gardener can now come in');
  await page.getByRole('button', { name: 'People' }).click();
  await expect(page.getByTestId('person-row').filter({ hasText: 'Bob the gardener' })).toContainText('face template');

  await page.evaluate(() => (location.hash = '#/'));
  await visitAt(page, day(5, 10, 0), 'granted');
  await openAdmin(page);
  await page.getByRole('button', { name: 'Access log' }).click();
  await expect(page.getByTestId('log-row').filter({ hasText: 'grant Bob the gardener by face' }).first()).toContainText('faceMatched');
  await ctx.close();
});
