import { expect, test } from '@playwright/test';
import { shot } from './support/shots.ts';

test.describe('kiosk', () => {
  test('boots, shows the live camera and reaches idle', async ({ page }) => {
    await page.goto('/?theme=day');
    const kiosk = page.getByTestId('kiosk');
    await expect(kiosk).toHaveAttribute('data-state', 'idle');
    await expect(page.getByTestId('status-title')).toHaveText('Look at the camera');
    // The fake camera is really playing: the video element has decoded frames.
    const video = page.getByTestId('camera-video');
    await expect.poll(() => video.evaluate((v: HTMLVideoElement) => v.videoWidth)).toBe(640);
    await expect.poll(() => video.evaluate((v: HTMLVideoElement) => v.currentTime)).toBeGreaterThan(0.5);
    await expect(page.getByTestId('door-chip')).toHaveText('Simulated door controller');
    await expect(page.getByTestId('network-chip')).toHaveText('Online');
    // The visitor photo has slid into frame (1.5 s into the video) for the picture.
    await expect.poll(() => video.evaluate((v: HTMLVideoElement) => v.currentTime)).toBeGreaterThan(2.5);
    await shot(page, 'kiosk-idle');
  });

  test('a second kiosk tab waits while the panel runs in the first, and takes over when it closes', async ({ page, context }) => {
    await page.goto('/');
    await expect(page.getByTestId('kiosk')).toHaveAttribute('data-state', 'idle');
    const second = await context.newPage();
    await second.goto('/');
    await expect(second.getByTestId('panel-elsewhere')).toContainText('This door panel is running in another tab or window.');
    await expect(second.getByTestId('kiosk')).toHaveCount(0);
    await page.close();
    await expect(second.getByTestId('kiosk')).toHaveAttribute('data-state', 'idle');
    await expect(second.getByTestId('panel-elsewhere')).toHaveCount(0);
  });

  test('night theme for dark hallways', async ({ page }) => {
    await page.goto('/?theme=night');
    await expect(page.getByTestId('kiosk')).toHaveAttribute('data-state', 'idle');
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('night');
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(bg).toBe('rgb(7, 9, 12)');
    await expect.poll(() => page.getByTestId('camera-video').evaluate((v: HTMLVideoElement) => v.currentTime)).toBeGreaterThan(2.5);
    await shot(page, 'kiosk-idle-night');
  });

  test('a visitor can open the PIN pad; an unknown PIN is denied with a reason, then it returns to idle', async ({ page }) => {
    await page.goto('/?theme=night');
    await expect(page.getByTestId('kiosk')).toHaveAttribute('data-state', 'idle');
    await page.getByRole('button', { name: 'PIN' }).click();
    await expect(page.getByTestId('kiosk')).toHaveAttribute('data-state', 'enterPin');
    await expect(page.getByTestId('status-title')).toHaveText('Enter PIN');
    for (const d of '2580') await page.getByRole('button', { name: d, exact: true }).click();
    await expect(page.getByTestId('pin-dots').locator('.filled')).toHaveCount(4);
    await shot(page, 'kiosk-pin');
    await page.getByRole('button', { name: 'OK' }).click();
    await expect(page.getByTestId('kiosk')).toHaveAttribute('data-state', 'denied');
    await expect(page.getByTestId('status-title')).toHaveText('Access denied');
    await expect(page.getByTestId('status-detail')).toHaveText('That PIN is not valid.');
    await shot(page, 'kiosk-denied');
    // The denial stays a few seconds, then the panel is ready for the next visitor.
    await expect(page.getByTestId('kiosk')).toHaveAttribute('data-state', 'idle', { timeout: 10_000 });
  });

  test('the bell rings and can be cancelled', async ({ page }) => {
    await page.goto('/');
    await page.getByRole('button', { name: 'Ring' }).click();
    await expect(page.getByTestId('status-title')).toHaveText('Ringing…');
    await page.getByRole('button', { name: 'Cancel' }).click();
    await expect(page.getByTestId('kiosk')).toHaveAttribute('data-state', 'idle');
  });
});
