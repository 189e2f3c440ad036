import { createServer, connect, type Server, type Socket } from 'node:net';
import { connectMqtt, type MqttFactory } from '../../src/remote/link.ts';
import { freePort, startMosquitto, type Mosquitto } from '../remote/mosquitto.ts';

/**
 * Where the hub's tests run their site: one real Mosquitto for doors and hub, or two bridged as
 * a building and the central broker are (doors on the building's, the hub on the central one),
 * with the bridge running through a loopback relay the test can cut and restore.
 */
export interface Site {
  readonly name: string;
  /** Where the doors connect. */
  readonly doorUrl: string;
  /** Where the hub connects. */
  readonly hubUrl: string;
  readonly connect: MqttFactory;
  /** Cut what joins doors and hub (the bridge; on one broker, the broker itself) and restore it. */
  cut(): Promise<void>;
  restore(): Promise<void>;
  dispose(): Promise<void>;
}

export async function singleBroker(): Promise<Site> {
  const m = await startMosquitto();
  return { name: 'one Mosquitto', doorUrl: m.url, hubUrl: m.url, connect: connectMqtt, cut: () => m.stop(), restore: () => m.start(), dispose: () => m.dispose() };
}

/** A TCP relay on loopback: while cut, nothing gets through and every connection is dropped. */
class Relay {
  #server: Server | null = null;
  readonly #sockets = new Set<Socket>();
  constructor(readonly port: number, readonly target: number) {}
  listen(): Promise<void> {
    const server = createServer((inbound) => {
      const outbound = connect(this.target, '127.0.0.1');
      for (const s of [inbound, outbound]) {
        this.#sockets.add(s);
        s.on('close', () => this.#sockets.delete(s));
        s.on('error', () => undefined);
      }
      inbound.pipe(outbound).pipe(inbound);
      inbound.on('close', () => outbound.destroy());
      outbound.on('close', () => inbound.destroy());
    });
    this.#server = server;
    return new Promise((resolve) => server.listen(this.port, '127.0.0.1', () => resolve()));
  }
  async cut(): Promise<void> {
    const server = this.#server;
    this.#server = null;
    for (const s of this.#sockets) s.destroy();
    if (server) await new Promise((r) => server.close(() => r(null)));
  }
}

export async function bridgedBrokers(): Promise<Site> {
  const central: Mosquitto = await startMosquitto();
  const relay = new Relay(await freePort(), central.tcpPort);
  await relay.listen();
  const building = await startMosquitto([
    'connection central',
    `address 127.0.0.1:${relay.port}`,
    // Everything of the doorward tree both ways, QoS 1; the sessions on both ends persist, so
    // what a door says while the bridge is down is queued in the building and sent once it is up.
    'topic doorward/# both 1',
    'cleansession false',
    'local_cleansession false',
    'bridge_protocol_version mqttv311',
    'try_private true',
    'notifications false',
    'restart_timeout 1 3',
    'keepalive_interval 5',
    'max_queued_messages 100000',
  ]);
  return {
    name: 'two bridged Mosquittos',
    doorUrl: building.url,
    hubUrl: central.url,
    connect: connectMqtt,
    cut: () => relay.cut(),
    restore: () => relay.listen(),
    async dispose() {
      await relay.cut();
      await building.dispose();
      await central.dispose();
    },
  };
}
