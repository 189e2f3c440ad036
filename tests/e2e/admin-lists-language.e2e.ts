import { expect, test } from '@playwright/test';
import { ADMIN_PIN, setupCode, typePin } from './support/admin.ts';

// A kiosk whose browser is set to German: the admin area's lists (people, guest keys, the log)
// speak German, from the first boot on.
test.use({ locale: 'de-DE' });

// The tab bar and the first-boot screens are translated with their own keys (admin.tab.,
// admin.gate.), so this test finds them by what does not hang on them: the pad's dots, either name.
test('a German kiosk shows People, Guest keys and the access log in German', async ({ page }) => {
  await page.goto('/#/admin');
  expect(await page.evaluate(() => navigator.language)).toBe('de-DE');
  const code = setupCode(page);
  await expect(page.getByTestId('pin-dots').locator('span')).toHaveCount(code.length);
  await typePin(page, code);
  await expect(page.getByTestId('pin-dots').locator('span')).toHaveCount(6);
  await typePin(page, ADMIN_PIN);
  await typePin(page, ADMIN_PIN);
  await expect(page.getByTestId('admin-area')).toBeVisible();

  // People: the list, the form and a new person's row, with the role and counts in German.
  await page.getByRole('button', { name: /^(People|Personen)$/ }).click();
  const people = page.getByTestId('people');
  await expect(people.getByText('Noch niemand eingetragen.')).toBeVisible();
  await expect(people.getByRole('heading', { name: 'Person hinzufügen' })).toBeVisible();
  await expect(people.locator('select[name="role"] option')).toHaveText(['Bewohner', 'Mitarbeiter', 'Gast', 'Dienstleister']);
  await people.getByLabel('Name', { exact: true }).fill('Ada');
  await people.getByRole('button', { name: 'Hinzufügen', exact: true }).click();
  const row = page.getByTestId('person-row').filter({ hasText: 'Ada' });
  await expect(row).toContainText('Bewohner · keine PIN · 0 Gesichtsvorlagen');
  await row.getByRole('button', { name: 'Zugangszeiten' }).click();
  await row.getByLabel('Nur zu diesen Zeiten').check();
  await expect(row.getByLabel('Sa', { exact: true })).toBeVisible();
  await expect(row.getByRole('button', { name: 'Feiertag hinzufügen' })).toBeVisible();
  await expect(row.getByRole('button', { name: 'Zugangszeiten speichern' })).toBeVisible();

  // Guest keys: issuing one says so in German, and the list writes its end the German way.
  await page.getByRole('button', { name: /^(Guest keys|Gastschlüssel)$/ }).click();
  const keys = page.getByTestId('guest-keys');
  await expect(keys.getByRole('heading', { name: 'Gastschlüssel' })).toBeVisible();
  await keys.getByLabel('Name des Gasts').fill('Grace');
  await keys.getByRole('button', { name: 'Schlüssel erstellen' }).click();
  await expect(keys.getByText('Schlüssel für Grace: Zeigen Sie diesen Code der Türkamera. Er funktioniert ohne Netzwerk.')).toBeVisible();
  await expect(keys.getByRole('heading', { name: 'Ausgestellt' })).toBeVisible();
  const issued = keys.getByRole('listitem').filter({ hasText: 'Grace' });
  await expect(issued).toContainText(/· bis \d\d\.\d\d\.\d\d, \d\d:\d\d · Nutzungen: ∞/);
  await issued.getByRole('button', { name: 'Widerrufen' }).click();
  await expect(issued).toContainText('· widerrufen');

  // The log's filters and export.
  await page.getByRole('button', { name: /^(Access log|Zutrittsprotokoll)$/ }).click();
  const log = page.getByTestId('access-log');
  await expect(log.getByRole('heading', { name: 'Zutrittsprotokoll' })).toBeVisible();
  await expect(log.getByRole('combobox', { name: 'Zeigen' }).locator('option')).toHaveText(['Alles', 'Hereingelassen', 'Abgewiesen', 'Alarme']);
  await expect(log.getByRole('button', { name: 'Als CSV exportieren' })).toBeVisible();
  await expect(log.getByPlaceholder('Filter: Name, Grund…')).toBeVisible();
});
