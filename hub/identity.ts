import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createPrivateKey, generateKeyPairSync, type JsonWebKey as NodeJwk, type KeyObject } from 'node:crypto';
import { join } from 'node:path';
import { decodeBase64Url, encodeBase64Url } from '../src/access/base64url.ts';
import { ECDH_P256, ECDSA_P256, exportPublicJwk, parsePublicJwk, thumbprint, type KeyPairs } from '../src/remote/keys.ts';
import { utf8 } from '../src/remote/canonical.ts';

/**
 * The hub's keys: one P-256 pair to sign (its admin id at every panel is that key's thumbprint),
 * one to receive, as a phone has, and an AES key that seals the PINs it keeps for doors added
 * later. A Node service cannot hold a non-extractable key across restarts the way a phone's
 * IndexedDB does, so they live in a file of their own (mode 0600) in the hub's state folder,
 * apart from the database: a dump of the database carries no key. The VAPID pair (RFC 8292)
 * that signs its Web Push requests lives there too, made at the first start that lacks one.
 */
export interface HubIdentity {
  readonly keys: KeyPairs;
  readonly dataKey: CryptoKey;
  readonly vapid: VapidKeys;
}

export interface VapidKeys {
  readonly privateKey: KeyObject;
  /** The uncompressed P-256 point (65 bytes): a browser's `applicationServerKey`, the `k` of the header. */
  readonly publicKey: Buffer;
}

const FILE = 'hub-keys.json';

export async function loadOrCreateIdentity(stateDir: string): Promise<HubIdentity> {
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const path = join(stateDir, FILE);
  if (existsSync(path)) {
    const stored = JSON.parse(readFileSync(path, 'utf8')) as StoredIdentity;
    if (stored.vapid) return importIdentity(stored);
    // A key file from before Web Push: the same keys, a VAPID pair added.
    const upgraded: StoredIdentity = { ...stored, vapid: newVapidJwk() };
    writeKeyFile(path, upgraded);
    return importIdentity(upgraded);
  }
  const signing = await crypto.subtle.generateKey(ECDSA_P256, true, ['sign', 'verify']);
  const encryption = await crypto.subtle.generateKey(ECDH_P256, true, ['deriveBits']);
  const data = crypto.getRandomValues(new Uint8Array(32));
  const stored: StoredIdentity = { v: 1, signing: await crypto.subtle.exportKey('jwk', signing.privateKey), encryption: await crypto.subtle.exportKey('jwk', encryption.privateKey), data: encodeBase64Url(data), vapid: newVapidJwk() };
  writeKeyFile(path, stored);
  return importIdentity(stored);
}

function writeKeyFile(path: string, stored: StoredIdentity): void {
  writeFileSync(path, JSON.stringify(stored), { mode: 0o600 });
  chmodSync(path, 0o600);
}

const newVapidJwk = (): JsonWebKey => generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ format: 'jwk' }) as JsonWebKey;

function importVapid(jwk: JsonWebKey): VapidKeys {
  const x = decodeBase64Url(jwk.x ?? '');
  const y = decodeBase64Url(jwk.y ?? '');
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || x?.length !== 32 || y?.length !== 32 || !jwk.d) throw new Error('hub-keys.json: bad VAPID key');
  const privateKey = createPrivateKey({ key: jwk as NodeJwk, format: 'jwk' });
  const derived = privateKey.export({ format: 'jwk' });
  if (derived.x !== jwk.x || derived.y !== jwk.y) throw new Error('hub-keys.json: inconsistent VAPID key');
  return { privateKey, publicKey: Buffer.concat([Buffer.from([4]), x, y]) };
}

interface StoredIdentity {
  readonly v: 1;
  readonly signing: JsonWebKey;
  readonly encryption: JsonWebKey;
  readonly data: string;
  readonly vapid?: JsonWebKey;
}

async function importIdentity(s: StoredIdentity): Promise<HubIdentity> {
  if (s.v !== 1) throw new Error('hub-keys.json: unknown version');
  const pub = (jwk: JsonWebKey) => {
    const p = parsePublicJwk({ kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y });
    if (!p) throw new Error('hub-keys.json: not a P-256 key');
    return p;
  };
  const signingJwk = pub(s.signing);
  const encryptionJwk = pub(s.encryption);
  const signing: CryptoKeyPair = {
    privateKey: await crypto.subtle.importKey('jwk', s.signing, ECDSA_P256, false, ['sign']),
    publicKey: await crypto.subtle.importKey('jwk', { ...signingJwk }, ECDSA_P256, true, ['verify']),
  };
  const encryption: CryptoKeyPair = {
    privateKey: await crypto.subtle.importKey('jwk', s.encryption, ECDH_P256, false, ['deriveBits']),
    publicKey: await crypto.subtle.importKey('jwk', { ...encryptionJwk }, ECDH_P256, true, []),
  };
  const raw = decodeBase64Url(s.data);
  if (raw?.length !== 32) throw new Error('hub-keys.json: bad data key');
  const dataKey = await crypto.subtle.importKey('raw', raw as BufferSource, 'AES-GCM', false, ['encrypt', 'decrypt']);
  // Checked, not trusted: the file's public halves are what the private ones make.
  if ((await exportPublicJwk(signing.publicKey)).x !== signingJwk.x) throw new Error('hub-keys.json: inconsistent signing key');
  if (!s.vapid) throw new Error('hub-keys.json: no VAPID key');
  return { keys: { signing, encryption, signingJwk, encryptionJwk, id: await thumbprint(signingJwk) }, dataKey, vapid: importVapid(s.vapid) };
}

/** A PIN (or any short secret) sealed for the hub's own later use; bound to the person it is for. */
export async function sealSecret(id: HubIdentity, personId: string, secret: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ct = await crypto.subtle.encrypt({ name: 'AES-GCM', iv: iv as BufferSource, additionalData: utf8(`pin/${personId}`) as BufferSource }, id.dataKey, utf8(secret) as BufferSource);
  return `${encodeBase64Url(iv)}.${encodeBase64Url(new Uint8Array(ct))}`;
}

export async function openSecret(id: HubIdentity, personId: string, sealed: string): Promise<string | null> {
  const [iv, ct] = sealed.split('.').map((p) => decodeBase64Url(p));
  if (iv?.length !== 12 || !ct) return null;
  try {
    const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: iv as BufferSource, additionalData: utf8(`pin/${personId}`) as BufferSource }, id.dataKey, ct as BufferSource);
    return new TextDecoder().decode(plain);
  } catch {
    return null;
  }
}
