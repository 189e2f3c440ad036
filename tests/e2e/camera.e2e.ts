import { chromium, expect, test } from '@playwright/test';
import { chromiumArgs } from '../../playwright.config.ts';
import { shot } from './support/shots.ts';

test.describe('camera faults', () => {
  test('a refused camera shows a clear error and offers the PIN pad, and clears when permission is granted', async ({ browser, baseURL }) => {
    const context = await browser.newContext({ permissions: [] });
    const page = await context.newPage();
    await page.goto(`${baseURL}/?theme=night`);
    await expect(page.getByTestId('kiosk')).toHaveAttribute('data-state', 'fault');
    await expect(page.getByTestId('status-title')).toHaveText('Camera blocked');
    await expect(page.getByTestId('camera-error')).toContainText('Camera permission refused');
    await expect(page.getByRole('button', { name: 'PIN' })).toBeVisible();
    await shot(page, 'kiosk-fault');

    await context.grantPermissions(['camera']);
    await expect(page.getByTestId('kiosk')).toHaveAttribute('data-state', 'idle');
    await expect(page.getByTestId('camera-video')).toBeVisible();
    await context.close();
  });

  test('a panel with no camera at all says so', async ({ baseURL }) => {
    // A browser without the fake device: no camera exists.
    const bare = await chromium.launch({
      executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
      args: chromiumArgs.filter((a) => !a.startsWith('--use-fake-device') && !a.startsWith('--use-file-for-fake')),
    });
    const page = await (await bare.newContext({ permissions: ['camera'] })).newPage();
    await page.goto(`${baseURL}/`);
    await expect(page.getByTestId('kiosk')).toHaveAttribute('data-state', 'fault');
    await expect(page.getByTestId('status-title')).toHaveText('Camera not found');
    await expect(page.getByTestId('camera-error')).toContainText('No camera found');
    await bare.close();
  });
});
