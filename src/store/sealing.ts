import type { DoorwardDB } from './db.ts';

/**
 * Encryption at rest for face templates and snapshots. The AES-GCM key is generated inside
 * WebCrypto as non-extractable and kept in IndexedDB as a CryptoKey object: script can use it
 * but never read its bytes, so a copy of the database files alone does not reveal faces. The
 * record id is bound as additional data, so a ciphertext moved onto another record fails to open.
 */
export interface Sealed {
  readonly iv: Uint8Array;
  readonly data: ArrayBuffer;
}

export class SealError extends Error {
  override readonly name = 'SealError';
}

const KEY_NAME = 'data-at-rest';

export async function dataKey(db: DoorwardDB, now: number): Promise<CryptoKey> {
  const existing = await db.get('keys', KEY_NAME);
  if (existing) return existing.key;
  const key = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
  // add() rather than put(): if another tab raced us, keep theirs, since records may already use it.
  try {
    await db.add('keys', { name: KEY_NAME, key, createdAt: now });
    return key;
  } catch {
    const winner = await db.get('keys', KEY_NAME);
    if (!winner) throw new SealError('data key could not be stored');
    return winner.key;
  }
}

const aad = (id: string) => new TextEncoder().encode(id);

export async function seal(key: CryptoKey, recordId: string, plain: BufferSource): Promise<Sealed> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const data = await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: aad(recordId) }, key, plain);
  return { iv, data };
}

export async function unseal(key: CryptoKey, recordId: string, sealed: Sealed): Promise<ArrayBuffer> {
  try {
    return await crypto.subtle.decrypt({ name: 'AES-GCM', iv: sealed.iv as BufferSource, additionalData: aad(recordId) }, key, sealed.data);
  } catch {
    throw new SealError(`record ${recordId} failed its integrity check`);
  }
}
