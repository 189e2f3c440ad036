// The MQTT boundary, faked once: a broker with retained messages, persistent sessions, last
// wills and outages, and the client the app's link talks to.
import type { LinkOptions, LinkStatus, MqttLike, MqttMessage, PublishOptions, MqttFactory } from '../../src/remote/link.ts';

// ---------------------------------------------------------------------------------------------
// MQTT

interface Session {
  readonly filters: Set<string>;
  /** QoS 1 messages for a persistent session whose client is away. */
  readonly queue: MqttMessage[];
  client: FakeMqtt | null;
}

export interface PublishRecord {
  readonly from: string;
  readonly topic: string;
  readonly payload: string;
  readonly retain: boolean;
}

export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}

export class FakeBroker {
  #running = true;
  readonly #retained = new Map<string, Uint8Array>();
  readonly #sessions = new Map<string, Session>();
  readonly #clients = new Set<FakeMqtt>();
  readonly #silenced = new Set<string>();
  /** Every publish the broker accepted, as the broker saw it (for "the broker sees only ciphertext"). */
  readonly log: PublishRecord[] = [];
  /** Mosquitto with `persistence true` keeps sessions across a restart; aedes in memory does not. */
  readonly persistent: boolean;
  /** MQTT versions this broker accepts. */
  readonly versions: readonly (4 | 5)[];

  constructor(o: { persistent?: boolean; versions?: readonly (4 | 5)[] } = {}) {
    this.persistent = o.persistent ?? true;
    this.versions = o.versions ?? [5, 4];
  }

  get running(): boolean {
    return this.#running;
  }

  connect: MqttFactory = (options) => new FakeMqtt(this, options);

  /** The broker goes away: every client drops (their wills fire), nothing is accepted. */
  stop(): void {
    this.#running = false;
    for (const c of this.#clients) c._drop(true);
    if (!this.persistent) this.#sessions.clear();
    for (const s of this.#sessions.values()) s.client = null;
  }

  start(): void {
    this.#running = true;
    for (const c of this.#clients) c._retry();
  }

  retained(topic: string): Uint8Array | undefined {
    return this.#retained.get(topic);
  }

  /** Injects a message as if some other client (an attacker, Home Assistant) published it. */
  inject(topic: string, payload: string | Uint8Array, retain = false): void {
    this._publish('intruder', topic, typeof payload === 'string' ? new TextEncoder().encode(payload) : payload, retain);
  }

  /** A retained message left from long ago: stored, delivered to nobody now, replayed on subscribe. */
  plantRetained(topic: string, payload: string): void {
    this.#retained.set(topic, new TextEncoder().encode(payload));
  }

  /**
   * The broker turns against one client: it goes on acknowledging what that client publishes,
   * its last will included, and delivers none of it (as if the client had frozen); `false` ends it.
   */
  silence(clientId: string, on = true): void {
    if (on) this.#silenced.add(clientId);
    else this.#silenced.delete(clientId);
  }

  _attach(c: FakeMqtt): void {
    this.#clients.add(c);
  }

  _detach(c: FakeMqtt): void {
    this.#clients.delete(c);
    for (const s of this.#sessions.values()) if (s.client === c) s.client = null;
  }

  _connect(c: FakeMqtt, clientId: string, version: 4 | 5): 'ok' | 'down' | 'badVersion' {
    if (!this.#running) return 'down';
    if (!this.versions.includes(version)) return 'badVersion';
    let s = this.#sessions.get(clientId);
    if (s?.client && s.client !== c) s.client._drop(false);
    if (!s) {
      s = { filters: new Set(), queue: [], client: null };
      this.#sessions.set(clientId, s);
    }
    s.client = c;
    const queued = s.queue.splice(0);
    queueMicrotask(() => queued.forEach((m) => c._deliver(m)));
    return 'ok';
  }

  _subscribe(clientId: string, filters: readonly string[]): void {
    const s = this.#sessions.get(clientId);
    if (!s) return;
    for (const f of filters) {
      s.filters.add(f);
      for (const [topic, payload] of this.#retained) {
        if (topicMatches(f, topic)) {
          const m = { topic, payload, retain: true };
          queueMicrotask(() => s.client?._deliver(m));
        }
      }
    }
  }

  _publish(from: string, topic: string, payload: Uint8Array, retain: boolean): void {
    this.log.push({ from, topic, payload: new TextDecoder().decode(payload), retain });
    if (this.#silenced.has(from)) return;
    if (retain) {
      if (payload.byteLength === 0) this.#retained.delete(topic);
      else this.#retained.set(topic, payload);
    }
    for (const s of this.#sessions.values()) {
      if (![...s.filters].some((f) => topicMatches(f, topic))) continue;
      const m = { topic, payload, retain: false };
      if (s.client) {
        const c = s.client;
        queueMicrotask(() => c._deliver(m));
      } else {
        s.queue.push(m);
      }
    }
  }
}

export class FakeMqtt implements MqttLike {
  readonly #broker: FakeBroker;
  readonly #o: LinkOptions;
  #status: LinkStatus = 'connecting';
  #version: 4 | 5 = 5;
  #connected: 4 | 5 | null = null;
  #closed = false;
  readonly #filters = new Set<string>();
  readonly #messages = new Set<(m: MqttMessage) => void>();
  readonly #statuses = new Set<(s: LinkStatus) => void>();

  constructor(broker: FakeBroker, o: LinkOptions) {
    this.#broker = broker;
    this.#o = o;
    broker._attach(this);
    queueMicrotask(() => this._retry());
  }

  get status(): LinkStatus {
    return this.#status;
  }
  get protocolVersion(): 4 | 5 | null {
    return this.#connected;
  }

  _retry(): void {
    if (this.#closed || this.#status === 'online') return;
    let r = this.#broker._connect(this, this.#o.clientId, this.#version);
    if (r === 'badVersion' && this.#version === 5) {
      this.#version = 4;
      r = this.#broker._connect(this, this.#o.clientId, 4);
    }
    if (r !== 'ok') return this.#set('connecting');
    this.#connected = this.#version;
    this.#broker._subscribe(this.#o.clientId, [...this.#filters]);
    this.#set('online');
  }

  /** will: whether the last will fires (an unexpected drop) or not (taken over by a newer session). */
  _drop(will: boolean): void {
    if (this.#status !== 'online') return;
    this.#set(this.#closed ? 'offline' : 'connecting');
    // A broker going down takes the wills with it; only a live broker can publish one.
    if (will && this.#o.will && this.#broker.running) this.#broker._publish(this.#o.clientId, this.#o.will.topic, new TextEncoder().encode(this.#o.will.payload), this.#o.will.retain);
  }

  _deliver(m: MqttMessage): void {
    if (this.#status !== 'online') return;
    for (const cb of this.#messages) cb(m);
  }

  #set(s: LinkStatus): void {
    if (s === this.#status) return;
    this.#status = s;
    for (const cb of this.#statuses) cb(s);
  }

  async publish(topic: string, payload: string | Uint8Array, opts: PublishOptions): Promise<void> {
    if (this.#status !== 'online' || !this.#broker.running) throw new Error('offline');
    await Promise.resolve();
    this.#broker._publish(this.#o.clientId, topic, typeof payload === 'string' ? new TextEncoder().encode(payload) : payload, opts.retain ?? false);
  }

  async subscribe(filters: readonly string[]): Promise<void> {
    for (const f of filters) this.#filters.add(f);
    if (this.#status === 'online') this.#broker._subscribe(this.#o.clientId, filters);
  }

  onMessage(cb: (m: MqttMessage) => void): () => void {
    this.#messages.add(cb);
    return () => this.#messages.delete(cb);
  }

  onStatus(cb: (s: LinkStatus) => void): () => void {
    this.#statuses.add(cb);
    return () => this.#statuses.delete(cb);
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#set('offline');
    this.#broker._detach(this);
  }
}
