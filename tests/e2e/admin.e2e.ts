import { expect, test } from '@playwright/test';
import { setupCode, typePin } from './support/admin.ts';
import { shot } from './support/shots.ts';

/** A code of the right length that is certainly not the live one. */
const otherThan = (code: string) => code.replace(/\d$/, (d) => String((Number(d) + 1) % 10));

test('first boot: a passer-by without the set-up code cannot choose the setup PIN', async ({ page }) => {
  await page.goto('/#/admin');
  await expect(page.getByRole('heading', { name: 'Set up this panel' })).toBeVisible();
  await shot(page, 'admin-first-boot');
  // Nothing on screen leads to the setup PIN; a guessed code is refused by the panel's server.
  await typePin(page, otherThan(setupCode(page)));
  await expect(page.getByTestId('admin-message')).toHaveText('That is not the set-up code.');
  await expect(page.getByRole('heading', { name: 'Choose a setup PIN' })).toHaveCount(0);
  // A reload starts again at the code, not at the PIN.
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Set up this panel' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Choose a setup PIN' })).toHaveCount(0);
});

test('admin area: set-up code then setup PIN at first boot, wrong PIN refused with back-off, right PIN opens it', async ({ page, browser }) => {
  await page.clock.install();
  await page.goto('/#/admin');
  await expect(page.getByRole('heading', { name: 'Set up this panel' })).toBeVisible();
  // The installer reads the code off the server's console.
  const code = setupCode(page);
  // Each pad shows as many dots as digits it asks for: eight for the code, six for the PIN.
  await expect(page.getByTestId('pin-dots').locator('span')).toHaveCount(code.length);
  await typePin(page, code);
  await expect(page.getByRole('heading', { name: 'Choose a setup PIN' })).toBeVisible();
  await expect(page.getByTestId('pin-dots').locator('span')).toHaveCount(6);
  // Burnt once used: the same code opens no other first boot.
  const other = await browser.newPage();
  await other.goto('/#/admin');
  await typePin(other, code);
  await expect(other.getByTestId('admin-message')).toHaveText('That is not the set-up code.');
  await other.close();
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
