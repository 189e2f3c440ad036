import { decodeBase64Url, encodeBase64Url } from '../access/base64url.ts';
import { jwkThumbprint } from '../access/guest-key.ts';
import { isRecord } from './canonical.ts';

/**
 * Key handling shared by panel and phone. Each side has two P-256 key pairs: ECDSA to sign and
 * ECDH to receive encrypted data. They are separate because WebCrypto binds a key to one
 * algorithm, and because one key per purpose is what keeps a signature oracle from becoming a
 * decryption oracle. Private halves are generated non-extractable and never leave IndexedDB.
 */
export const ECDSA_P256 = { name: 'ECDSA', namedCurve: 'P-256' } as const;
export const ECDH_P256 = { name: 'ECDH', namedCurve: 'P-256' } as const;
const SIGN = { name: 'ECDSA', hash: 'SHA-256' } as const;

/** A public P-256 key as a minimal JWK: nothing else (no d, no key_ops) crosses the wire. */
export interface PublicJwk {
  readonly kty: 'EC';
  readonly crv: 'P-256';
  readonly x: string;
  readonly y: string;
}

export interface KeyPairs {
  readonly signing: CryptoKeyPair;
  readonly encryption: CryptoKeyPair;
  readonly signingJwk: PublicJwk;
  readonly encryptionJwk: PublicJwk;
  /** RFC 7638 thumbprint of the signing key: the identity others know this party by. */
  readonly id: string;
}

/**
 * `extractable` only for a holder with no key store that keeps keys unreadable (the Matter bridge,
 * a Node process, keeps them in a file only its user may read); browsers never ask for it.
 */
export async function generateKeyPairs(extractable = false): Promise<KeyPairs> {
  const signing = await crypto.subtle.generateKey(ECDSA_P256, extractable, ['sign', 'verify']);
  const encryption = await crypto.subtle.generateKey(ECDH_P256, extractable, ['deriveBits']);
  const signingJwk = await exportPublicJwk(signing.publicKey);
  const encryptionJwk = await exportPublicJwk(encryption.publicKey);
  return { signing, encryption, signingJwk, encryptionJwk, id: await jwkThumbprint(signingJwk) };
}

export async function exportPublicJwk(key: CryptoKey): Promise<PublicJwk> {
  const jwk = await crypto.subtle.exportKey('jwk', key);
  const clean = parsePublicJwk(jwk);
  if (!clean) throw new Error('not a P-256 public key');
  return clean;
}

/** Strict: exactly a public EC P-256 key with 32-byte coordinates, or null. */
export function parsePublicJwk(value: unknown): PublicJwk | null {
  if (!isRecord(value)) return null;
  const { kty, crv, x, y, d } = value;
  if (kty !== 'EC' || crv !== 'P-256' || d !== undefined) return null;
  if (typeof x !== 'string' || typeof y !== 'string') return null;
  if (decodeBase64Url(x)?.length !== 32 || decodeBase64Url(y)?.length !== 32) return null;
  return { kty: 'EC', crv: 'P-256', x, y };
}

export const thumbprint = (jwk: PublicJwk): Promise<string> => jwkThumbprint(jwk);

/** Null when the point is not on the curve (WebCrypto refuses it). */
export async function importVerifyKey(jwk: PublicJwk): Promise<CryptoKey | null> {
  try {
    return await crypto.subtle.importKey('jwk', { ...jwk }, ECDSA_P256, true, ['verify']);
  } catch {
    return null;
  }
}

export async function importEcdhPublic(jwk: PublicJwk): Promise<CryptoKey | null> {
  try {
    return await crypto.subtle.importKey('jwk', { ...jwk }, ECDH_P256, true, []);
  } catch {
    return null;
  }
}

export async function signBytes(privateKey: CryptoKey, data: Uint8Array): Promise<string> {
  const sig = await crypto.subtle.sign(SIGN, privateKey, data as BufferSource);
  return encodeBase64Url(new Uint8Array(sig));
}

export async function verifyBytes(publicKey: CryptoKey, data: Uint8Array, signature: string): Promise<boolean> {
  const raw = decodeBase64Url(signature);
  if (!raw || raw.length !== 64) return false;
  try {
    return await crypto.subtle.verify(SIGN, publicKey, raw as BufferSource, data as BufferSource);
  } catch {
    return false;
  }
}
