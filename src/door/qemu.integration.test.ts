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
import { TapTransport } from './fakes.ts';
import { Cmd, FrameType, decodeFrame, reasonName } from './protocol.ts';
import type { DoorEvent } from './protocol.ts';
import type { ByteTransport } from './transport.ts';
import { systemClock } from './transport.ts';

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
if (!qemuPresent) console.log('qemu integration test skipped: qemu-system-arm is not installed (run panel-bridge/firmware/install-deps.sh)');

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

describe.skipIf(!qemuPresent)('firmware under QEMU (mps2-an385) via the TypeScript driver', () => {
  let qemu: ChildProcess | null = null;
  let tap: TapTransport;
  let ctrl: DoorController;
  const events: DoorEvent[] = [];
  const KEY = Uint8Array.from({ length: 32 }, (_, i) => 0x80 + i);

  beforeAll(async () => {
    if (!existsSync(elf)) execFileSync('make', ['-C', firmwareDir, 'qemu'], { stdio: 'ignore' });
    const port = await freePort();
    qemu = spawn('qemu-system-arm', ['-M', 'mps2-an385', '-nographic', '-monitor', 'none', '-kernel', elf, '-serial', `tcp:127.0.0.1:${port},server=on,wait=on`], { stdio: 'ignore' });
    tap = new TapTransport(new TcpTransport(await connectWithRetry(port)));
    ctrl = new DoorController({ transport: tap, clock: systemClock, key: null, commandTimeoutMs: 500 });
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
    expect(reasonName(replayAnswer?.payload[0] ?? 0)).toBe('STALE_COUNTER');

    // attacker forges an UNLOCK with a guessed key, fresh counter and the live nonce
    const state = ctrl.state;
    if (state.state !== 'ready') throw new Error(`not ready: ${state.state}`);
    const forged = await encodeSigned({ seq: 0x7777, cmd: Cmd.Unlock, body: Uint8Array.of(0xe8, 0x03), counter: 1000, key: await importDoorKey(new Uint8Array(32).fill(1)), nonce: state.info.nonce });
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
  });
});
