import { defineConfig } from 'vitest/config';
import type { Plugin } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { VitePWA } from 'vite-plugin-pwa';
import { largeAssets } from './scripts/large-assets.ts';
import { isolationHeaders, healthEndpoint, securityHeaders } from './scripts/server-headers.ts';
import { panelEndpoints } from './scripts/panel-endpoints.mjs';
import { ensurePrivateDir } from './scripts/server-state.mjs';
import { setupCodes, showCode } from './scripts/setup-code.mjs';

import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string };

/**
 * `npm run dev` answers the first-boot set-up code too (its own, printed at start), so the admin
 * area can be opened there. No CSP in development: Vite injects styles and its client inline.
 */
function devSetupCode(): Plugin {
  return {
    name: 'doorward-dev-setup-code',
    configureServer(server) {
      if (process.env.VITEST) return;
      const announce = (code: string) => console.log(`\nFirst-boot set-up code (dev server): ${showCode(code)}\n`);
      const setup = setupCodes(ensurePrivateDir('.cache/server-dev'), { announce, log: (m) => console.warn(`[setup] ${m}`) });
      announce(setup.code);
      const endpoints = panelEndpoints({ headers: isolationHeaders, setup, kiosk: null });
      if (typeof endpoints.configureServer === 'function') void endpoints.configureServer.call(this, server);
    },
  };
}

// COOP/COEP make the page cross-origin isolated, which onnxruntime-web needs for WASM threads.
// The preview server (npm start, scripts/start.mjs) adds the CSP and the other security headers.
export default defineConfig({
  plugins: [
    svelte(),
    largeAssets(),
    healthEndpoint(),
    devSetupCode(),
    VitePWA({
      strategies: 'injectManifest',
      srcDir: 'src',
      filename: 'sw.ts',
      registerType: 'prompt',
      injectRegister: false,
      manifest: false,
      injectManifest: {
        // Weights and wasm live in their own versioned, integrity-checked cache (see src/sw.ts).
        globPatterns: ['**/*.{js,css,html,svg,png,webmanifest}'],
        globIgnores: ['ort/**', 'models/**', 'zxing/**', 'mediapipe/**'],
        rollupFormat: 'es',
      },
      devOptions: { enabled: false },
    }),
  ],
  define: { __APP_VERSION__: JSON.stringify(pkg.version) },
  server: { headers: isolationHeaders },
  preview: { headers: securityHeaders() },
  // No source maps in what is served: the panel's source stays off the door.
  build: { target: 'es2022', sourcemap: false },
  worker: { format: 'es' },
  // Imported lazily (the WebGPU runtime only when a test asks for it): listed so the dev server
  // bundles them at start instead of discovering them mid-test and reloading the page under it.
  optimizeDeps: { include: ['onnxruntime-web/webgpu', 'onnxruntime-web/wasm', '@mediapipe/tasks-vision', 'mqtt', 'idb', 'zxing-wasm/reader', 'zxing-wasm/writer'] },
  test: {
    include: ['src/**/*.test.ts', 'matter-bridge/src/**/*.test.ts', 'scripts/**/*.test.ts', 'models/**/*.test.ts', 'tests/support/**/*.test.ts', 'tests/board/**/*.test.ts', 'hub/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
  },
});
