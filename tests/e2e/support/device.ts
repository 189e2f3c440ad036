import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from '@playwright/test';
import { chromiumArgs, E2E_PORT } from '../../../playwright.config.ts';

/**
 * A browser with a profile of its own (its own IndexedDB and keys), as a separate device is: a
 * panel, or an admin's phone. `video` replaces the fake camera's picture (chosen at launch, so a
 * new visitor means a new launch); `profile` reuses a device across launches; `locale` is the
 * device's language and formats (`navigator.language`).
 */
export async function deviceBrowser(o: { profile?: string; video?: string; permissions?: string[]; timezoneId?: string; locale?: string; viewport?: { width: number; height: number }; colorScheme?: 'light' | 'dark' } = {}): Promise<BrowserContext> {
  const args = o.video ? [...chromiumArgs.filter((a) => !a.startsWith('--use-file-for-fake-video-capture')), `--use-file-for-fake-video-capture=${o.video}`, '--use-fake-ui-for-media-stream'] : chromiumArgs;
  return chromium.launchPersistentContext(o.profile ?? mkdtempSync(join(tmpdir(), 'doorward-device-')), {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args,
    permissions: o.permissions ?? ['camera', 'notifications'],
    baseURL: `http://localhost:${E2E_PORT}`,
    viewport: o.viewport ?? { width: 800, height: 1280 },
    ...(o.colorScheme ? { colorScheme: o.colorScheme } : {}),
    ...(o.timezoneId ? { timezoneId: o.timezoneId } : {}),
    ...(o.locale ? { locale: o.locale } : {}),
  });
}
