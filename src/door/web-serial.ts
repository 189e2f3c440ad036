// The door controller over Web Serial (USB CDC). Chromium hands a page a SerialPort once, through
// a user gesture (or a kiosk policy), and remembers the grant by USB vendor id, product id and
// serial number; this file turns that into a ByteTransport that stays with the board across
// unplugs and reboots. navigator.serial is injected: nothing here reads globals, so the tests
// run it over the fake in tests/support/serial.ts.
import type { ByteTransport, LinkChange } from './transport.ts';
import type { Clock, TimerHandle } from '../platform/clock.ts';

// ---- the parts of the Web Serial API used here (TypeScript 6's lib.dom has none of it) ----

export interface SerialPortFilterLike {
  readonly usbVendorId?: number;
  readonly usbProductId?: number;
}

export interface SerialPortInfoLike {
  readonly usbVendorId?: number;
  readonly usbProductId?: number;
}

export interface SerialOptionsLike {
  readonly baudRate: number;
  readonly dataBits?: 7 | 8;
  readonly stopBits?: 1 | 2;
  readonly parity?: 'none' | 'even' | 'odd';
  readonly flowControl?: 'none' | 'hardware';
  readonly bufferSize?: number;
}

export interface SerialOutputSignalsLike {
  readonly dataTerminalReady?: boolean;
  readonly requestToSend?: boolean;
  readonly break?: boolean;
}

export interface SerialPortLike {
  readonly readable: ReadableStream<Uint8Array> | null;
  readonly writable: WritableStream<Uint8Array> | null;
  open(options: SerialOptionsLike): Promise<void>;
  close(): Promise<void>;
  getInfo(): SerialPortInfoLike;
  setSignals?(signals: SerialOutputSignalsLike): Promise<void>;
}

/** `connect` and `disconnect` are fired at the port and bubble to navigator.serial. */
export interface SerialConnectionEventLike {
  readonly target: unknown;
}

export type SerialEventName = 'connect' | 'disconnect';

export interface SerialLike {
  requestPort(options?: { readonly filters?: readonly SerialPortFilterLike[] }): Promise<SerialPortLike>;
  getPorts(): Promise<SerialPortLike[]>;
  addEventListener(type: SerialEventName, listener: (event: SerialConnectionEventLike) => void): void;
  removeEventListener(type: SerialEventName, listener: (event: SerialConnectionEventLike) => void): void;
}

/** navigator.serial where the browser has it (Chromium desktop/ChromeOS), else null. */
export function webSerial(nav: object): SerialLike | null {
  return 'serial' in nav && nav.serial ? (nav.serial as SerialLike) : null;
}

// ---- constants from panel-bridge/README.md ----

/** Raspberry Pi's vendor id; product id 10 is the placeholder until Doorward has its own. */
export const DOORWARD_USB: SerialPortFilterLike = { usbVendorId: 0x2e8a, usbProductId: 0x000a };

/** 115200 8N1, no flow control: the bare-metal UART's settings (USB CDC ignores them). */
export const DOOR_SERIAL_OPTIONS: SerialOptionsLike = { baudRate: 115_200, dataBits: 8, stopBits: 1, parity: 'none', flowControl: 'none' };

// ---- read errors ----

export type ReadErrorClass = 'recoverable' | 'fatal' | 'device-lost';

/** Line noise: the spec gives the port a fresh `readable` after these, so reading goes on. */
const RECOVERABLE = new Set(['BufferOverrunError', 'BreakError', 'FramingError', 'ParityError']);

function errorName(err: unknown): string {
  return typeof err === 'object' && err !== null && 'name' in err ? String(err.name) : '';
}

export function classifyReadError(err: unknown): ReadErrorClass {
  const name = errorName(err);
  if (RECOVERABLE.has(name)) return 'recoverable';
  // NetworkError is how Chromium reports the device going away mid-read or mid-write.
  if (name === 'NetworkError') return 'device-lost';
  return 'fatal';
}

function describe(err: unknown): string {
  if (typeof err === 'object' && err !== null && 'name' in err) {
    const message = 'message' in err ? String(err.message) : '';
    return message ? `${String(err.name)}: ${message}` : String(err.name);
  }
  return String(err);
}

// ---- the transport ----

export type SerialLinkState =
  | { readonly state: 'idle' }
  | { readonly state: 'opening'; readonly port: SerialPortLike }
  | { readonly state: 'open'; readonly port: SerialPortLike }
  /** The board is gone (or was never chosen): waits for a `connect` event, never polls. */
  | { readonly state: 'lost'; readonly port: SerialPortLike | null; readonly reason: string }
  /** A fatal error or failed open: the port is closed and reopened on a backing-off timer. */
  | { readonly state: 'failed'; readonly port: SerialPortLike; readonly reason: string; readonly retryInMs: number }
  | { readonly state: 'closed' };

export interface WebSerialTransportOptions {
  clock: Clock;
  log?: (message: string) => void;
  /** A write the OS has not taken in this long means a wedged link (USB CDC without a reader). */
  writeTimeoutMs?: number;
  openTimeoutMs?: number;
  /** First delay before reopening after a fatal error; doubles up to maxRetryMs. */
  retryMs?: number;
  maxRetryMs?: number;
  serialOptions?: SerialOptionsLike;
}

export class SerialLinkError extends Error {
  override readonly name = 'SerialLinkError';
}

class Timeout extends Error {
  override readonly name = 'TimeoutError';
}

/** Settles with the promise, or rejects after ms on the injected clock: nothing here waits forever. */
function within<T>(clock: Clock, ms: number, what: string, p: Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = clock.setTimeout(() => reject(new Timeout(`${what} took over ${ms} ms`)), ms);
    p.then(
      (v) => {
        clock.clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clock.clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

export interface WebSerialTransportEvents {
  link: SerialLinkState;
}

/**
 * ByteTransport over one Web Serial port at a time. Opening, closing and reopening are
 * single-flight (one promise chain), writes are serialised through one writer, and the read loop
 * sorts its errors: line noise is counted and reading goes on, a lost device waits for the board
 * to come back, anything else closes the port and retries it.
 */
export class WebSerialTransport implements ByteTransport {
  readonly kind = 'serial' as const;
  readonly #clock: Clock;
  readonly #log: (message: string) => void;
  readonly #writeTimeoutMs: number;
  readonly #openTimeoutMs: number;
  readonly #retryMs: number;
  readonly #maxRetryMs: number;
  readonly #serialOptions: SerialOptionsLike;
  readonly #bytes = new Set<(bytes: Uint8Array) => void>();
  readonly #linkListeners = new Set<(change: LinkChange) => void>();
  readonly #stateListeners = new Set<(state: SerialLinkState) => void>();

  #state: SerialLinkState = { state: 'idle' };
  /** Bumped whenever the port is let go, so a stale read loop or timer knows it is stale. */
  #generation = 0;
  #reader: ReadableStreamDefaultReader<Uint8Array> | null = null;
  #readLoop: Promise<void> = Promise.resolve();
  #writer: WritableStreamDefaultWriter<Uint8Array> | null = null;
  #writes: Promise<unknown> = Promise.resolve();
  #lifecycle: Promise<unknown> = Promise.resolve();
  #retryTimer: TimerHandle | null = null;
  #nextRetryMs: number;
  #lineErrors = 0;
  /** What the link listeners were last told; null before the first word. */
  #announcedUp: boolean | null = null;

  constructor(options: WebSerialTransportOptions) {
    this.#clock = options.clock;
    this.#log = options.log ?? (() => undefined);
    this.#writeTimeoutMs = options.writeTimeoutMs ?? 1000;
    this.#openTimeoutMs = options.openTimeoutMs ?? 3000;
    this.#retryMs = options.retryMs ?? 1000;
    this.#maxRetryMs = options.maxRetryMs ?? 30_000;
    this.#nextRetryMs = this.#retryMs;
    this.#serialOptions = options.serialOptions ?? DOOR_SERIAL_OPTIONS;
  }

  get link(): SerialLinkState {
    return this.#state;
  }

  /** The port in use or last used (so a `disconnect` for it can be recognised). */
  get port(): SerialPortLike | null {
    return 'port' in this.#state ? this.#state.port : null;
  }

  /** Recoverable line errors (overrun, break, framing, parity) since this transport was made. */
  get lineErrors(): number {
    return this.#lineErrors;
  }

  onBytes(cb: (bytes: Uint8Array) => void): () => void {
    this.#bytes.add(cb);
    return () => this.#bytes.delete(cb);
  }

  onLinkChange(cb: (change: LinkChange) => void): () => void {
    this.#linkListeners.add(cb);
    return () => this.#linkListeners.delete(cb);
  }

  on<K extends keyof WebSerialTransportEvents>(_name: K, cb: (value: WebSerialTransportEvents[K]) => void): () => void {
    this.#stateListeners.add(cb);
    return () => this.#stateListeners.delete(cb);
  }

  /** Opens this port (letting go of any other first). Resolves true once it is open. */
  open(port: SerialPortLike): Promise<boolean> {
    return this.#serial(() => this.#open(port));
  }

  /** No board to use (none chosen yet, or none remembered): say so, and wait for one. */
  awaitDevice(reason: string): Promise<void> {
    return this.#serial(async () => {
      if (this.#state.state === 'closed') return;
      await this.#release();
      this.#setState({ state: 'lost', port: this.port, reason });
    });
  }

  /** The board behind this port went away (a `disconnect` event): stop using it. */
  deviceLost(port: SerialPortLike, reason: string): Promise<void> {
    return this.#serial(async () => {
      if (this.port !== port || this.#state.state === 'lost' || this.#state.state === 'closed') return;
      await this.#release();
      this.#setState({ state: 'lost', port, reason });
    });
  }

  write(bytes: Uint8Array): Promise<void> {
    const job = this.#writes.then(() => this.#writeNow(bytes));
    this.#writes = job.catch(() => undefined);
    return job;
  }

  close(): Promise<void> {
    return this.#serial(async () => {
      await this.#release();
      this.#setState({ state: 'closed' });
      this.#bytes.clear();
    });
  }

  // ---- lifecycle (always inside #serial) ----

  #serial<T>(job: () => Promise<T>): Promise<T> {
    const result = this.#lifecycle.then(job);
    this.#lifecycle = result.catch(() => undefined);
    return result;
  }

  #setState(s: SerialLinkState): void {
    this.#state = s;
    for (const cb of this.#stateListeners) cb(s);
    // Controllers hear only the edges: up once when a port opens, down once (with the first
    // reason) when it stops being usable. 'opening' is neither; a failed reopen is not news.
    if (s.state === 'open' && this.#announcedUp !== true) {
      this.#announcedUp = true;
      for (const cb of this.#linkListeners) cb({ up: true });
    } else if ((s.state === 'lost' || s.state === 'failed' || s.state === 'closed') && this.#announcedUp !== false) {
      this.#announcedUp = false;
      const change: LinkChange = { up: false, reason: s.state === 'closed' ? 'serial port closed' : s.reason };
      for (const cb of this.#linkListeners) cb(change);
    }
  }

  async #open(port: SerialPortLike): Promise<boolean> {
    if (this.#state.state === 'closed') return false;
    if (this.#state.state === 'open' && this.#state.port === port) return true;
    await this.#release();
    this.#setState({ state: 'opening', port });
    try {
      await within(this.#clock, this.#openTimeoutMs, 'open', port.open(this.#serialOptions));
    } catch (err) {
      // InvalidStateError: this page left it open (an earlier transport); close it so the retry can open it.
      if (errorName(err) === 'InvalidStateError') await port.close().catch(() => undefined);
      this.#fail(port, `open failed: ${describe(err)}`);
      return false;
    }
    // TinyUSB's CDC only talks to a host that asserts DTR; where the OS already does, this is a no-op.
    await port.setSignals?.({ dataTerminalReady: true }).catch((err: unknown) => this.#log(`setSignals: ${describe(err)}`));
    const writable = port.writable;
    if (!writable || !port.readable) {
      await port.close().catch(() => undefined);
      this.#fail(port, 'port opened without streams');
      return false;
    }
    this.#writer = writable.getWriter();
    const generation = ++this.#generation;
    this.#nextRetryMs = this.#retryMs;
    this.#readLoop = this.#read(port, generation);
    this.#setState({ state: 'open', port });
    this.#log('serial port open');
    return true;
  }

  /** Lets go of the current port, if any: cancels the reader, releases the writer, closes it. */
  async #release(): Promise<void> {
    this.#generation++;
    if (this.#retryTimer !== null) this.#clock.clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
    const port = this.#state.state === 'open' || this.#state.state === 'opening' ? this.#state.port : null;
    const reader = this.#reader;
    this.#reader = null;
    await reader?.cancel().catch(() => undefined);
    await this.#readLoop;
    const writer = this.#writer;
    this.#writer = null;
    if (writer) {
      // abort, not close: close would wait for bytes a wedged link will never take.
      await within(this.#clock, this.#writeTimeoutMs, 'writer abort', writer.abort()).catch(() => undefined);
      writer.releaseLock();
    }
    if (port) {
      await within(this.#clock, this.#openTimeoutMs, 'close', port.close()).catch((err: unknown) => this.#log(`close: ${describe(err)}`));
    }
  }

  /** Closed after a fatal error: try the same port again later, backing off. */
  #fail(port: SerialPortLike, reason: string): void {
    const retryInMs = this.#nextRetryMs;
    this.#nextRetryMs = Math.min(this.#nextRetryMs * 2, this.#maxRetryMs);
    this.#log(`serial ${reason}; retrying in ${retryInMs} ms`);
    this.#setState({ state: 'failed', port, reason, retryInMs });
    const generation = this.#generation;
    this.#retryTimer = this.#clock.setTimeout(() => {
      this.#retryTimer = null;
      if (generation !== this.#generation || this.#state.state !== 'failed') return;
      void this.#serial(() => this.#open(port));
    }, retryInMs);
  }

  // ---- reading ----

  async #read(port: SerialPortLike, generation: number): Promise<void> {
    // Each recoverable error ends the current stream; the port then offers a fresh `readable`.
    while (generation === this.#generation) {
      const readable = port.readable;
      if (!readable) {
        this.#abandon(port, generation, 'device-lost', 'serial port stopped reading');
        return;
      }
      const reader = readable.getReader();
      this.#reader = reader;
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return; // cancelled by #release, which owns what happens next
          if (value && value.length > 0) for (const cb of this.#bytes) cb(value);
        }
      } catch (err) {
        if (generation !== this.#generation) return;
        const kind = classifyReadError(err);
        if (kind === 'recoverable') {
          this.#lineErrors++;
          this.#log(`serial line error (reading on): ${describe(err)}`);
          continue;
        }
        this.#abandon(port, generation, kind, describe(err));
        return;
      } finally {
        reader.releaseLock();
        if (this.#reader === reader) this.#reader = null;
      }
    }
  }

  /** Reading or writing cannot go on: hand the port back through the lifecycle chain. */
  #abandon(port: SerialPortLike, generation: number, kind: 'device-lost' | 'fatal', reason: string, what = 'read'): void {
    // Not awaited here: #release awaits this very loop.
    void this.#serial(async () => {
      if (generation !== this.#generation) return;
      await this.#release();
      if (kind === 'device-lost') this.#setState({ state: 'lost', port, reason: `device lost (${reason})` });
      else this.#fail(port, `${what} failed: ${reason}`);
    });
  }

  // ---- writing ----

  async #writeNow(bytes: Uint8Array): Promise<void> {
    const writer = this.#writer;
    const s = this.#state;
    if (!writer || s.state !== 'open') throw new SerialLinkError(`serial port not open (${s.state})`);
    const generation = this.#generation;
    try {
      await within(this.#clock, this.#writeTimeoutMs, 'write', writer.write(bytes));
    } catch (err) {
      if (generation === this.#generation) {
        const kind = err instanceof Timeout ? 'fatal' : classifyReadError(err);
        // A write can fail only for a lost device or a broken port; both end this port's use.
        this.#abandon(s.port, generation, kind === 'device-lost' ? 'device-lost' : 'fatal', `write: ${describe(err)}`, 'write');
      }
      throw err;
    }
  }
}

// ---- choosing and following the board ----

/**
 * Finds the door board among the serial ports this origin may use, asks for one (admin area,
 * user gesture), and keeps a transport on it: a replugged or rebooted board comes back as a new
 * SerialPort through a `connect` event, and is opened again without anyone touching the panel.
 */
export class SerialDoorPorts {
  readonly #serial: SerialLike;
  readonly #filters: readonly SerialPortFilterLike[];

  constructor(serial: SerialLike, filters: readonly SerialPortFilterLike[] = [DOORWARD_USB]) {
    this.#serial = serial;
    this.#filters = filters;
  }

  matches(port: SerialPortLike): boolean {
    const info = port.getInfo();
    return this.#filters.some(
      (f) => (f.usbVendorId === undefined || f.usbVendorId === info.usbVendorId) && (f.usbProductId === undefined || f.usbProductId === info.usbProductId),
    );
  }

  /** Shows Chromium's port chooser (needs a user gesture). Null when the user picks nothing. */
  async request(): Promise<SerialPortLike | null> {
    try {
      return await this.#serial.requestPort({ filters: this.#filters });
    } catch (err) {
      if (errorName(err) === 'NotFoundError') return null;
      throw err;
    }
  }

  /** Door boards granted earlier (by the chooser or by the kiosk's SerialAllowUsbDevicesForUrls policy). */
  async remembered(): Promise<SerialPortLike[]> {
    return (await this.#serial.getPorts()).filter((p) => this.matches(p));
  }

  /** Keeps the transport on the board across unplugs and reboots; returns the stop function. */
  follow(transport: WebSerialTransport): () => void {
    const onConnect = (e: SerialConnectionEventLike): void => {
      const port = asPort(e.target);
      if (!port || !this.matches(port)) return;
      const s = transport.link.state;
      if (s === 'lost' || s === 'failed' || s === 'idle') void transport.open(port);
    };
    const onDisconnect = (e: SerialConnectionEventLike): void => {
      const port = asPort(e.target);
      if (port && port === transport.port) void transport.deviceLost(port, 'unplugged');
    };
    this.#serial.addEventListener('connect', onConnect);
    this.#serial.addEventListener('disconnect', onDisconnect);
    return () => {
      this.#serial.removeEventListener('connect', onConnect);
      this.#serial.removeEventListener('disconnect', onDisconnect);
    };
  }
}

function asPort(target: unknown): SerialPortLike | null {
  return typeof target === 'object' && target !== null && 'getInfo' in target && 'open' in target ? (target as SerialPortLike) : null;
}
