import { defineConfig } from '@playwright/test';
import { DOOR_VIDEO } from './tests/e2e/support/fixtures.ts';

// Overridable so two runs (say, two developers' checkouts on one machine) do not collide.
export const E2E_PORT = Number(process.env.E2E_PORT ?? 4311);
export const HARNESS_PORT = Number(process.env.HARNESS_PORT ?? 4313);
export const E2E_DIST = process.env.E2E_DIST ?? 'dist';
/** Each test server's private state (broker logins, set-up code), by its port. */
export const serverStateDir = (port: number): string => `.cache/e2e-state/${port}`;
/** The tests' Mosquitto listens on a free loopback port the page is given with ?broker=: the CSP must let the page reach it. */
export const TEST_BROKER_ORIGIN = 'ws://127.0.0.1:*';

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

const launchOptions = { executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: chromiumArgs };

export default defineConfig({
  globalSetup: './tests/e2e/support/global-setup.ts',
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: [['list']],
  use: { trace: 'off', launchOptions },
  projects: [
    {
      // Modules against real browser APIs (IndexedDB, WebCrypto), served by the dev server.
      name: 'browser-modules',
      testDir: 'tests/browser',
      testMatch: '**/*.browser.ts',
      use: { baseURL: `http://localhost:${HARNESS_PORT}` },
    },
    {
      // The built kiosk as a user meets it.
      name: 'e2e',
      testDir: 'tests/e2e',
      testMatch: '**/*.e2e.ts',
      use: { baseURL: `http://localhost:${E2E_PORT}`, viewport: { width: 800, height: 1280 }, permissions: ['camera'] },
    },
  ],
  webServer: [
    {
      command: `node scripts/start.mjs --no-build --dist ${E2E_DIST} --port ${E2E_PORT} --broker-port ${E2E_PORT + 10} --no-lan --state-dir ${serverStateDir(E2E_PORT)} --broker-origin '${TEST_BROKER_ORIGIN}'`,
      url: `http://localhost:${E2E_PORT}/health`,
      reuseExistingServer: false,
      timeout: 60_000,
    },
    {
      command: `npx vite --port ${HARNESS_PORT} --strictPort`,
      url: `http://localhost:${HARNESS_PORT}/health`,
      reuseExistingServer: false,
      timeout: 60_000,
    },
  ],
});
