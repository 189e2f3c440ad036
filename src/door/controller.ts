// DoorController: the host side of the panel-bridge session over any ByteTransport.
// One request in flight (a promise chain), each with a bounded retry of identical bytes; the
// MCU's duplicate cache makes a retried UNLOCK safe. Heartbeats when idle; a link that stops
// answering is 'lost' and is retried with HELLO. The MCU has the last word on everything.
import { encodeSigned, importDoorKey } from './auth.ts';
import {
  Cmd,
  FrameSplitter,
  FrameType,
  PROTOCOL_VERSION,
  StateBit,
  decodeFrame,
  encodeFrame,
  packConfig,
  parseEvent,
  parseHello,
  parseStatus,
  reasonName,
  u16,
  unpackConfig,
} from './protocol.ts';
import type { DoorConfig, DoorEvent, Frame, HelloInfo, ReasonName, StatusInfo } from './protocol.ts';
import type { ByteTransport, Clock, LinkChange, TimerHandle } from './transport.ts';

export type DoorFault = 'not-provisioned' | 'no-key' | 'tamper-lockout' | 'protocol-version' | 'bad-hello';

export type DoorState =
  | { state: 'idle' }
  | { state: 'connecting' }
  | { state: 'ready'; info: HelloInfo }
  | { state: 'simulated'; info: HelloInfo }
  | { state: 'lost'; reason: string }
  | { state: 'fault'; fault: DoorFault; info?: HelloInfo };

export type CommandResult<T> =
  | { outcome: 'done'; value: T }
  | { outcome: 'refused'; reason: ReasonName | 'UNKNOWN' }
  | { outcome: 'lost' };

export interface DoorControllerEvents {
  state: DoorState;
  event: DoorEvent;
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
  log?: (message: string) => void;
}

interface Pending {
  seq: number;
  resolve: (frame: Frame) => void;
}

const COUNTER_LIMIT = 0xfffffffe;

export class DoorController {
  readonly #transport: ByteTransport;
  readonly #clock: Clock;
  readonly #timeoutMs: number;
  readonly #maxTries: number;
  readonly #heartbeatMs: number;
  readonly #reconnectMs: number;
  readonly #log: (message: string) => void;
  readonly #splitter = new FrameSplitter();
  readonly #listeners: { [K in keyof DoorControllerEvents]: Set<(v: DoorControllerEvents[K]) => void> } = {
    state: new Set(),
    event: new Set(),
  };
  readonly #unsubscribe: () => void;
  readonly #unlink: () => void;

  #key: CryptoKey | null;
  #state: DoorState = { state: 'idle' };
  #seq: number;
  #nonce: Uint8Array | null = null;
  #counter = 0;
  #pending: Pending | null = null;
  #queue: Promise<unknown> = Promise.resolve();
  #queued = 0;
  #idleTimer: TimerHandle | null = null;
  #lastEventSeq: number | null = null;
  #closed = false;
  #rxErrors = 0;
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

  on<K extends keyof DoorControllerEvents>(name: K, cb: (value: DoorControllerEvents[K]) => void): () => void {
    this.#listeners[name].add(cb);
    return () => this.#listeners[name].delete(cb);
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

  #emit<K extends keyof DoorControllerEvents>(name: K, value: DoorControllerEvents[K]): void {
    for (const cb of this.#listeners[name]) cb(value);
  }

  #setState(s: DoorState): void {
    this.#state = s;
    this.#emit('state', s);
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
    this.#nonce = null;
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
    if (this.#closed || this.#nonce === null) return;
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
  async #transact(seq: number, bytes: Uint8Array): Promise<Frame | null> {
    // No device behind the link: answer 'lost' now rather than after every retry has timed out.
    if (this.#linkDown) return null;
    for (let attempt = 0; attempt < this.#maxTries && !this.#closed; attempt++) {
      const answer = new Promise<Frame | null>((resolve) => {
        const timer = this.#clock.setTimeout(() => {
          if (this.#pending?.seq === seq) this.#pending = null;
          resolve(null);
        }, this.#timeoutMs);
        this.#pending = {
          seq,
          resolve: (frame) => {
            this.#clock.clearTimeout(timer);
            resolve(frame);
          },
        };
      });
      try {
        await this.#transport.write(bytes);
      } catch (err) {
        this.#log(`write failed: ${String(err)}`);
      }
      const frame = await answer;
      if (frame) return frame;
    }
    this.#pending = null;
    return null;
  }

  async #hello(): Promise<void> {
    if (this.#state.state !== 'lost') this.#setState({ state: 'connecting' });
    const seq = this.#nextSeq();
    const reply = await this.#transact(seq, encodeFrame({ type: FrameType.Command, seq, cmd: Cmd.Hello }));
    if (!reply) return this.#lost('no answer to HELLO');
    const info = reply.header.type === FrameType.Response ? parseHello(reply.payload) : null;
    if (!info) {
      this.#nonce = null;
      return this.#setState({ state: 'fault', fault: 'bad-hello' });
    }
    this.#nonce = info.nonce;
    this.#counter = 0;
    this.#evaluate(info);
  }

  async #heartbeat(): Promise<void> {
    if (this.#nonce === null) return;
    const seq = this.#nextSeq();
    const reply = await this.#transact(seq, encodeFrame({ type: FrameType.Heartbeat, seq, cmd: Cmd.Heartbeat }));
    if (!reply) return this.#lost('heartbeat not answered');
    const s = reply.payload[0] ?? 0;
    if (reply.header.type === FrameType.Heartbeat && !(s & StateBit.Session)) {
      // The MCU's watchdog closed our session (or it rebooted): open a new one.
      await this.#hello();
    }
  }

  #outcome<T>(reply: Frame | null, parse: (p: Uint8Array) => T | null): CommandResult<T> {
    if (!reply) {
      this.#lost('command not answered');
      return { outcome: 'lost' };
    }
    if (reply.header.type === FrameType.Nak) return { outcome: 'refused', reason: reasonName(reply.payload[0] ?? 0) };
    const value = reply.header.type === FrameType.Response ? parse(reply.payload) : null;
    return value === null ? { outcome: 'refused', reason: 'BAD_PAYLOAD' } : { outcome: 'done', value };
  }

  #plain<T>(cmd: Cmd, body: Uint8Array, parse: (p: Uint8Array) => T | null, opts: { wipe?: boolean } = {}): Promise<CommandResult<T>> {
    return this.#run(async () => {
      const seq = this.#nextSeq();
      const bytes = encodeFrame({ type: FrameType.Command, seq, cmd, payload: body });
      try {
        return this.#outcome(await this.#transact(seq, bytes), parse);
      } finally {
        // The frame carries a key in clear (PROVISION_KEY): gone once the exchange is over.
        if (opts.wipe) bytes.fill(0);
      }
    });
  }

  #signed<T>(cmd: Cmd, body: Uint8Array, parse: (p: Uint8Array) => T | null): Promise<CommandResult<T>> {
    return this.#run(async () => {
      for (let round = 0; round < 2; round++) {
        if (!this.#key) return { outcome: 'refused', reason: 'NOT_PROVISIONED' } as const;
        if (this.#nonce === null || this.#counter >= COUNTER_LIMIT) await this.#hello();
        if (this.#nonce === null) return { outcome: 'lost' } as const;
        // A counter is spent whether or not the answer arrives: the MCU may have consumed it.
        const counter = ++this.#counter;
        const seq = this.#nextSeq();
        const bytes = await encodeSigned({ seq, cmd, body, counter, key: this.#key, nonce: this.#nonce });
        const result = this.#outcome(await this.#transact(seq, bytes), parse);
        // NO_SESSION means nothing was done (the MCU's watchdog closed the session): re-HELLO once.
        if (result.outcome === 'refused' && result.reason === 'NO_SESSION' && round === 0) {
          this.#nonce = null;
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
      if (!r || !r.ok) {
        this.#rxErrors++;
        return;
      }
      this.#onFrame(r.frame);
    });
  }

  #onFrame(f: Frame): void {
    const { type, seq, cmd } = f.header;
    if (type === FrameType.Event) {
      // ACK every copy (ours may have been lost); report each seq once.
      void this.#transport.write(encodeFrame({ type: FrameType.Ack, seq, cmd })).catch(() => undefined);
      if (seq === this.#lastEventSeq) return;
      this.#lastEventSeq = seq;
      this.#onEvent(parseEvent(cmd, f.payload));
      return;
    }
    if ((type === FrameType.Response || type === FrameType.Nak || type === FrameType.Heartbeat) && this.#pending?.seq === seq) {
      const p = this.#pending;
      this.#pending = null;
      p.resolve(f);
    }
  }

  #onEvent(e: DoorEvent): void {
    this.#emit('event', e);
    if (e.kind === 'boot' && this.#nonce !== null) {
      // Maybe a restart after our HELLO, maybe a retry of the BOOT sent before it: a heartbeat
      // answers which (its state byte says whether our session still exists).
      void this.#run(() => this.#heartbeat()).catch(() => undefined);
    } else if (e.kind === 'tamper' && e.active && (this.#state.state === 'ready' || this.#state.state === 'simulated')) {
      this.#setState({ state: 'fault', fault: 'tamper-lockout', info: { ...this.#state.info, state: this.#state.info.state | StateBit.Lockout } });
    }
  }
}
