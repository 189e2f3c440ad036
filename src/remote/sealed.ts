import { decodeBase64Url, encodeBase64Url } from '../access/base64url.ts';
import { canonicalJson, isNonEmptyString, isRecord, utf8 } from './canonical.ts';
import { ECDH_P256, exportPublicJwk, importEcdhPublic, parsePublicJwk, type PublicJwk } from './keys.ts';

/**
 * Encryption to named recipients, so the broker carries only ciphertext: a fresh content key
 * encrypts the payload once (AES-256-GCM), and is wrapped for each recipient with a key derived
 * from ECDH between a per-message ephemeral key and the recipient's static ECDH key (HKDF-SHA256,
 * the recipient id and the message context in the info). This is JWE's ECDH-ES+A256KW with
 * GCM wrapping, kept small enough to read in one sitting.
 *
 * The context (for example the MQTT topic) is bound into every derived key and the payload's
 * additional data, so a box moved to another topic does not open. A box says nothing about who
 * made it: the envelope around it carries the sender's signature.
 */
export const BOX_ALG = 'ECDH-ES+A256GCMKW/A256GCM';
const MAX_RECIPIENTS = 32;

export interface Box {
  readonly alg: typeof BOX_ALG;
  readonly epk: PublicJwk;
  /** One wrapped content key per recipient id. */
  readonly to: readonly { readonly kid: string; readonly iv: string; readonly key: string }[];
  readonly iv: string;
  readonly ct: string;
}

export interface Recipient {
  readonly kid: string;
  readonly ecdh: PublicJwk;
}

export async function sealBox(plaintext: Uint8Array, recipients: readonly Recipient[], context: string): Promise<Box> {
  if (recipients.length === 0 || recipients.length > MAX_RECIPIENTS) throw new Error('sealBox: 1..32 recipients');
  const eph = await crypto.subtle.generateKey(ECDH_P256, false, ['deriveBits']);
  const epk = await exportPublicJwk(eph.publicKey);
  const cekRaw = crypto.getRandomValues(new Uint8Array(32));
  try {
    const to: Box['to'][number][] = [];
    for (const r of recipients) {
      const pub = await importEcdhPublic(r.ecdh);
      if (!pub) throw new Error(`sealBox: recipient ${r.kid} has an invalid key`);
      const kek = await wrapKey(eph.privateKey, pub, epk, r.kid, context);
      const iv = crypto.getRandomValues(new Uint8Array(12));
      const wrapped = await crypto.subtle.encrypt({ name: 'AES-GCM', iv: iv as BufferSource, additionalData: utf8(r.kid) as BufferSource }, kek, cekRaw as BufferSource);
      to.push({ kid: r.kid, iv: encodeBase64Url(iv), key: encodeBase64Url(new Uint8Array(wrapped)) });
    }
    const cek = await crypto.subtle.importKey('raw', cekRaw as BufferSource, 'AES-GCM', false, ['encrypt']);
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const ct = await crypto.subtle.encrypt({ name: 'AES-GCM', iv: iv as BufferSource, additionalData: aad(epk, context) as BufferSource }, cek, plaintext as BufferSource);
    return { alg: BOX_ALG, epk, to, iv: encodeBase64Url(iv), ct: encodeBase64Url(new Uint8Array(ct)) };
  } finally {
    cekRaw.fill(0);
  }
}

/** Null when the box is not for this kid, was moved to another context, or was altered. */
export async function openBox(box: Box, kid: string, ecdhPrivate: CryptoKey, context: string): Promise<Uint8Array | null> {
  const entry = box.to.find((t) => t.kid === kid);
  if (!entry) return null;
  const epk = await importEcdhPublic(box.epk);
  const wrapIv = decodeBase64Url(entry.iv);
  const wrapped = decodeBase64Url(entry.key);
  const iv = decodeBase64Url(box.iv);
  const ct = decodeBase64Url(box.ct);
  if (!epk || wrapIv?.length !== 12 || !wrapped || iv?.length !== 12 || !ct) return null;
  let cekRaw: Uint8Array | null = null;
  try {
    const kek = await wrapKey(ecdhPrivate, epk, box.epk, kid, context);
    cekRaw = new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-GCM', iv: wrapIv as BufferSource, additionalData: utf8(kid) as BufferSource }, kek, wrapped as BufferSource));
    if (cekRaw.length !== 32) return null;
    const cek = await crypto.subtle.importKey('raw', cekRaw as BufferSource, 'AES-GCM', false, ['decrypt']);
    return new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-GCM', iv: iv as BufferSource, additionalData: aad(box.epk, context) as BufferSource }, cek, ct as BufferSource));
  } catch {
    return null;
  } finally {
    cekRaw?.fill(0);
  }
}

export function parseBox(value: unknown): Box | null {
  if (!isRecord(value) || value.alg !== BOX_ALG) return null;
  const epk = parsePublicJwk(value.epk);
  const { to, iv, ct } = value;
  if (!epk || typeof iv !== 'string' || typeof ct !== 'string' || !Array.isArray(to)) return null;
  if (to.length === 0 || to.length > MAX_RECIPIENTS) return null;
  const entries: Box['to'][number][] = [];
  for (const t of to) {
    if (!isRecord(t) || !isNonEmptyString(t.kid, 64) || typeof t.iv !== 'string' || typeof t.key !== 'string') return null;
    entries.push({ kid: t.kid, iv: t.iv, key: t.key });
  }
  return { alg: BOX_ALG, epk, to: entries, iv, ct };
}

async function wrapKey(privateKey: CryptoKey, publicKey: CryptoKey, epk: PublicJwk, kid: string, context: string): Promise<CryptoKey> {
  const shared = await crypto.subtle.deriveBits({ name: 'ECDH', public: publicKey }, privateKey, 256);
  const base = await crypto.subtle.importKey('raw', shared, 'HKDF', false, ['deriveKey']);
  // The ephemeral key is the salt so every message has its own key even between the same pair.
  const salt = utf8(`${epk.x}.${epk.y}`);
  const info = utf8(canonicalJson(['doorward-box/1', kid, context]));
  return crypto.subtle.deriveKey({ name: 'HKDF', hash: 'SHA-256', salt: salt as BufferSource, info: info as BufferSource }, base, { name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
}

function aad(epk: PublicJwk, context: string): Uint8Array {
  return utf8(canonicalJson(['doorward-box/1', BOX_ALG, epk.x, epk.y, context]));
}
