import { expect, test } from '@playwright/test';
import { shot } from './support/shots.ts';
import { startServer } from './support/server.ts';

// Its own server, so the test can stop it: real offline, with only the service worker to answer.
const PORT = 4312;

test('after one online load the kiosk boots with the server gone, and says it is offline', async ({ page }) => {
  const server = await startServer(PORT);
  try {
    await page.goto(`http://localhost:${PORT}/?theme=night`);
    await expect(page.getByTestId('kiosk')).toHaveAttribute('data-state', 'idle');
    await page.waitForFunction(async () => (await navigator.serviceWorker.ready).active?.state === 'activated');
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  } finally {
    await server.stop();
  }
  await expect.poll(() => fetch(`http://localhost:${PORT}/health`).then(() => 'up', () => 'down')).toBe('down');

  await page.reload();
  await expect(page.getByTestId('kiosk')).toBeVisible();
  await expect(page.getByTestId('kiosk')).toHaveAttribute('data-state', 'offline');
  await expect(page.getByTestId('network-chip')).toHaveText('Offline');
  await expect(page.getByTestId('status-detail')).toHaveText('Offline: the door still works.');
  await expect(page.getByTestId('camera-video')).toBeVisible();
  await shot(page, 'kiosk-offline');
});
