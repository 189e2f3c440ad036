// The IndexedDB boundary, faked once per store: the panel's and phone's remote stores, the outbox,
// settings, people, the access log, a sealer of its own, and the door key store; values are kept
// by structured clone, as IndexedDB would.
import type { KeyRing } from '../../src/store/keys.ts';
import type { DoorKeyStore } from '../../src/panel/door-setup.ts';
import type { EventRecord, OutboxRecord, PassRecord, PersonRecord, PinCredentialRecord } from '../../src/store/db.ts';
import type { EventLog, LogEvents } from '../../src/store/events.ts';
import { Events } from '../../src/lib/events.ts';
import type { PeopleRepo } from '../../src/store/people.ts';
import type { SettingsMap, SettingsRepo } from '../../src/store/settings.ts';
import { outbox, type Outbox, type OutboxStore } from '../../src/store/outbox.ts';
import { keySealer, type Sealer } from '../../src/store/sealing.ts';
import type { Clock } from '../../src/platform/clock.ts';
import type { PairedAdmin } from '../../src/remote/pairing.ts';
import type { HaSettings, PanelIdentity, PanelLinkInfo, PanelStore, PhoneDoorEntry, PhoneDoorsStore, PhoneIdentity, PhoneStore } from '../../src/remote/ports.ts';
import type { NotifyRules } from '../../src/remote/alerts.ts';
import { NO_FAILURES, type LockoutRecord } from '../../src/lib/lockout.ts';
import type { LockoutCell } from '../../src/lib/counted-secret.ts';
import type { SequenceBook } from '../../src/remote/sequence.ts';

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

/** A phone's doors: one MemoryPhoneStore each, the notification choice shared as IndexedDB's one setting is. */
export class MemoryPhoneDoors implements PhoneDoorsStore {
  readonly doors = new Map<string, { name: string; addedAt: number; followsPanel: boolean; store: MemoryPhoneStore }>();
  notifyRules: unknown = null;
  #added = 0;
  async list(): Promise<PhoneDoorEntry[]> {
    return [...this.doors].filter(([, d]) => d.store.panel !== null && d.store.identity !== null).sort((a, b) => a[1].addedAt - b[1].addedAt).map(([panelId, d]) => ({ panelId, name: d.name, addedAt: d.addedAt, followsPanel: d.followsPanel }));
  }
  door(panelId: string): PhoneStore {
    let d = this.doors.get(panelId);
    if (!d) {
      const store = new MemoryPhoneStore();
      const shared = { load: async () => this.notifyRules, save: async (r: NotifyRules) => void (this.notifyRules = { ...r }) };
      store.loadNotifyRules = shared.load;
      store.saveNotifyRules = shared.save;
      d = { name: '', addedAt: ++this.#added, followsPanel: false, store };
      this.doors.set(panelId, d);
    }
    return d.store;
  }
  async rename(panelId: string, name: string, followsPanel: boolean) {
    const d = this.doors.get(panelId);
    if (d) Object.assign(d, { name, followsPanel });
  }
  async remove(panelId: string) {
    this.doors.delete(panelId);
  }
}

/** The outbox's own policy (src/store/outbox.ts) over its records in a Map instead of IndexedDB. */
export function memoryOutbox(clock: Clock): Outbox & { readonly records: Map<string, OutboxRecord> } {
  const records = new Map<string, OutboxRecord>();
  const store: OutboxStore = {
    async put(record) {
      records.set(record.id, structuredClone(record));
    },
    async dueBy(at, limit) {
      return [...records.values()].filter((r) => r.nextAttemptAt <= at).sort((a, b) => a.nextAttemptAt - b.nextAttemptAt).slice(0, limit);
    },
    async delete(id) {
      records.delete(id);
    },
    async update(id, change) {
      const r = records.get(id);
      if (r) records.set(id, change(r));
    },
    async count() {
      return records.size;
    },
  };
  return Object.assign(outbox(store, clock), { records });
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
  async countPassUse(passId: string) {
    const i = this.passList.findIndex((p) => p.id === passId);
    const pass = this.passList[i];
    if (!pass) return null;
    const counted = { ...pass, uses: pass.uses + 1 };
    this.passList[i] = counted;
    return counted;
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
  readonly thumbnails = new Map<string, Uint8Array>();
  async setThumbnail(personId: string, jpeg: Uint8Array) {
    if (!this.people.has(personId)) throw new Error(`no person ${personId}`);
    this.thumbnails.set(personId, jpeg.slice());
  }
  async thumbnail(personId: string) {
    return this.thumbnails.get(personId)?.slice() ?? null;
  }
  async erase(id: string) {
    this.people.delete(id);
    this.thumbnails.delete(id);
    await this.clearPin(id);
    this.templateCount.delete(id);
  }
}

/** The access log's append/recent/prune/onAppend, without snapshots. */
export function memoryEventLog(clock: Clock): EventLog & { readonly events: EventRecord[] } {
  const events: EventRecord[] = [];
  const appended = new Events<LogEvents>();
  let n = 0;
  return {
    events,
    async append(input) {
      const event: EventRecord = { ...input, id: input.id ?? `event-${++n}`, snapshotId: null };
      events.push(event);
      appended.emit('appended', event);
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
    onAppend: (listener) => appended.on('appended', listener),
  };
}

// ---- the door key store ----

/** The IndexedDB `keys` store's door entry, in memory; can be told to fail like a full disk. */
export class FakeDoorKeyStore implements DoorKeyStore {
  key: CryptoKey | null = null;
  saves = 0;
  failSave = false;

  async load(): Promise<CryptoKey | null> {
    return this.key;
  }

  async save(key: CryptoKey): Promise<void> {
    if (this.failSave) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    this.saves++;
    this.key = key;
  }
}

/** The `keys` store in a Map: CryptoKeys kept as the objects they are (IndexedDB keeps them too). */
export function memoryKeyRing(): KeyRing & { readonly keys: Map<string, CryptoKey> } {
  const keys = new Map<string, CryptoKey>();
  return {
    keys,
    get: async (name) => keys.get(name) ?? null,
    put: async (name, key) => void keys.set(name, key),
  };
}
