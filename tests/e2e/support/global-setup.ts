import { existsSync } from 'node:fs';
import { ensureDoorVideo } from './fixtures.ts';
import { E2E_DIST } from '../../../playwright.config.ts';

export default function globalSetup(): void {
  if (!existsSync(`${E2E_DIST}/index.html`)) throw new Error('Build the kiosk first: npm run build (npm test does it for you)');
  ensureDoorVideo();
}
