import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, expect, test, type BrowserContext } from '@playwright/test';
import { chromiumArgs, E2E_PORT } from '../../playwright.config.ts';
import { openAdmin } from './support/admin.ts';
import { qrVideo } from './support/qr-video.ts';
import { shot } from './support/shots.ts';

// The panel's state lives in its browser profile, so the admin session and the visitor at the
// camera share one profile; the camera video is chosen at launch, hence two launches.
const base = `http://localhost:${E2E_PORT}`;

async function panel(profile: string, video?: string): Promise<BrowserContext> {
  const args = video ? [...chromiumArgs.filter((a) => !a.startsWith('--use-file-for-fake')), `--use-file-for-fake-video-capture=${video}`] : chromiumArgs;
  return chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args,
    permissions: ['camera'],
    baseURL: base,
    viewport: { width: 800, height: 1280 },
  });
}

async function issueKey(profile: string, name: string, revoke: boolean): Promise<string> {
  const ctx = await panel(profile);
  const page = ctx.pages()[0] ?? (await ctx.newPage());
  await openAdmin(page);
  await page.getByRole('button', { name: 'Guest keys' }).click();
  await page.getByLabel('Guest name').fill(name);
  await page.getByLabel('Uses (empty: unlimited)').fill('2');
  await page.getByRole('button', { name: 'Create key' }).click();
  const token = await page.getByTestId('guest-token').inputValue();
  await expect(page.locator('[aria-label="QR code of the new key"] svg')).toBeVisible();
  if (revoke) await page.getByRole('button', { name: 'Revoke' }).click();
  await ctx.close();
  return token;
}

test('a guest shows the QR key from the admin area to the camera and the door opens, with no network involved', async () => {
  const profile = mkdtempSync(join(tmpdir(), 'doorward-guest-'));
  const token = await issueKey(profile, 'Grace Hopper', false);
  expect(token.split('.')).toHaveLength(3);

  const ctx = await panel(profile, await qrVideo('guest-key', token));
  const page = ctx.pages()[0] ?? (await ctx.newPage());
  await page.goto('/?theme=night');
  const kiosk = page.getByTestId('kiosk');
  await expect(page.getByTestId('status-title')).toHaveText('Welcome, Grace Hopper', { timeout: 20_000 });
  await shot(page, 'kiosk-guest-key');
  await expect(kiosk).toHaveAttribute('data-state', 'doorOpen');
  await ctx.close();
});

test('a revoked guest key is refused at the door', async () => {
  const profile = mkdtempSync(join(tmpdir(), 'doorward-guest-'));
  const token = await issueKey(profile, 'Mallory', true);
  const ctx = await panel(profile, await qrVideo('revoked-key', token));
  const page = ctx.pages()[0] ?? (await ctx.newPage());
  await page.goto('/');
  await expect(page.getByTestId('status-detail')).toHaveText('That key is not valid here or now.', { timeout: 20_000 });
  await expect(page.getByTestId('kiosk')).not.toHaveAttribute('data-state', 'doorOpen');
  await ctx.close();
});
