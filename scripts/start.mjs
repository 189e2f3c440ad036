// `npm start`: provision the model weights, build the kiosk and serve it with the headers it
// needs (cross-origin isolation) on http://localhost:PORT. No hardware needed: the door
// controller is simulated and labelled so on screen.
//   node scripts/start.mjs [--port 8080] [--host localhost] [--no-build] [--dist DIR]
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { build, preview } from 'vite';
import { startBroker } from './broker.mjs';
import { ensureDevCertificate, lanAddresses } from './dev-tls.mjs';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.PORT ?? '8080' },
    host: { type: 'string', default: process.env.HOST ?? 'localhost' },
    'no-build': { type: 'boolean', default: false },
    // Serve another build folder (tests serve a copy they can change under a running kiosk).
    dist: { type: 'string', default: 'dist' },
    // The embedded development MQTT broker (aedes over WebSockets) for the phone admin.
    'broker-port': { type: 'string', default: process.env.BROKER_PORT ?? '8081' },
    // HTTPS on the LAN address (self-signed), so a phone or tablet on the network has a secure context.
    'lan-port': { type: 'string', default: process.env.LAN_PORT ?? '8443' },
    'no-lan': { type: 'boolean', default: false },
    // Serve HTTPS on this address instead of the detected LAN addresses (tests use 127.0.0.1).
    'lan-address': { type: 'string' },
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
// Localhost stays plain; each LAN address gets HTTPS and a wss listener on the broker's port.
const lan = values['no-lan'] ? [] : values['lan-address'] ? [values['lan-address']] : lanAddresses();
let tls = null;
if (lan.length > 0) {
  try {
    tls = ensureDevCertificate(`${root}.cache/tls`, lan.filter((a) => a !== '127.0.0.1'));
  } catch (err) {
    console.warn(`[start] no HTTPS on the LAN (openssl failed: ${err.message})`);
  }
}
const lanServers = [];
if (tls) {
  for (const address of lan) {
    const s = await preview({ root, build: { outDir: values.dist }, preview: { port: Number(values['lan-port']), host: address, strictPort: true, https: { key: tls.key, cert: tls.cert } } }).catch((err) => {
      console.warn(`[start] HTTPS on ${address} not started: ${err.message}`);
      return null;
    });
    if (s) lanServers.push(s);
  }
}
const broker = await startBroker({
  port: Number(values['broker-port']),
  host: values.host === 'localhost' ? '127.0.0.1' : values.host,
  // The plain listener already has 127.0.0.1; a TLS one there would need its own port.
  tlsListeners: tls ? lan.filter((a) => a !== '127.0.0.1').map((host) => ({ host, key: tls.key, cert: tls.cert })) : [],
}).catch((err) => {
  console.warn(`[start] embedded MQTT broker not started: ${err.message}`);
  return null;
});
const lanLines = lanServers.flatMap((s) => [...(s.resolvedUrls?.network ?? []), ...(s.resolvedUrls?.local ?? [])].map((u) => `On the LAN:     ${u} (self-signed; SHA-256 ${tls?.fingerprint})\nPhone admin:    ${u}#/remote (open the kiosk at this address before pairing)`));
console.log(
  `\nDoorward kiosk: ${url}\nAdmin area:     ${url}#/admin\n${lanLines.join('\n')}${lanLines.length ? '\n' : ''}` +
    `MQTT broker:    ${[broker?.url, ...(broker?.tlsUrls ?? [])].filter(Boolean).join(', ') || 'none'} (embedded aedes, MQTT 3.1.1)\n` +
    `(door controller: simulated until a board is connected in the admin area)\n`,
);

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    void Promise.allSettled([server.close(), ...lanServers.map((s) => s.close()), broker?.close()]).finally(() => process.exit(0));
  });
}
