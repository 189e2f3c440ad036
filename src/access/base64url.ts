import { fromBase64, toBase64 } from '../lib/secret-hash.ts';

/** Unpadded base64url (RFC 7515 section 2). */
export function encodeBase64Url(bytes: Uint8Array): string {
  return toBase64(bytes).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * Strict decoding: only the url-safe alphabet, no padding, and the canonical spelling only (no
 * stray low bits), so one token has exactly one text and a tampered character cannot slip past.
 * Null on anything else.
 */
export function decodeBase64Url(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return null;
  const padded = text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4);
  let bytes: Uint8Array;
  try {
    bytes = fromBase64(padded);
  } catch {
    return null;
  }
  return encodeBase64Url(bytes) === text ? bytes : null;
}
