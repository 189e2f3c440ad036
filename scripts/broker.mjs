// The embedded development broker for `npm start`: aedes (MQTT 3.1.1) behind a `ws` WebSocket
// server, so the one-command demo has remote admin with no daemon to install. It keeps retained
// messages and sessions in memory only; production uses a real broker (README: Mosquitto).
//   node scripts/broker.mjs [--port 8081] [--host 0.0.0.0]
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { Aedes } from 'aedes';
import { WebSocketServer, createWebSocketStream } from 'ws';

/**
 * @param {{ port?: number, host?: string, log?: (msg: string) => void }} [options]
 * @returns {Promise<{ url: string, port: number, close(): Promise<void> }>}
 */
export async function startBroker({ port = 8081, host = '127.0.0.1', log = () => {} } = {}) {
  const aedes = await Aedes.createBroker();
  const http = createServer((_req, res) => {
    res.writeHead(426, { 'content-type': 'text/plain' }).end('MQTT over WebSocket only\n');
  });
  // MQTT.js asks for the "mqtt" subprotocol; answering it keeps strict clients happy.
  const wss = new WebSocketServer({ server: http, handleProtocols: (protocols) => (protocols.has('mqtt') ? 'mqtt' : false) });
  wss.on('connection', (socket, req) => {
    const stream = createWebSocketStream(socket);
    stream.on('error', () => socket.terminate());
    aedes.handle(stream, req);
  });
  aedes.on('clientError', (client, err) => log(`client ${client?.id ?? '?'}: ${err.message}`));
  await new Promise((resolve, reject) => {
    http.once('error', reject);
    http.listen(port, host, () => resolve(undefined));
  });
  const address = http.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  const shownHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  return {
    url: `ws://${shownHost}:${actualPort}`,
    port: actualPort,
    async close() {
      for (const client of wss.clients) client.terminate();
      await new Promise((resolve) => wss.close(() => resolve(undefined)));
      await new Promise((resolve) => http.close(() => resolve(undefined)));
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
