import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { deviceBrowser } from './support/device.ts';
import { addPerson, openAdmin } from './support/admin.ts';
import { visitsVideo } from './support/vision-fixtures.ts';
import { shot } from './support/shots.ts';

// The panel's profile (people, sealed templates) is shared by the launches; each launch plays
// a different visitor to the fake camera.

async function panel(profile: string, video: string): Promise<{ ctx: BrowserContext; page: Page }> {
  const ctx = await deviceBrowser({ profile, video, permissions: ['camera'] });
  return { ctx, page: ctx.pages()[0] ?? (await ctx.newPage()) };
}

test('a person enrolled at the panel walks away and back and the door opens with their name; a stranger is offered the PIN pad and the bell', async () => {
  test.setTimeout(180_000);
  const profile = mkdtempSync(join(tmpdir(), 'doorward-face-'));

  const alice = await panel(profile, visitsVideo('alice'));
  const page = alice.page;
  await page.goto('/?theme=night');
  await openAdmin(page);
  await expect(page.getByTestId('vision-status')).toContainText('ready', { timeout: 60_000 });
  await expect(page.getByTestId('vision-provider')).toContainText('wasm');
  await page.getByRole('button', { name: 'Show vision details' }).click();
  await expect(page.getByTestId('vision-debug')).toHaveAttribute('data-detector', 'mediapipe-full/CPU');
  await addPerson(page, 'Alice', '');
  const row = page.getByTestId('person-row').filter({ hasText: 'Alice' });
  await row.getByRole('button', { name: 'Enrol face' }).click();
  // Everything the enrolment screen says, in order, as the person would have read it.
  await page.evaluate(() => {
    const said: string[] = [];
    (window as unknown as { __said: string[] }).__said = said;
    new MutationObserver(() => {
      const line = ['enrol-progress', 'enrol-step', 'enrol-hint'].map((id) => {
        const el = document.querySelector(`[data-testid=${id}]`);
        return el instanceof HTMLProgressElement ? String(el.value) : (el?.textContent ?? '');
      }).join(' | ');
      if (said.at(-1) !== line) said.push(line);
    }).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
  });
  await row.getByRole('button', { name: 'Start' }).click();
  await expect(page.getByTestId('enrol-done')).toContainText('3 pictures saved', { timeout: 60_000 });
  await expect(row).toContainText('3 face templates');
  const said = await page.evaluate(() => (window as unknown as { __said: string[] }).__said);
  console.log(`[enrol] ${said.join('\n[enrol] ')}`);
  // Each prompt waited for its pose: the turn was asked for while she still looked straight, and
  // the progress moved one step per capture.
  expect(said.some((l) => l.startsWith('1 | 2/3: Turn your head a little to your left | Turn your head a little more to your left.'))).toBe(true);
  expect(said.some((l) => l.startsWith('2 | 3/3: Turn your head a little to your right'))).toBe(true);
  const progress = said.map((l) => l.split(' | ')[0]!).filter((v) => v !== '').map(Number);
  expect(progress).toEqual([...progress].sort((x, y) => x - y));
  expect(new Set(progress)).toEqual(new Set([0, 1, 2]));

  await page.evaluate(() => (location.hash = '#/'));
  const kiosk = page.getByTestId('kiosk');
  await expect(page.getByTestId('status-title')).toHaveText('Welcome, Alice', { timeout: 30_000 });
  await shot(page, 'kiosk-face-granted');
  await expect(kiosk).toHaveAttribute('data-state', 'doorOpen');
  await openAdmin(page);
  await page.getByRole('button', { name: 'Access log' }).click();
  const granted = page.getByTestId('log-row').filter({ hasText: 'grant Alice by face' }).first();
  await expect(granted).toContainText('faceMatched');
  await granted.getByRole('button', { name: 'Show snapshot' }).click();
  await expect(granted.getByRole('img', { name: 'Snapshot at the door' })).toBeVisible();
  await alice.ctx.close();

  const bob = await panel(profile, visitsVideo('bob'));
  await bob.page.goto('/');
  await expect(bob.page.getByTestId('status-detail')).toHaveText('We could not recognise you. Use your PIN or ring.', { timeout: 60_000 });
  await expect(bob.page.getByRole('button', { name: 'PIN' })).toBeVisible();
  await expect(bob.page.getByRole('button', { name: 'Ring' })).toBeVisible();
  await shot(bob.page, 'kiosk-face-unknown');
  await expect(bob.page.getByTestId('kiosk')).not.toHaveAttribute('data-state', 'doorOpen');
  await bob.ctx.close();
});
