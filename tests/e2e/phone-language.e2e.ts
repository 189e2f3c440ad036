import { expect, test, type Page } from '@playwright/test';
import { deviceBrowser, mosquittoForTests, pairByText, phoneSection, phoneTab, showPairingCode, type Mosquitto } from './support/remote-mosquitto.ts';

// A phone set to German, paired with a kiosk (whose own language stays as it is) through a real
// Mosquitto: its screens speak German until its user picks English under a door's Settings.
let mosquitto: Mosquitto;
const broker = mosquittoForTests();
test.beforeAll(() => {
  mosquitto = broker();
});

const tabs = (phone: Page, label: string) => phone.getByRole('navigation', { name: label });

async function chooseLanguage(phone: Page, option: string, reloadNote: string, reloadNow: string): Promise<void> {
  const section = phone.getByTestId('phone-language');
  await section.getByRole('combobox').selectOption({ label: option });
  await expect(section.getByTestId('phone-language-reload')).toHaveText(reloadNote);
  await section.getByRole('button', { name: reloadNow }).click();
}

test('a German phone shows the door and the door list in German; choosing English shows English after the reload it asks for, Device language German again', async () => {
  test.setTimeout(120_000);
  const [panelCtx, phoneCtx] = await Promise.all([deviceBrowser(), deviceBrowser({ locale: 'de-DE' })]);
  try {
    const panel = panelCtx.pages()[0] ?? (await panelCtx.newPage());
    const phone = phoneCtx.pages()[0] ?? (await phoneCtx.newPage());
    expect(await phone.evaluate(() => navigator.language)).toBe('de-DE');

    await pairByText(phone, await showPairingCode(panel, mosquitto.url));

    // One door: the phone opens on it. Its state, buttons, sections and the tab bar in German.
    await expect(phone.getByTestId('phone-door')).toHaveText('geschlossen');
    await expect(phone.getByTestId('phone-panel-online')).toHaveText('online');
    await expect(phone.getByRole('button', { name: 'Öffnen', exact: true })).toBeVisible();
    await expect(phone.getByRole('navigation', { name: 'Bereiche der Tür' }).getByRole('button')).toHaveText([/Personen/, /Gastschlüssel/, /Einstellungen/, /Diese Tür/]);
    await expect(tabs(phone, 'Handy-App').getByRole('button')).toHaveText(['Türen', 'Protokoll', 'Alarme']);

    await tabs(phone, 'Handy-App').getByRole('button', { name: 'Türen', exact: true }).click();
    await expect(phone.getByRole('heading', { level: 1 })).toHaveText('Türen');
    await expect(phone.getByTestId('phone-door-card-state')).toHaveText('geschlossen');
    await expect(phone.getByRole('button', { name: 'Tür hinzufügen' })).toBeVisible();

    // Settings -> Sprache: English, then the reload the screen asks for.
    await phone.getByTestId('phone-door-card').click();
    await phone.getByRole('navigation', { name: 'Bereiche der Tür' }).getByRole('button', { name: 'Einstellungen' }).click();
    await expect(phone.getByRole('heading', { level: 1 })).toHaveText('Panel-Einstellungen');
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
    await phone.getByTestId('phone-door-card').click();
    await phoneSection(phone, 'Settings');
    await expect(phone.getByTestId('phone-language').getByRole('combobox')).toHaveValue('en');
    await chooseLanguage(phone, 'Device language', 'Reload the app to switch the language.', 'Reload now');
    await expect(phone.getByTestId('phone-door')).toHaveText('geschlossen');
    await expect(tabs(phone, 'Handy-App').getByRole('button')).toHaveText(['Türen', 'Protokoll', 'Alarme']);
  } finally {
    await Promise.all([panelCtx.close(), phoneCtx.close()]);
  }
});
