import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, type Locator, type Page } from '@playwright/test';
import { serverStateDir } from '../../../playwright.config.ts';

export const ADMIN_PIN = '731964';

/**
 * The first-boot set-up code the page's server printed, read where it keeps the installer's copy
 * (its state folder, by port). It changes every time one is used.
 */
export function setupCode(page: Page, port = Number(new URL(page.url()).port)): string {
  const state = JSON.parse(readFileSync(join(serverStateDir(port), 'setup-code.json'), 'utf8')) as { code: string };
  return state.code;
}

export async function typePin(page: Page, pin: string): Promise<void> {
  for (const d of pin) await page.getByRole('button', { name: d, exact: true }).click();
  await page.getByRole('button', { name: 'OK' }).click();
}

/** First boot: type the set-up code, then choose the setup PIN; later: unlock with it. Leaves the admin area open. */
export async function openAdmin(page: Page): Promise<void> {
  // On a page of the app already, only the hash changes: the panel keeps running (no reload).
  if (page.url().startsWith('http')) await page.evaluate(() => (location.hash = '#/admin'));
  else await page.goto('/#/admin');
  const claim = page.getByRole('heading', { name: 'Set up this panel' });
  const setup = page.getByRole('heading', { name: 'Choose a setup PIN' });
  const area = page.getByRole('heading', { name: 'Panel admin' });
  await expect(claim.or(setup).or(page.getByRole('heading', { name: 'Admin', exact: true })).or(area)).toBeVisible();
  if (await claim.isVisible()) {
    await typePin(page, setupCode(page));
    await expect(setup).toBeVisible();
  }
  if (await area.isVisible()) {
    // Still unlocked from earlier in this page's life: open the Status tab, where tests start.
    await page.getByRole('button', { name: 'Status' }).click();
  } else if (await setup.isVisible()) {
    await typePin(page, ADMIN_PIN);
    await typePin(page, ADMIN_PIN);
  } else {
    await typePin(page, ADMIN_PIN);
  }
  await expect(page.getByTestId('admin-area')).toBeVisible();
}

export async function addPerson(page: Page, name: string, pin: string): Promise<void> {
  await page.getByRole('button', { name: 'People' }).click();
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('PIN (optional)', { exact: true }).fill(pin);
  await page.getByRole('button', { name: 'Add', exact: true }).click();
  await expect(page.getByTestId('person-row').filter({ hasText: name })).toBeVisible();
}

/** Adds a person and starts guided enrolment of their face from the camera; gives their row. */
export async function startEnrolment(page: Page, name: string, pin: string): Promise<Locator> {
  await addPerson(page, name, pin);
  const row = page.getByTestId('person-row').filter({ hasText: name });
  await row.getByRole('button', { name: 'Enrol face' }).click();
  await row.getByRole('button', { name: 'Start' }).click();
  return row;
}
