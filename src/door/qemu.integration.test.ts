// The real firmware (C core + mps2-an385 glue) under qemu-system-arm, driven over its emulated
// UART (a TCP socket) by the same DoorController the kiosk uses. Skips, saying why, only when
// qemu-system-arm is not installed (panel-bridge/firmware/install-deps.sh installs it).
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import type { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeSigned, importDoorKey } from './auth.ts';
import { DoorController } from './controller.ts';
import { TapTransport } from '../../tests/support/serial.ts';
import { Cmd, FrameSplitter, FrameType, decodeFrame, encodeFrame, reasonName } from './protocol.ts';
import type { DecodeResult, DoorEvent } from './protocol.ts';
import type { ByteTransport } from './transport.ts';
import { monotonicClock } from '../platform/clock.ts';

const firmwareDir = fileURLToPath(new URL('../../panel-bridge/firmware', import.meta.url));
const elf = `${firmwareDir}/build/mps2.elf`;

function hasQemu(): boolean {
  try {
    execFileSync('qemu-system-arm', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const qemuPresent = hasQemu();

class TcpTransport implements ByteTransport {
  readonly kind = 'tcp' as const;
  readonly #socket: Socket;
  constructor(socket: Socket) {
    this.#socket = socket;
  }
  write(bytes: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => this.#socket.write(bytes, (err) => (err ? reject(err) : resolve())));
  }
  onBytes(cb: (bytes: Uint8Array) => void): () => void {
    const listener = (data: Buffer) => cb(new Uint8Array(data));
    this.#socket.on('data', listener);
    return () => this.#socket.off('data', listener);
  }
  async close(): Promise<void> {
    this.#socket.destroy();
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

async function connectWithRetry(port: number): Promise<Socket> {
  for (let i = 0; i < 100; i++) {
    const socket = await new Promise<Socket | null>((resolve) => {
      const s = connect(port, '127.0.0.1', () => resolve(s));
      s.once('error', () => resolve(null));
    });
    if (socket) return socket;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`qemu did not listen on ${port}`);
}

/** Polls until cond holds; real time, because the emulated board runs on real time. */
async function until(cond: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

// npm test installs qemu-system-arm as root (scripts/install-system-deps.sh): missing, this fails and says so.
if (!qemuPresent) throw new Error('the QEMU firmware tests need qemu-system-arm: run panel-bridge/firmware/install-deps.sh');

describe('firmware under QEMU (mps2-an385) via the TypeScript driver', () => {
  let qemu: ChildProcess | null = null;
  let tap: TapTransport;
  let ctrl: DoorController;
  const events: DoorEvent[] = [];
  const KEY = Uint8Array.from({ length: 32 }, (_, i) => 0x80 + i);

  beforeAll(async () => {
    // make is incremental: this rebuilds only when the firmware changed, and never runs a stale image.
    execFileSync('make', ['-C', firmwareDir, 'qemu'], { stdio: 'ignore' });
    if (!existsSync(elf)) throw new Error(`${elf} was not built`);
    const port = await freePort();
    qemu = spawn('qemu-system-arm', ['-M', 'mps2-an385', '-nographic', '-monitor', 'none', '-kernel', elf, '-serial', `tcp:127.0.0.1:${port},server=on,wait=on`], { stdio: 'ignore' });
    tap = new TapTransport(new TcpTransport(await connectWithRetry(port)));
    ctrl = new DoorController({ transport: tap, clock: monotonicClock, key: null, commandTimeoutMs: 500 });
    ctrl.on('event', (e) => events.push(e));
  }, 60_000);

  afterAll(async () => {
    await ctrl?.close();
    qemu?.kill('SIGKILL');
  });

  it('boots unprovisioned in set-up mode and takes a key', async () => {
    expect(await ctrl.connect()).toMatchObject({ state: 'fault', fault: 'not-provisioned' });
    expect(await ctrl.unlock(1000)).toEqual({ outcome: 'refused', reason: 'NOT_PROVISIONED' });
    expect((await ctrl.provisionKey(KEY)).outcome).toBe('done');
    expect(ctrl.state.state).toBe('ready');
    expect(ctrl.keyed).toBe(true); // the firmware signed its HELLO answer with K_mcu
  });

  it('opens the relay only with a valid tag, and refuses a replayed frame', async () => {
    const unlock = await ctrl.unlock(300);
    expect(unlock.outcome).toBe('done');
    const recorded = tap.lastCommand(Cmd.Unlock);
    if (!recorded) throw new Error('nothing recorded');
    await until(() => events.some((e) => e.kind === 'relay' && !e.released), 'the MCU to relock by itself');
    expect((await ctrl.status()).outcome).toBe('done');

    // attacker replays the captured UNLOCK
    await tap.inject(recorded);
    const replaySeq = decodeFrame(recorded.subarray(0, recorded.length - 1));
    if (!replaySeq.ok) throw new Error('recorded frame does not decode');
    await until(() => tap.answersTo(replaySeq.frame.header.seq).length > 1, 'an answer to the replay');
    const replayAnswer = tap.answersTo(replaySeq.frame.header.seq).at(-1);
    expect(replayAnswer?.header.type).toBe(FrameType.Nak);
    expect(reasonName(replayAnswer?.payload[0] ?? 0)).toBe('STALE_CHALLENGE'); // its challenge was spent

    // attacker asks for a challenge itself and forges an UNLOCK over it with a guessed key
    const state = ctrl.state;
    if (state.state !== 'ready') throw new Error(`not ready: ${state.state}`);
    await tap.inject(encodeFrame({ type: FrameType.Command, seq: 0x7776, cmd: Cmd.Challenge }));
    await until(() => tap.answersTo(0x7776).length > 0, 'a challenge for the attacker');
    const challenge = tap.answersTo(0x7776)[0]?.payload.slice(0, 16) ?? new Uint8Array(16);
    const forged = await encodeSigned({ seq: 0x7777, cmd: Cmd.Unlock, body: Uint8Array.of(0xe8, 0x03), counter: 1000, key: await importDoorKey(new Uint8Array(32).fill(1)), session: { mcuNonce: state.info.nonce, hostNonce: new Uint8Array(16) }, challenge });
    await tap.inject(forged);
    await until(() => tap.answersTo(0x7777).length > 0, 'an answer to the forgery');
    expect(reasonName(tap.answersTo(0x7777).at(-1)?.payload[0] ?? 0)).toBe('BAD_TAG');

    const status = await ctrl.status();
    expect(status.outcome).toBe('done');
    if (status.outcome !== 'done') return;
    expect(status.value.staleCounter).toBe(1);
    expect(status.value.badTag).toBe(1);
    expect(status.value.state & 0x01).toBe(0); // relay locked
    const relay = events.filter((e): e is Extract<DoorEvent, { kind: 'relay' }> => e.kind === 'relay');
    expect(relay.map((e) => [e.released, e.cause])).toEqual([[true, 1], [false, 3]]);
    expect(ctrl.linkFaults).toBe(0); // every answer and event the firmware sent verified
  });

  it('takes a signed UNLOCK within its 3 s challenge, and refuses one held back past it', async () => {
    // Sign as the panel does, from what crossed the wire: its HELLO (host nonce) and the MCU's nonce.
    const state = ctrl.state;
    if (state.state !== 'ready') throw new Error(`not ready: ${state.state}`);
    const session = tap.sessionNonces(state.info.nonce);
    const key = await importDoorKey(KEY);
    const challengeAt = async (seq: number) => {
      await tap.inject(encodeFrame({ type: FrameType.Command, seq, cmd: Cmd.Challenge }));
      await until(() => tap.answersTo(seq).length > 0, 'a challenge');
      return tap.answersTo(seq)[0]?.payload.slice(0, 16) ?? new Uint8Array(16);
    };
    const answerTo = async (seq: number) => {
      await until(() => tap.answersTo(seq).length > 0, `an answer to ${seq}`);
      return tap.answersTo(seq).at(-1);
    };
    const fresh = await encodeSigned({ seq: 0x6001, cmd: Cmd.Unlock, body: Uint8Array.of(0x2c, 0x01), counter: 5000, key, session, challenge: await challengeAt(0x6000) });
    await tap.inject(fresh);
    expect((await answerTo(0x6001))?.header.type).toBe(FrameType.Response);
    const held = await encodeSigned({ seq: 0x6003, cmd: Cmd.Unlock, body: Uint8Array.of(0x2c, 0x01), counter: 5001, key, session, challenge: await challengeAt(0x6002) });
    // The firmware's clock decides, not ours (emulated, it runs slower than the wall clock):
    // hold the frame until the board's own uptime says 3 s have passed since the challenge.
    const uptime = async () => {
      const st = await ctrl.status();
      if (st.outcome !== 'done') throw new Error(`STATUS ${st.outcome}`);
      return st.value.uptimeMs;
    };
    const issuedBy = await uptime();
    while ((await uptime()) - issuedBy < 3000 + 50) await new Promise((r) => setTimeout(r, 200));
    await tap.inject(held);
    const refused = await answerTo(0x6003);
    expect(refused?.header.type).toBe(FrameType.Nak);
    expect(reasonName(refused?.payload[0] ?? 0)).toBe('STALE_CHALLENGE');
    expect(events.filter((e) => e.kind === 'relay' && e.released)).toHaveLength(2); // the first test's pulse and the fresh one
  });

  it('answers a protocol v1 HELLO with a BAD_VERSION NAK a v1 host can read', async () => {
    await tap.inject(encodeFrame({ version: 1, type: FrameType.Command, seq: 0x5151, cmd: Cmd.Hello }));
    const refusal = (): DecodeResult | undefined => {
      const splitter = new FrameSplitter();
      let found: DecodeResult | undefined;
      for (const b of tap.received) {
        splitter.push(b, (c) => {
          const r = c ? decodeFrame(c) : null;
          if (r && !r.ok && r.header?.seq === 0x5151) found = r;
        });
      }
      return found;
    };
    await until(() => refusal() !== undefined, 'the v1 refusal');
    expect(refusal()).toMatchObject({ ok: false, reason: 'BAD_VERSION', header: { version: 1, type: FrameType.Nak, cmd: Cmd.Hello, length: 2 } });
  });
});
