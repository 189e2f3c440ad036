// The MACs of panel-bridge protocol v2 (PROTOCOL.md section 2).
//
// Commands the host signs use the door key through WebCrypto, so the key can live in IndexedDB as
// a non-extractable CryptoKey and never touch JS memory. Frames the MCU signs use the session's
// MCU key K_mcu, derived from the door key once per session (one WebCrypto call) and then held
// as bytes: it can only vouch for what the MCU says, never sign a command, and holding it lets
// the host check every answer and event synchronously as it arrives (@noble/hashes HMAC).
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { constantTimeEqual } from '../lib/secret-hash.ts';
import {
  AUTH_LEN,
  CHALLENGE_LEN,
  FLAG_AUTH,
  FrameType,
  HEADER_LEN,
  KEY_LEN,
  NONCE_LEN,
  TAG_LEN,
  encodeFrame,
  headerBytes,
  putU16,
  putU32,
  u32,
} from './protocol.ts';
import type { Cmd, Frame } from './protocol.ts';

/** First byte of every MAC input: no tag of one kind verifies as another. */
export const MacKind = { Command: 0x01, Answer: 0x02, Event: 0x03 } as const;
export type MacKind = (typeof MacKind)[keyof typeof MacKind];

/** "dw2-mcu": the label K_mcu is derived under. */
export const MCU_KEY_LABEL = new TextEncoder().encode('dw2-mcu');

/** The two nonces that name a session: the host's (sent in HELLO) and the MCU's (its answer). */
export interface SessionNonces {
  readonly mcuNonce: Uint8Array;
  readonly hostNonce: Uint8Array;
}

/** WebCrypto wants ArrayBuffer-backed views; this copies when a view might be shared memory. */
function owned(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(bytes);
}

function concat(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function le32(v: number): Uint8Array {
  const b = new Uint8Array(4);
  putU32(b, 0, v);
  return b;
}

/** Imports a 256-bit door key for signing. Non-extractable unless a provisioning flow needs the bytes. */
export async function importDoorKey(raw: Uint8Array, extractable = false): Promise<CryptoKey> {
  if (raw.length !== KEY_LEN) throw new RangeError(`door key must be ${KEY_LEN} bytes`);
  return crypto.subtle.importKey('raw', owned(raw), { name: 'HMAC', hash: 'SHA-256' }, extractable, ['sign']);
}

function checkNonces(s: SessionNonces): void {
  if (s.mcuNonce.length !== NONCE_LEN || s.hostNonce.length !== NONCE_LEN) throw new RangeError('bad nonce length');
}

/** The bytes a command tag covers: 01 || mcu_nonce || host_nonce || challenge || counter || header || body. */
export function commandMacInput(s: SessionNonces, challenge: Uint8Array, counter: number, header: Uint8Array, body: Uint8Array): Uint8Array<ArrayBuffer> {
  checkNonces(s);
  if (challenge.length !== CHALLENGE_LEN || header.length !== HEADER_LEN) throw new RangeError('bad challenge or header length');
  return concat(Uint8Array.of(MacKind.Command), s.mcuNonce, s.hostNonce, challenge, le32(counter), header, body);
}

/** A command tag with the door key (PROTOCOL.md 2.1). */
export async function commandTag(key: CryptoKey, s: SessionNonces, challenge: Uint8Array, counter: number, header: Uint8Array, body: Uint8Array): Promise<Uint8Array> {
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, commandMacInput(s, challenge, counter, header, body)));
  return mac.slice(0, TAG_LEN);
}

/** K_mcu = HMAC-SHA256(key, "dw2-mcu" || mcu_nonce || host_nonce), the session's MCU key. */
export async function deriveMcuKey(key: CryptoKey, s: SessionNonces): Promise<Uint8Array> {
  checkNonces(s);
  return new Uint8Array(await crypto.subtle.sign('HMAC', key, concat(MCU_KEY_LABEL, s.mcuNonce, s.hostNonce)));
}

/** The same from raw key bytes, for the simulated board (which holds its key like the MCU does). */
export function deriveMcuKeyRaw(key: Uint8Array, s: SessionNonces): Uint8Array {
  checkNonces(s);
  return hmac(sha256, key, concat(MCU_KEY_LABEL, s.mcuNonce, s.hostNonce));
}

/** A command tag from raw key bytes (the simulated board checks tags this way). */
export function commandTagRaw(key: Uint8Array, s: SessionNonces, challenge: Uint8Array, counter: number, header: Uint8Array, body: Uint8Array): Uint8Array {
  return hmac(sha256, key, commandMacInput(s, challenge, counter, header, body)).slice(0, TAG_LEN);
}

/**
 * An MCU tag (PROTOCOL.md 2.2): answers cover the CRC of the request they answer, events do not.
 * `header` is the frame's own header, with AUTH set and the length counting the auth block.
 */
export function mcuTag(mcuKey: Uint8Array, kind: typeof MacKind.Answer | typeof MacKind.Event, counter: number, requestCrc: number | null, header: Uint8Array, body: Uint8Array): Uint8Array {
  const pre = new Uint8Array(kind === MacKind.Answer ? 7 : 5);
  pre[0] = kind;
  putU32(pre, 1, counter);
  if (kind === MacKind.Answer) putU16(pre, 5, requestCrc ?? 0);
  return hmac(sha256, mcuKey, concat(pre, header, body)).slice(0, TAG_LEN);
}

export interface SignedCommand {
  seq: number;
  cmd: Cmd;
  body: Uint8Array;
  counter: number;
  key: CryptoKey;
  session: SessionNonces;
  challenge: Uint8Array;
}

/** A COMMAND frame with the AUTH flag and auth block, ready for the wire. */
export async function encodeSigned(c: SignedCommand): Promise<Uint8Array> {
  const length = c.body.length + AUTH_LEN;
  const header = headerBytes({ type: FrameType.Command, flags: FLAG_AUTH, seq: c.seq, cmd: c.cmd, length });
  const tag = await commandTag(c.key, c.session, c.challenge, c.counter, header, c.body);
  return encodeFrame({ type: FrameType.Command, flags: FLAG_AUTH, seq: c.seq, cmd: c.cmd, payload: concat(c.body, le32(c.counter), tag) });
}

/** An MCU frame, signed with K_mcu when mcuKey is given (a keyed session), plain otherwise. */
export function encodeMcuFrame(f: { type: number; seq: number; cmd: number; payload: Uint8Array }, sign: { mcuKey: Uint8Array; counter: number; requestCrc: number | null } | null): Uint8Array {
  if (!sign) return encodeFrame(f);
  const length = f.payload.length + AUTH_LEN;
  const header = headerBytes({ type: f.type, flags: FLAG_AUTH, seq: f.seq, cmd: f.cmd, length });
  const kind = f.type === FrameType.Event ? MacKind.Event : MacKind.Answer;
  const tag = mcuTag(sign.mcuKey, kind, sign.counter, sign.requestCrc, header, f.payload);
  return encodeFrame({ ...f, flags: FLAG_AUTH, payload: concat(f.payload, le32(sign.counter), tag) });
}

export type McuVerdict = { ok: true; counter: number; body: Uint8Array } | { ok: false; why: 'unsigned' | 'bad-tag' };

/** Checks an MCU frame's auth block with K_mcu; requestCrc for answers, null for events. */
export function verifyMcuFrame(mcuKey: Uint8Array, f: Frame, requestCrc: number | null): McuVerdict {
  if (!(f.header.flags & FLAG_AUTH) || f.payload.length < AUTH_LEN) return { ok: false, why: 'unsigned' };
  const bodyLen = f.payload.length - AUTH_LEN;
  const body = f.payload.subarray(0, bodyLen);
  const counter = u32(f.payload, bodyLen);
  const kind = f.header.type === FrameType.Event ? MacKind.Event : MacKind.Answer;
  const want = mcuTag(mcuKey, kind, counter, requestCrc, f.headerBytes, body);
  if (!constantTimeEqual(want, f.payload.subarray(bodyLen + 4))) return { ok: false, why: 'bad-tag' };
  return { ok: true, counter, body: body.slice() };
}

/** The payload without its auth block when AUTH is set; says nothing about whether it verifies. */
export function unverifiedBody(f: Frame): Uint8Array {
  return f.header.flags & FLAG_AUTH && f.payload.length >= AUTH_LEN ? f.payload.subarray(0, f.payload.length - AUTH_LEN) : f.payload;
}

