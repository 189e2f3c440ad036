import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Page } from '@playwright/test';

const DOCS = resolve(import.meta.dirname, '../../../docs/screenshots');

/** Screenshots land in docs/ so a reader sees the product without running it. */
export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(DOCS, { recursive: true });
  await page.screenshot({ path: join(DOCS, `${name}.png`), animations: 'disabled' });
}
