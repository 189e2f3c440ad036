// DoorController: the host side of the panel-bridge session (protocol v2) over any ByteTransport.
// One request in flight (a promise chain), each with a bounded retry of identical bytes; the
// MCU's duplicate cache makes a retried UNLOCK safe. Heartbeats when idle; a link that stops
// answering is 'lost' and is retried with HELLO. The MCU has the last word on everything, and
// once the session is keyed the panel believes only what the MCU signed: an answer or event
// that does not verify is dropped and reported as a link fault, never taken as "done".
import { deriveMcuKey, encodeSigned, importDoorKey, unverifiedBody, verifyMcuFrame } from './auth.ts';
import type { SessionNonces } from './auth.ts';
import {
  Cmd,
  EventId,
  FLAG_AUTH,
  FrameSplitter,
  FrameType,
  NONCE_LEN,
  PROTOCOL_VERSION,
  StateBit,
  decodeFrame,
  encodeFrame,
  packConfig,
  parseChallenge,
  parseEvent,
  parseHello,
  parseStatus,
  reasonName,
  u16,
  unpackConfig,
} from './protocol.ts';
import type { DoorConfig, DoorEvent, Frame, HelloInfo, ReasonName, StatusInfo } from './protocol.ts';
import type { ByteTransport, LinkChange } from './transport.ts';
import type { Clock, TimerHandle } from '../platform/clock.ts';
import { Events } from '../lib/events.ts';

export type DoorFault =
  | 'not-provisioned'
  | 'no-key'
  | 'tamper-lockout'
  | 'protocol-version'
  | 'bad-hello'
  /** The HELLO answer was signed, but not with our key: another board, or a forger. */
  | 'key-mismatch'
  /** The board claims to be provisioned but signs nothing: not our board, or a forger. */
  | 'unauthenticated';

export type DoorState =
  | { state: 'idle' }
  | { state: 'connecting' }
  | { state: 'ready'; info: HelloInfo }
  | { state: 'simulated'; info: HelloInfo }
  | { state: 'lost'; reason: string }
  | { state: 'fault'; fault: DoorFault; info?: HelloInfo };

/** Why a command was refused: the MCU's NAK, or the panel's own refusal to trust the link. */
export type RefusalReason = ReasonName | 'UNKNOWN' | 'UNTRUSTED_LINK';

export type CommandResult<T> =
  | { outcome: 'done'; value: T }
  | { outcome: 'refused'; reason: RefusalReason }
  | { outcome: 'lost' };

/** A frame from the link that the panel would not believe (PROTOCOL.md 2.2). */
export interface LinkFault {
  kind: 'unauthenticated' | 'forged' | 'replayed';
  /** What it claimed to be, e.g. "RESPONSE to UNLOCK" or "EVENT 0x82". */
  frame: string;
  /** Link faults since this controller started. */
  total: number;
}

export interface DoorControllerEvents {
  state: DoorState;
  event: DoorEvent;
  linkFault: LinkFault;
}

export interface DoorControllerOptions {
  transport: ByteTransport;
  clock: Clock;
  /** The provisioned door key (non-extractable); null until provisioning. */
  key: CryptoKey | null;
  commandTimeoutMs?: number;
  maxTries?: number;
  heartbeatIntervalMs?: number;
  reconnectMs?: number;
  /** First sequence number; random by default so a restarted host never hits the MCU's cache. */
  initialSeq?: number;
  /** Fills a buffer with random bytes (the HELLO host nonce); crypto.getRandomValues by default. */
  random?: (bytes: Uint8Array<ArrayBuffer>) => Uint8Array;
  log?: (message: string) => void;
}

/** An answer as the receive path hands it to the waiting request. */
type Answer =
  | { kind: 'frame'; frame: Frame; body: Uint8Array; authenticated: boolean }
  /** The peer answered in another protocol version (PROTOCOL.md 1.3). */
  | { kind: 'version'; version: number };

interface Pending {
  seq: number;
  /** The command id an answer must carry; null for a heartbeat. */
  cmd: number | null;
  /** The CRC of our request: a signed answer covers it. */
  requestCrc: number;
  resolve: (answer: Answer) => void;
}

/** The session this panel opened; `mcuKey` is set once the HELLO answer verified (keyed). */
interface Session extends SessionNonces {
  mcuKey: Uint8Array | null;
  lastAnswer: number;
  lastEvent: number;
}

const COUNTER_LIMIT = 0xfffffffe;
const CMD_NAMES = new Map<number, string>(Object.entries(Cmd).map(([name, id]) => [id, name.toUpperCase()]));
const TYPE_NAMES = new Map<number, string>(Object.entries(FrameType).map(([name, id]) => [id, name.toUpperCase()]));

function describe(f: Frame): string {
  const type = TYPE_NAMES.get(f.header.type) ?? `type ${f.header.type}`;
  if (f.header.type === FrameType.Event) return `${type} 0x${f.header.cmd.toString(16)}`;
  return `${type} to ${CMD_NAMES.get(f.header.cmd) ?? `command 0x${f.header.cmd.toString(16)}`}`;
}

export class DoorController {
  readonly #transport: ByteTransport;
  readonly #clock: Clock;
  readonly #timeoutMs: number;
  readonly #maxTries: number;
  readonly #heartbeatMs: number;
  readonly #reconnectMs: number;
  readonly #random: (bytes: Uint8Array<ArrayBuffer>) => Uint8Array;
  readonly #log: (message: string) => void;
  readonly #splitter = new FrameSplitter();
  readonly #events = new Events<DoorControllerEvents>();
  readonly #unsubscribe: () => void;
  readonly #unlink: () => void;

  #key: CryptoKey | null;
  #state: DoorState = { state: 'idle' };
  #seq: number;
  #session: Session | null = null;
  #counter = 0;
  #pending: Pending | null = null;
  #queue: Promise<unknown> = Promise.resolve();
  #queued = 0;
  #idleTimer: TimerHandle | null = null;
  #lastEventSeq: number | null = null;
  #closed = false;
  #rxErrors = 0;
  #linkFaults = 0;
  /** The transport says its device is gone: HELLO retries would only fail until it returns. */
  #linkDown = false;

  constructor(options: DoorControllerOptions) {
    this.#transport = options.transport;
    this.#clock = options.clock;
    this.#key = options.key;
    this.#timeoutMs = options.commandTimeoutMs ?? 250;
    this.#maxTries = options.maxTries ?? 3;
    this.#heartbeatMs = options.heartbeatIntervalMs ?? 1000;
    this.#reconnectMs = options.reconnectMs ?? 2000;
    this.#seq = (options.initialSeq ?? crypto.getRandomValues(new Uint16Array(1))[0] ?? 0) & 0xffff;
    this.#random = options.random ?? ((b) => crypto.getRandomValues(b));
    this.#log = options.log ?? (() => undefined);
    this.#unsubscribe = this.#transport.onBytes((bytes) => this.#onBytes(bytes));
    this.#unlink = this.#transport.onLinkChange?.((c) => this.#onLinkChange(c)) ?? (() => undefined);
  }

  get state(): DoorState {
    return this.#state;
  }

  /** Frames from the MCU that failed decoding (noise on the line). */
  get rxErrors(): number {
    return this.#rxErrors;
  }

  /** Frames that decoded but were not believed: unsigned, forged or replayed (PROTOCOL.md 2.2). */
  get linkFaults(): number {
    return this.#linkFaults;
  }

  /** True once the HELLO answer verified with our key: every later frame must verify too. */
  get keyed(): boolean {
    return this.#session?.mcuKey != null;
  }

  on<K extends keyof DoorControllerEvents>(name: K, cb: (value: DoorControllerEvents[K]) => void): () => void {
    return this.#events.on(name, cb);
  }

  setKey(key: CryptoKey | null): void {
    this.#key = key;
  }

  /** Opens a session (HELLO) and starts heartbeats. Resolves with the resulting state. */
  connect(): Promise<DoorState> {
    return this.#run(async () => {
      await this.#hello();
      return this.#state;
    });
  }

  /** 'done' only when the board signed its confirmation of this very UNLOCK. */
  unlock(pulseMs: number): Promise<CommandResult<{ pulseMs: number; state: number }>> {
    const body = new Uint8Array(2);
    body[0] = pulseMs & 0xff;
    body[1] = (pulseMs >>> 8) & 0xff;
    return this.#signed(Cmd.Unlock, body, (p) => (p.length === 3 ? { pulseMs: u16(p, 0), state: p[2] ?? 0 } : null));
  }

  /** Locks now (ends any pulse). Needs no key: locking can only make the door safer. */
  lock(): Promise<CommandResult<number>> {
    return this.#plain(Cmd.Lock, Uint8Array.of(0), (p) => (p.length === 1 ? (p[0] ?? 0) : null));
  }

  /** Signed LOCK that also clears the tamper lockout latch. */
  async clearTamper(): Promise<CommandResult<number>> {
    const r = await this.#signed(Cmd.Lock, Uint8Array.of(1), (p) => (p.length === 1 ? (p[0] ?? 0) : null));
    if (r.outcome === 'done' && this.#state.state === 'fault' && this.#state.fault === 'tamper-lockout' && this.#state.info) {
      this.#evaluate({ ...this.#state.info, state: r.value });
    }
    return r;
  }

  setConfig(config: DoorConfig): Promise<CommandResult<DoorConfig>> {
    return this.#signed(Cmd.SetConfig, packConfig(config), (p) => (p.length === 11 ? unpackConfig(p) : null));
  }

  status(): Promise<CommandResult<StatusInfo>> {
    return this.#plain(Cmd.Status, new Uint8Array(0), parseStatus);
  }

  /**
   * Sends a new key to a controller in set-up mode, then keeps only a non-extractable copy and
   * opens a fresh session with it (provisioning closes the MCU's session). The copy is returned
   * so the caller can store it; the caller still owns (and should wipe) the raw bytes.
   */
  async provisionKey(raw: Uint8Array): Promise<CommandResult<{ state: number; key: CryptoKey }>> {
    const r = await this.#plain(Cmd.ProvisionKey, raw, (p) => (p.length === 1 ? (p[0] ?? 0) : null), { wipe: true });
    if (r.outcome !== 'done') return r;
    const key = await importDoorKey(raw);
    this.#key = key;
    await this.connect();
    return { outcome: 'done', value: { state: r.value, key } };
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#clearIdle();
    this.#unsubscribe();
    this.#unlink();
    this.#pending = null;
    await this.#transport.close();
    this.#setState({ state: 'idle' });
  }

  // ---- state ----


  #setState(s: DoorState): void {
    this.#state = s;
    this.#events.emit('state', s);
  }

  #linkFault(kind: LinkFault['kind'], frame: string): void {
    this.#linkFaults++;
    this.#log(`door link fault: ${kind} ${frame} dropped`);
    this.#events.emit('linkFault', { kind, frame, total: this.#linkFaults });
  }

  /** Chooses ready/simulated/fault from what the MCU says about itself. */
  #evaluate(info: HelloInfo): void {
    if (info.protocolVersion !== PROTOCOL_VERSION) return this.#setState({ state: 'fault', fault: 'protocol-version', info });
    if (!(info.state & StateBit.Provisioned)) return this.#setState({ state: 'fault', fault: 'not-provisioned', info });
    if (!this.#key) return this.#setState({ state: 'fault', fault: 'no-key', info });
    if (info.state & StateBit.Lockout) return this.#setState({ state: 'fault', fault: 'tamper-lockout', info });
    this.#setState(this.#transport.kind === 'simulator' ? { state: 'simulated', info } : { state: 'ready', info });
  }

  #lost(reason: string): void {
    this.#session = null;
    this.#log(`door controller lost: ${reason}`);
    if (this.#state.state !== 'lost') this.#setState({ state: 'lost', reason });
    if (this.#linkDown) return; // the transport says when the device is back
    this.#arm(this.#reconnectMs, () => {
      void this.#run(() => this.#hello()).catch(() => undefined);
    });
  }

  #onLinkChange(c: LinkChange): void {
    if (this.#closed) return;
    if (!c.up) {
      this.#linkDown = true;
      this.#clearIdle();
      this.#lost(c.reason);
      return;
    }
    this.#linkDown = false;
    // A replugged or rebooted board: open a new session at once instead of waiting for a timer.
    void this.connect().catch(() => undefined);
  }

  // ---- scheduling ----

  #run<T>(job: () => Promise<T>): Promise<T> {
    this.#queued++;
    this.#clearIdle();
    const result = this.#queue.then(job);
    this.#queue = result
      .catch(() => undefined)
      .finally(() => {
        this.#queued--;
        if (this.#queued === 0) this.#afterIdle();
      });
    return result;
  }

  #afterIdle(): void {
    if (this.#closed || this.#session === null) return;
    this.#arm(this.#heartbeatMs, () => {
      void this.#run(() => this.#heartbeat());
    });
  }

  #arm(ms: number, cb: () => void): void {
    this.#clearIdle();
    if (this.#closed) return;
    this.#idleTimer = this.#clock.setTimeout(() => {
      this.#idleTimer = null;
      if (!this.#closed) cb();
    }, ms);
  }

  #clearIdle(): void {
    if (this.#idleTimer !== null) this.#clock.clearTimeout(this.#idleTimer);
    this.#idleTimer = null;
  }

  // ---- transactions ----

  #nextSeq(): number {
    this.#seq = (this.#seq + 1) & 0xffff;
    return this.#seq;
  }

  /** Sends identical bytes until an answer with this seq arrives or the tries run out. */
  async #transact(seq: number, cmd: number | null, bytes: Uint8Array): Promise<Answer | null> {
    // No device behind the link: answer 'lost' now rather than after every retry has timed out.
    if (this.#linkDown) return null;
    const requestCrc = this.#crcOf(bytes);
    for (let attempt = 0; attempt < this.#maxTries && !this.#closed; attempt++) {
      const answer = new Promise<Answer | null>((resolve) => {
        const timer = this.#clock.setTimeout(() => {
          if (this.#pending?.seq === seq) this.#pending = null;
          resolve(null);
        }, this.#timeoutMs);
        this.#pending = {
          seq,
          cmd,
          requestCrc,
          resolve: (a) => {
            this.#clock.clearTimeout(timer);
            resolve(a);
          },
        };
      });
      try {
        await this.#transport.write(bytes);
      } catch (err) {
        this.#log(`write failed: ${String(err)}`);
      }
      const a = await answer;
      if (a) return a;
    }
    this.#pending = null;
    return null;
  }

  async #hello(): Promise<void> {
    if (this.#state.state !== 'lost') this.#setState({ state: 'connecting' });
    const hostNonce = this.#random(new Uint8Array(NONCE_LEN)).slice(0, NONCE_LEN);
    // Until the answer verifies nothing from the board is believed (and nothing of the old session).
    this.#session = null;
    const seq = this.#nextSeq();
    const request = encodeFrame({ type: FrameType.Command, seq, cmd: Cmd.Hello, payload: hostNonce });
    const answer = await this.#transact(seq, Cmd.Hello, request);
    if (!answer) return this.#lost('no answer to HELLO');
    if (answer.kind === 'version') return this.#wrongVersion(answer.version);
    const info = answer.frame.header.type === FrameType.Response ? parseHello(answer.body) : null;
    if (!info) return this.#setState({ state: 'fault', fault: 'bad-hello' });
    if (info.protocolVersion !== PROTOCOL_VERSION) return this.#wrongVersion(info.protocolVersion);
    const session: Session = { mcuNonce: info.nonce, hostNonce, mcuKey: null, lastAnswer: 0, lastEvent: 0 };
    if (this.#key && answer.frame.header.flags & FLAG_AUTH) {
      const mcuKey = await deriveMcuKey(this.#key, session);
      const v = verifyMcuFrame(mcuKey, answer.frame, this.#crcOf(request));
      if (!v.ok) {
        this.#linkFault('forged', 'RESPONSE to HELLO');
        return this.#setState({ state: 'fault', fault: 'key-mismatch', info });
      }
      session.mcuKey = mcuKey;
      session.lastAnswer = v.counter;
    } else if (this.#key && info.state & StateBit.Provisioned) {
      // A provisioned board signs its HELLO answer; one that does not is not the board we keyed.
      this.#linkFault('unauthenticated', 'RESPONSE to HELLO');
      return this.#setState({ state: 'fault', fault: 'unauthenticated', info });
    }
    this.#session = session;
    this.#counter = 0;
    this.#evaluate(info);
  }

  #crcOf(wire: Uint8Array): number {
    const r = decodeFrame(wire.subarray(0, wire.length - 1));
    return r.ok ? r.frame.crc : 0;
  }

  #wrongVersion(version: number): void {
    this.#session = null;
    this.#log(`door controller speaks protocol v${version}; this panel speaks v${PROTOCOL_VERSION}: update the controller's firmware`);
    this.#setState({ state: 'fault', fault: 'protocol-version' });
  }

  async #heartbeat(): Promise<void> {
    if (this.#session === null) return;
    const seq = this.#nextSeq();
    const reply = await this.#transact(seq, null, encodeFrame({ type: FrameType.Heartbeat, seq, cmd: Cmd.Heartbeat }));
    if (!reply) return this.#lost('heartbeat not answered');
    if (reply.kind === 'version') return this.#wrongVersion(reply.version);
    const s = reply.body[0] ?? 0;
    if (reply.frame.header.type === FrameType.Heartbeat && !(s & StateBit.Session)) {
      // The MCU's watchdog closed our session (or it rebooted): open a new one.
      await this.#hello();
    }
  }

  #outcome<T>(answer: Answer | null, parse: (p: Uint8Array) => T | null): CommandResult<T> {
    if (!answer) {
      this.#lost('command not answered');
      return { outcome: 'lost' };
    }
    if (answer.kind === 'version') {
      this.#wrongVersion(answer.version);
      return { outcome: 'refused', reason: 'UNTRUSTED_LINK' };
    }
    if (answer.frame.header.type === FrameType.Nak) return { outcome: 'refused', reason: reasonName(answer.body[0] ?? 0) };
    const value = answer.frame.header.type === FrameType.Response ? parse(answer.body) : null;
    return value === null ? { outcome: 'refused', reason: 'BAD_PAYLOAD' } : { outcome: 'done', value };
  }

  #plain<T>(cmd: Cmd, body: Uint8Array, parse: (p: Uint8Array) => T | null, opts: { wipe?: boolean } = {}): Promise<CommandResult<T>> {
    return this.#run(async () => {
      const seq = this.#nextSeq();
      const bytes = encodeFrame({ type: FrameType.Command, seq, cmd, payload: body });
      try {
        return this.#outcome(await this.#transact(seq, cmd, bytes), parse);
      } finally {
        // The frame carries a key in clear (PROVISION_KEY): gone once the exchange is over.
        if (opts.wipe) bytes.fill(0);
      }
    });
  }

  /** Why a signed command cannot go out on this session (null: it can). */
  #untrusted(): CommandResult<never> | null {
    if (this.keyed) return null;
    const s = this.#state;
    if (s.state !== 'fault') return { outcome: 'lost' };
    return { outcome: 'refused', reason: s.fault === 'not-provisioned' ? 'NOT_PROVISIONED' : 'UNTRUSTED_LINK' };
  }

  #signed<T>(cmd: Cmd, body: Uint8Array, parse: (p: Uint8Array) => T | null): Promise<CommandResult<T>> {
    return this.#run(async () => {
      for (let round = 0; round < 2; round++) {
        const key = this.#key;
        if (!key) return { outcome: 'refused', reason: 'NOT_PROVISIONED' } as const;
        if (!this.keyed || this.#counter >= COUNTER_LIMIT) await this.#hello();
        const refusal = this.#untrusted();
        if (refusal) return refusal;
        const session = this.#session;
        if (!session) return { outcome: 'lost' } as const;
        // A fresh challenge for this one command (PROTOCOL.md 2.1): good once, for 3 s.
        const cseq = this.#nextSeq();
        const got = this.#outcome(await this.#transact(cseq, Cmd.Challenge, encodeFrame({ type: FrameType.Command, seq: cseq, cmd: Cmd.Challenge })), parseChallenge);
        if (got.outcome === 'refused' && got.reason === 'NO_SESSION' && round === 0) {
          this.#session = null;
          continue;
        }
        if (got.outcome !== 'done') return got;
        // A counter is spent whether or not the answer arrives: the MCU may have consumed it.
        const counter = ++this.#counter;
        const seq = this.#nextSeq();
        const bytes = await encodeSigned({ seq, cmd, body, counter, key, session, challenge: got.value.challenge });
        const result = this.#outcome(await this.#transact(seq, cmd, bytes), parse);
        // NO_SESSION and STALE_CHALLENGE mean nothing was done (the MCU's watchdog closed the
        // session, or someone asked for a newer challenge): try once more, from the start.
        if (result.outcome === 'refused' && (result.reason === 'NO_SESSION' || result.reason === 'STALE_CHALLENGE') && round === 0) {
          if (result.reason === 'NO_SESSION') this.#session = null;
          continue;
        }
        return result;
      }
      return { outcome: 'lost' } as const;
    });
  }

  // ---- receive ----

  #onBytes(bytes: Uint8Array): void {
    this.#splitter.push(bytes, (chunk) => {
      const r = chunk ? decodeFrame(chunk) : null;
      if (r?.ok) return this.#onFrame(r.frame);
      const p = this.#pending;
      // A board of another protocol version refuses our request in its own framing.
      if (r && r.reason === 'BAD_VERSION' && r.header && p && r.header.seq === p.seq && r.header.type === FrameType.Nak) {
        this.#pending = null;
        p.resolve({ kind: 'version', version: r.header.version });
        return;
      }
      this.#rxErrors++;
    });
  }

  #onFrame(f: Frame): void {
    const { type, seq, cmd } = f.header;
    if (type === FrameType.Event) return this.#onEventFrame(f);
    const p = this.#pending;
    if (!p || seq !== p.seq) return; // late or not ours: the request it answers is over
    const ours = p.cmd === null ? type === FrameType.Heartbeat || (type === FrameType.Nak && cmd === Cmd.Heartbeat) : (type === FrameType.Response || type === FrameType.Nak) && cmd === p.cmd;
    if (!ours) return;
    const session = this.#session;
    if (!session?.mcuKey) {
      // Not keyed (no key, an unprovisioned board, or the HELLO answer the caller verifies itself).
      this.#pending = null;
      p.resolve({ kind: 'frame', frame: f, body: unverifiedBody(f).slice(), authenticated: false });
      return;
    }
    const v = verifyMcuFrame(session.mcuKey, f, p.requestCrc);
    if (!v.ok) {
      if (v.why === 'unsigned' && this.#sessionGoneHint(f)) {
        this.#pending = null;
        p.resolve({ kind: 'frame', frame: f, body: f.payload.slice(), authenticated: false });
        return;
      }
      // Keep waiting: the genuine answer (or, after our retry, the MCU's cached copy) may come.
      return this.#linkFault(v.why === 'unsigned' ? 'unauthenticated' : 'forged', describe(f));
    }
    if (v.counter <= session.lastAnswer) return this.#linkFault('replayed', describe(f));
    session.lastAnswer = v.counter;
    this.#pending = null;
    p.resolve({ kind: 'frame', frame: f, body: v.body, authenticated: true });
  }

  /**
   * Unsigned answers a board sends when it has no session any more (watchdog, reboot, someone
   * else's HELLO). Believing them can only make the panel open a new session (PROTOCOL.md 2.2).
   */
  #sessionGoneHint(f: Frame): boolean {
    if (f.header.type === FrameType.Heartbeat) return f.payload.length === 1 && !((f.payload[0] ?? 0) & StateBit.Session);
    return f.header.type === FrameType.Nak && f.payload.length === 1 && reasonName(f.payload[0] ?? 0) === 'NO_SESSION';
  }

  #onEventFrame(f: Frame): void {
    const session = this.#session;
    if (!session?.mcuKey) return; // nothing to check it with: not ACKed (the MCU retries), not reported
    const v = verifyMcuFrame(session.mcuKey, f, null);
    if (!v.ok) {
      if (v.why === 'unsigned' && f.header.cmd === EventId.Boot) {
        // The board restarted (its BOOT goes out before any session): see whether ours survived.
        void this.#run(() => this.#heartbeat()).catch(() => undefined);
        return;
      }
      return this.#linkFault(v.why === 'unsigned' ? 'unauthenticated' : 'forged', describe(f));
    }
    if (v.counter <= session.lastEvent) return this.#linkFault('replayed', describe(f));
    session.lastEvent = v.counter;
    // ACK every verified copy (ours may have been lost); report each seq once.
    void this.#transport.write(encodeFrame({ type: FrameType.Ack, seq: f.header.seq, cmd: f.header.cmd })).catch(() => undefined);
    if (f.header.seq === this.#lastEventSeq) return;
    this.#lastEventSeq = f.header.seq;
    this.#onEvent(parseEvent(f.header.cmd, v.body));
  }

  #onEvent(e: DoorEvent): void {
    this.#events.emit('event', e);
    if (e.kind === 'boot' && this.#session !== null) {
      // Maybe a restart after our HELLO, maybe a retry of the BOOT sent before it: a heartbeat
      // answers which (its state byte says whether our session still exists).
      void this.#run(() => this.#heartbeat()).catch(() => undefined);
    } else if (e.kind === 'tamper' && e.active && (this.#state.state === 'ready' || this.#state.state === 'simulated')) {
      this.#setState({ state: 'fault', fault: 'tamper-lockout', info: { ...this.#state.info, state: this.#state.info.state | StateBit.Lockout } });
    }
  }
}
