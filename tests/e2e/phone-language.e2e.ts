import { expect, test, type Page } from '@playwright/test';
import { deviceBrowser, mosquittoForTests, phoneTab, showPairingCode, type Mosquitto } from './support/remote-mosquitto.ts';

// A phone set to German, paired with a kiosk (whose own language stays as it is) through a real
// Mosquitto: its screens speak German, from pairing on, until its user picks English on the door list.
let mosquitto: Mosquitto;
const broker = mosquittoForTests();
test.beforeAll(() => {
  mosquitto = broker();
});

const PAIRED_DE = 'Gekoppelt als Eigentümer.';
const tabs = (phone: Page, label: string) => phone.getByRole('navigation', { name: label });

async function chooseLanguage(phone: Page, option: string, reloadNote: string, reloadNow: string): Promise<void> {
  const section = phone.getByTestId('phone-language');
  await section.getByRole('combobox').selectOption({ label: option });
  await expect(section.getByTestId('phone-language-reload')).toHaveText(reloadNote);
  await section.getByRole('button', { name: reloadNow }).click();
}

test('a German phone pairs and shows its door, the door\'s screens and the door list in German; English chosen on the door list shows after the reload it asks for, Device language German again', async () => {
  test.setTimeout(120_000);
  const [panelCtx, phoneCtx] = await Promise.all([deviceBrowser(), deviceBrowser({ locale: 'de-DE' })]);
  try {
    const panel = panelCtx.pages()[0] ?? (await panelCtx.newPage());
    const phone = phoneCtx.pages()[0] ?? (await phoneCtx.newPage());
    expect(await phone.evaluate(() => navigator.language)).toBe('de-DE');

    // Before any door: the pairing screen in German, with the language choice.
    const code = await showPairingCode(panel, mosquitto.url);
    await phone.goto('/#/remote');
    await expect(phone.getByRole('button', { name: 'QR-Code des Panels scannen' })).toBeVisible();
    await expect(phone.getByTestId('phone-language').getByRole('combobox')).toHaveValue('device');
    await phone.getByLabel('Kopplungscode').fill(code);
    await phone.getByRole('button', { name: 'Koppeln', exact: true }).click();
    await expect(phone.getByTestId('phone-message')).toHaveText(PAIRED_DE);

    // One door: the phone opens on it. Its state, buttons, sections and the tab bar in German.
    await expect(phone.getByTestId('phone-door')).toHaveText('geschlossen');
    await expect(phone.getByTestId('phone-panel-online')).toHaveText('online');
    await expect(phone.getByRole('button', { name: 'Öffnen', exact: true })).toBeVisible();
    const sections = phone.getByRole('navigation', { name: 'Bereiche der Tür' });
    await expect(sections.getByRole('button')).toHaveText([/Personen/, /Gastschlüssel/, /Einstellungen/, /Diese Tür/]);
    await expect(tabs(phone, 'Handy-App').getByRole('button')).toHaveText(['Türen', 'Protokoll', 'Alarme']);

    // A door's screens: people with their roles, guest keys, settings with German numbers.
    await sections.getByRole('button', { name: 'Personen' }).click();
    await expect(phone.getByRole('heading', { name: 'Person hinzufügen' })).toBeVisible();
    await expect(phone.locator('select[name="person-role"] option')).toHaveText(['Bewohner', 'Mitarbeiter', 'Gast', 'Dienstleister']);
    await phone.getByTestId('phone-back').click();
    await sections.getByRole('button', { name: 'Gastschlüssel' }).click();
    await expect(phone.getByRole('button', { name: 'Schlüssel ausstellen' })).toBeVisible();
    await expect(phone.getByText('Noch keine Gastschlüssel ausgestellt.')).toBeVisible();
    await phone.getByTestId('phone-back').click();
    await sections.getByRole('button', { name: 'Einstellungen' }).click();
    await expect(phone.getByRole('heading', { level: 1 })).toHaveText('Panel-Einstellungen');
    // The value is written as the label's bounds are, with a decimal comma.
    await expect(phone.getByLabel(/^Schwelle für die Lebenderkennung \(0,\d\d–0,99\)/)).toHaveValue(/^0,\d\d$/);
    await expect(phone.getByRole('button', { name: 'Einstellungen speichern' })).toBeVisible();
    // The language is the phone's, not a door's: it is not among a door's settings.
    await expect(phone.getByTestId('phone-language')).toHaveCount(0);

    await tabs(phone, 'Handy-App').getByRole('button', { name: 'Türen', exact: true }).click();
    await expect(phone.getByRole('heading', { level: 1 })).toHaveText('Türen');
    await expect(phone.getByTestId('phone-door-card-state')).toHaveText('geschlossen');
    await expect(phone.getByRole('button', { name: 'Tür hinzufügen' })).toBeVisible();

    // Türen -> Sprache: English, then the reload the screen asks for.
    await expect(phone.getByTestId('phone-language').getByRole('combobox')).toHaveValue('device');
    await chooseLanguage(phone, 'English', 'Laden Sie die App neu, um die Sprache zu wechseln.', 'Jetzt neu laden');
    expect(await phone.evaluate(() => localStorage.getItem('doorward.language'))).toBe('en');

    await expect(phone.getByTestId('phone-door')).toHaveText('closed');
    await expect(tabs(phone, 'Phone app').getByRole('button')).toHaveText(['Doors', 'Log', 'Alerts']);
    await phoneTab(phone, 'Doors');
    await expect(phone.getByRole('heading', { level: 1 })).toHaveText('Doors');
    await expect(phone.getByTestId('phone-door-card-state')).toHaveText('closed');
    await expect(phone.getByRole('button', { name: 'Add a door' })).toBeVisible();

    // Back to the device's language: German again.
    await phoneTab(phone, 'Doors');
    await expect(phone.getByTestId('phone-language').getByRole('combobox')).toHaveValue('en');
    await chooseLanguage(phone, 'Device language', 'Reload the app to switch the language.', 'Reload now');
    await expect(phone.getByTestId('phone-door')).toHaveText('geschlossen');
    await expect(tabs(phone, 'Handy-App').getByRole('button')).toHaveText(['Türen', 'Protokoll', 'Alarme']);
  } finally {
    await Promise.all([panelCtx.close(), phoneCtx.close()]);
  }
});
