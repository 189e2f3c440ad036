import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type ConsoleMessage, type Page } from '@playwright/test';
import { E2E_DIST, E2E_PORT } from '../../playwright.config.ts';
import { openAdmin } from './support/admin.ts';
import { deviceBrowser } from './support/remote-mosquitto.ts';
import { visitsVideo } from './support/vision-fixtures.ts';

// The real server of `npm start` (scripts/start.mjs, Playwright's web server): its headers, and
// the kiosk under its Content-Security-Policy.
const BROKER = `ws://127.0.0.1:${E2E_PORT + 10}`;

/** Every CSP violation the page sees, and every error on its console or its workers' consoles. */
async function watch(page: Page): Promise<{ violations: () => Promise<string[]>; errors: string[] }> {
  const errors: string[] = [];
  const onConsole = (where: string) => (m: ConsoleMessage) => {
    if (m.type() === 'error') errors.push(`${where}: ${m.text()}`);
  };
  page.on('console', onConsole('page'));
  page.on('worker', (w) => w.on('console', onConsole(`worker ${w.url()}`)));
  page.on('pageerror', (e) => errors.push(`page: ${e.message}`));
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { __csp: string[] }).__csp = seen;
    document.addEventListener('securitypolicyviolation', (e) => seen.push(`${e.effectiveDirective} ${e.blockedURI} (${e.sourceFile}:${e.lineNumber})`));
  });
  return { violations: () => page.evaluate(() => (window as unknown as { __csp: string[] }).__csp), errors };
}

test('every response carries the CSP, nosniff and no-referrer; the LAN-facing headers name only this server and its broker', async ({ request }) => {
  const js = readdirSync(join(E2E_DIST, 'assets')).find((f) => f.endsWith('.js'));
  for (const path of ['/', '/index.html', `/assets/${js}`, '/health', '/sw.js', '/asset-manifest.json', '/no-such-page']) {
    const r = await request.get(path);
    const h = r.headers();
    const csp = h['content-security-policy'] ?? '';
    expect({ path, csp }).toEqual({ path, csp: expect.stringContaining("default-src 'self'") });
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval'");
    // Only itself and the brokers it runs or was told of; no wildcard host, no https: scheme.
    const connect = csp.split(';').map((d) => d.trim()).find((d) => d.startsWith('connect-src'));
    expect(connect).toBe(`connect-src 'self' ${BROKER} ws://localhost:${E2E_PORT + 10} ws://127.0.0.1:*`);
    expect(h['x-content-type-options']).toBe('nosniff');
    expect(h['referrer-policy']).toBe('no-referrer');
    expect(h['cross-origin-embedder-policy']).toBe('require-corp');
  }
});

test('the production build ships no source maps', () => {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else files.push(p);
    }
  };
  walk(E2E_DIST);
  expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
  const scripts = files.filter((f) => /\.(m?js|css|html)$/.test(f));
  expect(scripts.length).toBeGreaterThan(3);
  expect(scripts.filter((f) => readFileSync(f, 'utf8').includes('sourceMappingURL'))).toEqual([]);
});

test('the kiosk takes its broker and login from its own server: it reaches the --broker-port broker; the page of another origin cannot read them', async ({ page, request }) => {
  await page.goto('/#/admin');
  await openAdmin(page);
  await page.getByRole('button', { name: 'Remote' }).click();
  await expect(page.getByTestId('remote-status')).toHaveText('online');
  await expect(page.getByTestId('remote-broker')).toHaveText(`${BROKER}, logged in`);
  // The same address under a name that is not loopback (DNS rebinding): no config, no login.
  const rebound = await request.get('/panel-config.json', { headers: { Host: `doorward.example:${E2E_PORT}` } });
  expect([403, 404]).toContain(rebound.status());
  expect(await rebound.text()).not.toContain('password');
  // A phone login is made only for this page's own POST, never for a form or another site.
  const form = await request.post('/panel-config/phone-login', { form: { panelId: 'x' } });
  expect(form.status()).toBe(403);
  const foreign = await request.post('/panel-config/phone-login', { data: { panelId: 'x' }, headers: { Origin: 'http://evil.example' } });
  expect(foreign.status()).toBe(403);
});

test('a kiosk visit under the CSP: a stranger at the door, the admin area, a pairing code and the phone page raise no violation and no console error; other origins are refused', async () => {
  test.setTimeout(240_000);
  const ctx = await deviceBrowser({ video: visitsVideo('bob') });
  const page = ctx.pages()[0] ?? (await ctx.newPage());
  const seen = await watch(page);
  await page.goto('/');
  // The vision worker, its wasm and its models, all under the policy (slow on a busy machine).
  await expect(page.getByTestId('status-detail')).toHaveText('We could not recognise you. Use your PIN or ring.', { timeout: 150_000 });
  await openAdmin(page);
  await page.getByRole('button', { name: 'Access log' }).click();
  const stranger = page.getByTestId('log-row').filter({ hasText: /unknown by face/ }).filter({ has: page.getByRole('button', { name: 'Show snapshot' }) }).first();
  await stranger.getByRole('button', { name: 'Show snapshot' }).click();
  const picture = page.getByRole('img', { name: 'Snapshot at the door' }).first();
  await expect(picture).toBeVisible();
  await expect.poll(() => picture.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);
  await page.getByRole('button', { name: 'Remote' }).click();
  await page.getByRole('button', { name: 'Pair a phone' }).click();
  await expect(page.locator('[aria-label="Pairing QR code"] svg')).toBeVisible();
  // The phone's page, in a tab of its own.
  const phone = await ctx.newPage();
  const phoneSeen = await watch(phone);
  await phone.goto('/#/remote');
  await expect(phone.getByLabel('Pairing code')).toBeVisible();
  // Everything either page asked for has been answered (a violation is reported as it happens).
  await Promise.all([page.waitForLoadState('networkidle'), phone.waitForLoadState('networkidle')]);
  expect(await seen.violations()).toEqual([]);
  expect(await phoneSeen.violations()).toEqual([]);
  expect([...seen.errors, ...phoneSeen.errors]).toEqual([]);
  await phone.close();

  // A library's usage ping or any other origin: refused by the browser before a byte is sent.
  const refused = await page.evaluate(() => fetch('http://127.0.0.2:9/v1/log', { method: 'POST', body: 'x' }).then(() => 'sent', (e: unknown) => String(e)));
  expect(refused).toMatch(/Failed to fetch|TypeError/);
  await expect.poll(() => seen.violations()).toEqual([expect.stringMatching(/^connect-src http:\/\/127\.0\.0\.2:9/)]);
  await ctx.close();
});
