import { appendFileSync, cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { startServer } from './support/server.ts';

const PORT = 4314;

test('an update waits while a visitor is at the PIN pad and is applied by the kiosk once the door is quiet', async ({ page }) => {
  // A copy of the build, so a new version can be published under the running kiosk.
  const dist = join(mkdtempSync(join(tmpdir(), 'doorward-update-')), 'dist');
  cpSync('dist', dist, { recursive: true });
  const server = await startServer(PORT, dist);
  try {
    await page.goto(`http://localhost:${PORT}/`);
    await expect(page.getByTestId('kiosk')).toHaveAttribute('data-state', 'idle');
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
    // Marks this page load: a reload clears it.
    await page.evaluate(() => ((window as unknown as { loadMark: string }).loadMark = 'first'));

    await page.getByRole('button', { name: 'PIN' }).click();
    await expect(page.getByTestId('kiosk')).toHaveAttribute('data-state', 'enterPin');

    appendFileSync(join(dist, 'sw.js'), '\n// a new release\n');
    await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.update());
    await page.waitForFunction(async () => (await navigator.serviceWorker.getRegistration())?.waiting != null);

    // Mid-interaction: the new version waits, the visitor keeps their screen.
    await page.waitForTimeout(1500);
    expect(await page.evaluate(() => (window as unknown as { loadMark?: string }).loadMark)).toBe('first');
    await expect(page.getByTestId('kiosk')).toHaveAttribute('data-state', 'enterPin');

    await page.getByRole('button', { name: 'Cancel' }).click();
    // Quiet again: the kiosk takes the update and reloads by itself.
    await expect.poll(() => page.evaluate(() => (window as unknown as { loadMark?: string }).loadMark ?? 'reloaded'), { timeout: 20_000 }).toBe('reloaded');
    await expect(page.getByTestId('kiosk')).toHaveAttribute('data-state', 'idle');
    expect(await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.waiting ?? null)).toBeNull();
  } finally {
    await server.stop();
  }
});
