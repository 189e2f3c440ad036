import { expect, test } from '@playwright/test';
import { ADMIN_PIN, setupCode, typePin } from './support/admin.ts';

// A kiosk whose browser is set to German: its admin area speaks German from the first-boot gate on.
test.use({ locale: 'de-DE' });

/** A code of the right length that is certainly not the live one. */
const otherThan = (code: string) => code.replace(/\d$/, (d) => String((Number(d) + 1) % 10));

test('a German kiosk shows the admin gate, its refusals, the tabs, the Status and Settings tabs in German, and keeps a call relay set there', async ({ page }) => {
  await page.goto('/#/admin');
  expect(await page.evaluate(() => navigator.language)).toBe('de-DE');
  await expect(page.getByRole('heading', { name: 'Panel einrichten' })).toBeVisible();
  await typePin(page, otherThan(setupCode(page)));
  await expect(page.getByTestId('admin-message')).toHaveText('Das ist nicht der Einrichtungscode.');

  await typePin(page, setupCode(page));
  await expect(page.getByRole('heading', { name: 'Einrichtungs-PIN wählen' })).toBeVisible();
  await typePin(page, '123');
  await expect(page.getByTestId('admin-message')).toHaveText('Verwenden Sie mindestens 6 Ziffern.');
  await typePin(page, ADMIN_PIN);
  await typePin(page, ADMIN_PIN);

  await expect(page.getByRole('heading', { name: 'Panel-Verwaltung' })).toBeVisible();
  await expect(page.getByRole('navigation').getByRole('button')).toHaveText(['Status', 'Personen', 'Gastschlüssel', 'Zutrittsprotokoll', 'Auswertung', 'Fernzugriff', 'Einstellungen']);
  const status = page.getByTestId('admin-area');
  await expect(status.getByRole('heading', { level: 2 })).toContainText(['Speicher', 'Geräte', 'Gesichtserkennung', 'Türsteuerung', 'App']);
  await expect(page.getByTestId('storage-persisted')).toHaveText(/^(erlaubt|nicht erlaubt)$/);

  await page.getByRole('navigation').getByRole('button', { name: 'Einstellungen' }).click();
  const settings = page.getByTestId('settings');
  await expect(settings.getByRole('heading', { level: 2 })).toHaveText(['An der Tür', 'Öffnen', 'Klingelanrufe von unterwegs', 'Datenschutz und Aufbewahrung']);
  await settings.getByTestId('settings-relay-url').fill('turn:turn.example.net:3478');
  await settings.getByRole('button', { name: 'Anruf-Relais speichern' }).click();
  // The check's own words are still English (the refusal reasons' move is separate); saying so here pins what a German admin sees.
  await expect(settings.getByTestId('settings-relay-message')).toHaveText('The call relay needs its username.');
  await settings.getByLabel('Benutzername').fill('door');
  await settings.getByLabel('Passwort').fill('pw');
  await settings.getByRole('button', { name: 'Anruf-Relais speichern' }).click();
  await expect(settings.getByTestId('settings-relay-message')).toHaveText('Gespeichert: Der nächste Anruf kann darüber laufen.');

  await page.getByTestId('admin-lock').click();
  await typePin(page, '000000');
  await expect(page.getByTestId('admin-message')).toHaveText('Falsche PIN.');
});
