import { chromium, expect, test } from '@playwright/test';
import { chromiumArgs, E2E_DIST } from '../../playwright.config.ts';
import { openAdmin } from './support/admin.ts';
import { pairByText } from './support/remote-mosquitto.ts';
import { startServer } from './support/server.ts';
import { decodePairingPayload } from '../../src/remote/pairing.ts';

const PORT = 4315;
const TLS_PORT = 4316;
// 127.0.0.2 plays the tablet's LAN address: other interfaces get HTTPS and wss only.
const LAN = '127.0.0.2';

test('npm start serves the LAN over HTTPS and wss only: a phone there gets a secure context, pairs through the embedded broker with a login of its own, and never sees the panel\'s', async () => {
  test.setTimeout(120_000);
  const server = await startServer(PORT, E2E_DIST, ['--lan-address', LAN, '--lan-port', String(TLS_PORT)]);
  // A phone would accept the self-signed certificate once (checking the printed fingerprint).
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: [...chromiumArgs, '--ignore-certificate-errors'] });
  try {
    const phone = await (await browser.newContext({ baseURL: `https://${LAN}:${TLS_PORT}`, viewport: { width: 800, height: 1280 } })).newPage();
    await phone.goto('/#/remote');
    await expect(phone.getByLabel('Pairing code')).toBeVisible();
    expect(await phone.evaluate(() => window.isSecureContext && typeof crypto.subtle?.generateKey === 'function' && crossOriginIsolated)).toBe(true);
    // The LAN listener does not hand out the panel's broker login, not even to a phone.
    expect(await phone.evaluate(() => fetch('/panel-config.json').then((r) => r.status))).toBe(404);

    // The kiosk on the machine itself: its broker and login come from its server.
    const kiosk = await (await browser.newContext({ baseURL: `http://localhost:${PORT}`, viewport: { width: 800, height: 1280 }, permissions: ['camera'] })).newPage();
    await kiosk.goto('/#/admin');
    await openAdmin(kiosk);
    await kiosk.getByRole('button', { name: 'Remote' }).click();
    await expect(kiosk.getByTestId('remote-status')).toHaveText('online');
    await expect(kiosk.getByTestId('remote-broker')).toHaveText(`ws://127.0.0.1:${PORT + 10}, logged in`);
    await kiosk.getByRole('button', { name: 'Pair a phone' }).click();
    const payload = await kiosk.getByTestId('pair-payload').inputValue();
    const offer = decodePairingPayload(payload);
    expect(offer?.brokerUrl).toBe(`wss://${LAN}:${PORT + 10}`);
    expect(offer?.login?.username).toMatch(/^phone-[0-9a-f]{16}$/);

    await pairByText(phone, payload);
    await expect(phone.getByTestId('phone-panel-online')).toHaveText('online');
    await expect(kiosk.getByTestId('paired-admin')).toHaveCount(1);
  } finally {
    await browser.close();
    await server.stop();
  }
});
