import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { typePin } from './support/admin.ts';
import { qrVideo } from './support/qr-video.ts';
import { deviceBrowser, mosquittoForTests, phoneOpenDoor, phoneTab, showPairingCode, type Mosquitto } from './support/remote-mosquitto.ts';

// The panel in one browser profile; the phone in another whose fake camera plays a video of a QR
// code (the camera file is fixed per launch, so the phone is launched once per video, keeping its
// profile). Panel and phone meet only through a real Mosquitto, whose own log says which client
// ids connected and whether one pushed another off.
let mosquitto: Mosquitto;
const broker = mosquittoForTests();
test.beforeAll(() => {
  mosquitto = broker();
});

const panelBrowser = (): Promise<BrowserContext> => deviceBrowser({ permissions: ['camera'] });

/** The phone, its camera playing `video`; every getUserMedia it makes is kept for the test to look at. */
async function phoneBrowser(profile: string, video: string): Promise<BrowserContext> {
  const ctx = await deviceBrowser({ profile, video, permissions: ['camera'] });
  await ctx.addInitScript(() => {
    const media = navigator.mediaDevices;
    const open = media.getUserMedia.bind(media);
    const seen: { constraints: MediaStreamConstraints | undefined; stream: MediaStream }[] = [];
    (window as unknown as { cameraCalls: typeof seen }).cameraCalls = seen;
    media.getUserMedia = async (constraints) => {
      const stream = await open(constraints);
      seen.push({ constraints, stream });
      return stream;
    };
  });
  return ctx;
}

/** Camera tracks this page opened that are still running. */
function liveCameraTracks(page: Page): Promise<number> {
  return page.evaluate(() => (window as unknown as { cameraCalls: { stream: MediaStream }[] }).cameraCalls.flatMap((c) => c.stream.getTracks()).filter((t) => t.readyState === 'live').length);
}

/** Phone client ids in the order Mosquitto accepted their connections. */
function phoneConnections(): string[] {
  return [...mosquitto.output().matchAll(/New client connected from \S+ as (dw-admin-[A-Za-z0-9_-]+) \(/g)].map((m) => m[1]!);
}

async function denyCount(page: Page): Promise<number> {
  return page.getByTestId('phone-event').filter({ hasText: /deny .* by pin/ }).count();
}

test('a phone pairs by scanning the panel QR code; two tabs of it stay online side by side and both hear a refusal', async () => {
  test.setTimeout(240_000);
  const panelCtx = await panelBrowser();
  const panel = panelCtx.pages()[0] ?? (await panelCtx.newPage());
  const payload = await showPairingCode(panel, mosquitto.url);
  expect(payload).toMatch(/^DOORWARD-PAIR:/);

  const phoneProfile = mkdtempSync(join(tmpdir(), 'doorward-scan-phone-'));

  // First the camera sees some other QR code: the phone says so and keeps looking.
  let phoneCtx = await phoneBrowser(phoneProfile, await qrVideo('remote-scan-foreign', 'https://example.com/cafe-menu'));
  let phone = phoneCtx.pages()[0] ?? (await phoneCtx.newPage());
  await phone.goto('/#/remote');
  await phone.getByRole('button', { name: "Scan the panel's QR code" }).click();
  await expect(phone.getByLabel('Camera picture')).toBeVisible();
  await expect(phone.getByTestId('pair-scan-hint')).toContainText('not a Doorward pairing code', { timeout: 20_000 });
  await expect(phone.getByTestId('pair-scanner')).toHaveAttribute('data-state', 'scanning');
  expect(await liveCameraTracks(phone)).toBe(1);
  // The rear camera is asked for, without failing on a device that has only a front one.
  const asked = await phone.evaluate(() => (window as unknown as { cameraCalls: { constraints: MediaStreamConstraints }[] }).cameraCalls[0]?.constraints.video);
  expect(asked).toMatchObject({ facingMode: { ideal: 'environment' } });
  await phone.getByRole('button', { name: 'Stop scanning' }).click();
  await expect(phone.getByTestId('pair-scanner')).toHaveCount(0);
  expect(await liveCameraTracks(phone)).toBe(0);
  await expect(phone.getByTestId('phone-message')).toHaveText('');
  await phoneCtx.close();

  // Then the panel's own code: read, camera off, paired as if the text had been pasted.
  phoneCtx = await phoneBrowser(phoneProfile, await qrVideo('remote-scan-pair', payload));
  phone = phoneCtx.pages()[0] ?? (await phoneCtx.newPage());
  await phone.goto('/#/remote');
  await phone.getByLabel("This phone's name").fill('Ada scanner');
  await phone.getByRole('button', { name: "Scan the panel's QR code" }).click();
  await expect(phone.getByTestId('phone-message')).toHaveText('Paired as owner.', { timeout: 45_000 });
  await expect(phone.getByTestId('pair-scanner')).toHaveCount(0);
  expect(await liveCameraTracks(phone)).toBe(0);
  await expect(panel.getByTestId('paired-admin')).toHaveCount(1);
  await expect(panel.getByTestId('paired-admin')).toContainText('Ada scanner · owner');
  await expect(phone.getByTestId('phone-panel-online')).toHaveText('online');

  // A second tab of the phone app, beside the first.
  const second = await phoneCtx.newPage();
  await second.goto('/#/remote');
  for (const tab of [phone, second]) {
    await expect(tab.getByTestId('phone-link')).toHaveText('online');
    await expect(tab.getByTestId('phone-panel-online')).toHaveText('online');
  }
  const [first, other] = [...new Set(phoneConnections())];
  const connectedSoFar = phoneConnections().length;
  expect(first).toMatch(/^dw-admin-[A-Za-z0-9_-]{16}$/);
  expect(other).toBe(`${first}-t1`);

  // A refused PIN at the door reaches both tabs.
  await panel.evaluate(() => (location.hash = '#/'));
  const kiosk = panel.getByTestId('kiosk');
  await expect(kiosk).toHaveAttribute('data-state', 'idle', { timeout: 20_000 });
  await panel.getByRole('button', { name: 'PIN' }).click();
  await typePin(panel, '000000');
  await expect(kiosk).toHaveAttribute('data-state', 'denied');
  for (const tab of [phone, second]) {
    await phoneTab(tab, 'Log');
    await expect.poll(() => denyCount(tab), { timeout: 20_000 }).toBe(1);
    await phoneOpenDoor(tab);
  }

  // Neither pushed the other off: both still online with no new connection since (a
  // takeover would have made one reconnect while the refusal went out), and the broker never saw one.
  expect(phoneConnections()).toHaveLength(connectedSoFar);
  for (const tab of [phone, second]) await expect(tab.getByTestId('phone-link')).toHaveText('online');
  expect(mosquitto.output()).not.toMatch(/already connected, closing old connection/);

  // A reload takes the tab's number, and so its broker session, back.
  const before = phoneConnections().length;
  await phone.reload();
  await expect(phone.getByTestId('phone-link')).toHaveText('online');
  await expect.poll(() => phoneConnections().length).toBe(before + 1);
  expect(phoneConnections().at(-1)).toBe(first);
  // Its log is listed again after the reload, once (on a busy machine the panel may need a second ask).
  await phoneTab(phone, 'Log');
  await expect.poll(() => denyCount(phone), { timeout: 45_000 }).toBe(1);
  await expect(second.getByTestId('phone-link')).toHaveText('online');
  expect(mosquitto.output()).not.toMatch(/already connected, closing old connection/);
  // The tabs share one command counter: none of their commands was taken for a replay.
  await phoneTab(second, 'Log');
  for (const tab of [phone, second]) await expect(tab.getByTestId('phone-event').filter({ hasText: /deny .* by pin/ })).toHaveCount(1);
  for (const tab of [phone, second]) await expect(tab.getByTestId('phone-event').filter({ hasText: 'refused' })).toHaveCount(0);

  await phoneCtx.close();
  await panelCtx.close();
});
