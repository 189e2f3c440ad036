/**
 * PINs and passcodes are short, so they are stretched with PBKDF2-SHA256 at the OWASP 2023
 * iteration count and a random per-secret salt. The record stores its own parameters so the
 * count can be raised later without locking anyone out.
 */
export interface SecretHash {
  readonly algorithm: 'PBKDF2-SHA256';
  readonly iterations: number;
  readonly salt: string; // base64
  readonly hash: string; // base64
}

export const DEFAULT_ITERATIONS = 600_000;

export async function hashSecret(
  secret: string,
  iterations = DEFAULT_ITERATIONS,
  salt: Uint8Array = crypto.getRandomValues(new Uint8Array(16)),
): Promise<SecretHash> {
  const bits = await derive(secret, salt, iterations);
  return { algorithm: 'PBKDF2-SHA256', iterations, salt: toBase64(salt), hash: toBase64(bits) };
}

export async function verifySecret(secret: string, stored: SecretHash): Promise<boolean> {
  if (stored.algorithm !== 'PBKDF2-SHA256' || !(stored.iterations > 0)) return false;
  const bits = await derive(secret, fromBase64(stored.salt), stored.iterations);
  return constantTimeEqual(bits, fromBase64(stored.hash));
}

async function derive(secret: string, salt: Uint8Array, iterations: number): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), 'PBKDF2', false, [
    'deriveBits',
  ]);
  const bits = await crypto.subtle.deriveBits(
    { name: 'PBKDF2', hash: 'SHA-256', salt: salt as BufferSource, iterations },
    key,
    256,
  );
  return new Uint8Array(bits);
}

export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

export function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

export function fromBase64(text: string): Uint8Array {
  const s = atob(text);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}
