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

/** The phone app shows one screen at a time: a tab of its bottom bar. */
export async function phoneTab(phone: Page, tab: 'Doors' | 'Log' | 'Alerts'): Promise<void> {
  await phone.getByRole('navigation', { name: 'Phone app' }).getByRole('button', { name: tab, exact: true }).click();
}

/** The open door's own screen (state, unlock, lock), from one of its sections or from itself. */
export async function phoneDoorHome(phone: Page): Promise<void> {
  // From a section the way back leads to the door; on the door itself it leads to the list, or is absent.
  const toDoor = phone.locator('[data-testid="phone-back"][data-to="door"]');
  if ((await toDoor.count()) > 0) await toDoor.click();
  await expect(phone.getByRole('navigation', { name: 'Door sections' })).toBeVisible();
}

/** One of the open door's sections: People, Guest keys, Settings, This door. */
export async function phoneSection(phone: Page, section: 'People' | 'Guest keys' | 'Settings' | 'This door'): Promise<void> {
  await phoneDoorHome(phone);
  await phone.getByRole('navigation', { name: 'Door sections' }).getByRole('button', { name: section, exact: true }).click();
}

/** A door's own screen from anywhere: the door list, then its card (the only one, or the one named). */
export async function phoneOpenDoor(phone: Page, name?: string): Promise<void> {
  await phoneTab(phone, 'Doors');
  const cards = phone.getByTestId('phone-door-card');
  await (name ? cards.filter({ hasText: name }) : cards).click();
  await expect(phone.getByRole('navigation', { name: 'Door sections' })).toBeVisible();
}
