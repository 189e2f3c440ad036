import { decodeBase64Url, encodeBase64Url } from '../access/base64url.ts';
import { constantTimeEqual } from '../lib/secret-hash.ts';
import { canonicalJson, isNonEmptyString, isRecord, parseJsonObject, utf8 } from './canonical.ts';
import { isAdminRole, type AdminRole } from './command.ts';
import { boxContext, parseEnvelope, PROTOCOL_VERSION, signEnvelope, verifyEnvelope, type Envelope } from './envelope.ts';
import { importVerifyKey, parsePublicJwk, thumbprint, type KeyPairs, type PublicJwk } from './keys.ts';
import { openBox, sealBox } from './sealed.ts';
import { isTopicId } from './topics.ts';
import { isBrokerUrl, parseBrokerLogin, type BrokerLogin } from './broker-url.ts';

/**
 * Pairing a phone. The panel shows a QR code (panel id, broker URL, the panel's two public keys
 * and a one-time code). The phone, holding that, makes its own key pairs and sends a request
 * encrypted to the panel's ECDH key, signed by its new ECDSA key, and carrying a MAC under the
 * code over the whole request (who, to whom, when, and the sealed keys).
 *
 * Everything in the QR code but the code is public (the panel's config), so anyone on the broker
 * can send well-formed requests. The MAC is therefore checked first, before any decryption or
 * signature check: a request that does not prove the code costs the panel one HMAC per live code
 * and nothing else, and counts against nothing, so no number of them can use up the real phone's
 * code. Only a request that proves the code and is wrong in some other way (its signature, its
 * time, its keys) counts against that code, which dies after a few such tries, after one use, or
 * when its minutes are up. The code is 128 random bits: a MAC seen on the broker does not help
 * anyone guess it.
 */
export const PAIRING_TTL_MS = 10 * 60_000;
export const MAX_CODE_TRIES = 5;
/** A pairing request is two public keys and a label, sealed: anything larger is not one. */
export const MAX_PAIR_BYTES = 8_192;
const PAYLOAD_PREFIX = 'DOORWARD-PAIR:';

export interface PairingCode {
  readonly code: string;
  readonly role: AdminRole;
  readonly expiresAt: number;
  /** Requests that proved this code and were still refused. */
  readonly tries: number;
  /** Their MACs, so one of them sent again is not counted twice. */
  readonly tried: readonly string[];
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
  return { code: encodeBase64Url(crypto.getRandomValues(new Uint8Array(16))), role, expiresAt: now + ttlMs, tries: 0, tried: [] };
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

/** What the MAC covers: every field of the request but the MAC and the signature. */
function macInput(from: string, to: string, iat: number, exp: number, box: unknown): Uint8Array {
  return utf8(canonicalJson(['doorward-pair/2', from, to, iat, exp, box]));
}

async function codeMac(code: string, input: Uint8Array): Promise<Uint8Array> {
  const raw = decodeBase64Url(code);
  if (!raw) throw new Error('bad pairing code');
  const key = await crypto.subtle.importKey('raw', raw as BufferSource, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return new Uint8Array(await crypto.subtle.sign('HMAC', key, input as BufferSource));
}

export async function buildPairRequest(payload: PairingPayload, keys: KeyPairs, label: string, now: number): Promise<Envelope> {
  const inner = { signingJwk: keys.signingJwk, encryptionJwk: keys.encryptionJwk, label: label.slice(0, 60) };
  const box = await sealBox(utf8(JSON.stringify(inner)), [{ kid: payload.panelId, ecdh: payload.enc }], boxContext('pair', keys.id, payload.panelId));
  const exp = now + 2 * 60_000;
  const mac = encodeBase64Url(await codeMac(payload.code, macInput(keys.id, payload.panelId, now, exp, box)));
  return signEnvelope({ v: PROTOCOL_VERSION, t: 'pair', from: keys.id, to: payload.panelId, seq: 0, iat: now, exp, box, body: { mac } }, keys.signing.privateKey);
}

export type PairRefusal = 'malformed' | 'wrongPanel' | 'badSignature' | 'expired' | 'badCode' | 'alreadyPaired';

export type PairDecision =
  | { readonly ok: true; readonly admin: PairedAdmin; readonly pending: readonly PairingCode[] }
  | {
      readonly ok: false;
      readonly reason: PairRefusal;
      /**
       * Whether the request proved a live code. An unproven one is dropped at once: no answer,
       * nothing counted, and `source` (the sender it claims to be, unverified) only to keep one
       * sender from filling the log.
       */
      readonly proven: boolean;
      readonly source: string | null;
      /** Present once the request's signature held, so a refusal can be sent back. */
      readonly requester: PairedAdmin | null;
      readonly pending: readonly PairingCode[];
    };

export interface PairContext {
  readonly panelId: string;
  readonly ecdhPrivate: CryptoKey;
  readonly pending: readonly PairingCode[];
  readonly admins: readonly PairedAdmin[];
  readonly now: number;
}

/**
 * The panel's decision on one request. Returns the pending codes as they should be stored next:
 * expired ones dropped, the used one consumed, and a proven but refused try counted against the
 * code it proved (once per distinct request). Unproven requests leave every code as it was.
 */
export async function acceptPairRequest(raw: Uint8Array | string, ctx: PairContext): Promise<PairDecision> {
  const live = ctx.pending.filter((c) => c.expiresAt > ctx.now);
  const bytes = typeof raw === 'string' ? utf8(raw) : raw;
  const parsed = bytes.byteLength <= MAX_PAIR_BYTES ? parseEnvelope(bytes) : null;
  const source = parsed?.ok && isTopicId(parsed.env.from) ? parsed.env.from : null;
  const unproven = (reason: PairRefusal): PairDecision => ({ ok: false, reason, proven: false, source, requester: null, pending: live });

  if (!parsed?.ok || parsed.env.t !== 'pair' || !parsed.env.box || typeof parsed.env.body?.mac !== 'string') return unproven('malformed');
  const env = parsed.env;
  const box = parsed.env.box;
  if (env.to !== ctx.panelId) return unproven('wrongPanel');
  const given = decodeBase64Url(env.body?.mac as string);
  const input = macInput(env.from, env.to, env.iat, env.exp, box);
  let code: PairingCode | undefined;
  for (const c of live) {
    if (given && constantTimeEqual(given, await codeMac(c.code, input))) code = c;
  }
  if (!code) return unproven('badCode');
  const mac = env.body?.mac as string;
  // The same proven request again (a replay, a retry) is not a new try.
  if (code.tried.includes(mac)) return unproven('badCode');

  const proved = code;
  const counted = (): readonly PairingCode[] =>
    live.map((c) => (c === proved ? { ...c, tries: c.tries + 1, tried: [...c.tried, mac] } : c)).filter((c) => c.tries < MAX_CODE_TRIES);
  const refuse = (reason: PairRefusal, requester: PairedAdmin | null = null): PairDecision => ({ ok: false, reason, proven: true, source, requester, pending: counted() });

  if (!(env.exp > ctx.now) || env.iat > ctx.now + 2 * 60_000 || env.exp - env.iat > 5 * 60_000) return refuse('expired');
  const plain = await openBox(box, ctx.panelId, ctx.ecdhPrivate, boxContext('pair', env.from, env.to));
  const inner = plain ? parseJsonObject(plain, MAX_PAIR_BYTES) : null;
  if (!inner) return refuse('malformed');
  const signingJwk = parsePublicJwk(inner.signingJwk);
  const encryptionJwk = parsePublicJwk(inner.encryptionJwk);
  const { label } = inner;
  if (!signingJwk || !encryptionJwk || typeof label !== 'string' || label.length > 60) return refuse('malformed');
  if ((await thumbprint(signingJwk)) !== env.from) return refuse('malformed');
  const verifyKey = await importVerifyKey(signingJwk);
  if (!verifyKey || !(await verifyEnvelope(env, verifyKey))) return refuse('badSignature');

  const requester: PairedAdmin = { id: env.from, role: 'manager', signingJwk, encryptionJwk, label: label.trim() || 'phone', pairedAt: ctx.now };
  if (ctx.admins.some((a) => a.id === env.from)) return refuse('alreadyPaired', requester);
  // The first phone paired owns the panel; a bridge stays a bridge, whenever it pairs.
  const role: AdminRole = ctx.admins.length === 0 && proved.role !== 'bridge' ? 'owner' : proved.role;
  return { ok: true, admin: { ...requester, role }, pending: live.filter((c) => c !== proved) };
}

export function parsePairedAdmin(v: unknown): PairedAdmin | null {
  if (!isRecord(v)) return null;
  const signingJwk = parsePublicJwk(v.signingJwk);
  const encryptionJwk = parsePublicJwk(v.encryptionJwk);
  if (!signingJwk || !encryptionJwk || !isNonEmptyString(v.id, 64) || !isAdminRole(v.role)) return null;
  if (typeof v.label !== 'string' || typeof v.pairedAt !== 'number') return null;
  return { id: v.id, role: v.role, signingJwk, encryptionJwk, label: v.label, pairedAt: v.pairedAt };
}
