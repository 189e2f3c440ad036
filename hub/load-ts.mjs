// Loads a TypeScript module for a long-running Node process: vite's runnerImport closes its runner
// once the import returns, which breaks the dynamic imports a service makes later (the MQTT
// client, the database driver); an SSR dev server kept open for the process's life does not.
import { createServer } from 'vite';

export async function loadTs(path) {
  const server = await createServer({ configFile: false, logLevel: 'error', appType: 'custom', server: { middlewareMode: true, hmr: false, watch: null }, optimizeDeps: { noDiscovery: true, include: [] } });
  const module = await server.ssrLoadModule(path);
  return { module, close: () => server.close() };
}
