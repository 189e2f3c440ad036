import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { openAdmin } from './support/admin.ts';
import { deviceBrowser, mosquittoForTests, pairByText, showPairingCode, spyClient, type Mosquitto, phoneOpenDoor, phoneTab } from './support/remote-mosquitto.ts';
import { emptyDoorwayVideo, visitsVideo } from './support/vision-fixtures.ts';
import { generateKeyPairs, parsePublicJwk } from '../../src/remote/keys.ts';
import { encodeEnvelope, parseEnvelope } from '../../src/remote/envelope.ts';
import { buildPairRequest, decodePairingPayload } from '../../src/remote/pairing.ts';
import { topics } from '../../src/remote/topics.ts';
import { encodeBase64Url } from '../../src/access/base64url.ts';
import type { MqttMessage } from '../../src/remote/link.ts';

// What a household and an attacker on the broker meet around the phone: guessed pairing codes
// while the QR is up, the doorbell, old retained messages put back, a stranger who lingers.
// Panel and phone are two browsers of their own, meeting only through a real Mosquitto.
let mosquitto: Mosquitto;
const broker = mosquittoForTests();
test.beforeAll(() => {
  mosquitto = broker();
});

interface Shown {
  readonly title: string;
  readonly tag?: string;
  readonly body?: string;
}

/** The phone's Notification API, replaced by one that records what the app asks it to show. */
async function recordNotifications(ctx: BrowserContext): Promise<void> {
  await ctx.addInitScript(() => {
    const shown: Shown[] = [];
    (globalThis as unknown as { shownNotifications: Shown[] }).shownNotifications = shown;
    function Recorded(title: string, options?: { tag?: string; body?: string }) {
      shown.push({ title, ...options });
    }
    Recorded.permission = 'granted';
    Recorded.requestPermission = async () => 'granted';
    Object.defineProperty(globalThis, 'Notification', { value: Recorded, configurable: true, writable: true });
  });
}

const notifications = (phone: Page): Promise<Shown[]> => phone.evaluate(() => (globalThis as unknown as { shownNotifications: Shown[] }).shownNotifications);

async function phoneBrowser(): Promise<{ ctx: BrowserContext; page: Page }> {
  const ctx = await deviceBrowser();
  await recordNotifications(ctx);
  return { ctx, page: ctx.pages()[0] ?? (await ctx.newPage()) };
}

test('guessed pairing codes do not stop the real phone; Ring reaches it; re-published old messages fool it neither open nor reopened', async () => {
  test.setTimeout(240_000);
  const panelCtx = await deviceBrowser({ video: emptyDoorwayVideo() });
  const panel = panelCtx.pages()[0] ?? (await panelCtx.newPage());
  const { ctx: phoneCtx, page: phone } = await phoneBrowser();
  const spy = spyClient(mosquitto.url);
  try {
    const payload = await showPairingCode(panel, mosquitto.url);
    const offer = decodePairingPayload(payload)!;
    const t = topics(offer.panelId);
    const seen: MqttMessage[] = [];
    spy.onMessage((m) => seen.push(m));
    await spy.subscribe([`doorward/${offer.panelId}/#`]);
    const on = (topic: string) => seen.filter((m) => m.topic === topic && m.payload.byteLength > 0);
    await expect.poll(() => on(t.config).length).toBeGreaterThan(0);
    // The attacker has what the broker has: the panel's public config, from before any phone paired.
    const unpairedConfig = on(t.config)[0]!.payload;
    const config = parseEnvelope(unpairedConfig);
    if (!config.ok || !config.env.body) throw new Error('no config on the broker');
    const [sign, enc] = [parsePublicJwk(config.env.body.sign), parsePublicJwk(config.env.body.enc)];
    if (!sign || !enc) throw new Error('no panel keys in the config');
    for (let i = 0; i < 6; i++) {
      const guess = { v: 1 as const, panelId: offer.panelId, brokerUrl: mosquitto.url, sign, enc, code: encodeBase64Url(crypto.getRandomValues(new Uint8Array(16))) };
      await spy.publish(t.pair, encodeEnvelope(await buildPairRequest(guess, await generateKeyPairs(), `guess ${i}`, Date.now())), { qos: 1 });
    }
    await expect(panel.getByTestId('pairing-refusals')).toHaveText(/^6 pairing attempts with a wrong code were refused\./);

    await pairByText(phone, payload);
    await expect(phone.getByTestId('phone-panel-online')).toHaveText('online');
    await expect(phone.getByTestId('phone-last-visitor')).toHaveText('–');
    await expect.poll(() => on(t.state).length).toBeGreaterThan(0);
    const before = on(t.state).at(-1)!.payload;

    // A visitor presses Ring at the kiosk.
    await panel.evaluate(() => (location.hash = '#/'));
    await panel.getByRole('button', { name: 'Ring' }).click();
    await expect(panel.getByTestId('status-title')).toHaveText('Ringing…');
    await phoneTab(phone, 'Log');
    await expect(phone.getByTestId('phone-event').filter({ hasText: 'doorbell rung at the door' })).toHaveCount(1, { timeout: 20_000 });
    await expect.poll(async () => (await notifications(phone)).filter((n) => n.tag === 'doorbell').map((n) => n.title)).toEqual(['Someone rang the doorbell']);
    await phoneOpenDoor(phone);
    await expect(phone.getByTestId('phone-last-visitor')).toContainText('Someone rang the doorbell');

    // What the phone says it threw away as older than what it believes: the sign it has looked.
    const dropped: string[] = [];
    phone.on('console', (m) => {
      const what = /^\[phone\] (config|state) from the broker dropped: older/.exec(m.text())?.[1];
      if (what) dropped.push(what);
    });
    const bothDropped = () => expect.poll(() => [...new Set(dropped)].sort(), { timeout: 15_000 }).toEqual(['config', 'state']);

    // Put back what the panel once said (signed, so it verifies), and an unsigned "offline".
    const replay = async () => {
      for (const [topic, bytes] of [[t.config, unpairedConfig], [t.state, before], [t.lwt, new TextEncoder().encode('offline')]] as const) {
        await spy.publish(topic, bytes, { qos: 1, retain: true });
      }
    };
    await replay();
    await bothDropped();
    const fooled = async () => {
      await expect(phone.getByTestId('phone-panel-online')).toHaveText('online');
      await expect(phone.getByTestId('phone-last-visitor')).toContainText('Someone rang the doorbell');
      await expect(phone.getByText('This phone is no longer paired with the panel.')).toHaveCount(0);
    };
    await fooled();
    // Reopened (nothing of what it believed held in memory, only what it stored), the phone meets
    // the old messages again: the panel's heartbeat may have replaced the retained ones meanwhile,
    // so they are put back once the reopened phone is listening.
    await phone.reload();
    await expect(phone.getByTestId('phone-link')).toHaveText('online', { timeout: 20_000 });
    await expect(phone.getByTestId('phone-last-visitor')).toContainText('Someone rang the doorbell', { timeout: 15_000 });
    dropped.length = 0;
    await replay();
    await bothDropped();
    await fooled();
    expect((await notifications(phone)).filter((n) => n.tag === 'panel-offline')).toEqual([]);

    // The panel's own log has the ring, and the refused guesses.
    await openAdmin(panel);
    await panel.getByRole('button', { name: 'Access log' }).click();
    await expect(panel.getByTestId('log-row').filter({ hasText: 'doorbell rung at the door' })).toHaveCount(1);
    await expect(panel.getByTestId('log-row').filter({ hasText: 'pairing attempt with a wrong code refused' }).first()).toBeVisible();
  } finally {
    await spy.close();
    await panelCtx.close();
    await phoneCtx.close();
  }
});

/** An Etc/GMT zone in which it is about midday now, so the panel's quiet hours hold nothing back. */
function middayZone(): string {
  const offset = 12 - new Date().getUTCHours();
  return offset >= 0 ? `Etc/GMT-${offset}` : `Etc/GMT+${-offset}`;
}

test('a stranger standing at the camera, decided again and again, is one unknown-visitor notification', async () => {
  test.setTimeout(240_000);
  const panelCtx = await deviceBrowser({ video: visitsVideo('bob', 30), timezoneId: middayZone() });
  const panel = panelCtx.pages()[0] ?? (await panelCtx.newPage());
  const { ctx: phoneCtx, page: phone } = await phoneBrowser();
  try {
    await pairByText(phone, await showPairingCode(panel, mosquitto.url));
    await panel.evaluate(() => (location.hash = '#/'));
    await phoneTab(phone, 'Log');
    const attempts = phone.getByTestId('phone-event').filter({ hasText: /unknown by face/ });
    await expect(attempts.first()).toBeVisible({ timeout: 90_000 });
    // The stranger stays at the door, never pressing Ring, until they have been decided three
    // times: each decision is in the phone's log, and each one notified before the visit rule.
    await expect.poll(() => attempts.count(), { timeout: 90_000 }).toBeGreaterThanOrEqual(3);
    test.info().annotations.push({ type: 'stranger decisions listed on the phone', description: String(await attempts.count()) });
    const shown = await notifications(phone);
    test.info().annotations.push({ type: 'notifications shown', description: JSON.stringify(shown.map((n) => n.title)) });
    expect(shown.filter((n) => n.tag === 'unknown-visitor').map((n) => n.title)).toEqual(['Unknown visitor at the door']);
    expect(shown.filter((n) => n.tag === 'doorbell')).toEqual([]);
    await expect(phone.getByTestId('phone-event').filter({ hasText: /alert unknownVisitor/ })).toHaveCount(1);
  } finally {
    await panelCtx.close();
    await phoneCtx.close();
  }
});
