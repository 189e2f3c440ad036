import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker, type EmbeddedBroker } from '../../scripts/broker.mjs';
import { brokerLogins, PHONE_LOGIN_UNUSED_MS, type BrokerLogins } from '../../scripts/broker-auth.mjs';
import { ensureDevCertificate } from '../../scripts/dev-tls.mjs';
import { connectMqtt } from './link.ts';
import { outageAndRecovery, pairingAndCommands, startPanel, waitFor, type BrokerUnderTest } from '../../tests/remote/scenario.ts';
import { freePort } from '../../tests/remote/mosquitto.ts';

// The embedded broker of `npm start` (aedes, MQTT 3.1.1 only): the link must fall back, and
// nobody gets in without a login or out of their own topics. 127.0.0.2 plays the LAN address.
const LAN = '127.0.0.2';
let embedded: EmbeddedBroker | null = null;
let broker: BrokerUnderTest;
let logins: BrokerLogins;
let dir: string;
let port: number;
let tls: { key: Buffer; cert: Buffer };
const refusals: string[] = [];

async function start(): Promise<void> {
  embedded = await startBroker({ port, logins, tlsListeners: [{ host: LAN, ...tls }], log: (m) => refusals.push(m) });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'doorward-broker-'));
  port = await freePort();
  tls = ensureDevCertificate(join(dir, 'tls'), [LAN]);
  logins = brokerLogins(join(dir));
  await start();
  broker = {
    url: embedded!.url,
    connect: connectMqtt,
    panelLogin: logins.panel,
    // The phone in these tests lives on this machine, so its code names the loopback listener.
    phoneBroker: async (panelId) => ({ url: embedded!.url, login: logins.issuePhoneLogin(panelId) }),
    stop: async () => {
      await embedded?.close();
      embedded = null;
    },
    start,
  };
});
afterAll(async () => {
  if (process.env.DEBUG_BROKER) console.log(refusals.join('\n'));
  await embedded?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A raw MQTT 3.1.1 client: resolves once the broker accepted it, rejects with its refusal. */
function client(url: string, o: IClientOptions): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const c = mqtt.connect(url, { protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 5_000, ...o });
    c.once('connect', () => resolve(c));
    c.once('error', (err) => {
      c.end(true);
      reject(err);
    });
    c.once('close', () => reject(new Error('closed before CONNACK')));
  });
}
/** The QoS the broker granted, 128 for a refusal (which MQTT.js reports as an error). */
const grantedQos = (c: MqttClient, topic: string) =>
  c.subscribeAsync(topic, { qos: 1 }).then(
    (granted) => granted[0]?.qos,
    (err: unknown) => (err as { packet?: { granted?: number[] } }).packet?.granted?.[0],
  );
const PANEL = 'PnL0123456789abc';
const OTHER_PANEL = 'Xyz0123456789abc';
const ADMIN = 'AdminAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
const OTHER_ADMIN = 'BdminBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB';

describe('the embedded broker lets nobody in without a login', () => {
  it('keeps its logins in a file only its user can read', () => {
    expect(statSync(join(dir, 'broker-logins.json')).mode & 0o777).toBe(0o600);
    expect(logins.created).toBe(true);
    expect(brokerLogins(dir).created).toBe(false);
    expect(brokerLogins(dir).panel).toEqual(logins.panel);
  });

  it('refuses an anonymous client and a wrong password', async () => {
    await expect(client(embedded!.url, { clientId: `dw-panel-${PANEL}` })).rejects.toThrow(/bad user ?name or password|not authorized/i);
    await expect(client(embedded!.url, { clientId: `dw-panel-${PANEL}`, username: logins.panel.username, password: `${logins.panel.password}x` })).rejects.toThrow(/bad user ?name or password|not authorized/i);
    const phone = logins.issuePhoneLogin(PANEL);
    await expect(client(embedded!.url, { clientId: `dw-admin-${ADMIN.slice(0, 16)}`, username: phone.username, password: 'guess' })).rejects.toThrow(/bad user ?name or password|not authorized/i);
    // The panel's login acts only as a panel: another client id with it is refused.
    await expect(client(embedded!.url, { clientId: 'spy', username: logins.panel.username, password: logins.panel.password })).rejects.toThrow(/bad user ?name or password|not authorized/i);
    expect(refusals.filter((r) => r.startsWith('login refused'))).toHaveLength(4);
  });

  it('holds the panel to its own subtree', async () => {
    const p = await client(embedded!.url, { clientId: `dw-panel-${PANEL}`, username: logins.panel.username, password: logins.panel.password });
    try {
      expect(await grantedQos(p, `doorward/${PANEL}/cmd/+`)).toBe(1);
      expect(await grantedQos(p, `doorward/${OTHER_PANEL}/cmd/+`)).toBe(128);
      expect(await grantedQos(p, 'doorward/#')).toBe(128);
      expect(await grantedQos(p, '#')).toBe(128);
      expect(await grantedQos(p, '$SYS/#')).toBe(128);
    } finally {
      await p.endAsync(true);
    }
  });

  it("keeps a phone's login to its panel's topics and its own admin id", async () => {
    const panel = await client(embedded!.url, { clientId: `dw-panel-${PANEL}`, username: logins.panel.username, password: logins.panel.password });
    const seen: string[] = [];
    panel.on('message', (topic) => seen.push(topic));
    await panel.subscribeAsync(`doorward/${PANEL}/#`, { qos: 1 });
    const login = logins.issuePhoneLogin(PANEL);
    const asPhone = (suffix = '') => client(embedded!.url, { clientId: `dw-admin-${ADMIN.slice(0, 16)}${suffix}`, username: login.username, password: login.password });
    const phone = await asPhone();
    try {
      // Its own topics: granted; the first admin id it uses is the one it is bound to.
      expect(await grantedQos(phone, `doorward/${PANEL}/reply/${ADMIN}`)).toBe(1);
      for (const t of ['events', 'state', 'config', 'lwt']) expect(await grantedQos(phone, `doorward/${PANEL}/${t}`)).toBe(1);
      // Anyone else's: refused.
      for (const t of [`doorward/${PANEL}/reply/${OTHER_ADMIN}`, `doorward/${PANEL}/cmd/+`, `doorward/${PANEL}/cmd/${OTHER_ADMIN}`, `doorward/${PANEL}/pair`, `doorward/${PANEL}/#`, `doorward/+/events`, `doorward/${OTHER_PANEL}/events`, '#', '$SYS/#']) {
        expect({ t, qos: await grantedQos(phone, t) }).toEqual({ t, qos: 128 });
      }
      await phone.publishAsync(`doorward/${PANEL}/cmd/${ADMIN}`, 'mine', { qos: 1 });
      await waitFor('its own command delivered', () => seen.includes(`doorward/${PANEL}/cmd/${ADMIN}`));
    } finally {
      await phone.endAsync(true);
    }
    // Each forbidden publish costs the phone its connection and reaches nobody.
    for (const [topic, retain] of [[`doorward/${PANEL}/cmd/${OTHER_ADMIN}`, false], [`doorward/${OTHER_PANEL}/pair`, false], [`doorward/${PANEL}/state`, false], [`doorward/${PANEL}/pair`, true]] as const) {
      const c = await asPhone();
      const closed = new Promise<void>((r) => c.once('close', () => r()));
      c.publish(topic, 'forged', { qos: 1, retain });
      await closed;
      c.end(true);
    }
    // A sentinel from the panel itself, after them: it arrives, and none of the forgeries did.
    await panel.publishAsync(`doorward/${PANEL}/events`, 'sentinel', { qos: 1 });
    await waitFor('the sentinel', () => seen.includes(`doorward/${PANEL}/events`));
    expect(seen.filter((t) => t !== `doorward/${PANEL}/cmd/${ADMIN}` && t !== `doorward/${PANEL}/events`)).toEqual([]);
    // Bound now: the same login under another admin's client id is refused at the door.
    await expect(client(embedded!.url, { clientId: `dw-admin-${OTHER_ADMIN.slice(0, 16)}`, username: login.username, password: login.password })).rejects.toThrow(/bad user ?name or password|not authorized/i);
    await panel.endAsync(true);
  });

  it('lets a phone login nobody used lapse with its pairing code', async () => {
    let now = Date.now();
    const timed = brokerLogins(mkdtempSync(join(tmpdir(), 'doorward-lapse-')), { now: () => now });
    const login = timed.issuePhoneLogin(PANEL);
    now += PHONE_LOGIN_UNUSED_MS + 1;
    expect(timed.authenticate(login.username, login.password, `dw-admin-${ADMIN.slice(0, 16)}`)).toBeNull();
  });

  it('answers plain ws on loopback only: the LAN address speaks wss, and a plain listener there is refused', async () => {
    await expect(client(`ws://${LAN}:${port}`, { clientId: `dw-panel-${PANEL}`, username: logins.panel.username, password: logins.panel.password })).rejects.toThrow();
    const c = await client(`wss://${LAN}:${port}`, { clientId: `dw-panel-${PANEL}`, username: logins.panel.username, password: logins.panel.password, rejectUnauthorized: false });
    await c.endAsync(true);
    await expect(client(`wss://${LAN}:${port}`, { clientId: `dw-panel-${PANEL}`, rejectUnauthorized: false })).rejects.toThrow(/bad user ?name or password|not authorized/i);
    await expect(startBroker({ port: await freePort(), host: '0.0.0.0', logins })).rejects.toThrow(/loopback only/);
    await expect(startBroker({ port: await freePort(), host: LAN.replace('127.0.0.2', '192.168.1.20'), logins })).rejects.toThrow(/loopback only/);
  });
});

describe('remote admin against the embedded aedes broker', () => {
  it('falls back to MQTT 3.1.1', async () => {
    const panel = await startPanel(broker);
    expect(panel.remote.protocolVersion).toBe(4);
    panel.stop();
  });
  it('pairs through the QR payload, which carries the phone its own login, and carries out signed commands', () => pairingAndCommands(broker), 60_000);
  // Replays and forged commands are the panel's to refuse whatever the broker (remote.test.ts,
  // mosquitto.integration.test.ts); here no spy can even subscribe to the command topics.
  it('delivers events queued while it was down once it is back (in-memory broker: catch-up fills the gap)', () => outageAndRecovery(broker), 90_000);
});
