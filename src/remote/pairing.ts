import { decodeBase64Url, encodeBase64Url } from '../access/base64url.ts';
import { constantTimeEqual } from '../lib/secret-hash.ts';
import { canonicalJson, isNonEmptyString, isRecord, parseJsonObject, utf8 } from './canonical.ts';
import type { AdminRole } from './command.ts';
import { boxContext, parseEnvelope, PROTOCOL_VERSION, signEnvelope, verifyEnvelope, type Envelope } from './envelope.ts';
import { importVerifyKey, parsePublicJwk, thumbprint, type KeyPairs, type PublicJwk } from './keys.ts';
import { openBox, sealBox } from './sealed.ts';
import { isTopicId } from './topics.ts';
import { isBrokerUrl, parseBrokerLogin, type BrokerLogin } from './broker-url.ts';

/**
 * Pairing a phone. The panel shows a QR code (panel id, broker URL, the panel's two public keys
 * and a one-time code). The phone, holding that, makes its own key pairs and sends a request
 * encrypted to the panel's ECDH key, signed by its new ECDSA key, and carrying an HMAC of its
 * identity under the code. The broker sees neither the code nor anything derived from it, so it
 * cannot brute-force the code offline; the code is 128 random bits anyway, dies after one use,
 * after a few wrong tries, or after its minutes are up.
 */
export const PAIRING_TTL_MS = 10 * 60_000;
export const MAX_CODE_TRIES = 5;
const PAYLOAD_PREFIX = 'DOORWARD-PAIR:';

export interface PairingCode {
  readonly code: string;
  readonly role: AdminRole;
  readonly expiresAt: number;
  readonly tries: number;
}

export interface PairingPayload {
  readonly v: typeof PROTOCOL_VERSION;
  readonly panelId: string;
  readonly brokerUrl: string;
  readonly sign: PublicJwk;
  readonly enc: PublicJwk;
  readonly code: string;
  /**
   * When the panel stops accepting the code (ms, panel clock), so a phone can say "expired" at
   * once instead of waiting for an answer that will not come. Absent from older panels' codes.
   */
  readonly exp?: number;
  /**
   * The phone's own login at the broker, where the broker asks for one (the panel's server made
   * it for this pairing; it lets the phone reach this panel's topics and its own, nothing else).
   */
  readonly login?: BrokerLogin;
}

export interface PairedAdmin {
  /** Thumbprint of the admin's signing key. */
  readonly id: string;
  readonly role: AdminRole;
  readonly signingJwk: PublicJwk;
  readonly encryptionJwk: PublicJwk;
  readonly label: string;
  readonly pairedAt: number;
}

export function newPairingCode(role: AdminRole, now: number, ttlMs = PAIRING_TTL_MS): PairingCode {
  return { code: encodeBase64Url(crypto.getRandomValues(new Uint8Array(16))), role, expiresAt: now + ttlMs, tries: 0 };
}

/** The QR text: a prefix a scanner can recognise, then base64url of canonical JSON. */
export function encodePairingPayload(p: Omit<PairingPayload, 'v'>): string {
  const body = { v: PROTOCOL_VERSION, panelId: p.panelId, brokerUrl: p.brokerUrl, sign: p.sign, enc: p.enc, code: p.code, ...(p.exp !== undefined ? { exp: p.exp } : {}), ...(p.login ? { login: { username: p.login.username, password: p.login.password } } : {}) };
  return PAYLOAD_PREFIX + encodeBase64Url(utf8(canonicalJson(body)));
}

export function decodePairingPayload(text: string): PairingPayload | null {
  const trimmed = text.trim();
  if (!trimmed.startsWith(PAYLOAD_PREFIX) || trimmed.length > 2048) return null;
  const bytes = decodeBase64Url(trimmed.slice(PAYLOAD_PREFIX.length));
  const o = bytes ? parseJsonObject(bytes, 2048) : null;
  if (!o || o.v !== PROTOCOL_VERSION) return null;
  const sign = parsePublicJwk(o.sign);
  const enc = parsePublicJwk(o.enc);
  const { panelId, brokerUrl, code } = o;
  if (!sign || !enc || typeof panelId !== 'string' || !isTopicId(panelId) || typeof code !== 'string' || decodeBase64Url(code)?.length !== 16) return null;
  if (!isBrokerUrl(brokerUrl)) return null;
  const exp = typeof o.exp === 'number' && Number.isSafeInteger(o.exp) ? o.exp : undefined;
  if (o.exp !== undefined && exp === undefined) return null;
  const login = o.login === undefined ? undefined : parseBrokerLogin(o.login);
  if (login === null) return null;
  return { v: PROTOCOL_VERSION, panelId, brokerUrl, sign, enc, code, ...(exp !== undefined ? { exp } : {}), ...(login ? { login } : {}) };
}

/**
 * Pairing already needs the two clocks within two minutes of each other (the request's own
 * freshness window), so a code counts as expired on the phone only that long after its time.
 */
export const PAIRING_CLOCK_SLACK_MS = 2 * 60_000;

export type PairingCheck = { readonly ok: true; readonly payload: PairingPayload } | { readonly ok: false; readonly problem: 'notPairing' | 'expired' };

/** What the phone makes of scanned or pasted text before it connects anywhere. */
export function checkPairingText(text: string, now: number): PairingCheck {
  const payload = decodePairingPayload(text);
  if (!payload) return { ok: false, problem: 'notPairing' };
  if (payload.exp !== undefined && now > payload.exp + PAIRING_CLOCK_SLACK_MS) return { ok: false, problem: 'expired' };
  return { ok: true, payload };
}

/** HMAC-SHA256 under the code over who is asking, so the code is proved without being sent. */
async function proofBytes(code: string, panelId: string, adminId: string, encKid: string, iat: number): Promise<Uint8Array> {
  const raw = decodeBase64Url(code);
  if (!raw) throw new Error('bad pairing code');
  const key = await crypto.subtle.importKey('raw', raw as BufferSource, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const msg = utf8(canonicalJson(['doorward-pair/1', panelId, adminId, encKid, iat]));
  return new Uint8Array(await crypto.subtle.sign('HMAC', key, msg as BufferSource));
}

export async function buildPairRequest(payload: PairingPayload, keys: KeyPairs, label: string, now: number): Promise<Envelope> {
  const encKid = await thumbprint(keys.encryptionJwk);
  const proof = encodeBase64Url(await proofBytes(payload.code, payload.panelId, keys.id, encKid, now));
  const inner = { signingJwk: keys.signingJwk, encryptionJwk: keys.encryptionJwk, label: label.slice(0, 60), proof };
  const box = await sealBox(utf8(JSON.stringify(inner)), [{ kid: payload.panelId, ecdh: payload.enc }], boxContext('pair', keys.id, payload.panelId));
  return signEnvelope({ v: PROTOCOL_VERSION, t: 'pair', from: keys.id, to: payload.panelId, seq: 0, iat: now, exp: now + 2 * 60_000, box }, keys.signing.privateKey);
}

export type PairRefusal = 'malformed' | 'wrongPanel' | 'badSignature' | 'expired' | 'badCode' | 'alreadyPaired';

export type PairDecision =
  | { readonly ok: true; readonly admin: PairedAdmin; readonly pending: readonly PairingCode[] }
  /** requester: present once the request's signature held, so a refusal can be sent back. */
  | { readonly ok: false; readonly reason: PairRefusal; readonly requester: PairedAdmin | null; readonly pending: readonly PairingCode[] };

export interface PairContext {
  readonly panelId: string;
  readonly ecdhPrivate: CryptoKey;
  readonly pending: readonly PairingCode[];
  readonly admins: readonly PairedAdmin[];
  readonly now: number;
}

/**
 * The panel's decision on one request. Returns the pending codes as they should be stored next:
 * expired ones dropped, the used one consumed, a wrong try counted against every live code (the
 * request does not say which code it meant, and guessing must cost all of them).
 */
export async function acceptPairRequest(raw: Uint8Array | string, ctx: PairContext): Promise<PairDecision> {
  const live = ctx.pending.filter((c) => c.expiresAt > ctx.now);
  const refuse = (reason: PairRefusal, requester: PairedAdmin | null = null, pending: readonly PairingCode[] = live): PairDecision => ({ ok: false, reason, requester, pending });

  const parsed = parseEnvelope(raw);
  if (!parsed.ok || parsed.env.t !== 'pair' || !parsed.env.box) return refuse('malformed');
  const env = parsed.env;
  const box = parsed.env.box;
  if (env.to !== ctx.panelId) return refuse('wrongPanel');
  const plain = await openBox(box, ctx.panelId, ctx.ecdhPrivate, boxContext('pair', env.from, env.to));
  const inner = plain ? parseJsonObject(plain, 8192) : null;
  if (!inner) return refuse('malformed');
  const signingJwk = parsePublicJwk(inner.signingJwk);
  const encryptionJwk = parsePublicJwk(inner.encryptionJwk);
  const { label, proof } = inner;
  if (!signingJwk || !encryptionJwk || typeof label !== 'string' || label.length > 60 || typeof proof !== 'string') return refuse('malformed');
  if ((await thumbprint(signingJwk)) !== env.from) return refuse('malformed');
  const verifyKey = await importVerifyKey(signingJwk);
  if (!verifyKey || !(await verifyEnvelope(env, verifyKey))) return refuse('badSignature');

  const requester: PairedAdmin = { id: env.from, role: 'manager', signingJwk, encryptionJwk, label: label.trim() || 'phone', pairedAt: ctx.now };
  if (!(env.exp > ctx.now) || env.iat > ctx.now + 2 * 60_000 || env.exp - env.iat > 5 * 60_000) return refuse('expired', requester);
  if (ctx.admins.some((a) => a.id === env.from)) return refuse('alreadyPaired', requester);

  const given = decodeBase64Url(proof);
  const encKid = await thumbprint(encryptionJwk);
  for (const code of live) {
    const expected = await proofBytes(code.code, ctx.panelId, env.from, encKid, env.iat);
    if (given && constantTimeEqual(given, expected)) {
      const role: AdminRole = ctx.admins.length === 0 ? 'owner' : code.role;
      return { ok: true, admin: { ...requester, role }, pending: live.filter((c) => c !== code) };
    }
  }
  const counted = live.map((c) => ({ ...c, tries: c.tries + 1 })).filter((c) => c.tries < MAX_CODE_TRIES);
  return refuse('badCode', requester, counted);
}

export function parsePairedAdmin(v: unknown): PairedAdmin | null {
  if (!isRecord(v)) return null;
  const signingJwk = parsePublicJwk(v.signingJwk);
  const encryptionJwk = parsePublicJwk(v.encryptionJwk);
  if (!signingJwk || !encryptionJwk || !isNonEmptyString(v.id, 64) || (v.role !== 'owner' && v.role !== 'manager')) return null;
  if (typeof v.label !== 'string' || typeof v.pairedAt !== 'number') return null;
  return { id: v.id, role: v.role, signingJwk, encryptionJwk, label: v.label, pairedAt: v.pairedAt };
}
