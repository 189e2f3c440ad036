import { appendFileSync, cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { E2E_DIST } from '../../playwright.config.ts';
import { startServer } from './support/server.ts';

const PORT = 4314;

test('an update waits while a visitor is at the PIN pad and is applied by the kiosk once the door is quiet', async ({ page }) => {
  test.setTimeout(180_000);
  // A copy of the build, so a new version can be published under the running kiosk.
  const dist = join(mkdtempSync(join(tmpdir(), 'doorward-update-')), 'dist');
  cpSync(E2E_DIST, dist, { recursive: true });
  const server = await startServer(PORT, dist);
  try {
    await page.goto(`http://localhost:${PORT}/`);
    await expect(page.getByTestId('kiosk')).toHaveAttribute('data-state', 'idle');
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
    // Let the first install finish caching the wasm and weights (tens of MB, hashed on 2 cores)
    // before publishing: the release under test is the next one, not a race with the first.
    await page.waitForFunction(
      async () => {
        const m = (await (await fetch('/asset-manifest.json')).json()) as { version: string; assets: unknown[] };
        return (await (await caches.open(`doorward-assets-${m.version}`)).keys()).length === m.assets.length;
      },
      undefined,
      { timeout: 60_000, polling: 500 },
    );
    // Marks this page load: a reload clears it.
    await page.evaluate(() => ((window as unknown as { loadMark: string }).loadMark = 'first'));

    await page.getByRole('button', { name: 'PIN' }).click();
    await expect(page.getByTestId('kiosk')).toHaveAttribute('data-state', 'enterPin');

    appendFileSync(join(dist, 'sw.js'), '\n// a new release\n');
    // The update check can take up to a minute here while the panel is busy; the visitor keeps
    // typing meanwhile, so the PIN screen (20 s timeout) stays open throughout.
    void page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.update()).catch(() => undefined);
    await expect
      .poll(
        async () => {
          await page.getByRole('button', { name: '5', exact: true }).click();
          await page.getByRole('button', { name: 'Delete' }).click();
          return page.locator('html').getAttribute('data-update');
        },
        { timeout: 120_000, intervals: [2_000] },
      )
      .toBe('waiting');

    // Mid-interaction: the kiosk knows the new version waits, and keeps the visitor's screen.
    expect(await page.evaluate(() => (window as unknown as { loadMark?: string }).loadMark)).toBe('first');
    await expect(page.getByTestId('kiosk')).toHaveAttribute('data-state', 'enterPin');
    expect(await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.waiting != null)).toBe(true);

    // Quiet again: the kiosk takes the update and reloads by itself.
    const reloaded = page.waitForEvent('load', { timeout: 60_000 });
    await page.getByRole('button', { name: 'Cancel' }).click();
    await reloaded;
    expect(await page.evaluate(() => (window as unknown as { loadMark?: string }).loadMark ?? 'reloaded')).toBe('reloaded');
    await expect(page.getByTestId('kiosk')).toHaveAttribute('data-state', 'idle');
    expect(await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.waiting ?? null)).toBeNull();
  } finally {
    await server.stop();
  }
});
