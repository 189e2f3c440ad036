import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, expect, test } from '@playwright/test';
import { chromiumArgs, E2E_PORT } from '../../playwright.config.ts';
import { addPerson, openAdmin } from './support/admin.ts';
import { printedPhotoVideo } from './support/vision-fixtures.ts';

/**
 * Enrolment refuses a printed face: someone holds a print of a visitor's photo up to the panel
 * (a software-made print on the fake camera). The panel says it is a photo, not a person, and
 * saves nothing, instead of enrolling it without a word.
 */
test('a printed photo held up at enrolment is refused as a photo, and no template is saved', async () => {
  test.setTimeout(150_000);
  const ctx = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'doorward-enrol-print-')), {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: [...chromiumArgs.filter((a) => !a.startsWith('--use-file-for-fake')), `--use-file-for-fake-video-capture=${printedPhotoVideo('alice')}`],
    permissions: ['camera'],
    baseURL: `http://localhost:${E2E_PORT}`,
    viewport: { width: 800, height: 1280 },
  });
  try {
    const page = ctx.pages()[0] ?? (await ctx.newPage());
    await page.goto('/');
    await openAdmin(page);
    await expect(page.getByTestId('vision-status')).toContainText('ready', { timeout: 60_000 });
    await addPerson(page, 'Mallory', '');
    const row = page.getByTestId('person-row').filter({ hasText: 'Mallory' });
    await row.getByRole('button', { name: 'Enrol face' }).click();
    await row.getByRole('button', { name: 'Start' }).click();
    await expect(page.getByTestId('enrol-failed')).toContainText('This looks like a photo or a screen, not a person', { timeout: 60_000 });
    await expect(page.getByTestId('enrol-done')).toHaveCount(0);
    await expect(row).toContainText('0 face templates');
  } finally {
    await ctx.close();
  }
});
