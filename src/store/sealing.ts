import type { DoorwardDB } from './db.ts';
import type { Clock } from '../platform/clock.ts';

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

/** Seals and opens records with the data-at-rest key, for code that should not hold the database. */
export interface Sealer {
  seal(recordId: string, plain: BufferSource): Promise<Sealed>;
  /** Throws SealError when the record was altered or moved. */
  unseal(recordId: string, sealed: Sealed): Promise<ArrayBuffer>;
}

/** A sealer over a key fetched on first use; a failed fetch is tried again next time, not remembered. */
export function keySealer(getKey: () => Promise<CryptoKey>): Sealer {
  let key: Promise<CryptoKey> | null = null;
  const current = () =>
    (key ??= getKey().catch((err: unknown) => {
      key = null;
      throw err;
    }));
  return {
    seal: async (recordId, plain) => seal(await current(), recordId, plain),
    unseal: async (recordId, sealed) => unseal(await current(), recordId, sealed),
  };
}

/** The panel's sealer: the data-at-rest key of this database, the one templates are sealed with. */
export const dataSealer = (db: DoorwardDB, clock: Clock): Sealer => keySealer(() => dataKey(db, clock.now()));
