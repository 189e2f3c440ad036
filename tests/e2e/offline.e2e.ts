import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { expect, test } from '@playwright/test';
import { shot } from './support/shots.ts';

// Its own server, so the test can stop it: real offline, with only the service worker to answer.
const PORT = 4312;

function startServer(): ChildProcess {
  return spawn(process.execPath, ['scripts/start.mjs', '--no-build', '--port', String(PORT)], { stdio: 'pipe' });
}

async function waitForServer(): Promise<void> {
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`http://localhost:${PORT}/health`)).ok) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('offline test server did not start');
}

test('after one online load the kiosk boots with the server gone, and says it is offline', async ({ page }) => {
  const server = startServer();
  try {
    await waitForServer();
    await page.goto(`http://localhost:${PORT}/?theme=night`);
    await expect(page.getByTestId('kiosk')).toHaveAttribute('data-state', 'idle');
    await page.waitForFunction(async () => (await navigator.serviceWorker.ready).active?.state === 'activated');
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  } finally {
    server.kill('SIGTERM');
    await once(server, 'exit');
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
