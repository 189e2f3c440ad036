import { chromium, expect, test, type Page } from '@playwright/test';
import { chromiumArgs, E2E_DIST, E2E_PORT } from '../../playwright.config.ts';
import { deviceBrowser, mosquittoForTests, phoneSection, phoneTab, showPairingCode, type Mosquitto } from './support/remote-mosquitto.ts';
import { startServer } from './support/server.ts';
import { decodePairingPayload } from '../../src/remote/pairing.ts';

// Two kiosks (two browsers with their own profiles, so two panels with their own keys) and one
// phone, meeting only through a real Mosquitto on loopback.
let mosquitto: Mosquitto;
const broker = mosquittoForTests();
test.beforeAll(() => {
  mosquitto = broker();
});

async function pairDoor(phone: Page, name: string, payload: string): Promise<void> {
  await phone.getByLabel('Door name').fill(name);
  await phone.getByLabel('Pairing code').fill(payload);
  await phone.getByRole('button', { name: 'Pair', exact: true }).click();
  await expect(phone.getByTestId('phone-message')).toHaveText('Paired as owner.');
}

const card = (phone: Page, name: string) => phone.getByTestId('phone-door-card').filter({ hasText: name });

test('one phone pairs with two kiosks, sees both doors\' states, unlocks each, reads one log by door; removing one keeps the other, across a reload', async () => {
  test.setTimeout(180_000);
  const [frontCtx, backCtx, phoneCtx] = await Promise.all([deviceBrowser(), deviceBrowser(), deviceBrowser()]);
  try {
    const front = frontCtx.pages()[0] ?? (await frontCtx.newPage());
    const back = backCtx.pages()[0] ?? (await backCtx.newPage());
    const phone = phoneCtx.pages()[0] ?? (await phoneCtx.newPage());

    const frontCode = await showPairingCode(front, mosquitto.url);
    const backCode = await showPairingCode(back, mosquitto.url);
    const [frontId, backId] = [decodePairingPayload(frontCode)?.panelId, decodePairingPayload(backCode)?.panelId];
    expect(frontId).toBeTruthy();
    expect(frontId).not.toBe(backId);

    await phone.goto('/#/remote');
    await pairDoor(phone, 'Front door', frontCode);
    await phoneTab(phone, 'Doors');
    await phone.getByRole('button', { name: 'Add a door' }).click();
    await pairDoor(phone, 'Back door', backCode);
    // Each panel has this phone as its owner: two pairings, one per panel.
    await expect(front.getByTestId('paired-admin')).toHaveCount(1);
    await expect(back.getByTestId('paired-admin')).toHaveCount(1);

    // The door list: both panels' live state, from each one's signed state.
    await phoneTab(phone, 'Doors');
    await expect(phone.getByTestId('phone-door-card')).toHaveCount(2);
    await expect(card(phone, 'Front door').getByTestId('phone-door-card-state')).toHaveText('closed');
    await expect(card(phone, 'Back door').getByTestId('phone-door-card-state')).toHaveText('closed');

    // Each door's screens one tap away; its unlock opens that door only.
    await card(phone, 'Front door').click();
    await expect(phone.getByTestId('phone-panel-online')).toHaveText('online');
    await phone.getByRole('button', { name: 'Unlock' }).click();
    await expect(phone.getByTestId('phone-message')).toHaveText('Door unlocked.');
    await phoneTab(phone, 'Doors');
    await expect(card(phone, 'Front door').getByTestId('phone-door-card-state')).toHaveText('open', { timeout: 10_000 });
    await expect(card(phone, 'Back door').getByTestId('phone-door-card-state')).toHaveText('closed');

    await card(phone, 'Back door').click();
    await expect(phone.getByRole('heading', { level: 1 })).toHaveText('Back door');
    await expect(phone.getByTestId('phone-panel-online')).toHaveText('online');
    await phone.getByRole('button', { name: 'Unlock' }).click();
    await expect(phone.getByTestId('phone-message')).toHaveText('Door unlocked.');
    await phoneTab(phone, 'Doors');
    await expect(card(phone, 'Back door')).toHaveAttribute('aria-current', 'true');
    await expect(card(phone, 'Back door').getByTestId('phone-door-card-state')).toHaveText('open', { timeout: 10_000 });

    // One merged log: both doors' lines, each naming its door; filtered to one door.
    await phoneTab(phone, 'Log');
    const doorsInLog = () => phone.getByTestId('phone-event').evaluateAll((els) => [...new Set(els.map((e) => e.getAttribute('data-panel-id')))].sort());
    await expect.poll(doorsInLog).toEqual([frontId, backId].sort());
    await expect(phone.locator(`[data-testid="phone-event"][data-panel-id="${frontId}"] .door-name`).first()).toHaveText('Front door');
    await expect(phone.locator(`[data-testid="phone-event"][data-panel-id="${backId}"] .door-name`).first()).toHaveText('Back door');
    await phone.locator('select[name="log-door"]').selectOption({ label: 'Back door' });
    await expect.poll(doorsInLog).toEqual([backId]);
    await phone.locator('select[name="log-door"]').selectOption({ label: 'all doors' });

    // Every paired door rings, wherever the app is: the front door rings while the back door was the one opened, on the Log tab.
    await front.evaluate(() => (location.hash = '#/'));
    await front.getByRole('button', { name: 'Ring' }).click();
    await expect(phone.getByTestId('phone-ringing')).toHaveText(/Someone rang at Front door/, { timeout: 20_000 });
    await phone.getByRole('button', { name: 'Decline' }).click();
    await expect(phone.getByTestId('phone-ringing')).toHaveCount(0);

    // Removing the front door here leaves the back door paired and working, after a reload too.
    await phoneTab(phone, 'Doors');
    await card(phone, 'Front door').click();
    await phoneSection(phone, 'This door');
    await phone.getByRole('button', { name: 'Remove this door' }).click();
    await phone.getByTestId('phone-remove-confirm').click();
    await expect(phone.getByTestId('phone-message')).toHaveText('Front door removed from this phone.');
    await expect(phone.getByTestId('phone-door-card')).toHaveCount(1);
    await phone.reload();
    // One door left: the app opens on it; its card is on the list.
    await expect(phone.getByTestId('phone-panel-online')).toHaveText('online');
    await expect(phone.getByRole('heading', { level: 1 })).toHaveText('Back door');
    await phoneTab(phone, 'Doors');
    await expect(phone.getByTestId('phone-door-card')).toHaveCount(1);
    await expect(phone.getByTestId('phone-door-card')).toHaveText(/Back door/);
    await card(phone, 'Back door').click();
    await phone.getByRole('button', { name: 'Unlock' }).click();
    await expect(phone.getByTestId('phone-message')).toHaveText('Door unlocked.');
  } finally {
    await Promise.all([frontCtx.close(), backCtx.close(), phoneCtx.close()]);
  }
});

test('a phone at the LAN address, given a code from a kiosk opened at localhost, is told at once why it cannot pair and what to do, never left on "Pairing…"', async () => {
  test.setTimeout(120_000);
  // 127.0.0.2 plays the tablet's LAN address, as in lan.e2e.ts; ports of this run's own.
  const port = E2E_PORT + 5;
  const tlsPort = E2E_PORT + 6;
  const lan = '127.0.0.2';
  const server = await startServer(port, E2E_DIST, ['--lan-address', lan, '--lan-port', String(tlsPort)]);
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: [...chromiumArgs, '--ignore-certificate-errors'] });
  try {
    // The kiosk at localhost, on a broker of its own choosing at a loopback address.
    const kiosk = await (await browser.newContext({ baseURL: `http://localhost:${port}`, viewport: { width: 800, height: 1280 }, permissions: ['camera'] })).newPage();
    const payload = await showPairingCode(kiosk, mosquitto.url);
    expect(decodePairingPayload(payload)?.brokerUrl).toBe(mosquitto.url);
    await expect(kiosk.getByTestId('pair-broker-warning')).toContainText('only this machine can reach');

    const phone = await (await browser.newContext({ baseURL: `https://${lan}:${tlsPort}`, viewport: { width: 800, height: 1280 } })).newPage();
    await phone.goto('/#/remote');
    await phone.getByLabel('Pairing code').fill(payload);
    await phone.getByRole('button', { name: 'Pair', exact: true }).click();
    const message = phone.getByTestId('phone-message');
    await expect(message).toContainText('Pairing failed: The pairing code names the broker at', { timeout: 5_000 });
    await expect(message).toContainText('the kiosk was opened at localhost');
    await expect(message).toContainText('"On the LAN"');
    await expect(phone.getByRole('button', { name: 'Pair', exact: true })).toBeEnabled();
    await expect(kiosk.getByTestId('paired-admin')).toHaveCount(0);
  } finally {
    await browser.close();
    await server.stop();
  }
});
