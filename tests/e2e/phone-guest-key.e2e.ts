import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { deviceBrowser, mosquittoForTests, phoneSection, showPairingCode, type Mosquitto } from './support/remote-mosquitto.ts';
import { qrVideo, readQr } from './support/qr-video.ts';
import { shot } from './support/shots.ts';

// A guest key issued from the phone to start tomorrow, listed with its start and end, shown
// again (the panel signs the same key anew), and held to the real kiosk's camera, which says
// when it opens. One panel profile throughout: the camera's video is chosen at launch.
let mosquitto: Mosquitto;
const broker = mosquittoForTests();
test.beforeAll(() => {
  mosquitto = broker();
});

test.use({ actionTimeout: 20_000 });

const claims = (token: string) => JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { jti: string; nbf: number; exp: number; max?: number };

test('a key issued from the phone for tomorrow: listed with start and end, shown again as the same key, and the kiosk says when it opens (issue #14)', async () => {
  test.setTimeout(240_000);
  const profile = mkdtempSync(join(tmpdir(), 'doorward-phone-guest-'));
  const panelCtx = await deviceBrowser({ profile });
  const phoneCtx = await deviceBrowser({ viewport: { width: 390, height: 844 }, colorScheme: 'light' });
  let token = '';
  let start = 0;
  try {
    const panel = panelCtx.pages()[0] ?? (await panelCtx.newPage());
    const phone = phoneCtx.pages()[0] ?? (await phoneCtx.newPage());
    const code = await showPairingCode(panel, mosquitto.url);
    await phone.goto('/#/remote');
    await phone.getByLabel('Door name').fill('Front door');
    await phone.getByLabel('Pairing code').fill(code);
    await phone.getByRole('button', { name: 'Pair', exact: true }).click();
    await expect(phone.getByTestId('phone-message')).toHaveText('Paired as owner.');
    await phoneSection(phone, 'Guest keys');

    // Tomorrow at this minute, in the phone's local time (what datetime-local holds).
    const local = await phone.evaluate(() => {
      const d = new Date(Date.now() + 24 * 3_600_000 - new Date().getTimezoneOffset() * 60_000);
      return d.toISOString().slice(0, 16);
    });
    start = await phone.evaluate((v) => new Date(v).getTime(), local);
    await phone.getByLabel('Guest name').fill('Courier');
    await phone.locator('select[name="guest-starts"]').selectOption({ label: 'At a date and time' });
    await phone.getByLabel('Starts at').fill(local);
    await phone.getByLabel('Valid for hours').fill('8');
    await phone.getByLabel('Uses (empty: unlimited)').fill('1');
    await phone.getByRole('button', { name: 'Issue key' }).click();
    await expect(phone.getByTestId('phone-message')).toHaveText('Key for Courier issued.', { timeout: 20_000 }).catch(async (e: unknown) => {
      await phone.screenshot({ path: 'test-results/phone-guest-key-failed.png' });
      throw e;
    });
    const first = await phone.getByTestId('phone-guest-token').inputValue();
    expect(claims(first)).toMatchObject({ nbf: start / 1000, exp: start / 1000 + 8 * 3600, max: 1 });

    // In the phone's own locale, as the screen writes it (src/lib/words/format.ts).
    const [from, until] = await phone.evaluate((s) => [s, s + 8 * 3_600_000].map((ms) => new Intl.DateTimeFormat(navigator.language, { dateStyle: 'short', timeStyle: 'short' }).format(new Date(ms))), start);
    const row = phone.getByTestId('phone-guest-key').filter({ hasText: 'Courier' });
    await expect(row.getByTestId('phone-guest-validity')).toHaveText(`from ${from} until ${until}`);
    await expect(row).toHaveAttribute('data-standing', 'notYet');
    await expect(row).toContainText('not yet valid · 0 uses of 1');

    // Shown again: the panel signs it anew (no token was kept), the same key by id and window.
    await phone.getByRole('button', { name: 'Hide the key' }).click();
    await expect(phone.getByTestId('phone-guest-card')).toHaveCount(0);
    await row.getByRole('button', { name: 'Show again' }).click();
    const qr = phone.locator('[aria-label="QR code of the guest key"] svg');
    await expect(qr).toBeVisible();
    // Clear of the tab bar fixed at the bottom, as the guest would hold it up to their camera.
    await qr.evaluate((e) => e.scrollIntoView({ block: 'center' }));
    const read = await readQr(await qr.screenshot());
    token = await phone.getByTestId('phone-guest-token').inputValue();
    expect(read).toEqual([token]);
    expect(claims(token)).toEqual(claims(first));
    await expect(phone.getByTestId('phone-guest-card-validity')).toHaveText(`from ${from} until ${until}`);

    // Share without a share sheet (desktop Chromium here) copies, and says so.
    await phoneCtx.grantPermissions(['clipboard-read', 'clipboard-write']);
    await phone.evaluate(() => Object.defineProperty(navigator, 'share', { value: undefined, configurable: true }));
    await row.getByRole('button', { name: 'Share' }).click();
    await expect(row.getByTestId('phone-guest-copied')).toHaveText('Copied');
    expect(await phone.evaluate(() => navigator.clipboard.readText())).toContain(token);
    await shot(phone, 'phone-guest-keys');

    // A phone with a share sheet hands it who the key is for, when it opens and the key itself.
    await phone.evaluate(() => {
      const w = window as unknown as { shared: ShareData[] };
      w.shared = [];
      Object.defineProperty(navigator, 'share', { value: (d: ShareData) => (w.shared.push(d), Promise.resolve()), configurable: true });
    });
    await row.getByRole('button', { name: 'Share' }).click();
    await expect.poll(() => phone.evaluate(() => (window as unknown as { shared: ShareData[] }).shared.length)).toBe(1);
    const [shared] = await phone.evaluate(() => (window as unknown as { shared: ShareData[] }).shared);
    expect(shared?.title).toBe('Door key for Courier');
    expect(shared?.text).toBe(`Door key for Courier, valid from ${from} until ${until}. Show this key's QR code at the door, or keep this text: ${token}`);

    // Print: the print dialog opens on the key card, and the printed page holds only the card
    // (name, QR code, validity), not the list, the buttons or the tab bar.
    await phone.evaluate(() => {
      const w = window as unknown as { printed: number };
      w.printed = 0;
      window.print = () => void (w.printed += 1);
    });
    await row.getByRole('button', { name: 'Print' }).click();
    await expect.poll(() => phone.evaluate(() => (window as unknown as { printed: number }).printed)).toBe(1);
    await phone.emulateMedia({ media: 'print' });
    const card = phone.getByTestId('phone-guest-card');
    await expect(card.locator('.name')).toHaveText('Courier');
    await expect(card.getByTestId('phone-guest-card-validity')).toBeVisible();
    await expect(qr).toBeVisible();
    await expect(phone.getByTestId('phone-guest-token')).toBeHidden();
    await expect(card.getByRole('button', { name: 'Hide the key' })).toBeHidden();
    await expect(phone.getByRole('list', { name: 'Issued guest keys' })).toBeHidden();
    await expect(phone.getByRole('navigation', { name: 'Phone app' })).toBeHidden();
    await phone.emulateMedia({ media: 'screen' });
  } finally {
    await phoneCtx.close();
    await panelCtx.close();
  }

  const kioskCtx = await deviceBrowser({ profile, video: await qrVideo('phone-tomorrow-key', token), permissions: ['camera'] });
  try {
    const kiosk = kioskCtx.pages()[0] ?? (await kioskCtx.newPage());
    await kiosk.goto('/');
    const opens = await kiosk.evaluate((ms) => new Intl.DateTimeFormat(navigator.language, { dateStyle: 'short', timeStyle: 'short' }).format(new Date(ms)), start);
    await expect(kiosk.getByTestId('status-detail')).toHaveText(`This key opens from ${opens}.`, { timeout: 30_000 });
    await expect(kiosk.getByTestId('status-title')).toHaveText('Not yet');
    await expect(kiosk.getByTestId('kiosk')).not.toHaveAttribute('data-state', 'doorOpen');
  } finally {
    await kioskCtx.close();
  }
});
