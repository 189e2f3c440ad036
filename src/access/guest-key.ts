import { decodeBase64Url, encodeBase64Url } from './base64url.ts';
import type { GuestKeyFailure, Pass } from './types.ts';

/**
 * Guest keys: compact JWS (RFC 7515) signed with ES256 (ECDSA P-256, SHA-256; the signature is
 * JOSE's raw r||s, which is exactly what WebCrypto produces), carried in a QR code and verified at
 * the panel with no network. The admin side signs with a non-extractable private key; the panel
 * trusts a set of public keys named by their RFC 7638 thumbprint.
 *
 * Hardening (RFC 8725): the algorithm is pinned to ES256 (no "none", no HMAC confusion), the
 * header must carry this application's explicit `typ` so a differently-purposed token signed by
 * the same admin key is not accepted as a door key, `crit` extensions are refused, key material
 * in the header (jwk, jku, x5u) is ignored, and base64url is decoded strictly.
 *
 * Use counting is per panel: the panel keeps how often it has accepted each key id and passes
 * the counts in; several doors offline each count on their own.
 */

export const GUEST_KEY_TYP = 'doorward-guest+jwt';
export const DEFAULT_SKEW_MS = 2 * 60_000;
/** Skew allowed at most, whatever the caller asks: a wide skew would stretch every key's life. */
export const MAX_SKEW_MS = 10 * 60_000;
/** Larger than any key we issue and than a QR code comfortably holds; refuse before parsing. */
export const MAX_TOKEN_LENGTH = 2048;

export interface GuestKeyClaims {
  /** jti: the key's own id, for revocation and use counting. */
  readonly keyId: string;
  /** The thumbprint of the key that signed it (also the header kid and the iss claim). */
  readonly issuer: string;
  /** sub: the guest's person id or booking reference. */
  readonly subject: string;
  readonly name: string;
  /** aud: the door ids it opens. */
  readonly doors: readonly string[];
  /** Epoch ms (the token stores whole seconds). */
  readonly notBefore: number;
  readonly expires: number;
  readonly issuedAt: number;
  readonly maxUses: number | null;
  /** Hospitality self check-in: the guest may enrol their own face until the key expires. */
  readonly selfEnrol: boolean;
}

export type GuestKeyResult =
  | { readonly ok: true; readonly claims: GuestKeyClaims }
  /** claims: present only once the signature has been verified, so they can be trusted for the log. */
  | { readonly ok: false; readonly reason: GuestKeyFailure; readonly claims: GuestKeyClaims | null };

export interface IssuerKeys {
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly publicJwk: JsonWebKey;
}

export interface GuestKeyRequest {
  readonly keyId?: string;
  readonly subject: string;
  readonly name: string;
  readonly doors: readonly string[];
  readonly notBefore: number;
  readonly expires: number;
  readonly issuedAt: number;
  readonly maxUses?: number | null;
  readonly selfEnrol?: boolean;
}

export interface VerifyOptions {
  /** Trusted issuer public keys by kid (thumbprint). */
  readonly issuers: ReadonlyMap<string, CryptoKey>;
  readonly doorId: string;
  readonly now: number;
  readonly maxSkewMs?: number;
  readonly revoked: ReadonlySet<string>;
  /** How many times this panel has already let each key id in; absent means never. */
  readonly uses: ReadonlyMap<string, number>;
}

const ES256 = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGN = { name: 'ECDSA', hash: 'SHA-256' } as const;

export async function generateIssuerKeys(): Promise<IssuerKeys> {
  const pair = await crypto.subtle.generateKey(ES256, false, ['sign', 'verify']);
  // The public half of a generated pair is always exportable, the private half here never.
  const publicJwk = await crypto.subtle.exportKey('jwk', pair.publicKey);
  return { kid: await jwkThumbprint(publicJwk), privateKey: pair.privateKey, publicJwk };
}

/** For the panel's trust list: imports an admin's public key and names it by its thumbprint. */
export async function importIssuerKey(jwk: JsonWebKey): Promise<{ kid: string; publicKey: CryptoKey }> {
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || !jwk.x || !jwk.y || jwk.d) {
    throw new Error('issuer key must be a public EC P-256 JWK');
  }
  const clean: JsonWebKey = { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y };
  const publicKey = await crypto.subtle.importKey('jwk', clean, ES256, true, ['verify']);
  return { kid: await jwkThumbprint(clean), publicKey };
}

/** RFC 7638: SHA-256 over the required members in lexicographic order, base64url. */
export async function jwkThumbprint(jwk: JsonWebKey): Promise<string> {
  const canonical = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y });
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(canonical));
  return encodeBase64Url(new Uint8Array(digest));
}

export async function createGuestKey(request: GuestKeyRequest, signer: Pick<IssuerKeys, 'kid' | 'privateKey'>): Promise<string> {
  if (request.doors.length === 0) throw new Error('a guest key must name at least one door');
  if (!(request.expires > request.notBefore)) throw new Error('a guest key must expire after it starts');
  const maxUses = request.maxUses ?? null;
  if (maxUses !== null && !(Number.isInteger(maxUses) && maxUses > 0)) throw new Error('maxUses must be a positive integer');

  const header = { alg: 'ES256', typ: GUEST_KEY_TYP, kid: signer.kid };
  const payload: Record<string, unknown> = {
    iss: signer.kid,
    jti: request.keyId ?? encodeBase64Url(crypto.getRandomValues(new Uint8Array(16))),
    sub: request.subject,
    name: request.name,
    aud: [...request.doors],
    nbf: Math.floor(request.notBefore / 1000),
    // Rounded up so a key never ends earlier than asked.
    exp: Math.ceil(request.expires / 1000),
    iat: Math.floor(request.issuedAt / 1000),
  };
  if (maxUses !== null) payload.max = maxUses;
  if (request.selfEnrol) payload.enrol = true;

  const signingInput = `${encodeJson(header)}.${encodeJson(payload)}`;
  const signature = await crypto.subtle.sign(SIGN, signer.privateKey, new TextEncoder().encode(signingInput));
  return `${signingInput}.${encodeBase64Url(lowS(new Uint8Array(signature)))}`;
}

export async function verifyGuestKey(token: string, options: VerifyOptions): Promise<GuestKeyResult> {
  const fail = (reason: GuestKeyFailure, claims: GuestKeyClaims | null = null): GuestKeyResult => ({
    ok: false,
    reason,
    claims,
  });

  if (token.length > MAX_TOKEN_LENGTH) return fail('keyMalformed');
  const segments = token.split('.');
  if (segments.length !== 3) return fail('keyMalformed');
  const [headerText = '', payloadText = '', signatureText = ''] = segments;
  const header = decodeJsonObject(headerText);
  const payloadBytes = decodeBase64Url(payloadText);
  const signature = decodeBase64Url(signatureText);
  if (!header || !payloadBytes || !signature) return fail('keyMalformed');

  if (header.alg !== 'ES256') return fail('keyUnsupportedAlgorithm');
  if (header.typ !== GUEST_KEY_TYP || 'crit' in header || typeof header.kid !== 'string') return fail('keyMalformed');
  const publicKey = options.issuers.get(header.kid);
  if (!publicKey) return fail('keyUnknownIssuer');

  // Verify before interpreting a single claim: until then the payload is attacker-controlled.
  // Only the low-S form is accepted: (r, n - s) is just as valid for the same key, and a second
  // spelling of the same key would count as a different token wherever tokens are compared.
  if (signature.length !== 64 || !isLowS(signature)) return fail('keyBadSignature');
  let valid = false;
  try {
    valid = await crypto.subtle.verify(SIGN, publicKey, signature as BufferSource, new TextEncoder().encode(`${headerText}.${payloadText}`));
  } catch {
    valid = false;
  }
  if (!valid) return fail('keyBadSignature');

  const claims = parseClaims(payloadBytes, header.kid);
  if (!claims) return fail('keyMalformed');

  const skew = Math.min(MAX_SKEW_MS, Math.max(0, options.maxSkewMs ?? DEFAULT_SKEW_MS));
  const uses = options.uses.get(claims.keyId) ?? 0;
  if (options.revoked.has(claims.keyId)) return fail('keyRevoked', claims);
  if (!claims.doors.includes(options.doorId)) return fail('keyWrongDoor', claims);
  if (!(options.now >= claims.notBefore - skew)) return fail('keyNotYetValid', claims);
  if (!(options.now < claims.expires + skew)) return fail('keyExpired', claims);
  if (claims.maxUses !== null && !(uses < claims.maxUses)) return fail('keyExhausted', claims);
  return { ok: true, claims };
}

/**
 * Whether the key lets its holder enrol their own face now. Held to the key's own window with no
 * skew: enrolment outlives the visit, so the panel removes the face once this turns false.
 */
export function maySelfEnrol(claims: GuestKeyClaims, now: number): boolean {
  return claims.selfEnrol && now >= claims.notBefore && now < claims.expires;
}

/**
 * The pass a self-enrolled guest's face enters on: the key's own window and use limit, so the
 * face opens no more than the key would, and lapses with it (the panel then removes the face).
 * Its uses are the key's own count (see `withKeyUses`), not a second counter.
 */
export function selfEnrolPass(claims: GuestKeyClaims): Pass {
  return {
    id: `guest-key:${claims.keyId}`,
    personId: claims.subject,
    from: claims.notBefore,
    to: claims.expires,
    maxUses: claims.maxUses,
    uses: 0,
    keyId: claims.keyId,
  };
}

/**
 * A pass as the policy must judge it: a key's pass carries the key's use count and revocation,
 * so a 2-use key gives two entries in all, by QR or by face, and a revoked key stops the face too.
 */
export function withKeyUses(pass: Pass, uses: ReadonlyMap<string, number>, revoked: ReadonlySet<string>): Pass {
  if (pass.keyId === undefined) return pass;
  return { ...pass, uses: Math.max(pass.uses, uses.get(pass.keyId) ?? 0), revoked: pass.revoked === true || revoked.has(pass.keyId) };
}

/** The order of P-256's base point (SEC 2); ECDSA's s and n - s both verify. */
const P256_N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const HALF_N = P256_N >> 1n;

function bigFrom(bytes: Uint8Array): bigint {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return v;
}

function bytesOf(v: bigint, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = length - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

/** A raw r||s signature's s is in the lower half of the group order. */
export function isLowS(signature: Uint8Array): boolean {
  const s = bigFrom(signature.subarray(32, 64));
  return s > 0n && s <= HALF_N;
}

/** The canonical form of a raw r||s signature: s replaced by n - s when it is in the upper half. */
export function lowS(signature: Uint8Array): Uint8Array {
  if (signature.length !== 64 || isLowS(signature)) return signature;
  const out = signature.slice();
  out.set(bytesOf(P256_N - bigFrom(signature.subarray(32, 64)), 32), 32);
  return out;
}

function parseClaims(bytes: Uint8Array, kid: string): GuestKeyClaims | null {
  const p = parseJsonObject(bytes);
  if (!p) return null;
  const { iss, jti, sub, name, aud, nbf, exp, iat, max, enrol } = p;
  if (iss !== kid) return null;
  if (!nonEmptyString(jti) || !nonEmptyString(sub) || typeof name !== 'string') return null;
  if (!Array.isArray(aud) || aud.length === 0 || !aud.every(nonEmptyString)) return null;
  if (!isSeconds(nbf) || !isSeconds(exp) || !isSeconds(iat) || !(exp > nbf)) return null;
  if (max !== undefined && !(Number.isInteger(max) && (max as number) > 0)) return null;
  if (enrol !== undefined && typeof enrol !== 'boolean') return null;
  return {
    keyId: jti,
    issuer: kid,
    subject: sub,
    name,
    doors: aud,
    notBefore: nbf * 1000,
    expires: exp * 1000,
    issuedAt: iat * 1000,
    maxUses: max === undefined ? null : (max as number),
    selfEnrol: enrol === true,
  };
}

function encodeJson(value: unknown): string {
  return encodeBase64Url(new TextEncoder().encode(JSON.stringify(value)));
}

function decodeJsonObject(text: string): Record<string, unknown> | null {
  const bytes = decodeBase64Url(text);
  return bytes ? parseJsonObject(bytes) : null;
}

function parseJsonObject(bytes: Uint8Array): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function nonEmptyString(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0;
}

function isSeconds(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0;
}
