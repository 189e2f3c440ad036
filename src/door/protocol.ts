// Panel-bridge wire format, v2 (panel-bridge/PROTOCOL.md). Pure and browser-safe: the same
// checks, in the same order, as firmware/core/dw_proto.c, held to panel-bridge/vectors/vectors.json.

export const PROTOCOL_VERSION = 2;
export const HEADER_LEN = 8;
export const CRC_LEN = 2;
export const MAX_PAYLOAD = 96;
export const MAX_FRAME = HEADER_LEN + MAX_PAYLOAD + CRC_LEN;
export const MAX_ENCODED = MAX_FRAME + 1;
export const NONCE_LEN = 16;
export const TAG_LEN = 16;
export const KEY_LEN = 32;
export const AUTH_LEN = 4 + TAG_LEN;
export const CHALLENGE_LEN = 16;
/** How long the MCU keeps a challenge live for one signed command (PROTOCOL.md 2.1). */
export const CHALLENGE_MS = 3000;
export const CHALLENGE_RSP_LEN = CHALLENGE_LEN + 2;
export const FLAG_AUTH = 0x01;
const FLAGS_RESERVED = 0xfe;

export const FrameType = {
  Command: 1,
  Response: 2,
  Event: 3,
  Ack: 4,
  Nak: 5,
  Heartbeat: 6,
} as const;
export type FrameType = (typeof FrameType)[keyof typeof FrameType];

export const Cmd = {
  Hello: 0x01,
  Status: 0x02,
  Unlock: 0x03,
  Lock: 0x04,
  SetConfig: 0x05,
  ProvisionKey: 0x06,
  Heartbeat: 0x07,
  Challenge: 0x08,
} as const;
export type Cmd = (typeof Cmd)[keyof typeof Cmd];

export const EventId = {
  Boot: 0x81,
  Door: 0x82,
  ExitButton: 0x83,
  Tamper: 0x84,
  Relay: 0x85,
  Fault: 0x86,
} as const;
export type EventId = (typeof EventId)[keyof typeof EventId];

/** Rejection and NAK reasons, by name; codes as on the wire. */
export const Reason = {
  BAD_CRC: 0x01,
  SHORT: 0x02,
  BAD_VERSION: 0x03,
  LENGTH_MISMATCH: 0x04,
  OVERSIZE: 0x05,
  BAD_COBS: 0x06,
  BAD_TYPE: 0x07,
  BAD_FLAGS: 0x08,
  UNKNOWN_COMMAND: 0x10,
  BAD_PAYLOAD: 0x11,
  AUTH_REQUIRED: 0x12,
  NOT_PROVISIONED: 0x13,
  NO_SESSION: 0x14,
  BAD_TAG: 0x15,
  STALE_COUNTER: 0x16,
  COUNTER_EXHAUSTED: 0x17,
  LOCKED_OUT: 0x18,
  OUT_OF_RANGE: 0x19,
  NOT_IN_SETUP_MODE: 0x1a,
  TAMPER_ACTIVE: 0x1b,
  STORAGE_FAILURE: 0x1c,
  RNG_FAILURE: 0x1d,
  STALE_CHALLENGE: 0x1e,
} as const;
export type ReasonName = keyof typeof Reason;
export type DecodeRejection =
  | 'BAD_CRC'
  | 'SHORT'
  | 'BAD_VERSION'
  | 'LENGTH_MISMATCH'
  | 'OVERSIZE'
  | 'BAD_COBS'
  | 'BAD_TYPE'
  | 'BAD_FLAGS';

const REASON_BY_CODE = new Map<number, ReasonName>(
  (Object.keys(Reason) as ReasonName[]).map((name) => [Reason[name], name]),
);

/** Names a NAK code; codes a newer firmware may add come back as 'UNKNOWN'. */
export function reasonName(code: number): ReasonName | 'UNKNOWN' {
  return REASON_BY_CODE.get(code) ?? 'UNKNOWN';
}

/** State byte bits (PROTOCOL.md section 4). */
export const StateBit = {
  Relay: 0x01,
  Door: 0x02,
  Tamper: 0x04,
  Lockout: 0x08,
  Fail: 0x10,
  Provisioned: 0x20,
  Setup: 0x40,
  Session: 0x80,
} as const;

export interface Header {
  version: number;
  type: number;
  flags: number;
  seq: number;
  cmd: number;
  length: number;
}

export interface Frame {
  header: Header;
  /** The 8 header bytes as received: the auth tag covers them. */
  headerBytes: Uint8Array;
  payload: Uint8Array;
  crc: number;
}

export type DecodeResult =
  | { ok: true; frame: Frame }
  /** header and crc are there when the CRC matched (rejections 5-9 of PROTOCOL.md 1.3). */
  | { ok: false; reason: DecodeRejection; code: number; header?: Header; crc?: number };

export function crc16(data: Uint8Array): number {
  let crc = 0xffff;
  for (const byte of data) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit++) {
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    }
  }
  return crc;
}

export function cobsEncode(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(data.length + Math.ceil(data.length / 254) + 1);
  let codeAt = 0;
  let w = 1;
  let code = 1;
  let justFull = false;
  for (const byte of data) {
    justFull = false;
    if (byte !== 0) {
      out[w++] = byte;
      code++;
      if (code !== 0xff) continue;
      justFull = true;
    }
    out[codeAt] = code;
    codeAt = w++;
    code = 1;
  }
  if (justFull) {
    // data ended on a full 254-byte block: the slot kept for another code byte is not needed
    w = codeAt;
  } else {
    out[codeAt] = code;
  }
  return out.slice(0, w);
}

/** Returns null for anything that is not valid COBS (empty, a zero inside, a code overrun). */
export function cobsDecode(enc: Uint8Array): Uint8Array | null {
  if (enc.length === 0) return null;
  const out = new Uint8Array(enc.length);
  let r = 0;
  let w = 0;
  while (r < enc.length) {
    const code = enc[r] ?? 0;
    if (code === 0 || code > enc.length - r) return null;
    r++;
    for (let k = 1; k < code; k++) {
      const byte = enc[r++] ?? 0;
      if (byte === 0) return null;
      out[w++] = byte;
    }
    if (code < 0xff && r < enc.length) out[w++] = 0;
  }
  return out.slice(0, w);
}

export function u16(bytes: Uint8Array, at: number): number {
  return (bytes[at] ?? 0) | ((bytes[at + 1] ?? 0) << 8);
}

export function u32(bytes: Uint8Array, at: number): number {
  return (u16(bytes, at) | (u16(bytes, at + 2) << 16)) >>> 0;
}

export function putU16(bytes: Uint8Array, at: number, value: number): void {
  bytes[at] = value & 0xff;
  bytes[at + 1] = (value >>> 8) & 0xff;
}

export function putU32(bytes: Uint8Array, at: number, value: number): void {
  putU16(bytes, at, value & 0xffff);
  putU16(bytes, at + 2, (value >>> 16) & 0xffff);
}

export function headerBytes(h: Omit<Header, 'version'> & { version?: number }): Uint8Array {
  const b = new Uint8Array(HEADER_LEN);
  b[0] = h.version ?? PROTOCOL_VERSION;
  b[1] = h.type;
  b[2] = h.flags;
  putU16(b, 3, h.seq);
  b[5] = h.cmd;
  putU16(b, 6, h.length);
  return b;
}

export interface FrameFields {
  /** PROTOCOL_VERSION unless a refusal is written in a peer's version (PROTOCOL.md 1.3). */
  version?: number;
  type: number;
  seq: number;
  cmd: number;
  flags?: number;
  payload?: Uint8Array;
}

/** header || payload || crc, COBS-encoded, with the 0x00 delimiter: ready for the wire. */
export function encodeFrame(f: FrameFields): Uint8Array {
  const payload = f.payload ?? new Uint8Array(0);
  if (payload.length > MAX_PAYLOAD) throw new RangeError(`payload ${payload.length} > ${MAX_PAYLOAD}`);
  const raw = new Uint8Array(HEADER_LEN + payload.length + CRC_LEN);
  raw.set(headerBytes({ version: f.version ?? PROTOCOL_VERSION, type: f.type, flags: f.flags ?? 0, seq: f.seq, cmd: f.cmd, length: payload.length }));
  raw.set(payload, HEADER_LEN);
  putU16(raw, HEADER_LEN + payload.length, crc16(raw.subarray(0, HEADER_LEN + payload.length)));
  const enc = cobsEncode(raw);
  const wire = new Uint8Array(enc.length + 1);
  wire.set(enc);
  return wire;
}

function reject(reason: DecodeRejection, header?: Header, crc?: number): DecodeResult {
  return header && crc !== undefined ? { ok: false, reason, code: Reason[reason], header, crc } : { ok: false, reason, code: Reason[reason] };
}

/** Decodes one chunk (no delimiter), checking in PROTOCOL.md 1.3 order. */
export function decodeFrame(chunk: Uint8Array): DecodeResult {
  if (chunk.length > MAX_ENCODED) return reject('OVERSIZE');
  const raw = cobsDecode(chunk);
  if (raw === null) return reject('BAD_COBS');
  if (raw.length < HEADER_LEN + CRC_LEN) return reject('SHORT');
  const crc = u16(raw, raw.length - CRC_LEN);
  if (crc16(raw.subarray(0, raw.length - CRC_LEN)) !== crc) return reject('BAD_CRC');
  const header: Header = {
    version: raw[0] ?? 0,
    type: raw[1] ?? 0,
    flags: raw[2] ?? 0,
    seq: u16(raw, 3),
    cmd: raw[5] ?? 0,
    length: u16(raw, 6),
  };
  if (header.version !== PROTOCOL_VERSION) return reject('BAD_VERSION', header, crc);
  if (header.type < FrameType.Command || header.type > FrameType.Heartbeat) return reject('BAD_TYPE', header, crc);
  if ((header.flags & FLAGS_RESERVED) !== 0) return reject('BAD_FLAGS', header, crc);
  if (header.length > MAX_PAYLOAD) return reject('OVERSIZE', header, crc);
  if (header.length + HEADER_LEN + CRC_LEN !== raw.length) return reject('LENGTH_MISMATCH', header, crc);
  return {
    ok: true,
    frame: {
      header,
      headerBytes: raw.slice(0, HEADER_LEN),
      payload: raw.slice(HEADER_LEN, HEADER_LEN + header.length),
      crc,
    },
  };
}

/**
 * Splits a byte stream on 0x00 delimiters. Never buffers more than MAX_ENCODED bytes: a longer
 * chunk is discarded up to its delimiter and reported as OVERSIZE, like the firmware does.
 */
export class FrameSplitter {
  readonly #buf = new Uint8Array(MAX_ENCODED);
  #len = 0;
  #overflow = false;

  /** Feeds bytes; calls onChunk for each complete non-empty chunk (null for an oversize one). */
  push(bytes: Uint8Array, onChunk: (chunk: Uint8Array | null) => void): void {
    for (const byte of bytes) {
      if (byte !== 0) {
        if (this.#len < this.#buf.length) this.#buf[this.#len++] = byte;
        else this.#overflow = true;
        continue;
      }
      if (this.#overflow) onChunk(null);
      else if (this.#len > 0) onChunk(this.#buf.slice(0, this.#len));
      this.#len = 0;
      this.#overflow = false;
    }
  }
}

// ---- payloads -----------------------------------------------------------------------------

export const FailMode = { Secure: 0, Safe: 1 } as const;
export type FailMode = (typeof FailMode)[keyof typeof FailMode];

export interface DoorConfig {
  maxPulseMs: number;
  failMode: FailMode;
  heartbeatTimeoutMs: number;
  heldOpenMs: number;
}

export const CONFIG_LEN = 11;
export const DEFAULT_CONFIG: DoorConfig = { maxPulseMs: 5000, failMode: 0, heartbeatTimeoutMs: 10000, heldOpenMs: 30000 };
export const HARD_MAX_PULSE_MS = 30000;

export function configValid(c: DoorConfig): boolean {
  return (
    c.maxPulseMs >= 100 &&
    c.maxPulseMs <= HARD_MAX_PULSE_MS &&
    (c.failMode === 0 || c.failMode === 1) &&
    c.heartbeatTimeoutMs >= 1000 &&
    c.heartbeatTimeoutMs <= 600000 &&
    c.heldOpenMs >= 1000 &&
    c.heldOpenMs <= 3600000
  );
}

export function packConfig(c: DoorConfig): Uint8Array {
  const b = new Uint8Array(CONFIG_LEN);
  putU16(b, 0, c.maxPulseMs);
  b[2] = c.failMode;
  putU32(b, 3, c.heartbeatTimeoutMs);
  putU32(b, 7, c.heldOpenMs);
  return b;
}

/** Unpacks without validating: callers check configValid (an unknown fail mode stays visible). */
export function unpackConfig(b: Uint8Array): DoorConfig {
  return {
    maxPulseMs: u16(b, 0),
    failMode: (b[2] ?? 0) as FailMode,
    heartbeatTimeoutMs: u32(b, 3),
    heldOpenMs: u32(b, 7),
  };
}

export interface HelloInfo {
  /** The version byte inside the payload; a v2 board says 2. */
  protocolVersion: number;
  firmware: string;
  deviceId: string;
  capabilities: number;
  nonce: Uint8Array;
  state: number;
  /** 0 none, 1 watchdog went fail-secure, 2 watchdog went fail-safe (since the last HELLO). */
  lastFail: number;
}

export const HELLO_LEN = 32;
export const STATUS_LEN = 32;

const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

/** The CHALLENGE answer: the challenge and how long the MCU keeps it live. */
export function parseChallenge(p: Uint8Array): { challenge: Uint8Array; ttlMs: number } | null {
  if (p.length !== CHALLENGE_RSP_LEN) return null;
  return { challenge: p.slice(0, CHALLENGE_LEN), ttlMs: u16(p, CHALLENGE_LEN) };
}

export function parseHello(p: Uint8Array): HelloInfo | null {
  if (p.length !== HELLO_LEN) return null;
  return {
    protocolVersion: p[0] ?? 0,
    firmware: `${p[1]}.${p[2]}.${p[3]}`,
    deviceId: hex(p.subarray(4, 12)),
    capabilities: u16(p, 12),
    nonce: p.slice(14, 30),
    state: p[30] ?? 0,
    lastFail: p[31] ?? 0,
  };
}

export interface StatusInfo {
  state: number;
  config: DoorConfig;
  rxErrors: number;
  badTag: number;
  staleCounter: number;
  noSession: number;
  otherNaks: number;
  eventsDropped: number;
  lastCounter: number;
  uptimeMs: number;
}

export function parseStatus(p: Uint8Array): StatusInfo | null {
  if (p.length !== STATUS_LEN) return null;
  return {
    state: p[0] ?? 0,
    config: unpackConfig(p.subarray(1, 12)),
    rxErrors: u16(p, 12),
    badTag: u16(p, 14),
    staleCounter: u16(p, 16),
    noSession: u16(p, 18),
    otherNaks: u16(p, 20),
    eventsDropped: u16(p, 22),
    lastCounter: u32(p, 24),
    uptimeMs: u32(p, 28),
  };
}

export const RelayCause = {
  Unlock: 1,
  ExitButton: 2,
  Timer: 3,
  Lock: 4,
  FailSafe: 5,
  Hello: 6,
  Tamper: 7,
} as const;

export const FaultCode = { Watchdog: 1, ForcedDoor: 2, HeldOpen: 3, Storage: 4 } as const;

export type DoorEvent =
  | { kind: 'boot'; uptimeMs: number; firmware: string; state: number }
  | { kind: 'door'; uptimeMs: number; open: boolean }
  | { kind: 'exit-button'; uptimeMs: number }
  | { kind: 'tamper'; uptimeMs: number; active: boolean }
  | { kind: 'relay'; uptimeMs: number; released: boolean; cause: number }
  | { kind: 'fault'; uptimeMs: number; code: number; detail: number }
  | { kind: 'unknown'; uptimeMs: number; id: number; payload: Uint8Array };

export function parseEvent(id: number, p: Uint8Array): DoorEvent {
  const uptimeMs = u32(p, 0);
  switch (id) {
    case EventId.Boot:
      return { kind: 'boot', uptimeMs, firmware: `${p[4]}.${p[5]}.${p[6]}`, state: p[7] ?? 0 };
    case EventId.Door:
      return { kind: 'door', uptimeMs, open: p[4] === 1 };
    case EventId.ExitButton:
      return { kind: 'exit-button', uptimeMs };
    case EventId.Tamper:
      return { kind: 'tamper', uptimeMs, active: p[4] === 1 };
    case EventId.Relay:
      return { kind: 'relay', uptimeMs, released: p[4] === 1, cause: p[5] ?? 0 };
    case EventId.Fault:
      return { kind: 'fault', uptimeMs, code: p[4] ?? 0, detail: p[5] ?? 0 };
    default:
      return { kind: 'unknown', uptimeMs, id, payload: p.slice(4) };
  }
}
