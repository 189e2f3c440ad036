import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ECDH_P256, ECDSA_P256, parsePublicJwk } from '../../src/remote/keys.ts';
import type { PanelLinkInfo, PhoneIdentity, PhoneStore } from '../../src/remote/ports.ts';
import type { NotifyRules } from '../../src/remote/alerts.ts';
import type { SequenceBook } from '../../src/remote/sequence.ts';
import type { DeviceTabs } from '../../src/remote/tabs.ts';
import type { Assignments } from './users.ts';
import type { Slots } from './schedules.ts';

/**
 * The bridge's end of the pairing, kept in one JSON file only its user may read (mode 0600, in a
 * 0700 folder): a Node process has no key store that keeps private keys unreadable, so the file's
 * permissions are what protect them, as for Mosquitto's password file beside it. Every save
 * replaces the file whole (write, then rename), so a crash leaves the old one or the new one.
 */
interface Saved {
  identity?: { adminId: string; signing: JsonWebKey; ecdh: JsonWebKey; clientId: string };
  panel?: PanelLinkInfo | null;
  counter?: number;
  seen?: string[];
  notifyRules?: unknown;
  sequences?: unknown;
  assignments?: Assignments;
  matter?: { passcode: number; discriminator: number };
  schedules?: Record<string, Slots>;
}

export class FileBridgeStore implements PhoneStore {
  readonly #path: string;
  #data: Saved;

  constructor(path: string) {
    this.#path = path;
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    this.#data = existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Saved) : {};
  }

  #save(change: Partial<Saved>): void {
    this.#data = { ...this.#data, ...change };
    const tmp = `${this.#path}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.#data), { mode: 0o600 });
    chmodSync(tmp, 0o600);
    renameSync(tmp, this.#path);
  }

  async loadIdentity(): Promise<PhoneIdentity | null> {
    const i = this.#data.identity;
    if (!i) return null;
    const signingJwk = parsePublicJwk({ kty: i.signing.kty, crv: i.signing.crv, x: i.signing.x, y: i.signing.y });
    const encryptionJwk = parsePublicJwk({ kty: i.ecdh.kty, crv: i.ecdh.crv, x: i.ecdh.x, y: i.ecdh.y });
    if (!signingJwk || !encryptionJwk) throw new Error(`${this.#path}: the bridge's keys are damaged; delete the file and pair again`);
    const signingKey = await crypto.subtle.importKey('jwk', i.signing, ECDSA_P256, false, ['sign']);
    const ecdhKey = await crypto.subtle.importKey('jwk', i.ecdh, ECDH_P256, false, ['deriveBits']);
    return { adminId: i.adminId, signingKey, ecdhKey, signingJwk, encryptionJwk, clientId: i.clientId };
  }
  async saveIdentity(identity: PhoneIdentity): Promise<void> {
    const signing = await crypto.subtle.exportKey('jwk', identity.signingKey);
    const ecdh = await crypto.subtle.exportKey('jwk', identity.ecdhKey);
    this.#save({ identity: { adminId: identity.adminId, signing, ecdh, clientId: identity.clientId } });
  }
  async loadPanel() {
    return this.#data.panel ?? null;
  }
  async savePanel(panel: PanelLinkInfo | null) {
    this.#save({ panel });
  }
  async loadCounter() {
    return this.#data.counter ?? 0;
  }
  async saveCounter(counter: number) {
    this.#save({ counter });
  }
  async loadSeen() {
    return this.#data.seen ?? [];
  }
  async saveSeen(ids: readonly string[]) {
    this.#save({ seen: [...ids] });
  }
  async loadNotifyRules() {
    return this.#data.notifyRules ?? null;
  }
  async saveNotifyRules(rules: NotifyRules) {
    this.#save({ notifyRules: rules });
  }
  async loadSequences() {
    return this.#data.sequences ?? null;
  }
  async saveSequences(book: SequenceBook) {
    this.#save({ sequences: book });
  }

  get assignments(): Assignments {
    return this.#data.assignments ?? {};
  }
  async saveAssignments(assignments: Assignments): Promise<void> {
    if (JSON.stringify(assignments) !== JSON.stringify(this.#data.assignments ?? {})) this.#save({ assignments });
  }

  /** The Matter index each person's windows and ranges were set under (the schedule itself is the panel's). */
  readonly schedules: ScheduleSlots = {
    get: (personId) => this.#data.schedules?.[personId],
    save: async (personId, slots) => {
      const { [personId]: _old, ...rest } = this.#data.schedules ?? {};
      this.#save({ schedules: slots ? { ...rest, [personId]: slots } : rest });
    },
  };

  /** The Matter setup code, made once per bridge (never matter.js's well-known default). */
  matterSetup(make: () => { passcode: number; discriminator: number }): { passcode: number; discriminator: number } {
    if (!this.#data.matter) this.#save({ matter: make() });
    return this.#data.matter!;
  }
}

export interface ScheduleSlots {
  get(personId: string): Slots | undefined;
  /** Null: forget them (no schedules, or the person is gone). */
  save(personId: string, slots: Slots | null): Promise<void>;
}

/** One process, one "tab": slot 0 (a stable client id, so the broker keeps its session), and steps run in turn. */
export function processTabs(): DeviceTabs {
  const chains = new Map<string, Promise<unknown>>();
  return {
    claim: async () => ({ index: 0, release: () => undefined }),
    exclusive<T>(name: string, fn: () => Promise<T>): Promise<T> {
      const run = (chains.get(name) ?? Promise.resolve()).then(fn);
      chains.set(name, run.catch(() => undefined));
      return run;
    },
  };
}
