import { storable } from '../store/storable.ts';
import type { DoorwardDB } from '../store/db.ts';
import type { Clock } from '../platform/clock.ts';
import { parsePublicJwk } from './keys.ts';
import { parsePairedAdmin, type PairedAdmin } from './pairing.ts';
import { parseBrokerLogin } from './broker-url.ts';
import { isLockoutRecord, NO_FAILURES } from '../lib/lockout.ts';
import type { HaSettings, PanelIdentity, PanelLinkInfo, PanelStore, PhoneIdentity, PhoneStore } from './ports.ts';

/**
 * The remote layer's IndexedDB storage, on the app's own database: private keys in the `keys`
 * store as non-extractable CryptoKeys (IndexedDB keeps them by structured clone, so their bytes
 * are never in reach of script), everything else under `remote.*` names in `settings`. Records
 * are re-validated on load, so a damaged entry reads as absent rather than as trust.
 */
const K = {
  panelSign: 'remote.panel.sign',
  panelEcdh: 'remote.panel.ecdh',
  phoneSign: 'remote.phone.sign',
  phoneEcdh: 'remote.phone.ecdh',
} as const;
const S = {
  panelIdentity: 'remote.panel.identity',
  admins: 'remote.panel.admins',
  counters: 'remote.panel.counters',
  ha: 'remote.panel.homeAssistant',
  haLockout: 'remote.panel.haLockout',
  sequence: 'remote.panel.sequenceCeiling',
  phoneIdentity: 'remote.phone.identity',
  phonePanel: 'remote.phone.panel',
  phoneCounter: 'remote.phone.counter',
  phoneSeen: 'remote.phone.seen',
  phoneNotify: 'remote.phone.notify',
  phoneSequences: 'remote.phone.sequences',
} as const;

async function getSetting(db: DoorwardDB, key: string): Promise<unknown> {
  return db.get('settings', key);
}

async function putSetting(db: DoorwardDB, key: string, value: unknown): Promise<void> {
  await db.put('settings', storable(value), key);
}

async function getKey(db: DoorwardDB, name: string): Promise<CryptoKey | null> {
  return (await db.get('keys', name))?.key ?? null;
}

export function idbPanelStore(db: DoorwardDB, clock: Clock): PanelStore {
  return {
    async loadIdentity() {
      const meta = (await getSetting(db, S.panelIdentity)) as { panelId?: unknown; signingJwk?: unknown; encryptionJwk?: unknown } | undefined;
      const signingKey = await getKey(db, K.panelSign);
      const ecdhKey = await getKey(db, K.panelEcdh);
      const signingJwk = parsePublicJwk(meta?.signingJwk);
      const encryptionJwk = parsePublicJwk(meta?.encryptionJwk);
      if (!meta || typeof meta.panelId !== 'string' || !signingKey || !ecdhKey || !signingJwk || !encryptionJwk) return null;
      return { panelId: meta.panelId, signingKey, ecdhKey, signingJwk, encryptionJwk };
    },
    async saveIdentity(i: PanelIdentity) {
      const tx = db.transaction(['keys', 'settings'], 'readwrite');
      const now = clock.now();
      await tx.objectStore('keys').put({ name: K.panelSign, key: i.signingKey, createdAt: now });
      await tx.objectStore('keys').put({ name: K.panelEcdh, key: i.ecdhKey, createdAt: now });
      await tx.objectStore('settings').put({ panelId: i.panelId, signingJwk: i.signingJwk, encryptionJwk: i.encryptionJwk }, S.panelIdentity);
      await tx.done;
    },
    async loadAdmins() {
      const raw = await getSetting(db, S.admins);
      return Array.isArray(raw) ? raw.map(parsePairedAdmin).filter((a): a is PairedAdmin => a !== null) : [];
    },
    async saveAdmins(admins) {
      await putSetting(db, S.admins, admins.map((a) => ({ ...a })));
    },
    async loadCounters() {
      const raw = await getSetting(db, S.counters);
      const out: Record<string, number> = {};
      if (raw && typeof raw === 'object') for (const [k, v] of Object.entries(raw)) if (typeof v === 'number') out[k] = v;
      return out;
    },
    async saveCounter(adminId, counter) {
      // One transaction, so two counters stored back to back cannot overwrite each other.
      const tx = db.transaction('settings', 'readwrite');
      const current = ((await tx.store.get(S.counters)) ?? {}) as Record<string, number>;
      await tx.store.put({ ...current, [adminId]: Math.max(counter, current[adminId] ?? 0) }, S.counters);
      await tx.done;
    },
    async loadHomeAssistant() {
      return ((await getSetting(db, S.ha)) as HaSettings | undefined) ?? null;
    },
    async saveHomeAssistant(s) {
      await putSetting(db, S.ha, s);
    },
    haLockout: {
      async update(change) {
        const tx = db.transaction('settings', 'readwrite');
        const stored: unknown = await tx.store.get(S.haLockout);
        const next = change(isLockoutRecord(stored) ? stored : NO_FAILURES);
        await tx.store.put({ ...next }, S.haLockout);
        await tx.done;
        return next;
      },
    },
    async loadSequenceCeiling() {
      const n = await getSetting(db, S.sequence);
      return typeof n === 'number' ? n : 0;
    },
    async saveSequenceCeiling(n) {
      await putSetting(db, S.sequence, n);
    },
  };
}

export function idbPhoneStore(db: DoorwardDB, clock: Clock): PhoneStore {
  return {
    async loadIdentity() {
      const meta = (await getSetting(db, S.phoneIdentity)) as { adminId?: unknown; clientId?: unknown; signingJwk?: unknown; encryptionJwk?: unknown } | undefined;
      const signingKey = await getKey(db, K.phoneSign);
      const ecdhKey = await getKey(db, K.phoneEcdh);
      const signingJwk = parsePublicJwk(meta?.signingJwk);
      const encryptionJwk = parsePublicJwk(meta?.encryptionJwk);
      if (!meta || typeof meta.adminId !== 'string' || typeof meta.clientId !== 'string' || !signingKey || !ecdhKey || !signingJwk || !encryptionJwk) return null;
      return { adminId: meta.adminId, clientId: meta.clientId, signingKey, ecdhKey, signingJwk, encryptionJwk };
    },
    async saveIdentity(i: PhoneIdentity) {
      const tx = db.transaction(['keys', 'settings'], 'readwrite');
      const now = clock.now();
      await tx.objectStore('keys').put({ name: K.phoneSign, key: i.signingKey, createdAt: now });
      await tx.objectStore('keys').put({ name: K.phoneEcdh, key: i.ecdhKey, createdAt: now });
      await tx.objectStore('settings').put({ adminId: i.adminId, clientId: i.clientId, signingJwk: i.signingJwk, encryptionJwk: i.encryptionJwk }, S.phoneIdentity);
      await tx.done;
    },
    async loadPanel() {
      const p = (await getSetting(db, S.phonePanel)) as PanelLinkInfo | null | undefined;
      if (!p || typeof p.panelId !== 'string' || typeof p.brokerUrl !== 'string' || !parsePublicJwk(p.sign) || !parsePublicJwk(p.enc)) return null;
      const { login: rawLogin, ...rest } = p;
      const login = rawLogin === undefined ? null : parseBrokerLogin(rawLogin);
      return { ...rest, ...(login ? { login } : {}), role: p.role === 'owner' ? 'owner' : 'manager' };
    },
    async savePanel(p) {
      await putSetting(db, S.phonePanel, p);
    },
    async loadCounter() {
      const n = await getSetting(db, S.phoneCounter);
      return typeof n === 'number' ? n : 0;
    },
    async saveCounter(n) {
      await putSetting(db, S.phoneCounter, n);
    },
    async loadSeen() {
      const raw = await getSetting(db, S.phoneSeen);
      return Array.isArray(raw) ? raw.filter((x): x is string => typeof x === 'string') : [];
    },
    async saveSeen(ids) {
      await putSetting(db, S.phoneSeen, [...ids]);
    },
    async loadNotifyRules() {
      return (await getSetting(db, S.phoneNotify)) ?? null;
    },
    async saveNotifyRules(rules) {
      await putSetting(db, S.phoneNotify, { ...rules });
    },
    async loadSequences() {
      return (await getSetting(db, S.phoneSequences)) ?? null;
    },
    async saveSequences(book) {
      await putSetting(db, S.phoneSequences, structuredClone(book));
    },
  };
}
