// The door link's outside boundaries, faked once: a tap on the byte link, an impostor on it, and
// Web Serial (navigator.serial and its SerialPorts, on real ReadableStream/WritableStream).
import { deriveMcuKeyRaw, encodeMcuFrame } from '../../src/door/auth.ts';
import { CHALLENGE_LEN, CHALLENGE_MS, Cmd, EventId, FrameSplitter, FrameType, PROTOCOL_VERSION, StateBit, decodeFrame, putU16, putU32 } from '../../src/door/protocol.ts';
import type { Frame } from '../../src/door/protocol.ts';
import type { ByteTransport } from '../../src/door/transport.ts';
import { DOORWARD_USB } from '../../src/door/web-serial.ts';
import type { SerialConnectionEventLike, SerialEventName, SerialLike, SerialOptionsLike, SerialOutputSignalsLike, SerialPortFilterLike, SerialPortInfoLike, SerialPortLike } from '../../src/door/web-serial.ts';

// ---- the link, tapped ----

/**
 * Wraps a transport to watch and disturb it the way a bad cable or an attacker would: records
 * every write, can swallow answers from the device, hold the panel's commands back, and inject
 * raw bytes either way.
 */
export class TapTransport implements ByteTransport {
  readonly kind;
  readonly written: Uint8Array[] = [];
  readonly received: Uint8Array[] = [];
  /** Answers (RESPONSE/NAK/HEARTBEAT) still to be swallowed ... */
  dropAnswers = 0;
  /** ... only those answering this command id, when set. */
  dropAnswersTo: number | null = null;
  /** Commands with these ids are captured in `withheld` and never reach the device. */
  readonly withhold = new Set<number>();
  readonly withheld: Uint8Array[] = [];
  readonly #inner: ByteTransport;
  readonly #host = new Set<(bytes: Uint8Array) => void>();

  constructor(inner: ByteTransport) {
    this.#inner = inner;
    this.kind = inner.kind;
  }

  write(bytes: Uint8Array): Promise<void> {
    this.written.push(bytes.slice());
    const r = decodeFrame(bytes.subarray(0, bytes.length - 1));
    if (r.ok && r.frame.header.type === FrameType.Command && this.withhold.has(r.frame.header.cmd)) {
      this.withheld.push(bytes.slice());
      return Promise.resolve();
    }
    return this.#inner.write(bytes);
  }

  /** Bytes from an attacker spliced into the cable: straight to the device, not recorded as ours. */
  inject(bytes: Uint8Array): Promise<void> {
    return this.#inner.write(bytes);
  }

  /** Bytes from an attacker toward the panel, as if the device had sent them. */
  toHost(bytes: Uint8Array): void {
    for (const cb of this.#host) cb(bytes.slice());
  }

  onBytes(cb: (bytes: Uint8Array) => void): () => void {
    this.#host.add(cb);
    const off = this.#inner.onBytes((bytes) => {
      this.received.push(bytes.slice());
      if (this.dropAnswers > 0 && isAnswer(bytes, this.dropAnswersTo)) {
        this.dropAnswers--;
        return;
      }
      cb(bytes);
    });
    return () => {
      this.#host.delete(cb);
      off();
    };
  }

  close(): Promise<void> {
    return this.#inner.close();
  }

  /** The last COMMAND we wrote with this command id, as wire bytes. */
  lastCommand(cmd: number): Uint8Array | undefined {
    const matches = this.written.filter((w) => {
      const r = decodeFrame(w.subarray(0, w.length - 1));
      return r.ok && r.frame.header.type === FrameType.Command && r.frame.header.cmd === cmd;
    });
    return matches.at(-1);
  }

  /** Every well-formed frame received so far, reassembled across reads. */
  receivedFrames(): Frame[] {
    const frames: Frame[] = [];
    const splitter = new FrameSplitter();
    for (const bytes of this.received) {
      splitter.push(bytes, (chunk) => {
        const r = chunk ? decodeFrame(chunk) : null;
        if (r?.ok) frames.push(r.frame);
      });
    }
    return frames;
  }

  /** RESPONSE and NAK frames received for a sequence number. */
  answersTo(seq: number): Frame[] {
    return this.receivedFrames().filter((f) => f.header.seq === seq && (f.header.type === FrameType.Response || f.header.type === FrameType.Nak));
  }
}

function isAnswer(wire: Uint8Array, to: number | null): boolean {
  const r = decodeFrame(wire.subarray(0, wire.length - 1));
  const t = r.ok ? r.frame.header.type : 0;
  return r.ok && (t === FrameType.Response || t === FrameType.Nak || t === FrameType.Heartbeat) && (to === null || r.frame.header.cmd === to);
}

// ---- an impostor on the door link ----

/**
 * Something on the cable that answers like a door controller but does not have the key: it
 * says every UNLOCK was "done", reports the relay released and the door opened. With `guessKey`
 * it signs all of it with a key of its own (a board provisioned by someone else, or a forger's
 * best guess); without, it signs nothing. The panel must believe none of it.
 */
export class ImpostorBoard implements ByteTransport {
  readonly kind: 'serial' | 'simulator';
  /** UNLOCKs it claimed to have carried out. */
  unlocksClaimed = 0;
  readonly #guessKey: Uint8Array | null;
  readonly #listeners = new Set<(bytes: Uint8Array) => void>();
  #mcuKey: Uint8Array | null = null;
  #answers = 0;
  #events = 0;
  #evSeq = 0;

  constructor(options: { guessKey?: Uint8Array; kind?: 'serial' | 'simulator' } = {}) {
    this.#guessKey = options.guessKey ?? null;
    this.kind = options.kind ?? 'serial';
  }

  async write(bytes: Uint8Array): Promise<void> {
    const r = decodeFrame(bytes.subarray(0, bytes.length - 1));
    if (!r.ok) return;
    const { type, cmd } = r.frame.header;
    const state = StateBit.Provisioned | StateBit.Session;
    if (type === FrameType.Heartbeat) return this.#answer(r.frame, FrameType.Heartbeat, Uint8Array.of(state));
    if (type !== FrameType.Command) return;
    if (cmd === Cmd.Hello) {
      const mcuNonce = crypto.getRandomValues(new Uint8Array(16));
      this.#mcuKey = this.#guessKey ? deriveMcuKeyRaw(this.#guessKey, { mcuNonce, hostNonce: r.frame.payload.slice(0, 16) }) : null;
      this.#answers = 0;
      this.#events = 0;
      const p = new Uint8Array(32);
      p.set([PROTOCOL_VERSION, 2, 0, 0, 0x46, 0x41, 0x4b, 0x45, 0, 0, 0, 1], 0);
      putU16(p, 12, 0x3f);
      p.set(mcuNonce, 14);
      p[30] = state;
      return this.#answer(r.frame, FrameType.Response, p);
    }
    if (cmd === Cmd.Challenge) {
      const p = new Uint8Array(CHALLENGE_LEN + 2);
      putU16(p, CHALLENGE_LEN, CHALLENGE_MS);
      return this.#answer(r.frame, FrameType.Response, p);
    }
    if (cmd === Cmd.Unlock) {
      this.unlocksClaimed++;
      this.#answer(r.frame, FrameType.Response, Uint8Array.of(r.frame.payload[0] ?? 0, r.frame.payload[1] ?? 0, state | StateBit.Relay));
      this.#event(EventId.Relay, [1, 1]);
      this.#event(EventId.Door, [1]);
      return;
    }
    return this.#answer(r.frame, FrameType.Response, Uint8Array.of(state));
  }

  onBytes(cb: (bytes: Uint8Array) => void): () => void {
    this.#listeners.add(cb);
    return () => this.#listeners.delete(cb);
  }

  async close(): Promise<void> {
    this.#listeners.clear();
  }

  #send(wire: Uint8Array): void {
    queueMicrotask(() => {
      for (const l of this.#listeners) l(wire);
    });
  }

  #answer(req: Frame, type: number, payload: Uint8Array): void {
    const sign = this.#mcuKey ? { mcuKey: this.#mcuKey, counter: ++this.#answers, requestCrc: req.crc } : null;
    this.#send(encodeMcuFrame({ type, seq: req.header.seq, cmd: type === FrameType.Heartbeat ? Cmd.Heartbeat : req.header.cmd, payload }, sign));
  }

  #event(id: number, rest: number[]): void {
    const payload = new Uint8Array(4 + rest.length);
    putU32(payload, 0, 1234);
    payload.set(rest, 4);
    const sign = this.#mcuKey ? { mcuKey: this.#mcuKey, counter: ++this.#events, requestCrc: null } : null;
    this.#send(encodeMcuFrame({ type: FrameType.Event, seq: ++this.#evSeq, cmd: id, payload }, sign));
  }
}

// ---- Web Serial ----

const RECOVERABLE_ERRORS = new Set(['BufferOverrunError', 'BreakError', 'FramingError', 'ParityError']);

/**
 * One USB serial device as Chromium shows it to a page. Its far end is a ByteTransport (usually
 * a SimulatedDoor's), so the firmware's twin answers through real streams. Follows the Web
 * Serial spec where the driver depends on it: after a recoverable read error `readable` is a
 * fresh stream; after a fatal one, or an unplug, it is null; close() refuses locked streams.
 */
export class FakeSerialPort implements SerialPortLike {
  readonly info: SerialPortInfoLike;
  /** Chromium keys a grant on this too, but never shows it to the page (not in getInfo). */
  readonly serialNumber: string;
  openedWith: SerialOptionsLike | null = null;
  signals: SerialOutputSignalsLike = {};
  opens = 0;
  closes = 0;
  present = true;
  /** Bytes the panel wrote, one entry per write. */
  readonly written: Uint8Array[] = [];
  /** The next open() throws a DOMException with this name. */
  failNextOpen: string | null = null;
  /** Writes never complete (a device that stopped draining its USB endpoint). */
  stallWrites = false;
  #device: ByteTransport | null;
  #unsubscribe: (() => void) | null = null;
  #open = false;
  #fatal = false;
  #readable: ReadableStream<Uint8Array> | null = null;
  #rx: ReadableStreamDefaultController<Uint8Array> | null = null;
  #writable: WritableStream<Uint8Array> | null = null;

  constructor(options: { device?: ByteTransport; info?: SerialPortInfoLike; serialNumber?: string } = {}) {
    this.#device = options.device ?? null;
    this.info = options.info ?? { usbVendorId: DOORWARD_USB.usbVendorId, usbProductId: DOORWARD_USB.usbProductId };
    this.serialNumber = options.serialNumber ?? 'E660C0D1C7A1B22F';
  }

  get readable(): ReadableStream<Uint8Array> | null {
    if (!this.#open || this.#fatal) return null;
    if (!this.#readable) {
      const stream: ReadableStream<Uint8Array> = new ReadableStream<Uint8Array>({
        start: (c) => {
          this.#rx = c;
        },
        cancel: () => {
          if (this.#readable === stream) {
            this.#readable = null;
            this.#rx = null;
          }
        },
      });
      this.#readable = stream;
    }
    return this.#readable;
  }

  get writable(): WritableStream<Uint8Array> | null {
    return this.#open && !this.#fatal ? this.#writable : null;
  }

  get isOpen(): boolean {
    return this.#open;
  }

  async open(options: SerialOptionsLike): Promise<void> {
    if (this.#open) throw new DOMException('The port is already open.', 'InvalidStateError');
    if (!this.present) throw new DOMException('Failed to open serial port.', 'NetworkError');
    if (this.failNextOpen) {
      const name = this.failNextOpen;
      this.failNextOpen = null;
      throw new DOMException('Failed to open serial port.', name);
    }
    this.openedWith = { ...options };
    this.opens++;
    this.#open = true;
    this.#fatal = false;
    this.#writable = new WritableStream<Uint8Array>({
      write: (chunk) => {
        if (this.stallWrites) return new Promise<void>(() => undefined);
        if (!this.present) throw new DOMException('The device has been lost.', 'NetworkError');
        this.written.push(chunk.slice());
        return this.#device?.write(chunk.slice());
      },
    });
    this.#unsubscribe = this.#device?.onBytes((bytes) => this.receive(bytes)) ?? null;
  }

  async close(): Promise<void> {
    if (!this.#open) throw new DOMException('The port is already closed.', 'InvalidStateError');
    if (this.#readable?.locked || this.#writable?.locked) throw new TypeError('Cannot close a locked stream');
    // Like Chromium, closing does not wait for writes the device never took; they just fail.
    void this.#readable?.cancel().catch(() => undefined);
    void this.#writable?.abort().catch(() => undefined);
    this.#shut();
    this.closes++;
  }

  getInfo(): SerialPortInfoLike {
    return { ...this.info };
  }

  async setSignals(signals: SerialOutputSignalsLike): Promise<void> {
    if (!this.#open) throw new DOMException('The port is closed.', 'InvalidStateError');
    this.signals = { ...this.signals, ...signals };
  }

  /** Bytes from the device to the panel. */
  receive(bytes: Uint8Array): void {
    if (!this.present) return;
    this.#rx?.enqueue(bytes.slice());
  }

  /** A read error as Chromium raises it (ParityError, BreakError, UnknownError, NetworkError ...). */
  readError(name: string): void {
    const rx = this.#rx;
    this.#rx = null;
    this.#readable = null;
    if (!RECOVERABLE_ERRORS.has(name)) this.#fatal = true;
    rx?.error(new DOMException(`read failed: ${name}`, name));
  }

  /** The cable leaves the socket: reads fail with NetworkError, writes too, nothing reaches the device. */
  pull(): void {
    this.present = false;
    this.readError('NetworkError');
  }

  #shut(): void {
    this.#open = false;
    this.#readable = null;
    this.#rx = null;
    this.#writable = null;
    this.#unsubscribe?.();
    this.#unsubscribe = null;
  }
}

/** navigator.serial: the bus (what is plugged in), this origin's grants, and the chooser. */
export class FakeSerial implements SerialLike {
  readonly attached: FakeSerialPort[] = [];
  readonly #granted = new Set<string>();
  readonly #listeners: Record<SerialEventName, Set<(e: SerialConnectionEventLike) => void>> = { connect: new Set(), disconnect: new Set() };
  /** The filters requestPort was last called with. */
  lastFilters: readonly SerialPortFilterLike[] | undefined;
  /** The user's pick in the chooser among the ports that pass the filters; null cancels. */
  choose: (candidates: FakeSerialPort[]) => FakeSerialPort | null = (c) => c[0] ?? null;

  async requestPort(options?: { readonly filters?: readonly SerialPortFilterLike[] }): Promise<SerialPortLike> {
    this.lastFilters = options?.filters;
    const filters = options?.filters ?? [];
    const candidates = this.attached.filter((p) => filters.length === 0 || filters.some((f) => passes(p.info, f)));
    const pick = this.choose(candidates);
    if (!pick) throw new DOMException('No port selected by the user.', 'NotFoundError');
    this.#granted.add(grantKey(pick));
    return pick;
  }

  async getPorts(): Promise<SerialPortLike[]> {
    return this.attached.filter((p) => this.#granted.has(grantKey(p)));
  }

  /** A grant made ahead of time, as the kiosk's SerialAllowUsbDevicesForUrls policy does. */
  grant(port: FakeSerialPort): void {
    this.#granted.add(grantKey(port));
  }

  addEventListener(type: SerialEventName, listener: (event: SerialConnectionEventLike) => void): void {
    this.#listeners[type].add(listener);
  }

  removeEventListener(type: SerialEventName, listener: (event: SerialConnectionEventLike) => void): void {
    this.#listeners[type].delete(listener);
  }

  listenerCount(type: SerialEventName): number {
    return this.#listeners[type].size;
  }

  /** A device appears on the bus; pages hear of it only if they hold a grant for it. */
  plug(port: FakeSerialPort): void {
    this.attached.push(port);
    if (this.#granted.has(grantKey(port))) this.#fire('connect', port);
  }

  /** The device leaves the bus: its streams fail first, then `disconnect` fires. */
  unplug(port: FakeSerialPort): void {
    const i = this.attached.indexOf(port);
    if (i >= 0) this.attached.splice(i, 1);
    port.pull();
    if (this.#granted.has(grantKey(port))) this.#fire('disconnect', port);
  }

  #fire(type: SerialEventName, target: FakeSerialPort): void {
    for (const l of this.#listeners[type]) l({ target });
  }
}

function passes(info: SerialPortInfoLike, f: SerialPortFilterLike): boolean {
  return (f.usbVendorId === undefined || f.usbVendorId === info.usbVendorId) && (f.usbProductId === undefined || f.usbProductId === info.usbProductId);
}

function grantKey(p: FakeSerialPort): string {
  return `${p.info.usbVendorId}:${p.info.usbProductId}:${p.serialNumber}`;
}
