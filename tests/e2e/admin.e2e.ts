import { expect, test, type Page } from '@playwright/test';
import { shot } from './support/shots.ts';

async function typePin(page: Page, pin: string): Promise<void> {
  for (const d of pin) await page.getByRole('button', { name: d, exact: true }).click();
  await page.getByRole('button', { name: 'OK' }).click();
}

test('admin area: setup PIN at first boot, wrong PIN refused with back-off, right PIN opens it', async ({ page }) => {
  await page.clock.install();
  await page.goto('/#/admin');
  await expect(page.getByRole('heading', { name: 'Choose a setup PIN' })).toBeVisible();
  await typePin(page, '123');
  await expect(page.getByTestId('admin-message')).toHaveText('Use at least 6 digits.');
  await typePin(page, '731964');
  await typePin(page, '731964');
  await expect(page.getByTestId('admin-area')).toBeVisible();
  await expect(page.getByTestId('storage-persisted')).not.toHaveText('checking');
  await shot(page, 'admin');

  await page.getByTestId('admin-lock').click();
  await expect(page.getByRole('heading', { name: 'Admin' })).toBeVisible();
  for (let i = 0; i < 3; i++) {
    await typePin(page, '000000');
    await expect(page.getByTestId('admin-message')).toHaveText('Wrong PIN.');
  }
  await expect(page.getByTestId('admin-lockout')).toContainText('Try again in');
  await expect(page.getByRole('button', { name: '7', exact: true })).toBeDisabled();

  // The back-off survives a reload: it is stored, not held in memory.
  await page.reload();
  await expect(page.getByTestId('admin-lockout')).toContainText('Try again in');

  await page.clock.fastForward(31_000);
  await expect(page.getByTestId('admin-lockout')).toHaveCount(0);
  await typePin(page, '731964');
  await expect(page.getByTestId('admin-area')).toBeVisible();
});
