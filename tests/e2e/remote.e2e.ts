import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { typePin } from './support/admin.ts';
import { deviceBrowser, mosquittoForTests, showPairingCode, pairByText, phoneDoorHome, phoneSection, phoneTab, spyClient, type Mosquitto } from './support/remote-mosquitto.ts';
import { generateKeyPairs } from '../../src/remote/keys.ts';
import { signCommand } from '../../src/remote/command.ts';
import { encodeEnvelope } from '../../src/remote/envelope.ts';
import { decodePairingPayload } from '../../src/remote/pairing.ts';
import { topics } from '../../src/remote/topics.ts';
import type { MqttMessage } from '../../src/remote/link.ts';
import { faceJpeg, visitsVideo } from './support/vision-fixtures.ts';

// Panel and phone are two browsers with their own profiles (their own IndexedDB and keys),
// meeting only through a real Mosquitto on loopback that the test starts, stops and restarts.
let mosquitto: Mosquitto;
const broker = mosquittoForTests();
test.beforeAll(() => {
  mosquitto = broker();
});

const browser = (): Promise<BrowserContext> => deviceBrowser();

async function phoneEvents(phone: Page, summary: RegExp): Promise<string[]> {
  return phone.getByTestId('phone-event').filter({ hasText: summary }).evaluateAll((els) => els.map((e) => e.getAttribute('data-event-id') ?? ''));
}

test('a phone pairs by the QR payload, manages people and keys, unlocks; forgeries and replays are refused; an outage loses nothing', async () => {
  test.setTimeout(180_000);
  const panelCtx = await browser();
  const phoneCtx = await browser();
  const panel = panelCtx.pages()[0] ?? (await panelCtx.newPage());
  const phone = phoneCtx.pages()[0] ?? (await phoneCtx.newPage());

  // Pairing: the panel shows the QR and its text; the phone takes the text.
  const payload = await showPairingCode(panel, mosquitto.url);
  const offer = decodePairingPayload(payload);
  expect(offer?.brokerUrl).toBe(mosquitto.url);

  await pairByText(phone, payload);
  await expect(panel.getByTestId('paired-admin')).toHaveCount(1);
  await expect(phone.getByTestId('phone-panel-online')).toHaveText('online');

  // The spy watches every command on the broker from now on.
  const spy = spyClient(mosquitto.url);
  const captured: MqttMessage[] = [];
  spy.onMessage((m) => captured.push(m));
  await spy.subscribe([`doorward/${offer!.panelId}/cmd/+`]);

  // People and guest keys, applied on the panel.
  await phoneSection(phone, 'People');
  await phone.getByLabel('Name', { exact: true }).fill('Grace Hopper');
  await phone.getByLabel('PIN (optional)').fill('482193');
  await phone.getByRole('button', { name: 'Add person' }).click();
  await expect(phone.getByTestId('phone-person').filter({ hasText: 'Grace Hopper' })).toBeVisible();
  await panel.getByRole('button', { name: 'People' }).click();
  await expect(panel.getByTestId('person-row').filter({ hasText: 'Grace Hopper' })).toBeVisible();

  // Enrolment from a photo taken on the phone: the panel computes the template, keeps no photo.
  await phone.getByTestId('phone-person').filter({ hasText: 'Grace Hopper' }).getByTestId('phone-enrol-photo').setInputFiles({ name: 'grace.jpg', mimeType: 'image/jpeg', buffer: faceJpeg('alice') });
  await expect(phone.getByTestId('phone-photo-answer')).toHaveAttribute('data-state', 'ok', { timeout: 60_000 });
  await expect(panel.getByTestId('person-row').filter({ hasText: 'Grace Hopper' })).toContainText('1 face template');
  // The panel kept a small crop of that face, sealed; the phone asks for it and shows it in place of the initials.
  const face = phone.getByTestId('phone-person').filter({ hasText: 'Grace Hopper' }).getByRole('img', { name: 'Face of Grace Hopper' });
  await expect(face).toBeVisible({ timeout: 20_000 });
  expect(await face.evaluate((img: HTMLImageElement) => Math.max(img.naturalWidth, img.naturalHeight))).toBe(96);

  await phoneSection(phone, 'Guest keys');
  await phone.getByLabel('Guest name').fill('Courier');
  await phone.getByRole('button', { name: 'Issue key' }).click();
  await expect(phone.locator('[aria-label="QR code of the guest key"] svg')).toBeVisible();
  await panel.getByRole('button', { name: 'Guest keys' }).click();
  await expect(panel.getByTestId('guest-keys')).toContainText('Courier');

  // Remote unlock opens the simulated door.
  await phoneDoorHome(phone);
  await phone.getByRole('button', { name: 'Unlock' }).click();
  await expect(phone.getByTestId('phone-message')).toHaveText('Door unlocked.');
  await expect(phone.getByTestId('phone-door')).toHaveText('open', { timeout: 10_000 });

  // A replay of the captured unlock, and an unlock signed by a key the panel never paired.
  await expect.poll(() => captured.length).toBeGreaterThan(0);
  const unlock = captured[captured.length - 1]!;
  await spy.publish(unlock.topic, unlock.payload, { qos: 1 });
  const stranger = await generateKeyPairs();
  const forged = await signCommand({ op: 'door.unlock' }, { panelId: offer!.panelId, panelEcdh: offer!.enc, adminId: stranger.id, signingKey: stranger.signing.privateKey, counter: Date.now(), now: Date.now() });
  await spy.publish(topics(offer!.panelId).cmd(stranger.id), encodeEnvelope(forged), { qos: 1 });
  await panel.getByRole('button', { name: 'Access log' }).click();
  // Each refusal is a row of the log, its reason under the row's Details.
  await expect(panel.getByTestId('log-row').filter({ hasText: /refused \(replayed\)/ }).first()).toBeVisible();
  await expect(panel.getByTestId('log-row').filter({ hasText: /refused \(unpaired\)/ }).first()).toBeVisible();
  await spy.close();

  // Broker down: the panel still decides at the door and queues the events.
  await mosquitto.stop();
  await expect(phone.getByTestId('phone-link')).not.toHaveText('online');
  // The panel's own page turns to the door screen (a second panel tab would only wait for it).
  const kiosk = panel;
  await kiosk.evaluate(() => (location.hash = '#/'));
  const k = kiosk.getByTestId('kiosk');
  for (const [pin, outcome] of [['482193', 'granted'], ['000000', 'denied'], ['482193', 'granted']] as const) {
    await expect(k).toHaveAttribute('data-state', 'idle', { timeout: 15_000 });
    await kiosk.getByRole('button', { name: 'PIN' }).click();
    await typePin(kiosk, pin);
    await expect(k).toHaveAttribute('data-state', outcome);
  }
  await mosquitto.start();
  await expect(phone.getByTestId('phone-link')).toHaveText('online', { timeout: 30_000 });
  await phoneTab(phone, 'Log');
  await expect.poll(async () => (await phoneEvents(phone, /Grace Hopper by pin/)).length, { timeout: 30_000 }).toBe(2);
  await expect.poll(async () => (await phoneEvents(phone, /deny .* by pin/)).length).toBe(1);
  // One more refusal, live: once it is listed, the outage's backlog and the catch-up that
  // overlaps it have been through the phone, so a duplicate would be on screen by now.
  await expect(k).toHaveAttribute('data-state', 'idle', { timeout: 15_000 });
  await kiosk.getByRole('button', { name: 'PIN' }).click();
  await typePin(kiosk, '000000');
  await expect.poll(async () => (await phoneEvents(phone, /deny .* by pin/)).length, { timeout: 30_000 }).toBe(2);
  const ids = await phone.getByTestId('phone-event').evaluateAll((els) => els.map((e) => e.getAttribute('data-event-id')));
  expect(new Set(ids).size).toBe(ids.length);


  await panelCtx.close();
  await phoneCtx.close();
});

test('the phone sees a stranger turned away at the door and, when asked, the picture the panel logged', async () => {
  test.setTimeout(180_000);
  const panelCtx = await deviceBrowser({ video: visitsVideo('bob') });
  const phoneCtx = await browser();
  const panel = panelCtx.pages()[0] ?? (await panelCtx.newPage());
  const phone = phoneCtx.pages()[0] ?? (await phoneCtx.newPage());
  const payload = await showPairingCode(panel, mosquitto.url);
  await pairByText(phone, payload);
  await panel.evaluate(() => (location.hash = '#/'));
  await phoneTab(phone, 'Log');

  // Only the event travels; the picture stays on the panel until the admin asks for it.
  const withButton = phone.getByTestId('phone-event').filter({ hasText: /unknown by face/ }).filter({ has: phone.getByRole('button', { name: 'Show snapshot' }) }).first();
  await expect(withButton).toBeVisible({ timeout: 90_000 });
  const stranger = phone.locator(`[data-event-id="${await withButton.getAttribute('data-event-id')}"]`);
  await expect(stranger.getByRole('img')).toHaveCount(0);
  await stranger.getByRole('button', { name: 'Show snapshot' }).click();
  const picture = stranger.getByRole('img', { name: 'Snapshot at the door' });
  await expect(picture).toBeVisible({ timeout: 20_000 });
  await expect.poll(() => picture.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);
  await panelCtx.close();
  await phoneCtx.close();
});
