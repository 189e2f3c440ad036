import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AUTH_LEN, CHALLENGE_MS, FrameSplitter, MAX_ENCODED, PROTOCOL_VERSION, Reason, cobsDecode, cobsEncode, crc16, decodeFrame, encodeFrame, parseChallenge, parseEvent, parseHello, parseStatus } from './protocol.ts';

const vectors = JSON.parse(readFileSync(new URL('../../panel-bridge/vectors/vectors.json', import.meta.url), 'utf8')) as Vectors;
interface Vectors {
  protocol_version: number;
  constants: { max_encoded: number; max_payload: number; challenge_ms: number };
  reasons: Record<string, number>;
  crc: { name: string; input: string; crc: string }[];
  cobs: { name: string; decoded: string; encoded: string }[];
  cobs_invalid: { name: string; encoded: string }[];
  frames: { name: string; type: number; flags: number; seq: number; cmd: number; payload: string; raw: string; wire: string }[];
  malformed: { name: string; chunk: string; reason: string; code: number; mcu_reply: string | null }[];
}
const hex = (s: string): Uint8Array => Uint8Array.from(s.match(/../g) ?? [], (b) => parseInt(b, 16));
const toHex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

describe('shared constants', () => {
  it('match the vectors file', () => {
    expect(MAX_ENCODED).toBe(vectors.constants.max_encoded);
    expect(PROTOCOL_VERSION).toBe(vectors.protocol_version);
    expect(CHALLENGE_MS).toBe(vectors.constants.challenge_ms);
    expect(Reason).toEqual(vectors.reasons);
  });
});

describe('crc16 (CRC-16/CCITT-FALSE)', () => {
  it('has the standard check value', () => {
    expect(crc16(new TextEncoder().encode('123456789'))).toBe(0x29b1);
  });
  it.each(vectors.crc)('$name', (v) => {
    expect(crc16(hex(v.input)).toString(16).padStart(4, '0')).toBe(v.crc);
  });
});

describe('COBS', () => {
  it.each(vectors.cobs)('$name round-trips byte-exactly', (v) => {
    expect(toHex(cobsEncode(hex(v.decoded)))).toBe(v.encoded);
    expect(toHex(cobsDecode(hex(v.encoded)) ?? new Uint8Array([0xde, 0xad]))).toBe(v.decoded);
  });
  it.each(vectors.cobs_invalid)('rejects $name', (v) => {
    expect(cobsDecode(hex(v.encoded))).toBeNull();
  });
  it('never emits a zero byte', () => {
    const data = Uint8Array.from({ length: 1000 }, (_, i) => (i * 7) % 3 === 0 ? 0 : i & 0xff);
    expect(cobsEncode(data).includes(0)).toBe(false);
    expect(toHex(cobsDecode(cobsEncode(data)) ?? new Uint8Array())).toBe(toHex(data));
  });
});

describe('frames', () => {
  it.each(vectors.frames)('$name encodes and decodes byte-exactly', (v) => {
    const wire = encodeFrame({ type: v.type, flags: v.flags, seq: v.seq, cmd: v.cmd, payload: hex(v.payload) });
    expect(toHex(wire)).toBe(v.wire);
    const r = decodeFrame(wire.subarray(0, wire.length - 1));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.frame.header).toEqual({ version: 2, type: v.type, flags: v.flags, seq: v.seq, cmd: v.cmd, length: v.payload.length / 2 });
    expect(toHex(r.frame.payload)).toBe(v.payload);
    expect(toHex(r.frame.headerBytes)).toBe(v.raw.slice(0, 16));
  });

  it.each(vectors.malformed)('rejects $name as $reason', (v) => {
    const r = decodeFrame(hex(v.chunk));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.reason).toBe(v.reason);
    expect(r.code).toBe(v.code);
  });

  it('refuses to encode an oversize payload', () => {
    expect(() => encodeFrame({ type: 1, seq: 1, cmd: 1, payload: new Uint8Array(vectors.constants.max_payload + 1) })).toThrow(RangeError);
  });

  it('parses the HELLO, CHALLENGE, STATUS and event payloads from the vectors', () => {
    const byName = new Map(vectors.frames.map((f) => [f.name, f]));
    // Signed frames: the body is the payload without its 20-byte auth block.
    const body = (name: string) => {
      const f = byName.get(name);
      const p = hex(f?.payload ?? '');
      return f && f.flags & 1 ? p.subarray(0, p.length - AUTH_LEN) : p;
    };
    const hello = parseHello(body('rsp_hello_signed'));
    expect(hello).toMatchObject({ protocolVersion: 2, firmware: '2.0.0', deviceId: '4457524400000001', capabilities: 0x3f, state: 0xa0, lastFail: 0 });
    expect(hello?.nonce).toHaveLength(16);
    expect(parseHello(body('rsp_hello_unprovisioned'))).toMatchObject({ state: 0xc0 });
    expect(parseChallenge(body('rsp_challenge_signed'))).toMatchObject({ ttlMs: 3000 });
    expect(parseChallenge(body('rsp_challenge_signed'))?.challenge).toHaveLength(16);
    const status = parseStatus(body('rsp_status_signed'));
    expect(status).toMatchObject({ state: 0xa1, config: { maxPulseMs: 5000, failMode: 0, heartbeatTimeoutMs: 10000, heldOpenMs: 30000 }, lastCounter: 1, uptimeMs: 60 });
    expect(parseEvent(0x85, body('ev_relay_released_signed'))).toEqual({ kind: 'relay', uptimeMs: 30, released: true, cause: 1 });
    expect(parseEvent(0x86, body('ev_fault_watchdog'))).toEqual({ kind: 'fault', uptimeMs: 2030, code: 1, detail: 1 });
    expect(parseEvent(0x81, body('ev_boot'))).toEqual({ kind: 'boot', uptimeMs: 0, firmware: '2.0.0', state: 0x20 });
  });

  it('keeps the header and CRC of a frame in another protocol version, so the refusal can name it', () => {
    const v1 = vectors.malformed.find((m) => m.name === 'v1_hello');
    const r = decodeFrame(hex(v1?.chunk ?? ''));
    expect(r).toMatchObject({ ok: false, reason: 'BAD_VERSION', header: { version: 1, type: 1, seq: 0x42, cmd: 1 } });
    // The MCU's refusal is itself written in v1 framing: v1 decodes it, v2 does not.
    const reply = hex(v1?.mcu_reply ?? '');
    const d = decodeFrame(reply.subarray(0, reply.length - 1));
    expect(d).toMatchObject({ ok: false, reason: 'BAD_VERSION', header: { version: 1, type: 5, seq: 0x42, cmd: 1, length: 2 } });
  });
});

describe('FrameSplitter', () => {
  it('reassembles frames split at every byte and skips empty chunks', () => {
    const wires = vectors.frames.map((f) => hex(f.wire));
    const stream = new Uint8Array([0, 0, ...wires.flatMap((w) => [...w])]);
    const got: string[] = [];
    const s = new FrameSplitter();
    for (const b of stream) s.push(Uint8Array.of(b), (c) => got.push(c ? toHex(c) : 'oversize'));
    expect(got).toEqual(wires.map((w) => toHex(w.subarray(0, w.length - 1))));
  });
  it('discards an oversize chunk up to its delimiter, then resynchronises', () => {
    const s = new FrameSplitter();
    const got: (string | null)[] = [];
    const good = hex(vectors.frames[0]?.wire ?? '');
    s.push(new Uint8Array([...new Uint8Array(300).fill(0x41), 0, ...good]), (c) => got.push(c && toHex(c)));
    expect(got).toEqual([null, toHex(good.subarray(0, good.length - 1))]);
  });
});
