import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { VitePWA } from 'vite-plugin-pwa';
import { largeAssets } from './scripts/large-assets.ts';
import { isolationHeaders, healthEndpoint } from './scripts/server-headers.ts';

import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string };

// COOP/COEP make the page cross-origin isolated, which onnxruntime-web needs for WASM threads.
export default defineConfig({
  plugins: [
    svelte(),
    largeAssets(),
    healthEndpoint(),
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
  preview: { headers: isolationHeaders },
  build: { target: 'es2022', sourcemap: true },
  worker: { format: 'es' },
  // Imported lazily (the WebGPU runtime only when a test asks for it): listed so the dev server
  // bundles them at start instead of discovering them mid-test and reloading the page under it.
  optimizeDeps: { include: ['onnxruntime-web/webgpu', 'onnxruntime-web/wasm', '@mediapipe/tasks-vision', 'mqtt', 'idb', 'zxing-wasm/reader', 'zxing-wasm/writer'] },
  test: {
    include: ['src/**/*.test.ts', 'scripts/**/*.test.ts', 'models/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
  },
});
