import { existsSync } from 'node:fs';
import { ensureDoorVideo } from './fixtures.ts';

export default function globalSetup(): void {
  if (!existsSync('dist/index.html')) throw new Error('Build the kiosk first: npm run build (npm test does it for you)');
  ensureDoorVideo();
}
