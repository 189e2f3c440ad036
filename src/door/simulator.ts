// TypeScript twin of panel-bridge/firmware/core/dw_core.c: the same rules in the same order,
// held to the same vectors (exchanges in vectors.json), so browser tests and the kiosk's
// simulated mode run the firmware's behaviour rather than a mock's. When the C changes, this
// changes with it; simulator.test.ts replays every exchange against both expectations.
import { constantTimeEqual } from './auth.ts';
import {
  AUTH_LEN,
  CONFIG_LEN,
  Cmd,
  DEFAULT_CONFIG,
  EventId,
  FLAG_AUTH,
  FaultCode,
  FrameSplitter,
  FrameType,
  HEADER_LEN,
  KEY_LEN,
  NONCE_LEN,
  PROTOCOL_VERSION,
  Reason,
  RelayCause,
  StateBit,
  TAG_LEN,
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
import type { ByteTransport, Clock, TimerHandle } from './transport.ts';

export const FW_VERSION = [1, 0, 0] as const;
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

async function hmacKey(raw: Uint8Array): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', new Uint8Array(raw), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
}

export class DoorSimulator {
  readonly #io: SimulatorIo;
  readonly #identity: SimulatorIdentity;
  readonly #splitter = new FrameSplitter();
  #chain: Promise<void> = Promise.resolve();

  #bootMs = 0;
  #lastRxMs = 0;
  #cfg: DoorConfig = { ...DEFAULT_CONFIG };
  #key: CryptoKey | null = null;
  #setupMode = false;
  #sessionOpen = false;
  #nonce = new Uint8Array(NONCE_LEN);
  #lastCounter = 0;
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
    await sim.#init();
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
    return this.#enqueue(async () => {
      const chunks: (Uint8Array | null)[] = [];
      this.#splitter.push(copy, (c) => chunks.push(c));
      for (const chunk of chunks) {
        if (chunk === null) {
          this.counters.rxErrors = bump(this.counters.rxErrors);
          continue;
        }
        await this.#handleChunk(chunk);
        this.#pumpEvents();
      }
    });
  }

  /** dw_tick, serialised behind any rx still in progress (the C core is single-threaded). */
  tick(): Promise<void> {
    return this.#enqueue(async () => this.#tickNow());
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
    if (this.#sessionOpen) s |= StateBit.Session;
    return s;
  }

  #enqueue(work: () => Promise<void>): Promise<void> {
    const run = this.#chain.then(work);
    this.#chain = run.catch(() => undefined);
    return run;
  }

  #now(): number {
    return this.#io.millis() >>> 0;
  }

  async #init(): Promise<void> {
    this.#bootMs = this.#now();
    this.#lastRxMs = this.#bootMs;
    const cfg = this.#io.storeRead('config');
    if (cfg && cfg.length === CONFIG_LEN && configValid(unpackConfig(cfg))) this.#cfg = unpackConfig(cfg);
    const key = this.#io.storeRead('key');
    if (key && key.length === KEY_LEN && key.some((b) => b !== 0)) this.#key = await hmacKey(key);
    this.#io.setRelay(false);
    this.#inputs = this.#io.readInputs();
    this.#setupMode = (this.#inputs & Input.SetupButton) !== 0;
    this.#lockout = (this.#inputs & Input.Tamper) !== 0;
    this.#doorOpenedAt = this.#bootMs;
    this.#raise(EventId.Boot, [...FW_VERSION, this.state()]);
    this.#pumpEvents();
  }

  // ---- output ----

  #send(type: number, seq: number, cmd: number, payload: Uint8Array): Uint8Array {
    const wire = encodeFrame({ type, seq, cmd, payload });
    this.#io.write(wire);
    return wire;
  }

  #answer(req: Frame, type: number, payload: Uint8Array): void {
    const bytes = this.#send(type, req.header.seq, req.header.cmd, payload);
    this.#cache = { seq: req.header.seq, crc: req.crc, bytes };
  }

  #nak(req: Frame, reason: ReasonName): void {
    if (reason === 'BAD_TAG') this.counters.badTag = bump(this.counters.badTag);
    else if (reason === 'STALE_COUNTER' || reason === 'COUNTER_EXHAUSTED') this.counters.staleCounter = bump(this.counters.staleCounter);
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
    this.#send(FrameType.Event, e.seq, e.id, e.payload);
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
    this.#sessionOpen = false;
    this.#cache = null;
    this.#lastCounter = 0;
    this.#nonce.fill(0);
  }

  // ---- commands ----

  #hello(req: Frame): void {
    this.#closeSession();
    const nonce = this.#io.random(NONCE_LEN);
    if (!nonce || nonce.length !== NONCE_LEN) {
      this.#nak(req, 'RNG_FAILURE');
      return;
    }
    this.#nonce = nonce.slice();
    this.#sessionOpen = true;
    if (this.#failActive) {
      this.#failActive = false;
      this.#relayUpdate(RelayCause.Hello);
    }
    const p = new Uint8Array(32);
    p[0] = PROTOCOL_VERSION;
    p.set(FW_VERSION, 1);
    p.set(this.#identity.deviceId.subarray(0, 8), 4);
    putU16(p, 12, this.#identity.capabilities);
    p.set(this.#nonce, 14);
    p[30] = this.state();
    p[31] = this.#lastFail;
    this.#lastFail = 0;
    this.#answer(req, FrameType.Response, p);
  }

  #status(req: Frame): void {
    const p = new Uint8Array(32);
    const c = this.counters;
    p[0] = this.state();
    p.set(packConfig(this.#cfg), 1);
    [c.rxErrors, c.badTag, c.staleCounter, c.noSession, c.otherNaks, c.eventsDropped].forEach((v, i) => putU16(p, 12 + 2 * i, v));
    putU32(p, 24, this.#lastCounter);
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

  async #provision(req: Frame, body: Uint8Array): Promise<void> {
    if (!this.#setupMode) return this.#nak(req, 'NOT_IN_SETUP_MODE');
    if (body.every((b) => b === 0)) return this.#nak(req, 'OUT_OF_RANGE');
    if (!this.#io.storeWrite('key', body)) return this.#nak(req, 'STORAGE_FAILURE');
    this.#key = await hmacKey(body);
    this.#setupMode = false;
    this.#closeSession();
    this.#answer(req, FrameType.Response, Uint8Array.of(this.state()));
  }

  static #bodyLenOk(cmd: number, body: Uint8Array): boolean {
    switch (cmd) {
      case Cmd.Hello:
      case Cmd.Status:
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

  async #verifyAuth(req: Frame, body: Uint8Array): Promise<ReasonName | null> {
    const auth = req.payload.subarray(body.length);
    const counter = u32(auth, 0);
    if (!this.#key) return 'NOT_PROVISIONED';
    if (!this.#sessionOpen) return 'NO_SESSION';
    const msg = new Uint8Array(NONCE_LEN + 4 + HEADER_LEN + body.length);
    msg.set(this.#nonce, 0);
    putU32(msg, NONCE_LEN, counter);
    msg.set(req.headerBytes, NONCE_LEN + 4);
    msg.set(body, NONCE_LEN + 4 + HEADER_LEN);
    const mac = new Uint8Array(await crypto.subtle.sign('HMAC', this.#key, msg));
    if (!constantTimeEqual(mac.subarray(0, TAG_LEN), auth.subarray(4, 4 + TAG_LEN))) return 'BAD_TAG';
    if (counter === 0xffffffff) return 'COUNTER_EXHAUSTED';
    if (counter <= this.#lastCounter) return 'STALE_COUNTER';
    this.#lastCounter = counter;
    return null;
  }

  async #handleCommand(req: Frame): Promise<void> {
    const hasAuth = (req.header.flags & FLAG_AUTH) !== 0;
    if (this.#cache && this.#cache.seq === req.header.seq && this.#cache.crc === req.crc) {
      this.#io.write(this.#cache.bytes);
      return;
    }
    const cmd = req.header.cmd;
    if (cmd < Cmd.Hello || cmd > Cmd.ProvisionKey) return this.#nak(req, 'UNKNOWN_COMMAND');
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
      const refusal = await this.#verifyAuth(req, body);
      if (refusal) return this.#nak(req, refusal);
    }
    switch (cmd) {
      case Cmd.Hello:
        return this.#hello(req);
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

  async #handleChunk(chunk: Uint8Array): Promise<void> {
    const r = decodeFrame(chunk);
    if (!r.ok) {
      this.counters.rxErrors = bump(this.counters.rxErrors);
      const h = r.header;
      if (h && (h.type === FrameType.Command || h.type === FrameType.Heartbeat)) {
        this.#send(FrameType.Nak, h.seq, h.cmd, Uint8Array.of(r.code));
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
          this.#send(FrameType.Nak, f.header.seq, f.header.cmd, Uint8Array.of(Reason.UNKNOWN_COMMAND));
        } else {
          this.#send(FrameType.Heartbeat, f.header.seq, Cmd.Heartbeat, Uint8Array.of(this.state()));
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
