import { expect, test, type Page } from '@playwright/test';
import { typePin } from './support/admin.ts';
import { deviceBrowser, mosquittoForTests, phoneOpenDoor, phoneSection, phoneTab, showPairingCode, type Mosquitto } from './support/remote-mosquitto.ts';
import { shot } from './support/shots.ts';
import { faceJpeg } from './support/vision-fixtures.ts';

// The phone app as an admin holds it (390x844, an everyday phone), over two real kiosks and a
// real Mosquitto on loopback; its screens land in docs/screenshots as the product is.
let mosquitto: Mosquitto;
const broker = mosquittoForTests();
test.beforeAll(() => {
  mosquitto = broker();
});

const PHONE = { width: 390, height: 844 };

async function pairDoor(phone: Page, name: string, payload: string): Promise<void> {
  await phone.getByLabel('Door name').fill(name);
  await phone.getByLabel('Pairing code').fill(payload);
  await phone.getByRole('button', { name: 'Pair', exact: true }).click();
  await expect(phone.getByTestId('phone-message')).toHaveText('Paired as owner.');
}

/** Every control the admin taps is at least 44 px tall (Apple's and Google's smallest touch target). */
async function smallTargets(phone: Page): Promise<string[]> {
  return phone.locator('main button:visible, main select:visible, main input:not([type="checkbox"], [type="radio"], [type="file"]):visible, main label.photo:visible').evaluateAll((els) =>
    els.filter((e) => e.getBoundingClientRect().height < 44).map((e) => `${e.tagName.toLowerCase()} "${(e.textContent ?? '').trim() || e.getAttribute('name')}" ${Math.round(e.getBoundingClientRect().height)}px`),
  );
}

/** Nothing is wider than the phone: no sideways scrolling. */
const overflow = (phone: Page) => phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

test('the phone app at a phone viewport: door list, a door, people with faces, the log, a guest key; touch-sized and no sideways scroll', async () => {
  test.setTimeout(480_000);
  const [frontCtx, backCtx, phoneCtx] = await Promise.all([deviceBrowser(), deviceBrowser(), deviceBrowser({ viewport: PHONE, colorScheme: 'light' })]);
  try {
    const front = frontCtx.pages()[0] ?? (await frontCtx.newPage());
    const back = backCtx.pages()[0] ?? (await backCtx.newPage());
    const phone = phoneCtx.pages()[0] ?? (await phoneCtx.newPage());
    const [frontCode, backCode] = [await showPairingCode(front, mosquitto.url), await showPairingCode(back, mosquitto.url)];

    await phone.goto('/#/remote');
    await expect(phone.locator('html')).toHaveAttribute('data-theme', 'day');
    await pairDoor(phone, 'Front door', frontCode);
    await phoneTab(phone, 'Doors');
    await phone.getByRole('button', { name: 'Add a door' }).click();
    await pairDoor(phone, 'Back door', backCode);

    // People: two with their face enrolled from a photo (the panel keeps a 96 px crop, sealed), one by PIN only.
    await phoneOpenDoor(phone, 'Front door');
    await phoneSection(phone, 'People');
    for (const [name, pin] of [['Alice Moreau', '482193'], ['Bob Okafor', ''], ['Ada Lovelace', '735120']] as const) {
      await phone.getByLabel('Name', { exact: true }).fill(name);
      await phone.getByLabel('PIN (optional)').fill(pin);
      await phone.getByRole('button', { name: 'Add person' }).click();
      await expect(phone.getByTestId('phone-person').filter({ hasText: name })).toBeVisible();
    }
    for (const [name, who] of [['Alice Moreau', 'alice'], ['Bob Okafor', 'bob']] as const) {
      const row = phone.getByTestId('phone-person').filter({ hasText: name });
      await row.getByTestId('phone-enrol-photo').setInputFiles({ name: `${who}.jpg`, mimeType: 'image/jpeg', buffer: faceJpeg(who) });
      await expect(row.getByTestId('phone-photo-answer')).toHaveAttribute('data-state', 'ok', { timeout: 60_000 });
      await expect(row.getByRole('img', { name: `Face of ${name}` })).toBeVisible({ timeout: 20_000 });
    }
    await expect(phone.getByTestId('phone-person').filter({ hasText: 'Ada Lovelace' }).getByTestId('phone-person-initials')).toHaveText('AL');
    expect(await smallTargets(phone)).toEqual([]);
    expect(await overflow(phone)).toBeLessThanOrEqual(0);
    await phone.evaluate(() => window.scrollTo(0, 0));
    await shot(phone, 'phone-people');

    // Removing someone asks first; "Keep it" keeps them.
    const ada = phone.getByTestId('phone-person').filter({ hasText: 'Ada Lovelace' });
    await ada.getByTestId('phone-person-edit-toggle').click();
    await ada.getByRole('button', { name: 'Remove', exact: true }).click();
    await expect(ada.getByRole('group', { name: /^Remove Ada Lovelace\?/ })).toBeVisible();
    await ada.getByRole('button', { name: 'Keep it' }).click();
    await expect(ada.getByRole('button', { name: 'Remove', exact: true })).toBeVisible();
    await ada.getByTestId('phone-person-edit-toggle').click();

    // Some life at the doors: a remote unlock, a PIN at each kiosk, a wrong one at the front.
    await phoneSection(phone, 'Guest keys');
    await phone.getByLabel('Guest name').fill('Courier');
    await phone.getByRole('button', { name: 'Issue key' }).click();
    await expect(phone.locator('[aria-label="QR code of the guest key"] svg')).toBeVisible();
    expect(await smallTargets(phone)).toEqual([]);
    await shot(phone, 'phone-guest-key');

    for (const [kiosk, pin] of [[front, '482193'], [front, '000000']] as const) {
      await kiosk.evaluate(() => (location.hash = '#/'));
      const k = kiosk.getByTestId('kiosk');
      await expect(k).toHaveAttribute('data-state', 'idle', { timeout: 20_000 });
      await kiosk.getByRole('button', { name: 'PIN' }).click();
      await typePin(kiosk, pin);
      await expect(k).not.toHaveAttribute('data-state', 'idle');
    }
    await phoneOpenDoor(phone, 'Back door');
    await phone.getByRole('button', { name: 'Unlock' }).click();
    await expect(phone.getByTestId('phone-door')).toHaveText('open', { timeout: 10_000 });

    await phoneTab(phone, 'Doors');
    await expect(phone.getByTestId('phone-door-card')).toHaveCount(2);
    await expect(phone.getByTestId('phone-door-card').filter({ hasText: 'Front door' }).getByTestId('phone-door-card-state')).toHaveText('closed', { timeout: 15_000 });
    expect(await smallTargets(phone)).toEqual([]);
    await shot(phone, 'phone-door-list');

    await phoneTab(phone, 'Log');
    await expect(phone.getByTestId('phone-event').filter({ hasText: /deny .* by pin/ })).toHaveCount(1, { timeout: 30_000 });
    expect(await smallTargets(phone)).toEqual([]);
    expect(await overflow(phone)).toBeLessThanOrEqual(0);
    await shot(phone, 'phone-log');

    // The phone's own dark setting turns the app to the kiosk's night theme, live.
    await phone.emulateMedia({ colorScheme: 'dark' });
    await expect(phone.locator('html')).toHaveAttribute('data-theme', 'night');
    await phoneOpenDoor(phone, 'Front door');
    await shot(phone, 'phone-door-night');
  } finally {
    await Promise.all([frontCtx.close(), backCtx.close(), phoneCtx.close()]);
  }
});
