import type { Page } from '@playwright/test';

/**
 * Module tests in a real Chromium page (real IndexedDB, real WebCrypto), with the app's modules
 * served untranspiled by the Vite dev server and loaded by `import()` inside `page.evaluate`.
 * Each test gets a fresh context, so a fresh origin storage.
 */
export async function openHarness(page: Page): Promise<void> {
  await page.goto('/tests/browser/blank.html');
}
