import { expect, test, type Page } from '@playwright/test';
import { openAdmin } from './support/admin.ts';
import { shot } from './support/shots.ts';
import { deviceBrowser, mosquittoForTests, pairByText, phoneDoorHome, phoneSection, phoneTab, showPairingCode, type Mosquitto } from './support/remote-mosquitto.ts';
import { emptyDoorwayVideo } from './support/vision-fixtures.ts';

// A doorbell call end to end: kiosk and phone are two browsers with fake media, signalled only
// through the signed, sealed command channel on a real Mosquitto; media flows peer to peer.
let mosquitto: Mosquitto;
const broker = mosquittoForTests();
test.beforeAll(() => {
  mosquitto = broker();
});

/** Counts from the call's RTCPeerConnection (window.__doorwardCall, set for tests by the call modules). */
async function inbound(page: Page): Promise<{ videoFrames: number; audioPackets: number }> {
  return page.evaluate(async () => {
    const pc = (window as unknown as { __doorwardCall?: RTCPeerConnection }).__doorwardCall;
    const out = { videoFrames: 0, audioPackets: 0 };
    if (!pc) return out;
    (await pc.getStats()).forEach((r: { type: string; kind?: string; framesDecoded?: number; packetsReceived?: number }) => {
      if (r.type !== 'inbound-rtp') return;
      if (r.kind === 'video') out.videoFrames += r.framesDecoded ?? 0;
      if (r.kind === 'audio') out.audioPackets += r.packetsReceived ?? 0;
    });
    return out;
  });
}

/** The TURN servers the call's RTCPeerConnection was made with. */
async function iceServersOf(page: Page): Promise<RTCIceServer[]> {
  return page.evaluate(() => (window as unknown as { __doorwardCall?: RTCPeerConnection }).__doorwardCall?.getConfiguration().iceServers ?? []);
}

/** A kiosk and a phone in browsers of their own with fake media, paired, the kiosk back at rest. */
async function pairedKioskAndPhone(phonePermissions: string[]) {
  const panelCtx = await deviceBrowser({ video: emptyDoorwayVideo(), permissions: ['camera', 'microphone', 'notifications'] });
  // A phone's screen, so the call's screenshots show what a phone shows.
  const phoneCtx = await deviceBrowser({ video: emptyDoorwayVideo(), permissions: phonePermissions, viewport: { width: 390, height: 844 }, colorScheme: 'light' });
  const panel = panelCtx.pages()[0] ?? (await panelCtx.newPage());
  const phone = phoneCtx.pages()[0] ?? (await phoneCtx.newPage());
  const close = async () => {
    await phoneCtx.close();
    await panelCtx.close();
  };
  try {
    await pairByText(phone, await showPairingCode(panel, mosquitto.url));
    await expect(phone.getByTestId('phone-panel-online')).toHaveText('online');
    await panel.evaluate(() => (location.hash = '#/'));
  } catch (err) {
    await close();
    throw err;
  }
  return { panel, phone, close };
}

test('Ring rings the phone; Answer brings live video and two-way audio; Unlock from the call opens the door', async () => {
  test.setTimeout(240_000);
  const { panel, phone, close } = await pairedKioskAndPhone(['camera', 'microphone', 'notifications']);
  try {
    await panel.getByRole('button', { name: 'Ring' }).click();
    await expect(phone.getByTestId('phone-ringing')).toBeVisible({ timeout: 20_000 });
    await shot(phone, 'phone-ringing');
    await phone.getByRole('button', { name: 'Answer' }).click();
    await expect(phone.getByTestId('phone-call')).toHaveAttribute('data-call', 'inCall', { timeout: 30_000 });
    await expect(panel.getByRole('status').filter({ hasText: /is talking$/ })).toBeVisible();

    await expect.poll(async () => (await inbound(phone)).videoFrames, { timeout: 30_000 }).toBeGreaterThan(0);
    await shot(phone, 'phone-call');
    await expect.poll(async () => (await inbound(phone)).audioPackets, { timeout: 30_000 }).toBeGreaterThan(0);
    await expect.poll(async () => (await inbound(panel)).audioPackets, { timeout: 30_000 }).toBeGreaterThan(0);

    await phone.getByTestId('phone-call').getByRole('button', { name: 'Unlock' }).click();
    await expect(phone.getByTestId('phone-door')).toHaveText('open', { timeout: 10_000 });

    await phone.getByRole('button', { name: 'Hang up' }).click();
    await expect(phone.getByTestId('phone-call-ended')).toHaveText('Call ended.');
    await expect(panel.getByRole('status').filter({ hasText: /is talking$/ })).toHaveCount(0);
  } finally {
    await close();
  }
});

// Chromium sends to a TURN server from its interface addresses, never from loopback, and network
// tests reach only 127.0.0.0/8, so no real relay can be allocated here: the test holds both ends
// to the relay they were given (nothing listens at its port), and the call on the home network.
test('A call relay set from the phone is given to both ends of the next call, which still connects at home; the log names the relay without its password', async () => {
  test.setTimeout(240_000);
  const relay = { url: 'turn:127.0.0.1:9?transport=udp', username: 'door', credential: 'relay-pw-7f3a' };
  const { panel, phone, close } = await pairedKioskAndPhone(['camera', 'microphone', 'notifications']);
  try {
    await phoneSection(phone, 'Settings');
    const settings = phone.getByTestId('phone-settings');
    await expect(settings.getByLabel(/^Unlock time/)).toHaveValue('3', { timeout: 20_000 });
    await settings.getByLabel(/^Call relay \(TURN server\) address/).fill(relay.url);
    await settings.getByLabel('Call relay username').fill(relay.username);
    await settings.getByLabel('Call relay password').fill(relay.credential);
    await settings.getByRole('button', { name: 'Save settings' }).click();
    await expect(phone.getByTestId('phone-settings-answer')).toHaveAttribute('data-state', 'ok', { timeout: 20_000 });
    await phoneDoorHome(phone);

    await panel.getByRole('button', { name: 'Ring' }).click();
    await expect(phone.getByTestId('phone-ringing')).toBeVisible({ timeout: 20_000 });
    await phone.getByRole('button', { name: 'Answer' }).click();
    await expect(phone.getByTestId('phone-call')).toHaveAttribute('data-call', 'inCall', { timeout: 30_000 });
    const given = { urls: [relay.url], username: relay.username, credential: relay.credential };
    expect(await iceServersOf(phone)).toEqual([given]);
    expect(await iceServersOf(panel)).toEqual([given]);
    await expect.poll(async () => (await inbound(phone)).videoFrames, { timeout: 30_000 }).toBeGreaterThan(0);
    await expect.poll(async () => (await inbound(panel)).audioPackets, { timeout: 30_000 }).toBeGreaterThan(0);
    await phone.getByRole('button', { name: 'Hang up' }).click();

    await phoneTab(phone, 'Log');
    const line = phone.getByTestId('phone-event').filter({ hasText: 'call relay (TURN)' });
    await expect(line).toContainText(`off -> "${relay.url} as ${relay.username}"`, { timeout: 20_000 });
    await expect(phone.getByTestId('phone-event').filter({ hasText: relay.credential })).toHaveCount(0);
  } finally {
    await close();
  }
});

test('Live view: the kiosk says who is watching while the phone sees the camera, and the log has it', async () => {
  test.setTimeout(240_000);
  const { panel, phone, close } = await pairedKioskAndPhone(['notifications']);
  try {

    await phone.getByRole('button', { name: 'Live view' }).click();
    await expect(phone.getByTestId('phone-call')).toHaveAttribute('data-call', 'inCall', { timeout: 30_000 });
    await expect(panel.getByRole('status').filter({ hasText: /is watching$/ })).toBeVisible();
    await expect.poll(async () => (await inbound(phone)).videoFrames, { timeout: 30_000 }).toBeGreaterThan(0);

    await phone.getByRole('button', { name: 'Hang up' }).click();
    await expect(panel.getByRole('status').filter({ hasText: /is watching$/ })).toHaveCount(0);
    await openAdmin(panel);
    await panel.getByRole('button', { name: 'Access log' }).click();
    await expect(panel.getByTestId('log-row').filter({ hasText: 'started a live view' })).toHaveCount(1);
    await expect(panel.getByTestId('log-row').filter({ hasText: 'ended the live view' })).toHaveCount(1);
  } finally {
    await close();
  }
});

test('A ring nobody answers stops ringing after a minute and is logged with who rang; Decline stops the ring and the panel logs who declined', async () => {
  test.setTimeout(240_000);
  const { panel, phone, close } = await pairedKioskAndPhone(['notifications']);
  try {
    await panel.getByRole('button', { name: 'Ring' }).click();
    const ringAt = Date.now();
    await expect(phone.getByTestId('phone-ringing')).toBeVisible({ timeout: 20_000 });
    // Nobody answers: past a minute the phone stops by itself and says what it missed.
    await expect(phone.getByTestId('phone-ringing')).toBeHidden({ timeout: 90_000 });
    expect(Date.now() - ringAt).toBeGreaterThan(55_000);
    await expect(phone.getByTestId('phone-call-ended')).toHaveText(/^Missed ring at /);
    await phoneTab(phone, 'Log');
    const missed = phone.getByTestId('phone-event').filter({ hasText: 'Nobody answered the doorbell' });
    await expect(missed).toHaveCount(1, { timeout: 20_000 });
    await missed.getByRole('button', { name: 'Show snapshot' }).click();
    await expect(missed.getByRole('img')).toHaveJSProperty('complete', true);
    expect(await missed.getByRole('img').evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(100);

    // Rung again and declined: the ring stops here and the panel's log says who declined.
    await phoneTab(phone, 'Doors');
    await expect(panel.getByRole('button', { name: 'Ring' })).toBeVisible({ timeout: 40_000 });
    await panel.getByRole('button', { name: 'Ring' }).click();
    await expect(phone.getByTestId('phone-ringing')).toBeVisible({ timeout: 20_000 });
    await phone.getByRole('button', { name: 'Decline' }).click();
    await expect(phone.getByTestId('phone-ringing')).toBeHidden();
    // The visitor is not left at "Ringing…": the kiosk says nobody is coming.
    await expect(panel.getByTestId('kiosk')).toHaveAttribute('data-state', 'ringDeclined');
    await expect(panel.getByTestId('kiosk')).toContainText('Nobody can come to the door right now');
    await phoneTab(phone, 'Log');
    await expect(phone.getByTestId('phone-event').filter({ hasText: 'declined the doorbell' })).toHaveCount(1, { timeout: 20_000 });
    await expect(phone.getByTestId('phone-event').filter({ hasText: 'Nobody answered the doorbell' })).toHaveCount(1);
  } finally {
    await close();
  }
});

test('A manager the owner has unpaired cannot start a live view: the panel refuses and logs it, and the kiosk never says anyone is watching', async () => {
  test.setTimeout(240_000);
  const { panel, close } = await pairedKioskAndPhone(['notifications']);
  const managerCtx = await deviceBrowser({ video: emptyDoorwayVideo(), permissions: ['notifications'] });
  try {
    const manager = managerCtx.pages()[0] ?? (await managerCtx.newPage());
    await openAdmin(panel);
    await panel.getByRole('button', { name: 'Remote' }).click();
    await panel.getByLabel('Role').selectOption('manager');
    await panel.getByRole('button', { name: 'Pair a phone' }).click();
    const payload = await panel.getByTestId('pair-payload').inputValue();
    await manager.goto('/#/remote');
    await manager.getByLabel('Pairing code').fill(payload);
    await manager.getByRole('button', { name: 'Pair', exact: true }).click();
    await expect(manager.getByTestId('phone-message')).toHaveText('Paired as manager.');
    await expect(manager.getByTestId('phone-panel-online')).toHaveText('online');

    // Paired, the manager may look.
    await manager.getByRole('button', { name: 'Live view' }).click();
    await expect(manager.getByTestId('phone-call')).toHaveAttribute('data-call', 'inCall', { timeout: 30_000 });
    await manager.getByRole('button', { name: 'Hang up' }).click();

    await panel.getByTestId('paired-admin').filter({ hasText: 'manager' }).getByRole('button', { name: 'Unpair' }).click();
    await expect(panel.getByTestId('paired-admin')).toHaveCount(1);
    // The phone is told at once, on whatever door screen it shows.
    await expect(manager.getByRole('alert').filter({ hasText: 'no longer paired' })).toBeVisible({ timeout: 20_000 });
    await panel.evaluate(() => (location.hash = '#/'));

    await manager.getByRole('button', { name: 'Live view' }).click();
    await expect(manager.getByTestId('phone-call-ended')).toBeVisible({ timeout: 40_000 });
    await expect(manager.getByTestId('phone-call')).toHaveCount(0);
    await expect(panel.getByRole('status').filter({ hasText: /is watching$/ })).toHaveCount(0);
    await openAdmin(panel);
    await panel.getByRole('button', { name: 'Access log' }).click();
    await expect(panel.getByTestId('log-row').filter({ hasText: /refused \(unpaired\)/ }).first()).toBeVisible();
    await expect(panel.getByTestId('log-row').filter({ hasText: 'started a live view' })).toHaveCount(1);
  } finally {
    await managerCtx.close();
    await close();
  }
});
