import type { IClientOptions, MqttClient } from 'mqtt';
import type { BrokerLogin } from './broker-url.ts';

/**
 * The MQTT boundary. Panel and phone code talk to `MqttLike`, never to MQTT.js, so tests use
 * the fake in tests/support/mqtt.ts and the real client is one adapter here.
 *
 * MQTT 5 is tried first (session expiry, message expiry on commands); a broker that refuses it
 * with "unacceptable protocol version" (aedes, old Mosquitto) gets MQTT 3.1.1 with a persistent
 * session instead, and commands then rely on their signed expiry alone. Reconnects back off
 * exponentially with jitter so a fleet of panels does not stampede a restarted broker.
 */
export type LinkStatus = 'connecting' | 'online' | 'offline';

export interface MqttMessage {
  readonly topic: string;
  readonly payload: Uint8Array;
  /** True for a retained message replayed on subscribe: never an instruction to act on. */
  readonly retain: boolean;
}

export interface PublishOptions {
  readonly qos: 0 | 1;
  readonly retain?: boolean;
  /** MQTT 5 message expiry; ignored on 3.1.1. */
  readonly expirySeconds?: number;
}

export interface MqttLike {
  readonly status: LinkStatus;
  /** 5 or 4 (3.1.1) once connected; null before. */
  readonly protocolVersion: 4 | 5 | null;
  /** Resolves when the broker acknowledged (QoS 1); rejects when offline or not acked in time. */
  publish(topic: string, payload: string | Uint8Array, opts: PublishOptions): Promise<void>;
  /** Remembered and re-subscribed on every connect; resolves at once while offline. */
  subscribe(filters: readonly string[]): Promise<void>;
  onMessage(cb: (m: MqttMessage) => void): () => void;
  onStatus(cb: (s: LinkStatus) => void): () => void;
  close(): Promise<void>;
}

export interface LinkOptions {
  readonly url: string;
  readonly clientId: string;
  /** The broker's login for this client, sent in CONNECT (so only over wss off this machine). */
  readonly login?: BrokerLogin | null;
  readonly will?: { readonly topic: string; readonly payload: string; readonly retain: boolean };
  /** How long the broker keeps the session (subscriptions, queued QoS 1) while we are away. */
  readonly sessionExpirySeconds: number;
  readonly ackTimeoutMs?: number;
  readonly backoff?: { readonly baseMs: number; readonly maxMs: number };
  readonly log?: (msg: string) => void;
}

export type MqttFactory = (options: LinkOptions) => MqttLike;

/** Exponential with "equal jitter": between half and all of base * 2^attempt, capped. */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: number): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + (ceiling / 2) * Math.min(1, Math.max(0, random)));
}

/** Refusals that mean "speak an older protocol", not "go away". */
export function isProtocolRefusal(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  return !!e && (e.code === 1 || e.code === 132 || (typeof e.message === 'string' && /unacceptable protocol version|unsupported protocol version/i.test(e.message)));
}

export const connectMqtt: MqttFactory = (options) => new MqttJsLink(options);

class MqttJsLink implements MqttLike {
  readonly #o: LinkOptions;
  #client: MqttClient | null = null;
  #status: LinkStatus = 'connecting';
  #version: 4 | 5 = 5;
  #connectedVersion: 4 | 5 | null = null;
  #attempt = 0;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #closed = false;
  readonly #filters = new Set<string>();
  readonly #messageListeners = new Set<(m: MqttMessage) => void>();
  readonly #statusListeners = new Set<(s: LinkStatus) => void>();

  constructor(options: LinkOptions) {
    this.#o = options;
    void this.#open();
  }

  get status(): LinkStatus {
    return this.#status;
  }

  get protocolVersion(): 4 | 5 | null {
    return this.#connectedVersion;
  }

  async #open(): Promise<void> {
    // Loaded on first use so the kiosk's own bundle does not carry an MQTT client.
    const { default: mqtt } = await import('mqtt');
    if (this.#closed) return;
    const v5 = this.#version === 5;
    const opts: IClientOptions = {
      protocolVersion: this.#version,
      clientId: this.#o.clientId,
      ...(this.#o.login ? { username: this.#o.login.username, password: this.#o.login.password } : {}),
      clean: false,
      keepalive: 30,
      connectTimeout: 10_000,
      reconnectPeriod: 0,
      resubscribe: false,
      queueQoSZero: false,
      ...(v5 ? { properties: { sessionExpiryInterval: this.#o.sessionExpirySeconds } } : {}),
      ...(this.#o.will ? { will: { topic: this.#o.will.topic, payload: this.#o.will.payload, qos: 1 as const, retain: this.#o.will.retain } } : {}),
    };
    const client = mqtt.connect(this.#o.url, opts);
    this.#client = client;
    client.on('connect', () => {
      this.#attempt = 0;
      this.#connectedVersion = this.#version;
      this.#o.log?.(`connected (MQTT ${this.#version === 5 ? '5' : '3.1.1'})`);
      // Re-subscribing on every connect is harmless on a kept session and needed on a lost one.
      if (this.#filters.size > 0) void client.subscribeAsync([...this.#filters], { qos: 1 }).catch((e: unknown) => this.#o.log?.(`subscribe failed: ${String(e)}`));
      this.#setStatus('online');
    });
    client.on('message', (topic, payload, packet) => {
      const m: MqttMessage = { topic, payload: new Uint8Array(payload.buffer, payload.byteOffset, payload.byteLength), retain: packet.retain === true };
      for (const cb of this.#messageListeners) cb(m);
    });
    client.on('error', (err) => {
      if (this.#version === 5 && isProtocolRefusal(err)) {
        this.#o.log?.('broker refused MQTT 5: falling back to 3.1.1');
        this.#version = 4;
        this.#attempt = 0;
      } else {
        this.#o.log?.(`link error: ${err.message}`);
      }
    });
    client.on('close', () => {
      if (this.#client !== client) return;
      this.#setStatus(this.#closed ? 'offline' : 'connecting');
      if (!this.#closed) this.#scheduleReconnect(client);
    });
  }

  #scheduleReconnect(client: MqttClient): void {
    if (this.#timer) return;
    const base = this.#o.backoff?.baseMs ?? 1_000;
    const max = this.#o.backoff?.maxMs ?? 60_000;
    const delay = backoffDelay(this.#attempt++, base, max, Math.random());
    this.#timer = setTimeout(() => {
      this.#timer = null;
      if (this.#closed) return;
      if (client.options.protocolVersion !== this.#version) {
        // The protocol version is fixed per client: a fallback needs a fresh one.
        client.removeAllListeners();
        client.end(true);
        void this.#open();
      } else {
        client.reconnect();
      }
    }, delay);
  }

  #setStatus(s: LinkStatus): void {
    if (s === this.#status) return;
    this.#status = s;
    for (const cb of this.#statusListeners) cb(s);
  }

  async publish(topic: string, payload: string | Uint8Array, opts: PublishOptions): Promise<void> {
    const client = this.#client;
    if (!client || this.#status !== 'online') throw new Error('offline');
    const props = this.#version === 5 && opts.expirySeconds ? { properties: { messageExpiryInterval: opts.expirySeconds } } : {};
    const body = typeof payload === 'string' ? payload : toBuffer(payload);
    const timeout = this.#o.ackTimeoutMs ?? 10_000;
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await Promise.race([
        client.publishAsync(topic, body, { qos: opts.qos, retain: opts.retain ?? false, ...props }),
        new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('publish not acknowledged')), timeout))),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  async subscribe(filters: readonly string[]): Promise<void> {
    for (const f of filters) this.#filters.add(f);
    const client = this.#client;
    if (client && this.#status === 'online') await client.subscribeAsync([...filters], { qos: 1 });
  }

  onMessage(cb: (m: MqttMessage) => void): () => void {
    this.#messageListeners.add(cb);
    return () => this.#messageListeners.delete(cb);
  }

  onStatus(cb: (s: LinkStatus) => void): () => void {
    this.#statusListeners.add(cb);
    return () => this.#statusListeners.delete(cb);
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    const client = this.#client;
    this.#setStatus('offline');
    if (client) await client.endAsync(true).catch(() => undefined);
  }
}

/** MQTT.js wants a Buffer in Node; in the browser its bundled Buffer polyfill accepts bytes. */
function toBuffer(bytes: Uint8Array): Parameters<MqttClient['publishAsync']>[1] {
  const B = (globalThis as { Buffer?: { from(b: Uint8Array): unknown } }).Buffer;
  return (B ? B.from(bytes) : bytes) as Parameters<MqttClient['publishAsync']>[1];
}
