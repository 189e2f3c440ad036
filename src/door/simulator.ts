// TypeScript twin of panel-bridge/firmware/core/dw_core.c: the same rules in the same order,
// held to the same vectors (exchanges in vectors.json), so browser tests and the kiosk's
// simulated mode run the firmware's behaviour rather than a mock's. When the C changes, this
// changes with it; simulator.test.ts replays every exchange against both expectations.
import { commandTagRaw, deriveMcuKeyRaw, encodeMcuFrame } from './auth.ts';
import { constantTimeEqual } from '../lib/secret-hash.ts';
import {
  AUTH_LEN,
  CHALLENGE_LEN,
  CHALLENGE_MS,
  CONFIG_LEN,
  Cmd,
  DEFAULT_CONFIG,
  EventId,
  FLAG_AUTH,
  FaultCode,
  FrameSplitter,
  FrameType,
  KEY_LEN,
  NONCE_LEN,
  PROTOCOL_VERSION,
  Reason,
  RelayCause,
  StateBit,
  configValid,
  decodeFrame,
  encodeFrame,
  packConfig,
  putU16,
  putU32,
  u16,
  u32,
  unpackConfig,
} from './protocol.ts';
import type { DoorConfig, Frame, ReasonName } from './protocol.ts';
import type { ByteTransport } from './transport.ts';
import type { Clock, TimerHandle } from '../platform/clock.ts';

export const FW_VERSION = [2, 0, 0] as const;
export const SETUP_MODE_MS = 120_000;
export const EVENT_RETRY_MS = 250;
export const EVENT_MAX_TRIES = 4;
export const EVENT_QUEUE = 8;

export const Input = { DoorOpen: 0x01, ExitButton: 0x02, Tamper: 0x04, SetupButton: 0x08 } as const;

export type StorageSlot = 'key' | 'config';

/** The dw_io_t of the twin. */
export interface SimulatorIo {
  write(bytes: Uint8Array): void;
  setRelay(released: boolean): boolean;
  millis(): number;
  readInputs(): number;
  random(length: number): Uint8Array | null;
  storeRead(slot: StorageSlot): Uint8Array | null;
  storeWrite(slot: StorageSlot, bytes: Uint8Array): boolean;
}

export interface SimulatorIdentity {
  deviceId: Uint8Array;
  capabilities: number;
}

export interface SimulatorCounters {
  rxErrors: number;
  badTag: number;
  staleCounter: number;
  noSession: number;
  otherNaks: number;
  eventsDropped: number;
}

interface QueuedEvent {
  seq: number;
  id: number;
  payload: Uint8Array;
}

const reached = (now: number, t: number): boolean => ((now - t) | 0) >= 0;
const bump = (n: number): number => Math.min(n + 1, 0xffff);

/** An open session as the MCU holds it (dw_core_t's session fields). */
interface McuSession {
  mcuNonce: Uint8Array;
  hostNonce: Uint8Array;
  /** K_mcu, when provisioned: everything written in the session is signed with it. */
  mcuKey: Uint8Array | null;
  lastCounter: number;
  txCounter: number;
  evCounter: number;
  challenge: { bytes: Uint8Array; at: number } | null;
}

export class DoorSimulator {
  readonly #io: SimulatorIo;
  readonly #identity: SimulatorIdentity;
  readonly #splitter = new FrameSplitter();
  #chain: Promise<void> = Promise.resolve();

  #bootMs = 0;
  #lastRxMs = 0;
  #cfg: DoorConfig = { ...DEFAULT_CONFIG };
  #key: Uint8Array | null = null;
  #setupMode = false;
  #session: McuSession | null = null;
  #cache: { seq: number; crc: number; bytes: Uint8Array } | null = null;
  #relay = false;
  #pulseActive = false;
  #pulseUntil = 0;
  #failActive = false;
  #lastFail = 0;
  #lockout = false;
  #inputs = 0;
  #doorOpenedAt = 0;
  #heldReported = false;
  #events: QueuedEvent[] = [];
  #evSeq = 0;
  #evInFlight = false;
  #evSentAt = 0;
  #evTries = 0;
  readonly counters: SimulatorCounters = { rxErrors: 0, badTag: 0, staleCounter: 0, noSession: 0, otherNaks: 0, eventsDropped: 0 };

  private constructor(io: SimulatorIo, identity: SimulatorIdentity) {
    this.#io = io;
    this.#identity = identity;
  }

  /** dw_init: loads key and config, drives the relay locked, samples inputs, raises BOOT. */
  static async create(io: SimulatorIo, identity: SimulatorIdentity): Promise<DoorSimulator> {
    const sim = new DoorSimulator(io, identity);
    sim.#init();
    return sim;
  }

  get relayReleased(): boolean {
    return this.#relay;
  }
  get provisioned(): boolean {
    return this.#key !== null;
  }
  get lockout(): boolean {
    return this.#lockout;
  }

  /** Feeds received bytes; resolves when they are fully processed (calls are serialised). */
  rx(bytes: Uint8Array): Promise<void> {
    const copy = bytes.slice();
    return this.#enqueue(() => {
      const chunks: (Uint8Array | null)[] = [];
      this.#splitter.push(copy, (c) => chunks.push(c));
      for (const chunk of chunks) {
        if (chunk === null) {
          this.counters.rxErrors = bump(this.counters.rxErrors);
          continue;
        }
        this.#handleChunk(chunk);
        this.#pumpEvents();
      }
    });
  }

  /** dw_tick, serialised behind any rx still in progress (the C core is single-threaded). */
  tick(): Promise<void> {
    return this.#enqueue(() => this.#tickNow());
  }

  state(): number {
    let s = 0;
    if (this.#relay) s |= StateBit.Relay;
    if (this.#inputs & Input.DoorOpen) s |= StateBit.Door;
    if (this.#inputs & Input.Tamper) s |= StateBit.Tamper;
    if (this.#lockout) s |= StateBit.Lockout;
    if (this.#failActive) s |= StateBit.Fail;
    if (this.#key) s |= StateBit.Provisioned;
    if (this.#setupMode) s |= StateBit.Setup;
    if (this.#session) s |= StateBit.Session;
    return s;
  }

  #enqueue(work: () => void): Promise<void> {
    const run = this.#chain.then(work);
    this.#chain = run.catch(() => undefined);
    return run;
  }

  #now(): number {
    return this.#io.millis() >>> 0;
  }

  #init(): void {
    this.#bootMs = this.#now();
    this.#lastRxMs = this.#bootMs;
    const cfg = this.#io.storeRead('config');
    if (cfg && cfg.length === CONFIG_LEN && configValid(unpackConfig(cfg))) this.#cfg = unpackConfig(cfg);
    const key = this.#io.storeRead('key');
    if (key && key.length === KEY_LEN && key.some((b) => b !== 0)) this.#key = key.slice();
    this.#io.setRelay(false);
    this.#inputs = this.#io.readInputs();
    this.#setupMode = (this.#inputs & Input.SetupButton) !== 0;
    this.#lockout = (this.#inputs & Input.Tamper) !== 0;
    this.#doorOpenedAt = this.#bootMs;
    this.#raise(EventId.Boot, [...FW_VERSION, this.state()]);
    this.#pumpEvents();
  }

  // ---- output ----

  /** send_frame: signed with K_mcu in a keyed session, from the answer or the event counter. */
  #send(type: number, seq: number, cmd: number, payload: Uint8Array, requestCrc: number | null): Uint8Array {
    const s = this.#session;
    const isEvent = type === FrameType.Event;
    if (s?.mcuKey && (isEvent ? s.evCounter : s.txCounter) >= 0xfffffffe) this.#closeSession();
    const keyed = this.#session?.mcuKey ? this.#session : null;
    let sign: { mcuKey: Uint8Array; counter: number; requestCrc: number | null } | null = null;
    if (keyed?.mcuKey) {
      const counter = isEvent ? ++keyed.evCounter : ++keyed.txCounter;
      sign = { mcuKey: keyed.mcuKey, counter, requestCrc };
    }
    const wire = encodeMcuFrame({ type, seq, cmd, payload }, sign);
    this.#io.write(wire);
    return wire;
  }

  #answer(req: Frame, type: number, payload: Uint8Array): void {
    const bytes = this.#send(type, req.header.seq, req.header.cmd, payload, req.crc);
    this.#cache = { seq: req.header.seq, crc: req.crc, bytes };
  }

  #nak(req: Frame, reason: ReasonName): void {
    if (reason === 'BAD_TAG') this.counters.badTag = bump(this.counters.badTag);
    else if (reason === 'STALE_COUNTER' || reason === 'COUNTER_EXHAUSTED' || reason === 'STALE_CHALLENGE') this.counters.staleCounter = bump(this.counters.staleCounter);
    else if (reason === 'NO_SESSION') this.counters.noSession = bump(this.counters.noSession);
    else this.counters.otherNaks = bump(this.counters.otherNaks);
    this.#answer(req, FrameType.Nak, Uint8Array.of(Reason[reason]));
  }

  // ---- events ----

  #raise(id: number, rest: number[]): void {
    if (this.#events.length >= EVENT_QUEUE) {
      this.counters.eventsDropped = bump(this.counters.eventsDropped);
      return;
    }
    const payload = new Uint8Array(4 + rest.length);
    putU32(payload, 0, (this.#now() - this.#bootMs) >>> 0);
    payload.set(rest, 4);
    this.#evSeq = (this.#evSeq + 1) & 0xffff;
    this.#events.push({ seq: this.#evSeq, id, payload });
  }

  #sendHeadEvent(now: number): void {
    const e = this.#events[0];
    if (!e) return;
    this.#evInFlight = true;
    this.#evSentAt = now;
    this.#evTries++;
    this.#send(FrameType.Event, e.seq, e.id, e.payload, null);
  }

  #popEvent(): void {
    this.#events.shift();
    this.#evInFlight = false;
    this.#evTries = 0;
  }

  #pumpEvents(): void {
    const now = this.#now();
    if (this.#evInFlight && reached(now, this.#evSentAt + EVENT_RETRY_MS)) {
      if (this.#evTries < EVENT_MAX_TRIES) {
        this.#sendHeadEvent(now);
        return;
      }
      this.counters.eventsDropped = bump(this.counters.eventsDropped);
      this.#popEvent();
    }
    if (!this.#evInFlight && this.#events.length > 0) this.#sendHeadEvent(now);
  }

  // ---- relay ----

  #relayUpdate(cause: number): void {
    const want = this.#pulseActive || (this.#failActive && this.#cfg.failMode === 1);
    if (want === this.#relay) return;
    if (!this.#io.setRelay(want)) return;
    this.#relay = want;
    this.#raise(EventId.Relay, [want ? 1 : 0, cause]);
  }

  #startPulse(ms: number, cause: number): void {
    this.#pulseActive = true;
    this.#pulseUntil = (this.#now() + ms) >>> 0;
    this.#relayUpdate(cause);
  }

  #closeSession(): void {
    const s = this.#session;
    if (s) {
      s.mcuNonce.fill(0);
      s.hostNonce.fill(0);
      s.mcuKey?.fill(0);
      s.challenge?.bytes.fill(0);
    }
    this.#session = null;
    this.#cache = null;
  }

  // ---- commands ----

  #hello(req: Frame, body: Uint8Array): void {
    this.#closeSession();
    const nonce = this.#io.random(NONCE_LEN);
    if (!nonce || nonce.length !== NONCE_LEN) {
      this.#nak(req, 'RNG_FAILURE');
      return;
    }
    const nonces = { mcuNonce: nonce.slice(), hostNonce: body.slice() };
    this.#session = {
      ...nonces,
      mcuKey: this.#key ? deriveMcuKeyRaw(this.#key, nonces) : null,
      lastCounter: 0,
      txCounter: 0,
      evCounter: 0,
      challenge: null,
    };
    if (this.#failActive) {
      this.#failActive = false;
      this.#relayUpdate(RelayCause.Hello);
    }
    const p = new Uint8Array(32);
    p[0] = PROTOCOL_VERSION;
    p.set(FW_VERSION, 1);
    p.set(this.#identity.deviceId.subarray(0, 8), 4);
    putU16(p, 12, this.#identity.capabilities);
    p.set(nonces.mcuNonce, 14);
    p[30] = this.state();
    p[31] = this.#lastFail;
    this.#lastFail = 0;
    this.#answer(req, FrameType.Response, p);
  }

  /** PROTOCOL.md 4.7: the one live challenge. */
  #challenge(req: Frame): void {
    if (!this.#key) return this.#nak(req, 'NOT_PROVISIONED');
    const s = this.#session;
    if (!s) return this.#nak(req, 'NO_SESSION');
    s.challenge = null;
    const bytes = this.#io.random(CHALLENGE_LEN);
    if (!bytes || bytes.length !== CHALLENGE_LEN) return this.#nak(req, 'RNG_FAILURE');
    s.challenge = { bytes: bytes.slice(), at: this.#now() };
    const p = new Uint8Array(CHALLENGE_LEN + 2);
    p.set(bytes, 0);
    putU16(p, CHALLENGE_LEN, CHALLENGE_MS);
    this.#answer(req, FrameType.Response, p);
  }

  #status(req: Frame): void {
    const p = new Uint8Array(32);
    const c = this.counters;
    p[0] = this.state();
    p.set(packConfig(this.#cfg), 1);
    [c.rxErrors, c.badTag, c.staleCounter, c.noSession, c.otherNaks, c.eventsDropped].forEach((v, i) => putU16(p, 12 + 2 * i, v));
    putU32(p, 24, this.#session?.lastCounter ?? 0);
    putU32(p, 28, (this.#now() - this.#bootMs) >>> 0);
    this.#answer(req, FrameType.Response, p);
  }

  #unlock(req: Frame, body: Uint8Array): void {
    const pulse = u16(body, 0);
    if (this.#lockout) return this.#nak(req, 'LOCKED_OUT');
    if (pulse === 0 || pulse > this.#cfg.maxPulseMs) return this.#nak(req, 'OUT_OF_RANGE');
    this.#startPulse(pulse, RelayCause.Unlock);
    const p = new Uint8Array(3);
    putU16(p, 0, pulse);
    p[2] = this.state();
    this.#answer(req, FrameType.Response, p);
  }

  #lock(req: Frame, body: Uint8Array): void {
    const clear = ((body[0] ?? 0) & 1) !== 0;
    if (clear && this.#inputs & Input.Tamper) return this.#nak(req, 'TAMPER_ACTIVE');
    this.#pulseActive = false;
    this.#relayUpdate(RelayCause.Lock);
    if (clear) this.#lockout = false;
    this.#answer(req, FrameType.Response, Uint8Array.of(this.state()));
  }

  #setConfig(req: Frame, body: Uint8Array): void {
    const cfg = unpackConfig(body);
    if (!configValid(cfg)) return this.#nak(req, 'OUT_OF_RANGE');
    const packed = packConfig(cfg);
    if (!this.#io.storeWrite('config', packed)) return this.#nak(req, 'STORAGE_FAILURE');
    this.#cfg = cfg;
    this.#answer(req, FrameType.Response, packed);
  }

  #provision(req: Frame, body: Uint8Array): void {
    // the window is checked here too, not only by the tick that ends it
    if (!this.#setupMode || reached(this.#now(), this.#bootMs + SETUP_MODE_MS)) return this.#nak(req, 'NOT_IN_SETUP_MODE');
    if (body.every((b) => b === 0)) return this.#nak(req, 'OUT_OF_RANGE');
    if (!this.#io.storeWrite('key', body)) return this.#nak(req, 'STORAGE_FAILURE');
    this.#key = body.slice();
    this.#setupMode = false;
    this.#closeSession();
    this.#answer(req, FrameType.Response, Uint8Array.of(this.state()));
  }

  static #bodyLenOk(cmd: number, body: Uint8Array): boolean {
    switch (cmd) {
      case Cmd.Hello:
        return body.length === NONCE_LEN;
      case Cmd.Status:
      case Cmd.Challenge:
        return body.length === 0;
      case Cmd.Unlock:
        return body.length === 2;
      case Cmd.Lock:
        return body.length === 1 && ((body[0] ?? 0) & 0xfe) === 0;
      case Cmd.SetConfig:
        return body.length === CONFIG_LEN;
      case Cmd.ProvisionKey:
        return body.length === KEY_LEN;
      default:
        return false;
    }
  }

  /** PROTOCOL.md 2.3 step 6: consumes challenge and counter, or names the refusal. */
  #verifyAuth(req: Frame, body: Uint8Array): ReasonName | null {
    const auth = req.payload.subarray(body.length);
    const counter = u32(auth, 0);
    if (!this.#key) return 'NOT_PROVISIONED';
    const s = this.#session;
    if (!s) return 'NO_SESSION';
    const ch = s.challenge;
    if (!ch || reached(this.#now(), ch.at + CHALLENGE_MS)) {
      s.challenge = null;
      return 'STALE_CHALLENGE';
    }
    const tag = commandTagRaw(this.#key, s, ch.bytes, counter, req.headerBytes, body);
    if (!constantTimeEqual(tag, auth.subarray(4, 4 + 16))) return 'BAD_TAG';
    s.challenge = null; // a genuine tag spends it, whatever follows
    if (counter === 0xffffffff) return 'COUNTER_EXHAUSTED';
    if (counter <= s.lastCounter) return 'STALE_COUNTER';
    s.lastCounter = counter;
    return null;
  }

  #handleCommand(req: Frame): void {
    const hasAuth = (req.header.flags & FLAG_AUTH) !== 0;
    if (this.#cache && this.#cache.seq === req.header.seq && this.#cache.crc === req.crc) {
      this.#io.write(this.#cache.bytes);
      return;
    }
    const cmd = req.header.cmd;
    if (cmd < Cmd.Hello || (cmd > Cmd.ProvisionKey && cmd !== Cmd.Challenge)) return this.#nak(req, 'UNKNOWN_COMMAND');
    let bodyLen = req.payload.length;
    if (hasAuth) {
      if (bodyLen < AUTH_LEN) return this.#nak(req, 'BAD_PAYLOAD');
      bodyLen -= AUTH_LEN;
    }
    const body = req.payload.subarray(0, bodyLen);
    if (!DoorSimulator.#bodyLenOk(cmd, body)) return this.#nak(req, 'BAD_PAYLOAD');
    const needsAuth = cmd === Cmd.Unlock || cmd === Cmd.SetConfig || (cmd === Cmd.Lock && ((body[0] ?? 0) & 1) !== 0);
    if (needsAuth && !hasAuth) return this.#nak(req, 'AUTH_REQUIRED');
    if (hasAuth) {
      const refusal = this.#verifyAuth(req, body);
      if (refusal) return this.#nak(req, refusal);
    }
    switch (cmd) {
      case Cmd.Hello:
        return this.#hello(req, body);
      case Cmd.Challenge:
        return this.#challenge(req);
      case Cmd.Status:
        return this.#status(req);
      case Cmd.Unlock:
        return this.#unlock(req, body);
      case Cmd.Lock:
        return this.#lock(req, body);
      case Cmd.SetConfig:
        return this.#setConfig(req, body);
      default:
        return this.#provision(req, body);
    }
  }

  #handleChunk(chunk: Uint8Array): void {
    const r = decodeFrame(chunk);
    if (!r.ok) {
      this.counters.rxErrors = bump(this.counters.rxErrors);
      const h = r.header;
      if (h && (h.type === FrameType.Command || h.type === FrameType.Heartbeat)) {
        if (r.reason === 'BAD_VERSION') {
          // In the refused frame's own version, never signed, so an older host can read it.
          this.#io.write(encodeFrame({ version: h.version, type: FrameType.Nak, seq: h.seq, cmd: h.cmd, payload: Uint8Array.of(r.code, PROTOCOL_VERSION) }));
        } else {
          this.#send(FrameType.Nak, h.seq, h.cmd, Uint8Array.of(r.code), r.crc ?? 0);
        }
      }
      return;
    }
    const f = r.frame;
    this.#lastRxMs = this.#now();
    switch (f.header.type) {
      case FrameType.Command:
        return this.#handleCommand(f);
      case FrameType.Heartbeat:
        if (f.header.cmd !== Cmd.Heartbeat) {
          this.#send(FrameType.Nak, f.header.seq, f.header.cmd, Uint8Array.of(Reason.UNKNOWN_COMMAND), f.crc);
        } else {
          this.#send(FrameType.Heartbeat, f.header.seq, Cmd.Heartbeat, Uint8Array.of(this.state()), f.crc);
        }
        return;
      case FrameType.Ack: {
        const head = this.#events[0];
        if (this.#evInFlight && head && head.seq === f.header.seq && head.id === f.header.cmd) this.#popEvent();
        return;
      }
      default:
        return; // RESPONSE/EVENT/NAK only travel MCU -> host
    }
  }

  // ---- tick ----

  #tickInputs(now: number): void {
    const prev = this.#inputs;
    const inputs = this.#io.readInputs();
    const rose = inputs & ~prev;
    const fell = prev & ~inputs;
    this.#inputs = inputs;
    if (rose & Input.Tamper) {
      this.#raise(EventId.Tamper, [1]);
      this.#lockout = true;
      if (this.#pulseActive) {
        this.#pulseActive = false;
        this.#relayUpdate(RelayCause.Tamper);
      }
    } else if (fell & Input.Tamper) {
      this.#raise(EventId.Tamper, [0]);
    }
    if (rose & Input.SetupButton && !(inputs & Input.Tamper)) this.#lockout = false;
    if (rose & Input.ExitButton) {
      this.#raise(EventId.ExitButton, []);
      this.#startPulse(this.#cfg.maxPulseMs, RelayCause.ExitButton);
    }
    if (rose & Input.DoorOpen) {
      this.#raise(EventId.Door, [1]);
      this.#doorOpenedAt = now;
      this.#heldReported = false;
      if (!this.#relay) this.#raise(EventId.Fault, [FaultCode.ForcedDoor, 0]);
    } else if (fell & Input.DoorOpen) {
      this.#raise(EventId.Door, [0]);
    }
  }

  #tickNow(): void {
    const now = this.#now();
    this.#tickInputs(now);
    if (this.#inputs & Input.DoorOpen && !this.#heldReported && reached(now, this.#doorOpenedAt + this.#cfg.heldOpenMs)) {
      this.#heldReported = true;
      this.#raise(EventId.Fault, [FaultCode.HeldOpen, 0]);
    }
    if (this.#pulseActive && reached(now, this.#pulseUntil)) {
      this.#pulseActive = false;
      this.#relayUpdate(RelayCause.Timer);
    }
    if (!this.#failActive && reached(now, this.#lastRxMs + this.#cfg.heartbeatTimeoutMs)) {
      this.#closeSession();
      this.#pulseActive = false;
      this.#failActive = true;
      this.#lastFail = 1 + this.#cfg.failMode;
      this.#raise(EventId.Fault, [FaultCode.Watchdog, this.#cfg.failMode]);
      this.#relayUpdate(RelayCause.FailSafe);
    }
    const ch = this.#session?.challenge;
    if (ch && reached(now, ch.at + CHALLENGE_MS) && this.#session) this.#session.challenge = null; // by the clock
    if (this.#setupMode && reached(now, this.#bootMs + SETUP_MODE_MS)) this.#setupMode = false;
    this.#pumpEvents();
  }
}

// ---- the simulated board behind a ByteTransport ----

export interface SimulatedDoorOptions {
  clock: Clock;
  /** Raw 256-bit key already in the simulated flash; omit for an unprovisioned board. */
  key?: Uint8Array;
  /** Inputs at power-up (e.g. Input.SetupButton to boot in set-up mode). */
  inputs?: number;
  /** How often the simulated main loop ticks. */
  tickMs?: number;
  random?: (length: number) => Uint8Array;
}

/** A simulated door board: its inputs, relay and link, for the kiosk's demo mode and tests. */
export class SimulatedDoor {
  readonly transport: SimulatorTransport;
  inputs: number;
  /** Relay transitions to released, as the simulated hardware saw them. */
  releases = 0;
  relay = false;
  readonly #storage = new Map<StorageSlot, Uint8Array>();
  #sim: DoorSimulator | null = null;

  private constructor(options: SimulatedDoorOptions) {
    this.inputs = options.inputs ?? 0;
    if (options.key) this.#storage.set('key', options.key.slice());
    this.transport = new SimulatorTransport(options.clock, options.tickMs ?? 10);
  }

  static async create(options: SimulatedDoorOptions): Promise<SimulatedDoor> {
    const door = new SimulatedDoor(options);
    const random = options.random ?? ((n: number) => crypto.getRandomValues(new Uint8Array(n)));
    door.#sim = await DoorSimulator.create(
      {
        write: (bytes) => door.transport.deliver(bytes),
        setRelay: (released) => {
          if (released && !door.relay) door.releases++;
          door.relay = released;
          return true;
        },
        millis: () => Math.floor(options.clock.now()),
        readInputs: () => door.inputs,
        random,
        storeRead: (slot) => door.#storage.get(slot)?.slice() ?? null,
        storeWrite: (slot, bytes) => {
          door.#storage.set(slot, bytes.slice());
          return true;
        },
      },
      { deviceId: Uint8Array.of(0x53, 0x49, 0x4d, 0, 0, 0, 0, 1), capabilities: 0x3f },
    );
    door.transport.attach(door.#sim);
    return door;
  }

  get simulator(): DoorSimulator {
    if (!this.#sim) throw new Error('SimulatedDoor used before create() finished');
    return this.#sim;
  }
}

/**
 * ByteTransport into a DoorSimulator. Bytes are delivered asynchronously, like a serial port;
 * setLinkUp(false) is the cable being pulled: bytes vanish both ways.
 */
export class SimulatorTransport implements ByteTransport {
  readonly kind = 'simulator' as const;
  readonly #listeners = new Set<(bytes: Uint8Array) => void>();
  readonly #clock: Clock;
  readonly #tickMs: number;
  #sim: DoorSimulator | null = null;
  #timer: TimerHandle | null = null;
  #linkUp = true;
  #closed = false;

  constructor(clock: Clock, tickMs: number) {
    this.#clock = clock;
    this.#tickMs = tickMs;
  }

  attach(sim: DoorSimulator): void {
    this.#sim = sim;
    this.#schedule();
  }

  setLinkUp(up: boolean): void {
    this.#linkUp = up;
  }

  /** Called by the simulated MCU for each frame it writes. */
  deliver(bytes: Uint8Array): void {
    if (!this.#linkUp || this.#closed) return;
    const copy = bytes.slice();
    queueMicrotask(() => {
      for (const l of this.#listeners) l(copy);
    });
  }

  async write(bytes: Uint8Array): Promise<void> {
    if (this.#closed) throw new Error('transport closed');
    if (!this.#linkUp || !this.#sim) return;
    void this.#sim.rx(bytes);
  }

  onBytes(cb: (bytes: Uint8Array) => void): () => void {
    this.#listeners.add(cb);
    return () => this.#listeners.delete(cb);
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== null) this.#clock.clearTimeout(this.#timer);
    this.#timer = null;
    this.#listeners.clear();
  }

  #schedule(): void {
    if (this.#closed) return;
    this.#timer = this.#clock.setTimeout(() => {
      void this.#sim?.tick();
      this.#schedule();
    }, this.#tickMs);
  }
}
