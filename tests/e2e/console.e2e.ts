import { expect, test } from '@playwright/test';

// The production build, left alone at the door and then visited, says nothing alarming in its
// console: an error here is either a bug (a reactive loop once threw about 3 times a second at
// idle) or a broken promise nobody handled.
test('no console error and no uncaught exception over 30 s of idle and a visit', async ({ page }) => {
  test.setTimeout(90_000);
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
  await page.goto('/');
  const kiosk = page.getByTestId('kiosk');
  await expect(kiosk).toHaveAttribute('data-state', /^(idle|faceSeen|verifying|denied)$/);
  // Thirty seconds of the panel's own life (the default camera plays a group of strangers walking in).
  const start = await page.evaluate(() => performance.now());
  await page.waitForFunction((t0) => performance.now() - t0 >= 30_000, start, { timeout: 45_000, polling: 1_000 });
  // A visit: the PIN pad, a wrong PIN, the bell.
  await expect(page.getByRole('button', { name: 'PIN' })).toBeVisible({ timeout: 15_000 });
  await page.getByRole('button', { name: 'PIN' }).click();
  await page.keyboard.type('9753');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('status-title')).toHaveText('Access denied');
  await page.getByRole('button', { name: 'Ring' }).click();
  await expect(page.getByTestId('status-title')).toHaveText('Ringing…');
  expect(problems).toEqual([]);
});
