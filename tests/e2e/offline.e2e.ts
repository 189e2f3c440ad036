import { expect, test } from '@playwright/test';
import { shot } from './support/shots.ts';
import { startServer } from './support/server.ts';
import { openAdmin } from './support/admin.ts';

// Its own server, so the test can stop it: real offline, with only the service worker to answer.
const PORT = 4312;

test('after one online load the kiosk boots with the server gone, says it is offline, and still has its face models', async ({ page }) => {
  const server = await startServer(PORT);
  try {
    await page.goto(`http://localhost:${PORT}/?theme=night`);
    await expect(page.getByTestId('kiosk')).toHaveAttribute('data-state', 'idle');
    // The wasm runtime and weights are checked and cached once the worker controls the page.
    await openAdmin(page);
    await expect(page.getByTestId('offline-ready')).toContainText('yes', { timeout: 60_000 });
  } finally {
    await server.stop();
  }
  await expect.poll(() => fetch(`http://localhost:${PORT}/health`).then(() => 'up', () => 'down')).toBe('down');

  await page.evaluate(() => (location.hash = '#/'));
  await page.reload();
  await expect(page.getByTestId('kiosk')).toBeVisible();
  await expect(page.getByTestId('kiosk')).toHaveAttribute('data-state', 'offline');
  await expect(page.getByTestId('network-chip')).toHaveText('Offline');
  await expect(page.getByTestId('status-detail')).toHaveText('Offline: the door still works.');
  await expect(page.getByTestId('camera-video')).toBeVisible();
  await shot(page, 'kiosk-offline');
  await openAdmin(page);
  await expect(page.getByTestId('vision-status')).toContainText('ready', { timeout: 60_000 });
});
