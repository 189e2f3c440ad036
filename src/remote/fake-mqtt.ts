import type { EventRecord, OutboxRecord, PassRecord, PersonRecord, PinCredentialRecord } from '../store/db.ts';
import type { EventLog } from '../store/events.ts';
import type { PeopleRepo } from '../store/people.ts';
import type { IssuedGuestKey, SettingsMap, SettingsRepo } from '../store/settings.ts';
import type { Outbox } from '../store/outbox.ts';
import { keySealer, type Sealer } from '../store/sealing.ts';
import type { Role } from '../access/types.ts';
import type { PanelSnapshot, PersonChange, PersonSummary } from '../panel/actions.ts';
import { applySettingsPatch, checkSettingsPatch, describeChanges, settingChanges, type PanelSettingsView, type SettingsPatch } from '../panel/panel-settings.ts';
import type { NewGuestKey } from '../panel/guest-keys.ts';
import type { Clock } from '../platform/clock.ts';
import type { LinkOptions, LinkStatus, MqttLike, MqttMessage, PublishOptions, MqttFactory } from './link.ts';
import type { PairedAdmin } from './pairing.ts';
import type { HaSettings, PanelIdentity, PanelLinkInfo, PanelStore, PhoneIdentity, PhoneStore, RemotePanelActions } from './ports.ts';
import type { LockRequester } from '../platform/locks.ts';
import type { CameraStream, ScanRuntime } from './ui/pair-scanner.svelte.ts';
import type { NotifyRules } from './alerts.ts';
import { NO_FAILURES, type LockoutRecord } from '../lib/lockout.ts';
import type { LockoutCell } from '../lib/counted-secret.ts';
import type { SequenceBook } from './sequence.ts';
import { bellEvent } from '../panel/bell.ts';

/**
 * The remote layer's outside boundaries, each faked once, for every test to import: an MQTT
 * broker with retained messages, persistent sessions, last wills and outages; the tab locks
 * of a phone with several tabs open; its camera as the pairing scanner sees it; in-memory
 * storage for panel and phone; an in-memory outbox with the real one's semantics; and a panel
 * whose actions are recorded. Browser-safe (no Node imports) so it could run in either place.
 */

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

// ---------------------------------------------------------------------------------------------
// Tabs

/**
 * `navigator.locks` of one device, shared by the tabs of one phone: exclusive locks by name,
 * granted at once, in turn, or (with `ifAvailable`) not at all, and held until the callback's
 * promise settles.
 */
export class FakeLocks implements LockRequester {
  readonly #held = new Set<string>();
  readonly #waiting = new Map<string, (() => void)[]>();

  get held(): readonly string[] {
    return [...this.#held];
  }

  request(name: string, options: { ifAvailable: true }, callback: (lock: unknown) => Promise<void> | void): Promise<unknown>;
  request<T>(name: string, callback: (lock: unknown) => Promise<T>): Promise<T>;
  async request(name: string, a: unknown, b?: unknown): Promise<unknown> {
    const callback = (typeof a === 'function' ? a : b) as (lock: unknown) => unknown;
    if (this.#held.has(name)) {
      if (typeof a === 'object') return callback(null);
      // Handed over by the holder on release, so nobody can slip in between.
      await new Promise<void>((granted) => this.#waiting.set(name, [...(this.#waiting.get(name) ?? []), granted]));
    }
    this.#held.add(name);
    try {
      return await callback({ name, mode: 'exclusive' });
    } finally {
      const next = this.#waiting.get(name)?.shift();
      if (next) next();
      else this.#held.delete(name);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The phone's camera, for the pairing scanner

export class FakeCameraStream implements CameraStream {
  live = true;
  getTracks() {
    return [{ stop: () => void (this.live = false) }];
  }
}

/**
 * getUserMedia and the QR reader in one: opens (or refuses with a DOMException of the given
 * name, as browsers do) and reads whatever QR texts the test holds up with `show()`.
 */
export class FakeScanCamera implements ScanRuntime<FakeCameraStream> {
  readonly streams: FakeCameraStream[] = [];
  readonly #readers = new Set<(texts: readonly string[]) => void>();
  readonly #clock: Clock;
  readonly #refusal: string | null;

  constructor(clock: Clock, refusal: string | null = null) {
    this.#clock = clock;
    this.#refusal = refusal;
  }

  /** How many reading loops are running. */
  get reading(): number {
    return this.#readers.size;
  }

  async openCamera(): Promise<FakeCameraStream> {
    if (this.#refusal) throw new DOMException('refused', this.#refusal);
    const s = new FakeCameraStream();
    this.streams.push(s);
    return s;
  }

  watch(_stream: FakeCameraStream, onTexts: (texts: readonly string[]) => void): () => void {
    this.#readers.add(onTexts);
    return () => this.#readers.delete(onTexts);
  }

  now(): number {
    return this.#clock.now();
  }

  /** One read of the picture, with these QR codes in view. */
  show(...texts: string[]): void {
    for (const read of [...this.#readers]) read(texts);
  }
}

// ---------------------------------------------------------------------------------------------
// Storage

export class MemoryPanelStore implements PanelStore {
  identity: PanelIdentity | null = null;
  admins: PairedAdmin[] = [];
  counters: Record<string, number> = {};
  ha: HaSettings | null = null;
  async loadIdentity() {
    return this.identity;
  }
  async saveIdentity(i: PanelIdentity) {
    this.identity = i;
  }
  async loadAdmins() {
    return [...this.admins];
  }
  async saveAdmins(a: readonly PairedAdmin[]) {
    this.admins = [...a];
  }
  async loadCounters() {
    return { ...this.counters };
  }
  async saveCounter(adminId: string, n: number) {
    this.counters = { ...this.counters, [adminId]: n };
  }
  async loadHomeAssistant() {
    return this.ha;
  }
  async saveHomeAssistant(s: HaSettings) {
    this.ha = s;
  }
  /** The stored record; `haLockout` changes it with no await between read and write, as one IndexedDB transaction would. */
  haFailures: LockoutRecord = NO_FAILURES;
  readonly haLockout: LockoutCell = {
    update: async (change) => (this.haFailures = change(this.haFailures)),
  };
  sequenceCeiling = 0;
  async loadSequenceCeiling() {
    return this.sequenceCeiling;
  }
  async saveSequenceCeiling(n: number) {
    this.sequenceCeiling = n;
  }
}

export class MemoryPhoneStore implements PhoneStore {
  identity: PhoneIdentity | null = null;
  panel: PanelLinkInfo | null = null;
  counter = 0;
  seen: string[] = [];
  async loadIdentity() {
    return this.identity;
  }
  async saveIdentity(i: PhoneIdentity) {
    this.identity = i;
  }
  async loadPanel() {
    return this.panel;
  }
  async savePanel(p: PanelLinkInfo | null) {
    this.panel = p;
  }
  async loadCounter() {
    return this.counter;
  }
  async saveCounter(n: number) {
    this.counter = n;
  }
  async loadSeen() {
    return [...this.seen];
  }
  async saveSeen(ids: readonly string[]) {
    this.seen = [...ids];
  }
  notifyRules: unknown = null;
  async loadNotifyRules() {
    return this.notifyRules;
  }
  async saveNotifyRules(rules: NotifyRules) {
    this.notifyRules = { ...rules };
  }
  sequences: unknown = null;
  async loadSequences() {
    return this.sequences;
  }
  async saveSequences(book: SequenceBook) {
    this.sequences = structuredClone(book);
  }
}

/** The IndexedDB outbox's semantics (put by id, due by time, retry back-off) in a Map. */
export function memoryOutbox(clock: Clock): Outbox & { readonly records: Map<string, OutboxRecord> } {
  const records = new Map<string, OutboxRecord>();
  const self = {
    records,
    async enqueue(id: string, topic: string, payload: unknown) {
      const now = clock.now();
      records.set(id, { id, topic, payload, createdAt: now, attempts: 0, nextAttemptAt: now });
    },
    async due(limit: number) {
      return [...records.values()].filter((r) => r.nextAttemptAt <= clock.now()).sort((a, b) => a.nextAttemptAt - b.nextAttemptAt).slice(0, limit);
    },
    async delivered(id: string) {
      records.delete(id);
    },
    async failed(id: string) {
      const r = records.get(id);
      if (r) records.set(id, { ...r, attempts: r.attempts + 1, nextAttemptAt: clock.now() + Math.min(600_000, 2_000 * 2 ** r.attempts) });
    },
    async size() {
      return records.size;
    },
    async flush(send: (r: OutboxRecord) => Promise<void>, limit = 50) {
      let sent = 0;
      let failed = 0;
      for (const r of await self.due(limit)) {
        try {
          await send(r);
          await self.delivered(r.id);
          sent++;
        } catch {
          await self.failed(r.id);
          failed++;
        }
      }
      return { sent, failed };
    },
  };
  return self;
}

// ---------------------------------------------------------------------------------------------
// The panel

export interface ActionCall {
  readonly op: string;
  readonly adminId: string;
  readonly args: unknown;
}

/**
 * A panel with people, guest keys and a door in memory. `decide()` stands in for the access
 * policy deciding an attempt locally (a PIN at the pad): it writes an event like the real log.
 */
export class FakePanelActions implements RemotePanelActions {
  readonly calls: ActionCall[] = [];
  readonly people = new Map<string, PersonSummary>();
  readonly keys: IssuedGuestKey[] = [];
  readonly events: EventRecord[] = [];
  doorOpen = false;
  lockdown = false;
  #n = 0;
  readonly #listeners = new Set<(e: EventRecord) => void>();
  readonly #clock: Clock;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  snapshot(): PanelSnapshot {
    const last = this.events.find((e) => e.kind === 'attempt');
    return { online: true, doorController: 'simulated', doorOpen: this.doorOpen, lastVisitor: last ? { name: last.personId, outcome: last.summary.split(' ')[0] ?? '', at: last.at } : null };
  }
  async listPeople() {
    return [...this.people.values()];
  }
  async addPerson(adminId: string, p: { name: string; role: Role; pin?: string; duress?: string }) {
    this.calls.push({ op: 'addPerson', adminId, args: p });
    if ([...this.people.values()].some((x) => x.name === p.name)) return { problem: 'duplicate name' };
    const id = `person-${++this.#n}`;
    this.people.set(id, { id, name: p.name, role: p.role, active: true, hasPin: !!p.pin, templates: 0, schedule: null });
    this.write('admin', null, `${p.name} added by ${adminId.slice(0, 8)}`, { adminId });
    return { personId: id };
  }
  async setActive(adminId: string, personId: string, active: boolean) {
    this.calls.push({ op: 'setActive', adminId, args: { personId, active } });
    const p = this.people.get(personId);
    if (p) this.people.set(personId, { ...p, active });
  }
  async updatePerson(adminId: string, personId: string, change: PersonChange) {
    this.calls.push({ op: 'updatePerson', adminId, args: { personId, ...change } });
    const p = this.people.get(personId);
    if (!p) return { problem: 'No such person.' };
    const { pin, duress: _duress, schedule, ...details } = change;
    this.people.set(personId, { ...p, ...details, ...(pin !== undefined ? { hasPin: pin !== null } : {}), ...(schedule !== undefined ? { schedule } : {}) });
    return { ok: true } as const;
  }
  /** The panel's tunable settings, changed only through updateSettings' checks. */
  settingsNow: PanelSettingsView = { faceMatch: 0.5, livenessPass: 0.9, riskStepUp: 0.5, pulseMs: 3000, retentionDays: 30, snapshotMb: 50, quietHours: { startHour: 22, endHour: 7 }, timeZone: 'UTC' };
  async settings() {
    return this.settingsNow;
  }
  async updateSettings(adminId: string, patch: SettingsPatch) {
    this.calls.push({ op: 'updateSettings', adminId, args: patch });
    const checked = checkSettingsPatch(patch);
    if (!checked.ok) return { problem: checked.problems.join(' ') };
    const before = this.settingsNow;
    this.settingsNow = applySettingsPatch(before, checked.patch);
    const changes = settingChanges(before, this.settingsNow);
    if (changes.length > 0) this.write('admin', null, `changed settings: ${describeChanges(changes)} (remote admin ${adminId.slice(0, 8)})`, { adminId, changes });
    return { settings: this.settingsNow, changes };
  }
  async removePerson(adminId: string, personId: string) {
    this.calls.push({ op: 'removePerson', adminId, args: { personId } });
    this.people.delete(personId);
  }
  async enrolPhoto(adminId: string, personId: string, jpeg: Uint8Array) {
    this.calls.push({ op: 'enrolPhoto', adminId, args: { personId, bytes: jpeg.byteLength } });
    return this.people.has(personId) ? ({ ok: true } as const) : { problem: 'unknown person' };
  }
  async issueGuestKey(adminId: string, r: NewGuestKey) {
    this.calls.push({ op: 'issueGuestKey', adminId, args: r });
    const record: IssuedGuestKey = { keyId: `key-${++this.#n}`, name: r.name, notBefore: r.notBefore, expires: r.expires, maxUses: r.maxUses, revoked: false, issuedAt: this.#clock.now() };
    this.keys.push(record);
    return { token: `token.for.${record.keyId}`, record };
  }
  async revokeGuestKey(adminId: string, keyId: string) {
    this.calls.push({ op: 'revokeGuestKey', adminId, args: { keyId } });
  }
  async unlock(adminId: string) {
    this.calls.push({ op: 'unlock', adminId, args: null });
    if (this.lockdown) {
      this.write('attempt', null, `deny remote by ${adminId.slice(0, 8)}`, { outcome: 'deny', reasons: ['doorLockdown'] });
      return { opened: false, reason: 'doorLockdown' };
    }
    this.doorOpen = true;
    this.write('attempt', null, `grant remote by ${adminId.slice(0, 8)}`, { outcome: 'grant', credential: { kind: 'remote', adminId } });
    return { opened: true, reason: 'remoteCommand' };
  }
  async lock(adminId: string) {
    this.calls.push({ op: 'lock', adminId, args: null });
    this.doorOpen = false;
    return { locked: true, reason: 'locked' };
  }
  async recentEvents(limit: number) {
    return this.events.slice(0, limit);
  }
  async snapshotImage(id: string) {
    return id === 'snap-1' ? new Uint8Array([0xff, 0xd8, 0xff, 0xd9]) : null;
  }
  onEvent(cb: (e: EventRecord) => void) {
    this.#listeners.add(cb);
    return () => this.#listeners.delete(cb);
  }
  /** A locally decided attempt (the panel works with no broker at all); "ring" is a face not recognised. */
  decide(outcome: 'grant' | 'deny' | 'ring', personId: string | null, alerts: readonly string[] = []): EventRecord {
    return this.write('attempt', personId, `${outcome} ${personId ?? 'unknown'} by pin`, { outcome, alerts });
  }
  /** Ring pressed at the kiosk: the line the app logs for it. */
  ring(): EventRecord {
    const b = bellEvent(this.#clock.now());
    return this.write(b.kind, b.personId, b.summary, b.detail);
  }
  write(kind: EventRecord['kind'], personId: string | null, summary: string, detail: unknown): EventRecord {
    const e: EventRecord = { id: `ev-${++this.#n}-${Math.random().toString(36).slice(2, 8)}`, at: this.#clock.now(), kind, personId, summary, detail, snapshotId: null };
    this.events.unshift(e);
    for (const cb of this.#listeners) cb(e);
    return e;
  }
}

// ---------------------------------------------------------------------------------------------
// The panel's own stores (IndexedDB in the app), for the real admin code behind a command

/** The settings store: values kept by structured clone, as IndexedDB would, so no alias leaks out. */
export class MemorySettings implements SettingsRepo {
  readonly values = new Map<string, unknown>();
  async get<K extends keyof SettingsMap>(key: K): Promise<SettingsMap[K] | undefined> {
    const v = this.values.get(key);
    return v === undefined ? undefined : (structuredClone(v) as SettingsMap[K]);
  }
  async put<K extends keyof SettingsMap>(key: K, value: SettingsMap[K]): Promise<void> {
    this.values.set(key, structuredClone(value));
  }
  async update<K extends keyof SettingsMap>(key: K, change: (current: SettingsMap[K] | undefined) => SettingsMap[K]): Promise<SettingsMap[K]> {
    const next = change(await this.get(key));
    await this.put(key, next);
    return structuredClone(next);
  }
}

/** Seals with a fresh non-extractable AES-GCM key of its own (WebCrypto is real in both runtimes). */
export const memorySealer = (): Sealer => keySealer(() => crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']));

/** People, PIN credentials and passes in Maps; templates only counted (nothing here decrypts). */
export class MemoryPeopleRepo implements PeopleRepo {
  readonly people = new Map<string, PersonRecord>();
  readonly credentials = new Map<string, PinCredentialRecord>();
  readonly passList: PassRecord[] = [];
  readonly templateCount = new Map<string, number>();
  async list() {
    return [...this.people.values()].map((p) => structuredClone(p));
  }
  async get(id: string) {
    const p = this.people.get(id);
    return p ? structuredClone(p) : undefined;
  }
  async put(person: PersonRecord) {
    this.people.set(person.id, structuredClone(person));
  }
  async addTemplate(personId: string) {
    if (!this.people.has(personId)) throw new Error(`no person ${personId}`);
    this.templateCount.set(personId, (this.templateCount.get(personId) ?? 0) + 1);
    return `template-${personId}-${this.templateCount.get(personId)}`;
  }
  async templates() {
    return { templates: [], corrupt: [] };
  }
  async putPass(pass: PassRecord) {
    this.passList.push(pass);
  }
  async passes() {
    return [...this.passList];
  }
  async templateCounts() {
    return new Map(this.templateCount);
  }
  async setPin(record: PinCredentialRecord) {
    this.credentials.set(record.id, record);
  }
  async clearPin(personId: string) {
    for (const [id, c] of this.credentials) if (c.personId === personId) this.credentials.delete(id);
  }
  async pins() {
    return [...this.credentials.values()];
  }
  async erase(id: string) {
    this.people.delete(id);
    await this.clearPin(id);
    this.templateCount.delete(id);
  }
}

/** The access log's append/recent/prune/onAppend, without snapshots. */
export function memoryEventLog(clock: Clock): EventLog & { readonly events: EventRecord[] } {
  const events: EventRecord[] = [];
  const listeners = new Set<(e: EventRecord) => void>();
  let n = 0;
  return {
    events,
    async append(input) {
      const event: EventRecord = { ...input, id: input.id ?? `event-${++n}`, snapshotId: null };
      events.push(event);
      for (const l of listeners) l(event);
      return { id: event.id, snapshotKept: false, snapshotId: null };
    },
    async recent(limit) {
      return [...events].sort((a, b) => b.at - a.at).slice(0, limit);
    },
    async snapshot() {
      return null;
    },
    async prune(retention) {
      const cutoff = clock.now() - retention.maxDays * 86_400_000;
      const before = events.length;
      events.splice(0, events.length, ...events.filter((e) => e.at >= cutoff));
      return { events: before - events.length, snapshots: 0 };
    },
    onAppend(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** A clock tests can move. */
export class FakeClock implements Clock {
  t: number;
  constructor(t = Date.UTC(2026, 10, 25, 12, 0, 0)) {
    this.t = t;
  }
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}
