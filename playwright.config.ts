import { defineConfig } from '@playwright/test';
import { DOOR_VIDEO } from './tests/e2e/support/fixtures.ts';

export const E2E_PORT = 4311;

/** Debian's Chromium with the fake camera; nothing is downloaded (`npx playwright install` is not used). */
export const chromiumArgs = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--use-fake-device-for-media-stream',
  `--use-file-for-fake-video-capture=${DOOR_VIDEO}`,
];

export default defineConfig({
  testDir: 'tests/e2e',
  testMatch: '**/*.e2e.ts',
  globalSetup: './tests/e2e/support/global-setup.ts',
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: [['list']],
  use: {
    baseURL: `http://localhost:${E2E_PORT}`,
    viewport: { width: 800, height: 1280 },
    permissions: ['camera'],
    launchOptions: { executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: chromiumArgs },
    trace: 'off',
  },
  webServer: {
    command: `node scripts/start.mjs --no-build --port ${E2E_PORT}`,
    url: `http://localhost:${E2E_PORT}/health`,
    reuseExistingServer: false,
    timeout: 60_000,
  },
});
