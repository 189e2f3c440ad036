// HMAC-SHA256 auth block for state-changing commands (PROTOCOL.md section 2), on WebCrypto so
// the key can live in IndexedDB as a non-extractable CryptoKey and never touch JS memory.
import { AUTH_LEN, Cmd, FLAG_AUTH, FrameType, HEADER_LEN, KEY_LEN, NONCE_LEN, TAG_LEN, encodeFrame, headerBytes, putU32 } from './protocol.ts';

/** WebCrypto wants ArrayBuffer-backed views; this copies when a view might be shared memory. */
function owned(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(bytes);
}

/** Imports a 256-bit door key for signing. Non-extractable unless a provisioning flow needs the bytes. */
export async function importDoorKey(raw: Uint8Array, extractable = false): Promise<CryptoKey> {
  if (raw.length !== KEY_LEN) throw new RangeError(`door key must be ${KEY_LEN} bytes`);
  return crypto.subtle.importKey('raw', owned(raw), { name: 'HMAC', hash: 'SHA-256' }, extractable, ['sign']);
}

/** tag = HMAC-SHA256(key, nonce || counter u32 LE || header[8] || body)[0..16] */
export async function computeTag(
  key: CryptoKey,
  nonce: Uint8Array,
  counter: number,
  header: Uint8Array,
  body: Uint8Array,
): Promise<Uint8Array> {
  if (nonce.length !== NONCE_LEN || header.length !== HEADER_LEN) throw new RangeError('bad nonce or header length');
  const msg = new Uint8Array(NONCE_LEN + 4 + HEADER_LEN + body.length);
  msg.set(nonce, 0);
  putU32(msg, NONCE_LEN, counter);
  msg.set(header, NONCE_LEN + 4);
  msg.set(body, NONCE_LEN + 4 + HEADER_LEN);
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, msg));
  return mac.slice(0, TAG_LEN);
}

export interface SignedCommand {
  seq: number;
  cmd: Cmd;
  body: Uint8Array;
  counter: number;
  key: CryptoKey;
  nonce: Uint8Array;
}

/** A COMMAND frame with the AUTH flag and auth block, ready for the wire. */
export async function encodeSigned(c: SignedCommand): Promise<Uint8Array> {
  const length = c.body.length + AUTH_LEN;
  const header = headerBytes({ type: FrameType.Command, flags: FLAG_AUTH, seq: c.seq, cmd: c.cmd, length });
  const tag = await computeTag(c.key, c.nonce, c.counter, header, c.body);
  const payload = new Uint8Array(length);
  payload.set(c.body, 0);
  putU32(payload, c.body.length, c.counter);
  payload.set(tag, c.body.length + 4);
  return encodeFrame({ type: FrameType.Command, flags: FLAG_AUTH, seq: c.seq, cmd: c.cmd, payload });
}

/** Equality whose running time depends only on the length. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}
