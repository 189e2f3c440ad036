import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, expect, test, type BrowserContext, type Page } from '@playwright/test';
import { chromiumArgs, E2E_PORT } from '../../../playwright.config.ts';
import { connectMqtt, type MqttLike } from '../../../src/remote/link.ts';
import { startMosquitto, type Mosquitto } from '../../remote/mosquitto.ts';
import { openAdmin } from './admin.ts';

export { startMosquitto, type Mosquitto };

/** A client on the test's broker that plays the hostile broker: it sees and re-sends anything. */
export function spyClient(url: string): MqttLike {
  return connectMqtt({ url, clientId: `e2e-spy-${Math.random().toString(36).slice(2)}`, sessionExpirySeconds: 0, backoff: { baseMs: 100, maxMs: 500 } });
}

/** A real Mosquitto on loopback for the tests of one file: started before them, stopped after. */
export function mosquittoForTests(): () => Mosquitto {
  let broker: Mosquitto | undefined;
  test.beforeAll(async () => {
    broker = await startMosquitto();
  });
  test.afterAll(async () => {
    await broker?.dispose();
  });
  return () => {
    if (!broker) throw new Error('Mosquitto is not running (used outside a test?)');
    return broker;
  };
}

export { deviceBrowser } from './device.ts';

/** The panel joins `brokerUrl`, shows a pairing QR in its admin area, and gives the code's text. */
export async function showPairingCode(panel: Page, brokerUrl: string): Promise<string> {
  await panel.goto(`/?broker=${encodeURIComponent(brokerUrl)}#/admin`);
  await openAdmin(panel);
  await panel.getByRole('button', { name: 'Remote' }).click();
  await expect(panel.getByTestId('remote-status')).toHaveText('online');
  await panel.getByRole('button', { name: 'Pair a phone' }).click();
  await expect(panel.locator('[aria-label="Pairing QR code"] svg')).toBeVisible();
  return panel.getByTestId('pair-payload').inputValue();
}

/** The phone takes the pairing code as typed (or pasted) text and ends up paired as owner. */
export async function pairByText(phone: Page, payload: string): Promise<void> {
  await phone.goto('/#/remote');
  await phone.getByLabel('Pairing code').fill(payload);
  await phone.getByRole('button', { name: 'Pair', exact: true }).click();
  await expect(phone.getByTestId('phone-message')).toHaveText('Paired as owner.');
}
