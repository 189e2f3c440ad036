// The door driver's outside boundaries, faked once for every door test: the clock (time moves
// only when a test says so) and a tap on the byte link.
import { FrameSplitter, FrameType, decodeFrame } from './protocol.ts';
import type { Frame } from './protocol.ts';
import type { ByteTransport, Clock, TimerHandle } from './transport.ts';

interface Timer {
  id: number;
  at: number;
  cb: () => void;
}

/** Lets queued promise callbacks and one round of real macrotasks (WebCrypto) run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 30; i++) await Promise.resolve();
  await new Promise<void>((resolve) => globalThis.setTimeout(resolve, 0));
  for (let i = 0; i < 30; i++) await Promise.resolve();
}

export class FakeClock implements Clock {
  #now: number;
  #nextId = 1;
  #timers: Timer[] = [];

  constructor(start = 0) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(cb: () => void, ms: number): TimerHandle {
    const id = this.#nextId++;
    this.#timers.push({ id, at: this.#now + Math.max(0, ms), cb });
    return id;
  }

  clearTimeout(handle: TimerHandle): void {
    this.#timers = this.#timers.filter((t) => t.id !== handle);
  }

  /** Runs every timer due within ms, in time order, letting promise work settle in between. */
  async advance(ms: number): Promise<void> {
    const end = this.#now + ms;
    for (;;) {
      let next: Timer | undefined;
      for (const t of this.#timers) if (t.at <= end && (!next || t.at < next.at || (t.at === next.at && t.id < next.id))) next = t;
      if (!next) break;
      const due = next;
      this.#timers = this.#timers.filter((t) => t !== due);
      this.#now = due.at;
      due.cb();
      for (let i = 0; i < 30; i++) await Promise.resolve();
    }
    this.#now = end;
    await settle();
  }

  /** Sets the time without running timers (vector replays drive ticks themselves). */
  set(now: number): void {
    this.#now = now;
  }
}

// ---- the link, tapped ----


/**
 * Wraps a transport to watch and disturb it the way a bad cable or an attacker would: records
 * every write, can swallow the next answers from the device, and can inject raw bytes.
 */
export class TapTransport implements ByteTransport {
  readonly kind;
  readonly written: Uint8Array[] = [];
  readonly received: Uint8Array[] = [];
  /** Answers (RESPONSE/NAK/HEARTBEAT) still to be swallowed. */
  dropAnswers = 0;
  readonly #inner: ByteTransport;

  constructor(inner: ByteTransport) {
    this.#inner = inner;
    this.kind = inner.kind;
  }

  write(bytes: Uint8Array): Promise<void> {
    this.written.push(bytes.slice());
    return this.#inner.write(bytes);
  }

  /** Bytes from an attacker spliced into the cable: straight to the device, not recorded as ours. */
  inject(bytes: Uint8Array): Promise<void> {
    return this.#inner.write(bytes);
  }

  onBytes(cb: (bytes: Uint8Array) => void): () => void {
    return this.#inner.onBytes((bytes) => {
      this.received.push(bytes.slice());
      if (this.dropAnswers > 0 && isAnswer(bytes)) {
        this.dropAnswers--;
        return;
      }
      cb(bytes);
    });
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

function isAnswer(wire: Uint8Array): boolean {
  const r = decodeFrame(wire.subarray(0, wire.length - 1));
  return r.ok && (r.frame.header.type === FrameType.Response || r.frame.header.type === FrameType.Nak || r.frame.header.type === FrameType.Heartbeat);
}
