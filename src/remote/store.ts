import { panelRemoteRecords, phoneDoorsRecords, type Cell, type PanelRemoteRecords, type PhoneDoorRecords, type StoredIdentity } from '../store/remote.ts';
import type { DoorwardDB } from '../store/db.ts';
import type { Clock } from '../platform/clock.ts';
import { isRecord } from './canonical.ts';
import { parsePublicJwk, type PublicJwk } from './keys.ts';
import { parsePairedAdmin, type PairedAdmin } from './pairing.ts';
import { parseBrokerLogin } from './broker-url.ts';
import { isLockoutRecord, NO_FAILURES } from '../lib/lockout.ts';
import type { SecretHash } from '../lib/secret-hash.ts';
import type { HaSettings, PanelLinkInfo, PanelStore, PhoneDoorsStore, PhoneStore } from './ports.ts';

/**
 * PanelStore and PhoneStore over the store's remote records (src/store/remote.ts, the one
 * place that knows where they live). Every record is checked again here on load, so a damaged
 * entry reads as absent (or as nothing counted) rather than as trust.
 */
export function idbPanelStore(db: DoorwardDB, clock: Clock): PanelStore {
  return panelStoreOver(panelRemoteRecords(db, clock));
}

/** The phone's doors: each its own PhoneStore; a door is listed while its pairing reads as one. */
export function idbPhoneDoors(db: DoorwardDB, clock: Clock): PhoneDoorsStore {
  const r = phoneDoorsRecords(db, clock);
  return {
    async list() {
      return (await r.list()).filter((d) => parsePanelLink(d.panel)?.panelId === d.panelId).map(({ panelId, name, addedAt, followsPanel }) => ({ panelId, name, addedAt, followsPanel }));
    },
    door: (panelId) => phoneStoreOver(r.door(panelId), r.notifyRules),
    rename: (panelId, name, followsPanel) => r.rename(panelId, name, followsPanel),
    remove: (panelId) => r.remove(panelId),
  };
}

/** The identity's keys and public halves, or null when any part is missing or damaged. */
function keysOf(stored: StoredIdentity): { meta: Record<string, unknown>; signingKey: CryptoKey; ecdhKey: CryptoKey; signingJwk: PublicJwk; encryptionJwk: PublicJwk } | null {
  const { meta, signingKey, ecdhKey } = stored;
  if (!isRecord(meta) || !signingKey || !ecdhKey) return null;
  const signingJwk = parsePublicJwk(meta.signingJwk);
  const encryptionJwk = parsePublicJwk(meta.encryptionJwk);
  return signingJwk && encryptionJwk ? { meta, signingKey, ecdhKey, signingJwk, encryptionJwk } : null;
}

const isSecretHash = (v: unknown): v is SecretHash =>
  isRecord(v) && v.algorithm === 'PBKDF2-SHA256' && typeof v.iterations === 'number' && Number.isSafeInteger(v.iterations) && v.iterations > 0 && typeof v.salt === 'string' && typeof v.hash === 'string';

const count = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

function panelStoreOver(r: PanelRemoteRecords): PanelStore {
  return {
    async loadIdentity() {
      const k = keysOf(await r.identity.load());
      if (!k || typeof k.meta.panelId !== 'string') return null;
      return { panelId: k.meta.panelId, signingKey: k.signingKey, ecdhKey: k.ecdhKey, signingJwk: k.signingJwk, encryptionJwk: k.encryptionJwk };
    },
    async saveIdentity(i) {
      await r.identity.save({ panelId: i.panelId, signingJwk: i.signingJwk, encryptionJwk: i.encryptionJwk }, i.signingKey, i.ecdhKey);
    },
    async loadAdmins() {
      const raw = await r.admins.load();
      return Array.isArray(raw) ? raw.map(parsePairedAdmin).filter((a): a is PairedAdmin => a !== null) : [];
    },
    async saveAdmins(admins) {
      await r.admins.save(admins.map((a) => ({ ...a })));
    },
    async loadCounters() {
      return countersOf(await r.counters.load());
    },
    async saveCounter(adminId, counter) {
      // One transaction, so two counters stored back to back cannot overwrite each other.
      await r.counters.update((stored) => {
        const current = countersOf(stored);
        return { ...current, [adminId]: Math.max(counter, current[adminId] ?? 0) };
      });
    },
    async loadHomeAssistant() {
      return parseHaSettings(await r.homeAssistant.load());
    },
    async saveHomeAssistant(s) {
      await r.homeAssistant.save({ ...s });
    },
    haLockout: {
      update: (change) => r.haLockout.update((stored) => ({ ...change(isLockoutRecord(stored) ? stored : NO_FAILURES) })),
    },
    async loadSequenceCeiling() {
      return count(await r.sequenceCeiling.load());
    },
    async saveSequenceCeiling(n) {
      await r.sequenceCeiling.save(n);
    },
  };
}

function countersOf(raw: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  if (isRecord(raw)) for (const [k, v] of Object.entries(raw)) if (typeof v === 'number') out[k] = v;
  return out;
}

/** Home Assistant stays off unless the record says on, with a code hash that reads as one (or none). */
function parseHaSettings(raw: unknown): HaSettings | null {
  if (!isRecord(raw) || typeof raw.enabled !== 'boolean') return null;
  const code = raw.code === null || raw.code === undefined ? null : isSecretHash(raw.code) ? raw.code : undefined;
  return code === undefined ? { enabled: false, code: null } : { enabled: raw.enabled, code };
}

export function parsePanelLink(p: unknown): PanelLinkInfo | null {
  if (!isRecord(p) || typeof p.panelId !== 'string' || typeof p.brokerUrl !== 'string' || typeof p.pairedAt !== 'number') return null;
  const sign = parsePublicJwk(p.sign);
  const enc = parsePublicJwk(p.enc);
  if (!sign || !enc) return null;
  const login = p.login === undefined ? null : parseBrokerLogin(p.login);
  return { panelId: p.panelId, brokerUrl: p.brokerUrl, ...(login ? { login } : {}), sign, enc, role: p.role === 'owner' ? 'owner' : 'manager', pairedAt: p.pairedAt };
}

function phoneStoreOver(r: PhoneDoorRecords, notifyRules: Cell<object>): PhoneStore {
  return {
    async loadIdentity() {
      const k = keysOf(await r.identity.load());
      if (!k || typeof k.meta.adminId !== 'string' || typeof k.meta.clientId !== 'string') return null;
      return { adminId: k.meta.adminId, clientId: k.meta.clientId, signingKey: k.signingKey, ecdhKey: k.ecdhKey, signingJwk: k.signingJwk, encryptionJwk: k.encryptionJwk };
    },
    async saveIdentity(i) {
      await r.identity.save({ adminId: i.adminId, clientId: i.clientId, signingJwk: i.signingJwk, encryptionJwk: i.encryptionJwk }, i.signingKey, i.ecdhKey);
    },
    async loadPanel() {
      return parsePanelLink(await r.panel.load());
    },
    async savePanel(p) {
      await r.panel.save(p ? { ...p } : null);
    },
    async loadCounter() {
      return count(await r.counter.load());
    },
    async saveCounter(n) {
      await r.counter.save(n);
    },
    async loadSeen() {
      const raw = await r.seen.load();
      return Array.isArray(raw) ? raw.filter((x): x is string => typeof x === 'string') : [];
    },
    async saveSeen(ids) {
      await r.seen.save([...ids]);
    },
    async loadNotifyRules() {
      return (await notifyRules.load()) ?? null;
    },
    async saveNotifyRules(rules) {
      await notifyRules.save({ ...rules });
    },
    async loadSequences() {
      return (await r.sequences.load()) ?? null;
    },
    async saveSequences(book) {
      await r.sequences.save(structuredClone(book));
    },
  };
}
