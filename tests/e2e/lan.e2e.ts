import { chromium, expect, test } from '@playwright/test';
import { chromiumArgs } from '../../playwright.config.ts';
import { startServer } from './support/server.ts';

const PORT = 4315;
const TLS_PORT = 4316;

test('npm start also serves HTTPS with its own certificate, so a phone on the network gets a secure context', async () => {
  const server = await startServer(PORT, 'dist', ['--lan-address', '127.0.0.1', '--lan-port', String(TLS_PORT)]);
  // A phone would accept the self-signed certificate once (checking the printed fingerprint).
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: [...chromiumArgs, '--ignore-certificate-errors'] });
  try {
    const page = await browser.newPage();
    await page.goto(`https://127.0.0.1:${TLS_PORT}/#/remote`);
    await expect(page.getByLabel('Pairing code')).toBeVisible();
    expect(await page.evaluate(() => window.isSecureContext && typeof crypto.subtle?.generateKey === 'function' && crossOriginIsolated)).toBe(true);
  } finally {
    await browser.close();
    await server.stop();
  }
});
