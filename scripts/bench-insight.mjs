// Runs the insight bench (tests/support/insight/bench.ts) under Vite's module loader, so the TypeScript
// sources run as-is on Node 20 without a separate build. Usage: node scripts/bench-insight.mjs [--tuning-only]
import { createServer } from 'vite';

const server = await createServer({
  configFile: false,
  root: new URL('..', import.meta.url).pathname,
  logLevel: 'error',
  server: { middlewareMode: true, hmr: false, watch: null },
  appType: 'custom',
  optimizeDeps: { noDiscovery: true, include: [] },
});
try {
  const bench = await server.ssrLoadModule('/tests/support/insight/bench.ts');
  if (process.argv.includes('--tuning-only')) console.log(bench.formatBench(bench.runBench({ seeds: bench.TUNING_SEEDS }), 'tuning seeds'));
  else console.log(bench.benchReport());
} finally {
  await server.close();
}
