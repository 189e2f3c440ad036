// The embedded development broker for `npm start`: aedes (MQTT 3.1.1) behind a `ws` WebSocket
// server, so the one-command demo has remote admin with no daemon to install. It keeps retained
// messages and sessions in memory only; production uses a real broker (README: Mosquitto).
//   node scripts/broker.mjs [--port 8081] [--host 0.0.0.0]
import { createServer } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { Aedes } from 'aedes';
import { WebSocketServer, createWebSocketStream } from 'ws';

/**
 * One broker, any number of listeners: plain ws on localhost for the panel itself, and wss on
 * the LAN address for phones (same port number, other interface), so both meet in one broker.
 * @param {{ port?: number, host?: string, log?: (msg: string) => void, tlsListeners?: { host: string, key: Buffer, cert: Buffer }[] }} [options]
 * @returns {Promise<{ url: string, port: number, tlsUrls: string[], close(): Promise<void> }>}
 */
export async function startBroker({ port = 8081, host = '127.0.0.1', log = () => {}, tlsListeners = [] } = {}) {
  const aedes = await Aedes.createBroker();
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
  aedes.on('clientError', (client, err) => log(`client ${client?.id ?? '?'}: ${err.message}`));
  const plain = await listen(createServer(refuse), host, port);
  const secure = [];
  for (const t of tlsListeners) secure.push({ host: t.host, ...(await listen(createTlsServer({ key: t.key, cert: t.cert }, refuse), t.host, plain.port)) });
  const shownHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  return {
    url: `ws://${shownHost}:${plain.port}`,
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
  const { values } = parseArgs({ options: { port: { type: 'string', default: process.env.BROKER_PORT ?? '8081' }, host: { type: 'string', default: process.env.BROKER_HOST ?? '0.0.0.0' } } });
  const broker = await startBroker({ port: Number(values.port), host: values.host, log: (m) => console.warn(`[broker] ${m}`) });
  console.log(`Development MQTT broker (aedes, MQTT 3.1.1 over WebSocket): ${broker.url}`);
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => void broker.close().finally(() => process.exit(0)));
}
