// `npm start`: provision the model weights, build the kiosk and serve it with the headers it
// needs (cross-origin isolation) on http://localhost:PORT. No hardware needed: the door
// controller is simulated and labelled so on screen.
//   node scripts/start.mjs [--port 8080] [--host localhost] [--no-build] [--dist DIR]
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { build, preview } from 'vite';
import { startBroker } from './broker.mjs';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.PORT ?? '8080' },
    host: { type: 'string', default: process.env.HOST ?? 'localhost' },
    'no-build': { type: 'boolean', default: false },
    // Serve another build folder (tests serve a copy they can change under a running kiosk).
    dist: { type: 'string', default: 'dist' },
    // The embedded development MQTT broker (aedes over WebSockets) for the phone admin.
    'broker-port': { type: 'string', default: process.env.BROKER_PORT ?? '8081' },
  },
});

const root = new URL('..', import.meta.url).pathname;

if (existsSync(`${root}scripts/provision-models.mjs`)) {
  const r = spawnSync(process.execPath, [`${root}scripts/provision-models.mjs`], { stdio: 'inherit', cwd: root });
  if (r.status !== 0) console.warn('[start] model provisioning failed: the kiosk will say face entry is unavailable');
}

if (!values['no-build']) await build({ root, logLevel: 'warn' });

const server = await preview({ root, build: { outDir: values.dist }, preview: { port: Number(values.port), host: values.host, strictPort: true } });
const url = server.resolvedUrls?.local[0] ?? `http://${values.host}:${values.port}/`;
const broker = await startBroker({ port: Number(values['broker-port']), host: values.host === 'localhost' ? '127.0.0.1' : values.host }).catch((err) => {
  console.warn(`[start] embedded MQTT broker not started: ${err.message}`);
  return null;
});
console.log(`\nDoorward kiosk: ${url}\nAdmin area:     ${url}#/admin\nPhone admin:    ${url}#/remote\nMQTT broker:    ${broker?.url ?? 'none'} (embedded aedes, MQTT 3.1.1)\n(door controller: simulated until a board is connected in the admin area)\n`);

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    void Promise.allSettled([server.close(), broker?.close()]).finally(() => process.exit(0));
  });
}
