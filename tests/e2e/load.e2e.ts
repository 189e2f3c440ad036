import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { deviceBrowser } from './support/device.ts';
import { openAdmin, startEnrolment } from './support/admin.ts';
import { visitsVideo } from './support/vision-fixtures.ts';
import { qrVideo } from './support/qr-video.ts';

// A kiosk on a busy tablet: processes that keep every core at 100% beside the browser (load
// about 3x the cores here). The door must still tell the truth: every unlock is shown as one, a
// face or a key held up gives one attempt, and nothing bounces between screens.

function burnCpu(processes: number): () => void {
  const burners: ChildProcess[] = Array.from({ length: processes }, () => spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
  return () => burners.forEach((b) => b.kill('SIGKILL'));
}

async function panel(profile: string, video: string): Promise<{ ctx: BrowserContext; page: Page }> {
  const ctx = await deviceBrowser({ profile, video, permissions: ['camera'] });
  const page = ctx.pages()[0] ?? (await ctx.newPage());
  // Every screen the kiosk shows, in order, from the page's own point of view: a screen is its
  // state and the moment it began, so a second welcome straight after the first counts as one more.
  await page.addInitScript(() => {
    const trail: string[] = [];
    const times: number[] = [];
    const shown: string[] = [];
    Object.assign(window, { __trail: trail, __times: times, __since: Date.now() });
    new MutationObserver(() => {
      const kiosk = document.querySelector('[data-testid="kiosk"]');
      const state = kiosk?.getAttribute('data-state');
      const screen = `${state}@${kiosk?.getAttribute('data-since')}`;
      if (state && shown.at(-1) !== screen) {
        shown.push(screen);
        trail.push(state);
        times.push(Date.now());
      }
    }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-state', 'data-since'], childList: true });
  });
  return { ctx, page };
}

/**
 * The screens shown so far and the access log's lines matching `summary`, read at one instant in
 * the page (the log is written just before the screen changes, so the two can differ by the one
 * decision in flight, never for long).
 */
function seen(page: Page, summary: string): Promise<{ trail: string[]; logged: number; detail: string }> {
  return page.evaluate(async (text) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const r = indexedDB.open('doorward');
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    const events = await new Promise<{ summary: string; at: number }[]>((resolve, reject) => {
      const r = db.transaction('events').objectStore('events').getAll();
      r.onsuccess = () => resolve(r.result as { summary: string; at: number }[]);
      r.onerror = () => reject(r.error);
    });
    db.close();
    const w = window as unknown as { __trail: string[]; __times: number[]; __since: number };
    // Only this page's decisions: the profile may hold lines from the enrolment before it.
    const mine = events.filter((e) => e.summary === text && e.at >= w.__since);
    const trail = [...w.__trail];
    return { trail, logged: mine.length, detail: `screens ${trail.map((t, i) => `${t}@${(w.__times[i] ?? 0) - w.__since}`).join(' ')}; logged at ${mine.map((e) => e.at - w.__since).join(' ')}; all ${events.filter((e) => e.summary === text).length}` };
  }, summary);
}

/**
 * Waits until the kiosk has shown a welcome. Read from the page's own trail, not by sampling the
 * title: under the burner the welcome can give way to "Door open" (the simulated door swings open
 * on the unlock) between two of the test's looks, and a welcome missed that way is no failure.
 */
async function welcomeShown(page: Page, timeout: number): Promise<void> {
  await expect
    .poll(async () => (await page.evaluate(() => (window as unknown as { __trail: string[] }).__trail)).includes('granted'), { timeout, intervals: [250] })
    .toBe(true);
}

test('under a CPU burner, a face that is let in is always shown the welcome, even when it turned away before the answer', async () => {
  test.setTimeout(300_000);
  const profile = mkdtempSync(join(tmpdir(), 'doorward-load-'));
  // Enrolled at a quiet moment; the visits come while the tablet is busy.
  const enrol = await panel(profile, visitsVideo('alice'));
  await enrol.page.goto('/');
  await openAdmin(enrol.page);
  await expect(enrol.page.getByTestId('vision-status')).toContainText('ready', { timeout: 60_000 });
  await startEnrolment(enrol.page, 'Alice', '');
  await expect(enrol.page.getByTestId('enrol-done')).toContainText('3 pictures saved', { timeout: 60_000 });
  await enrol.ctx.close();

  const stop = burnCpu(6);
  try {
    // Alice is in view for 2 s of every 5 (half a second of it sliding in): under load the answer
    // often comes after she has gone. A 1 s stay leaves half a second at rest, too few frames on
    // a tablet this busy for the 3 agreeing looks a decision needs, so most visits end undecided.
    const visit = await panel(profile, visitsVideo('alice', 2));
    await visit.page.goto('/');
    await welcomeShown(visit.page, 120_000);
    // Every unlock the log records is on the screen as a welcome (a grant lost while the face
    // was away stays a difference for good).
    let last = '';
    await expect
      .poll(async () => {
        const now = await seen(visit.page, 'grant Alice by face');
        last = now.detail;
        return now.trail.filter((s) => s === 'granted').length - now.logged;
      }, { timeout: 30_000, intervals: [250] })
      .toBe(0)
      .catch((e: Error) => {
        throw new Error(`${e.message}\n${last}`);
      });
    expect((await seen(visit.page, 'grant Alice by face')).logged).toBeGreaterThanOrEqual(1);
    await visit.ctx.close();
  } finally {
    stop();
  }
});

test('under a CPU burner, a 2-use guest key held up for 30 s opens once and keeps its second use', async () => {
  test.setTimeout(180_000);
  const profile = mkdtempSync(join(tmpdir(), 'doorward-load-'));
  const admin = await panel(profile, visitsVideo('alice'));
  await openAdmin(admin.page);
  await admin.page.getByRole('button', { name: 'Guest keys' }).click();
  await admin.page.getByLabel('Guest name').fill('Grace Hopper');
  await admin.page.getByLabel('Uses (empty: unlimited)').fill('2');
  await admin.page.getByRole('button', { name: 'Create key' }).click();
  const token = await admin.page.getByTestId('guest-token').inputValue();
  await admin.ctx.close();

  const stop = burnCpu(6);
  try {
    const visit = await panel(profile, await qrVideo('load-key', token));
    await visit.page.goto('/');
    await welcomeShown(visit.page, 60_000);
    // The phone stays in front of the camera (the video loops it) through the door's whole cycle.
    const start = await visit.page.evaluate(() => performance.now());
    await visit.page.waitForFunction((t0) => performance.now() - t0 >= 30_000, start, { timeout: 60_000, polling: 1_000 });
    const { trail, logged } = await seen(visit.page, 'grant Grace Hopper by guestKey');
    const afterGrant = trail.slice(trail.indexOf('granted') + 1);
    // No second check of the same showing: granted is never followed by verifying again.
    expect(afterGrant).not.toContain('verifying');
    expect(trail.filter((s) => s === 'granted')).toHaveLength(1);
    expect(logged).toBe(1);
    await visit.ctx.close();
  } finally {
    stop();
  }
});
