import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { computeTag, constantTimeEqual, encodeSigned, importDoorKey } from './auth.ts';
import { Cmd } from './protocol.ts';

interface Vectors {
  hmac_sha256: { name: string; key: string; data: string; mac: string }[];
  auth_tags: { name: string; key: string; nonce: string; counter: number; header: string; body: string; tag: string }[];
  frames: { name: string; wire: string; seq: number }[];
}
const vectors = JSON.parse(readFileSync(new URL('../../panel-bridge/vectors/vectors.json', import.meta.url), 'utf8')) as Vectors;
const hex = (s: string): Uint8Array<ArrayBuffer> => Uint8Array.from(s.match(/../g) ?? [], (b) => parseInt(b, 16));
const toHex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

describe('HMAC-SHA256 (RFC 4231, via WebCrypto)', () => {
  it.each(vectors.hmac_sha256)('$name', async (v) => {
    const key = await crypto.subtle.importKey('raw', hex(v.key), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    expect(toHex(new Uint8Array(await crypto.subtle.sign('HMAC', key, hex(v.data))))).toBe(v.mac);
  });
});

describe('auth tags', () => {
  it.each(vectors.auth_tags)('$name', async (v) => {
    const key = await importDoorKey(hex(v.key));
    expect(toHex(await computeTag(key, hex(v.nonce), v.counter, hex(v.header), hex(v.body)))).toBe(v.tag);
  });

  it('signs a whole UNLOCK frame byte-exactly', async () => {
    const want = vectors.frames.find((f) => f.name === 'cmd_unlock_signed');
    const key = await importDoorKey(Uint8Array.from({ length: 32 }, (_, i) => i));
    const nonce = Uint8Array.from({ length: 16 }, (_, i) => 0xa0 + i);
    const wire = await encodeSigned({ seq: 0x1235, cmd: Cmd.Unlock, body: Uint8Array.of(0xb8, 0x0b), counter: 1, key, nonce });
    expect(toHex(wire)).toBe(want?.wire);
  });

  it('keeps the imported key out of reach of script', async () => {
    const key = await importDoorKey(new Uint8Array(32).fill(7));
    expect(key.extractable).toBe(false);
    await expect(crypto.subtle.exportKey('raw', key)).rejects.toThrow();
  });

  it('refuses keys of the wrong size', async () => {
    await expect(importDoorKey(new Uint8Array(16))).rejects.toThrow(RangeError);
  });

  it('compares in constant time and by length', () => {
    expect(constantTimeEqual(Uint8Array.of(1, 2, 3), Uint8Array.of(1, 2, 3))).toBe(true);
    expect(constantTimeEqual(Uint8Array.of(1, 2, 3), Uint8Array.of(1, 2, 4))).toBe(false);
    expect(constantTimeEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 2, 3))).toBe(false);
  });
});
