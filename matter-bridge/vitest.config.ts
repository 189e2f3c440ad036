// The Matter bridge's commissioning test needs a network namespace of its own (test/netns.sh), so
// it runs from `npm run test:matter`, not from the root config's `vitest run`.
import { defineConfig } from 'vitest/config';
import root from '../vite.config.ts';

export default defineConfig({
  ...root,
  test: { ...root.test, include: ['matter-bridge/test/**/*.netns.test.ts'], testTimeout: 120_000, hookTimeout: 60_000 },
});
