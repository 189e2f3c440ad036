// Who may use the embedded broker, and for what. Nobody connects without a login:
//   - the panel's login is made at first start (kept in the server's 0600 state folder, printed
//     once) and handed to the kiosk on loopback only (/panel-config.json). A session with it acts
//     for the one panel its client id names (`dw-panel-<panelId>`), inside `doorward/<panelId>/`.
//   - each phone gets a login of its own when the panel shows a pairing code (the code carries
//     it). It may read its panel's config, state, events and last will, send pairing requests, and
//     send commands and read replies under one admin id: the first one it uses, which must be the
//     one its client id (`dw-admin-<first 16 of the id>`) names; from then on it is bound to it.
//     A login nobody uses lapses with the pairing code it was made for.
// Everything else is refused: other panels, other phones' command and reply topics, wildcards,
// retained messages from phones, `$SYS`. Passwords are 192 random bits, so a plain SHA-256 of a
// phone's password is what is stored for it (the panel's has to be kept, to be handed out).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { join } from 'node:path';
import { readPrivateJson, writePrivateFile } from './server-state.mjs';

const FILE = 'broker-logins.json';
export const PANEL_USER = 'doorward-panel';
const ID = /^[A-Za-z0-9_-]{1,64}$/;
const PANEL_CLIENT = /^dw-panel-([A-Za-z0-9_-]{1,64})$/;
const PHONE_CLIENT = /^dw-admin-([A-Za-z0-9_-]{16})(?:-t\d{1,10})?$/;
/** A phone login that nobody logged in with by then goes (the pairing code lives 10 minutes). */
export const PHONE_LOGIN_UNUSED_MS = 15 * 60_000;
const MAX_UNUSED_PHONE_LOGINS = 20;

const secret = () => randomBytes(24).toString('base64url');
const digest = (text) => createHash('sha256').update(text).digest();

/** Constant-time: both sides are hashed first, so neither length nor content leaks. */
function samePassword(given, expectedDigest) {
  return timingSafeEqual(digest(given), expectedDigest);
}

/**
 * @typedef {{ kind: 'panel', panelId: string } | { kind: 'phone', username: string, panelId: string, clientPrefix: string }} BrokerIdentity
 * @typedef {{ username: string, hash: string, panelId: string, adminId: string | null, createdAt: number, usedAt: number | null }} PhoneLogin
 */

/**
 * @param {string} dir the server's private state folder
 * @param {{ now?: () => number, log?: (msg: string) => void }} [options]
 */
export function brokerLogins(dir, { now = Date.now, log = () => {} } = {}) {
  const file = join(dir, FILE);
  const stored = readPrivateJson(dir, FILE);
  const valid = stored && stored.v === 1 && typeof stored.panel?.password === 'string' && Array.isArray(stored.phones);
  if (stored && !valid) log(`${file} could not be read: new broker logins made (paired phones must pair again)`);
  /** @type {{ v: 1, panel: { username: string, password: string }, phones: PhoneLogin[] }} */
  const state = valid ? stored : { v: 1, panel: { username: PANEL_USER, password: secret() }, phones: [] };
  const created = !valid;
  const save = () => writePrivateFile(file, `${JSON.stringify(state, null, 2)}\n`);
  if (created) save();
  const panelDigest = digest(state.panel.password);

  const lapse = () => {
    const before = state.phones.length;
    state.phones = state.phones.filter((p) => p.usedAt !== null || now() - p.createdAt < PHONE_LOGIN_UNUSED_MS);
    return state.phones.length !== before;
  };
  const phoneRecord = (username) => state.phones.find((p) => p.username === username) ?? null;

  /** The admin id a phone session acts as: its bound one, or (unbound) whatever its client id allows. */
  const adminAllowed = (who, adminId) => {
    const rec = phoneRecord(who.username);
    if (!rec || !ID.test(adminId) || !adminId.startsWith(who.clientPrefix)) return false;
    if (rec.adminId !== null) return rec.adminId === adminId;
    rec.adminId = adminId;
    save();
    log(`phone login ${rec.username} bound to admin ${adminId.slice(0, 8)}`);
    return true;
  };

  return {
    /** True when this start made the logins (so the panel's is printed, once). */
    created,
    panel: { username: state.panel.username, password: state.panel.password },

    /** A new login for a phone about to pair with `panelId` (its pairing code carries it). */
    issuePhoneLogin(panelId) {
      if (!ID.test(panelId)) throw new Error('not a panel id');
      lapse();
      const unused = state.phones.filter((p) => p.usedAt === null);
      // A panel that keeps asking without anyone pairing crowds out only its own oldest offers.
      if (unused.length >= MAX_UNUSED_PHONE_LOGINS) state.phones = state.phones.filter((p) => p !== unused[0]);
      const username = `phone-${randomBytes(8).toString('hex')}`;
      const password = secret();
      state.phones.push({ username, hash: digest(password).toString('hex'), panelId, adminId: null, createdAt: now(), usedAt: null });
      save();
      return { username, password };
    },

    /**
     * @param {string | undefined} username
     * @param {Buffer | string | undefined} password
     * @param {string} clientId
     * @returns {BrokerIdentity | null}
     */
    authenticate(username, password, clientId) {
      if (typeof username !== 'string' || password === undefined || password === null) return null;
      const given = typeof password === 'string' ? password : password.toString('utf8');
      if (username === state.panel.username) {
        const m = PANEL_CLIENT.exec(clientId);
        return samePassword(given, panelDigest) && m?.[1] ? { kind: 'panel', panelId: m[1] } : null;
      }
      if (lapse()) save();
      const rec = phoneRecord(username);
      // Compared even for an unknown name, so the answer takes as long either way.
      const ok = samePassword(given, rec ? Buffer.from(rec.hash, 'hex') : panelDigest) && rec !== null;
      const m = PHONE_CLIENT.exec(clientId);
      if (!ok || !rec || !m?.[1]) return null;
      if (rec.adminId !== null && !rec.adminId.startsWith(m[1])) return null;
      if (rec.usedAt === null) {
        rec.usedAt = now();
        save();
      }
      return { kind: 'phone', username, panelId: rec.panelId, clientPrefix: m[1] };
    },

    /**
     * @param {BrokerIdentity} who
     * @param {string} topic
     * @param {boolean} retain
     */
    mayPublish(who, topic, retain) {
      const parts = topic.split('/');
      if (parts[0] !== 'doorward' || parts[1] !== who.panelId || parts.some((p) => p === '' || p.includes('+') || p.includes('#'))) return false;
      if (who.kind === 'panel') return parts.length >= 3;
      if (retain) return false;
      if (parts.length === 3 && parts[2] === 'pair') return true;
      return parts.length === 4 && parts[2] === 'cmd' && adminAllowed(who, parts[3] ?? '');
    },

    /**
     * @param {BrokerIdentity} who
     * @param {string} filter
     */
    maySubscribe(who, filter) {
      const parts = filter.split('/');
      if (parts[0] !== 'doorward' || parts[1] !== who.panelId || parts.length < 3) return false;
      if (who.kind === 'panel') return true;
      if (parts.some((p) => p.includes('+') || p.includes('#'))) return false;
      if (parts.length === 3) return ['config', 'state', 'events', 'lwt'].includes(parts[2] ?? '');
      return parts.length === 4 && parts[2] === 'reply' && adminAllowed(who, parts[3] ?? '');
    },
  };
}
