// `npm start`: provision the model weights, build the kiosk and serve it with the headers it
// needs (cross-origin isolation, CSP) on http://localhost:PORT, with an embedded MQTT broker that
// only lets in the kiosk and paired phones. No hardware needed: the door controller is simulated
// and labelled so on screen.
//   node scripts/start.mjs [--port 8080] [--host localhost] [--no-build] [--dist DIR]
//     [--broker-port 8081] [--state-dir .cache/server] [--broker-origin URL ...] [--matter]
import { existsSync, readFileSync, statSync } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { build, preview } from 'vite';
import { isLoopback, startBroker } from './broker.mjs';
import { brokerLogins } from './broker-auth.mjs';
import { ensureDevCertificate, lanAddresses } from './dev-tls.mjs';
import { securityHeaders } from './http-policy.mjs';
import { panelEndpoints } from './panel-endpoints.mjs';
import { ensurePrivateDir } from './server-state.mjs';
import { setupCodes, showCode } from './setup-code.mjs';

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
    // Broker logins and the set-up code: a folder only this user can read.
    'state-dir': { type: 'string', default: process.env.DOORWARD_STATE ?? '.cache/server' },
    // Another broker the pages may reach (opened with ?broker=...): added to the CSP's connect-src.
    'broker-origin': { type: 'string', multiple: true, default: [] },
    // Your own broker instead of the embedded one (e.g. Home Assistant's Mosquitto over wss), and
    // the panel's login there: a JSON file {"username", "password"} readable by this user only.
    broker: { type: 'string' },
    'broker-login-file': { type: 'string' },
    // Also run the Matter bridge (matter-bridge/, once paired with `npm run matter -- --pair ...`).
    matter: { type: 'boolean', default: false },
  },
});

const root = new URL('..', import.meta.url).pathname;
const state = ensurePrivateDir(values['state-dir']);
const say = (m) => console.warn(`[start] ${m}`);

if (existsSync(`${root}scripts/provision-models.mjs`)) {
  const r = spawnSync(process.execPath, [`${root}scripts/provision-models.mjs`], { stdio: 'inherit', cwd: root });
  if (r.status !== 0) say('model provisioning failed: the kiosk will say face entry is unavailable');
}

if (!values['no-build']) await build({ root, logLevel: 'warn' });

// Localhost stays plain; each LAN address gets HTTPS and a wss listener on the broker's port.
const lan = values['no-lan'] ? [] : values['lan-address'] ? [values['lan-address']] : lanAddresses();
let tls = null;
if (lan.length > 0) {
  try {
    tls = ensureDevCertificate(`${root}.cache/tls`, lan.filter((a) => a !== '127.0.0.1'));
  } catch (err) {
    say(`no HTTPS on the LAN (openssl failed: ${err.message})`);
  }
}

/** The panel's login at a broker of the installer's own, from a file nobody else may read. */
function ownBrokerLogin(file) {
  if (!file) throw new Error('--broker needs --broker-login-file (the panel logs in, so Home Assistant can be offered)');
  if ((statSync(file).mode & 0o077) !== 0) throw new Error(`${file} is readable by others: chmod 600 it`);
  const { username, password } = JSON.parse(readFileSync(file, 'utf8'));
  if (typeof username !== 'string' || typeof password !== 'string') throw new Error(`${file}: {"username": "...", "password": "..."} expected`);
  return { username, password };
}
const own = values.broker ? { url: values.broker, login: ownBrokerLogin(values['broker-login-file']) } : null;
if (own && !/^wss?:\/\/[^\s/]+(\/\S*)?$/.test(own.url)) throw new Error(`--broker ${own.url}: a ws:// or wss:// URL expected`);

// The broker first: the pages' CSP and the kiosk's config name it.
const logins = brokerLogins(state, { log: (m) => console.warn(`[broker] ${m}`) });
const brokerPort = Number(values['broker-port']);
const brokerHost = isLoopback(values.host) ? (values.host === 'localhost' ? '127.0.0.1' : values.host) : '127.0.0.1';
const broker = own ? null : await startBroker({
  port: brokerPort,
  host: brokerHost,
  logins,
  log: (m) => console.warn(`[broker] ${m}`),
  // The plain listener already has 127.0.0.1; a TLS one there would need its own port.
  tlsListeners: tls ? lan.filter((a) => a !== '127.0.0.1').map((host) => ({ host, key: tls.key, cert: tls.cert })) : [],
}).catch((err) => {
  say(`embedded MQTT broker not started: ${err.message}`);
  return null;
});
const phoneBroker = own ? own.url : (broker?.tlsUrls[0] ?? null);
const brokers = own ? [new URL(own.url).origin.replace(/^http/, 'ws')] : broker ? [`ws://127.0.0.1:${broker.port}`, `ws://localhost:${broker.port}`, ...broker.tlsUrls] : [];
const headers = securityHeaders({ brokers: [...brokers, ...values['broker-origin']] });

const setup = setupCodes(state, {
  log: (m) => console.warn(`[setup] ${m}`),
  announce: (code) => console.log(`\nNext first-boot set-up code: ${showCode(code)} (for the next panel that has no admin PIN yet)\n`),
});

const kiosk = {
  config: () => ({
    broker: own ? { url: own.url, ...own.login } : broker ? { url: broker.url, username: logins.panel.username, password: logins.panel.password } : null,
    // Phones cannot use loopback: their pairing code names the wss listener (null: pairing off).
    phoneBroker,
    phoneLogins: !!(broker && phoneBroker),
  }),
  // Logins for phones are the embedded broker's to make; on your own broker, its own accounts.
  phoneLogin: (panelId) => (broker && phoneBroker ? { url: phoneBroker, ...logins.issuePhoneLogin(panelId) } : null),
};
const serve = (preview_, endpoints) =>
  preview({
    root,
    build: { outDir: values.dist },
    // No CORS: nothing here is for other origins.
    preview: { ...preview_, cors: false, headers },
    plugins: [panelEndpoints({ headers, setup, kiosk: endpoints, log: (m) => console.warn(`[server] ${m}`) })],
  });

// Only the kiosk's own listener hands out the broker login, and only to requests from loopback.
const server = await serve({ port: Number(values.port), host: values.host, strictPort: true }, kiosk);
const url = server.resolvedUrls?.local[0] ?? `http://${values.host}:${values.port}/`;
const lanServers = [];
if (tls) {
  for (const address of lan) {
    const s = await serve({ port: Number(values['lan-port']), host: address, strictPort: true, https: { key: tls.key, cert: tls.cert } }, null).catch((err) => {
      say(`HTTPS on ${address} not started: ${err.message}`);
      return null;
    });
    if (s) lanServers.push(s);
  }
}
const lanLines = lanServers.flatMap((s) => [...(s.resolvedUrls?.network ?? []), ...(s.resolvedUrls?.local ?? [])].map((u) => `On the LAN:     ${u} (self-signed; SHA-256 ${tls?.fingerprint})\nPhone admin:    ${u}#/remote`));
console.log(
  `\nDoorward kiosk: ${url}\nAdmin area:     ${url}#/admin\n${lanLines.join('\n')}${lanLines.length ? '\n' : ''}` +
 (own ? `MQTT broker:    ${own.url} (yours, as ${own.login.username})\n` : `MQTT broker:    ${[broker?.url, ...(broker?.tlsUrls ?? [])].filter(Boolean).join(', ') || 'none'} (embedded aedes, MQTT 3.1.1; logins only${phoneBroker ? '' : '; no TLS listener, so no phone pairing'})\n`) +
    (!own && logins.created ? `Panel's broker login (shown this once; kept in ${state}/broker-logins.json, mode 0600): ${logins.panel.username} / ${logins.panel.password}\n` : '') +
    `First-boot set-up code: ${showCode(setup.code)} (a new panel's admin screen asks for it before its admin PIN is chosen; works once)\n` +
    `(door controller: simulated until a board is connected in the admin area)\n`,
);

// The bridge reaches the broker as a phone does (the pairing code's wss listener), so it is told to
// trust this server's self-signed certificate; its own process, so a Matter fault cannot stop the door.
const matter = values.matter
  ? spawn(process.execPath, [`${root}matter-bridge/main.mjs`], { stdio: 'inherit', cwd: root, env: { ...process.env, ...(tls ? { NODE_EXTRA_CA_CERTS: `${root}.cache/tls/cert.pem` } : {}) } })
  : null;
matter?.on('exit', (code) => say(`Matter bridge stopped (${code}); see npm run matter`));

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    matter?.kill('SIGTERM');
    void Promise.allSettled([server.close(), ...lanServers.map((s) => s.close()), broker?.close()]).finally(() => process.exit(0));
  });
}
