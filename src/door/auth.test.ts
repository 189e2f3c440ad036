import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { constantTimeEqual } from '../lib/secret-hash.ts';
import { commandTag, commandTagRaw, deriveMcuKey, deriveMcuKeyRaw, encodeMcuFrame, encodeSigned, importDoorKey, mcuTag, verifyMcuFrame } from './auth.ts';
import { Cmd, FrameType, decodeFrame } from './protocol.ts';
import type { Frame } from './protocol.ts';

interface Vectors {
  hmac_sha256: { name: string; key: string; data: string; mac: string }[];
  session_keys: { name: string; key: string; mcu_nonce: string; host_nonce: string; mcu_key: string }[];
  command_tags: { name: string; key: string; mcu_nonce: string; host_nonce: string; challenge: string; counter: number; header: string; body: string; tag: string }[];
  mcu_tags: { name: string; kind: 2 | 3; mcu_key: string; counter: number; request_crc: number | null; header: string; body: string; tag: string }[];
  frames: { name: string; wire: string; seq: number; raw: string }[];
}
const vectors = JSON.parse(readFileSync(new URL('../../panel-bridge/vectors/vectors.json', import.meta.url), 'utf8')) as Vectors;
const hex = (s: string): Uint8Array<ArrayBuffer> => Uint8Array.from(s.match(/../g) ?? [], (b) => parseInt(b, 16));
const toHex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
const frame = (name: string): Frame => {
  const w = hex(vectors.frames.find((f) => f.name === name)?.wire ?? '');
  const r = decodeFrame(w.subarray(0, w.length - 1));
  if (!r.ok) throw new Error(`${name} does not decode`);
  return r.frame;
};

describe('HMAC-SHA256 (RFC 4231, via WebCrypto)', () => {
  it.each(vectors.hmac_sha256)('$name', async (v) => {
    const key = await crypto.subtle.importKey('raw', hex(v.key), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    expect(toHex(new Uint8Array(await crypto.subtle.sign('HMAC', key, hex(v.data))))).toBe(v.mac);
  });
});

describe('session key K_mcu', () => {
  it.each(vectors.session_keys)('$name, from the non-extractable door key and from raw bytes alike', async (v) => {
    const nonces = { mcuNonce: hex(v.mcu_nonce), hostNonce: hex(v.host_nonce) };
    expect(toHex(await deriveMcuKey(await importDoorKey(hex(v.key)), nonces))).toBe(v.mcu_key);
    expect(toHex(deriveMcuKeyRaw(hex(v.key), nonces))).toBe(v.mcu_key);
  });
});

describe('command tags', () => {
  it.each(vectors.command_tags)('$name', async (v) => {
    const nonces = { mcuNonce: hex(v.mcu_nonce), hostNonce: hex(v.host_nonce) };
    const key = await importDoorKey(hex(v.key));
    expect(toHex(await commandTag(key, nonces, hex(v.challenge), v.counter, hex(v.header), hex(v.body)))).toBe(v.tag);
    expect(toHex(commandTagRaw(hex(v.key), nonces, hex(v.challenge), v.counter, hex(v.header), hex(v.body)))).toBe(v.tag);
  });

  it('signs a whole UNLOCK frame byte-exactly', async () => {
    const want = vectors.frames.find((f) => f.name === 'cmd_unlock_signed');
    const v = vectors.command_tags.find((t) => t.name === 'unlock_3000_counter_1');
    if (!v) throw new Error('no vector');
    const wire = await encodeSigned({
      seq: 0x1235,
      cmd: Cmd.Unlock,
      body: Uint8Array.of(0xb8, 0x0b),
      counter: 1,
      key: await importDoorKey(hex(v.key)),
      session: { mcuNonce: hex(v.mcu_nonce), hostNonce: hex(v.host_nonce) },
      challenge: hex(v.challenge),
    });
    expect(toHex(wire)).toBe(want?.wire);
  });

  it('keeps the imported key out of reach of script', async () => {
    const key = await importDoorKey(new Uint8Array(32).fill(7));
    expect(key.extractable).toBe(false);
    await expect(crypto.subtle.exportKey('raw', key)).rejects.toThrow();
  });

  it('refuses keys, nonces and challenges of the wrong size', async () => {
    await expect(importDoorKey(new Uint8Array(16))).rejects.toThrow(RangeError);
    const key = await importDoorKey(new Uint8Array(32).fill(7));
    const ok = { mcuNonce: new Uint8Array(16), hostNonce: new Uint8Array(16) };
    await expect(commandTag(key, { ...ok, hostNonce: new Uint8Array(8) }, new Uint8Array(16), 1, new Uint8Array(8), new Uint8Array(0))).rejects.toThrow(RangeError);
    await expect(commandTag(key, ok, new Uint8Array(15), 1, new Uint8Array(8), new Uint8Array(0))).rejects.toThrow(RangeError);
  });
});

describe('MCU tags (answers and events)', () => {
  it.each(vectors.mcu_tags)('$name', (v) => {
    expect(toHex(mcuTag(hex(v.mcu_key), v.kind, v.counter, v.request_crc, hex(v.header), hex(v.body)))).toBe(v.tag);
  });

  it('accepts what the MCU signed and nothing else', () => {
    const v = vectors.session_keys[0];
    if (!v) throw new Error('no vector');
    const ks = hex(v.mcu_key);
    const rsp = encodeMcuFrame({ type: FrameType.Response, seq: 7, cmd: Cmd.Unlock, payload: Uint8Array.of(0xe8, 0x03, 0xa1) }, { mcuKey: ks, counter: 5, requestCrc: 0x1234 });
    const decoded = decodeFrame(rsp.subarray(0, rsp.length - 1));
    if (!decoded.ok) throw new Error('does not decode');
    expect(verifyMcuFrame(ks, decoded.frame, 0x1234)).toEqual({ ok: true, counter: 5, body: Uint8Array.of(0xe8, 0x03, 0xa1) });
    // bound to the request it answers, to the session's key, and to every byte
    expect(verifyMcuFrame(ks, decoded.frame, 0x1235)).toEqual({ ok: false, why: 'bad-tag' });
    expect(verifyMcuFrame(new Uint8Array(32), decoded.frame, 0x1234)).toEqual({ ok: false, why: 'bad-tag' });
    const flipped = { ...decoded.frame, payload: decoded.frame.payload.slice() };
    flipped.payload[2] = (flipped.payload[2] ?? 0) ^ 0x01; // the state byte: "relay released" forged into an answer
    expect(verifyMcuFrame(ks, flipped, 0x1234)).toEqual({ ok: false, why: 'bad-tag' });
    // an unsigned frame says so
    expect(verifyMcuFrame(ks, frame('rsp_provision_key'), 0)).toEqual({ ok: false, why: 'unsigned' });
    // an answer tag is never an event tag
    const asEvent = { ...decoded.frame, header: { ...decoded.frame.header, type: FrameType.Event } };
    expect(verifyMcuFrame(ks, asEvent, null)).toEqual({ ok: false, why: 'bad-tag' });
  });

  it('compares in constant time and by length', () => {
    expect(constantTimeEqual(Uint8Array.of(1, 2, 3), Uint8Array.of(1, 2, 3))).toBe(true);
    expect(constantTimeEqual(Uint8Array.of(1, 2, 3), Uint8Array.of(1, 2, 4))).toBe(false);
    expect(constantTimeEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 2, 3))).toBe(false);
  });
});
