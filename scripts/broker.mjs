// The embedded development broker for `npm start`: aedes (MQTT 3.1.1) behind a `ws` WebSocket
// server, so the one-command demo has remote admin with no daemon to install. It keeps retained
// messages and sessions in memory only; production uses a real broker (README: Mosquitto).
// It is never open: every client logs in and is held to its own topics (broker-auth.mjs), the
// plain ws listener binds loopback only (the kiosk on this machine), and other interfaces get
// wss only (phones).
//   node scripts/broker.mjs [--port 8081] [--state-dir .cache/server]
import { createServer } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { isIP } from 'node:net';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { Aedes } from 'aedes';
import { WebSocketServer, createWebSocketStream } from 'ws';
import { brokerLogins } from './broker-auth.mjs';
import { ensurePrivateDir } from './server-state.mjs';

/** @param {string} host */
export function isLoopback(host) {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

/** Attacker-chosen text in one log line: printable, short. */
const shown = (v) => JSON.stringify(String(v ?? '')).slice(0, 70);

/**
 * One broker, any number of listeners: plain ws on loopback for the panel itself, and wss on
 * the LAN addresses for phones (same port number, other interface), so both meet in one broker.
 * @param {{ port?: number, host?: string, logins: ReturnType<typeof brokerLogins>, log?: (msg: string) => void, tlsListeners?: { host: string, key: Buffer, cert: Buffer }[] }} options
 * @returns {Promise<{ url: string, port: number, tlsUrls: string[], close(): Promise<void> }>}
 */
export async function startBroker({ port = 8081, host = '127.0.0.1', logins, log = () => {}, tlsListeners = [] }) {
  if (!logins) throw new Error('the embedded broker needs its logins (broker-auth.mjs): it never runs open');
  // Plain MQTT over ws would hand the LAN every password and message: off loopback it is wss or nothing.
  if (!isLoopback(host)) throw new Error(`plain ws is for loopback only, not ${host}: phones on the LAN use the TLS listener`);
  for (const t of tlsListeners) if (!t.key || !t.cert) throw new Error(`TLS listener on ${t.host} without a certificate`);
  const aedes = await Aedes.createBroker();
  /** @type {WeakMap<object, import('./broker-auth.mjs').BrokerIdentity>} */
  const who = new WeakMap();
  aedes.authenticate = (client, username, password, done) => {
    const id = logins.authenticate(username, password, client.id);
    if (!id) {
      log(`login refused: user ${shown(username)}, client ${shown(client.id)}`);
      return done(Object.assign(new Error('bad user name or password'), { returnCode: 4 }), false);
    }
    who.set(client, id);
    done(null, true);
  };
  aedes.authorizePublish = (client, packet, done) => {
    const id = client ? who.get(client) : undefined;
    if (id && logins.mayPublish(id, packet.topic, packet.retain === true)) return done(null);
    log(`publish refused: ${shown(packet.topic)} from ${shown(client?.id)}`);
    done(new Error('not allowed'));
  };
  aedes.authorizeSubscribe = (client, sub, done) => {
    const id = who.get(client);
    if (id && logins.maySubscribe(id, sub.topic)) return done(null, sub);
    log(`subscribe refused: ${shown(sub.topic)} from ${shown(client?.id)}`);
    done(null, null);
  };
  const refuse = (_req, res) => {
    res.writeHead(426, { 'content-type': 'text/plain' }).end('MQTT over WebSocket only\n');
  };
  const listen = async (server, at, p) => {
    // MQTT.js asks for the "mqtt" subprotocol; answering it keeps strict clients happy.
    const wss = new WebSocketServer({ server, handleProtocols: (protocols) => (protocols.has('mqtt') ? 'mqtt' : false) });
    wss.on('connection', (socket, req) => {
      const stream = createWebSocketStream(socket);
      stream.on('error', () => socket.terminate());
      aedes.handle(stream, req);
    });
    await new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(p, at, () => resolve(undefined));
    });
    const address = server.address();
    return { server, wss, port: typeof address === 'object' && address ? address.port : p };
  };
  aedes.on('clientError', (client, err) => log(`client ${shown(client?.id)}: ${err.message}`));
  const plain = await listen(createServer(refuse), host, port);
  const secure = [];
  for (const t of tlsListeners) secure.push({ host: t.host, ...(await listen(createTlsServer({ key: t.key, cert: t.cert }, refuse), t.host, plain.port)) });
  return {
    url: `ws://${host}:${plain.port}`,
    port: plain.port,
    tlsUrls: secure.map((s) => `wss://${s.host}:${s.port}`),
    async close() {
      for (const l of [plain, ...secure]) {
        for (const client of l.wss.clients) client.terminate();
        await new Promise((resolve) => l.wss.close(() => resolve(undefined)));
        await new Promise((resolve) => l.server.close(() => resolve(undefined)));
      }
      await new Promise((resolve) => aedes.close(() => resolve(undefined)));
    },
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({ options: { port: { type: 'string', default: process.env.BROKER_PORT ?? '8081' }, 'state-dir': { type: 'string', default: '.cache/server' } } });
  const logins = brokerLogins(ensurePrivateDir(values['state-dir']), { log: (m) => console.warn(`[broker] ${m}`) });
  const broker = await startBroker({ port: Number(values.port), logins, log: (m) => console.warn(`[broker] ${m}`) });
  console.log(`Development MQTT broker (aedes, MQTT 3.1.1 over WebSocket): ${broker.url}, login required`);
  if (logins.created) console.log(`Panel login (shown once; kept in ${values['state-dir']}/broker-logins.json): ${logins.panel.username} / ${logins.panel.password}`);
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => void broker.close().finally(() => process.exit(0)));
}
