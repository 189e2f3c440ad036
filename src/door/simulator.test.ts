// The TypeScript twin replays the same exchanges as firmware/tests/test_vectors.c, byte for byte.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { encodeSigned, importDoorKey, unverifiedBody } from './auth.ts';
import { Cmd, FrameType, decodeFrame, encodeFrame, packConfig, parseChallenge, parseHello, reasonName } from './protocol.ts';
import type { Frame } from './protocol.ts';
import { DoorSimulator, Input } from './simulator.ts';
import type { SimulatorIo, StorageSlot } from './simulator.ts';

interface Step {
  at_ms: number;
  host: string | null;
  expect: string[];
  relay: boolean;
  inputs?: number;
}
interface Exchange {
  name: string;
  key: string | null;
  provisioned: boolean;
  random: string[];
  boot_ms: number;
  inputs: number;
  releases: number;
  steps: Step[];
}
interface Vectors {
  exchanges: Exchange[];
  malformed: { name: string; chunk: string; mcu_reply: string | null }[];
}
const vectors = JSON.parse(readFileSync(new URL('../../panel-bridge/vectors/vectors.json', import.meta.url), 'utf8')) as Vectors;
const hex = (s: string): Uint8Array => Uint8Array.from(s.match(/../g) ?? [], (b) => parseInt(b, 16));
const toHex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

/** A bench like the C fake_t: scripted clock, inputs, nonces and storage; records every write. */
function bench(opts: { now: number; inputs: number; nonces: string[]; key: string | null }) {
  const b = {
    now: opts.now,
    inputs: opts.inputs,
    out: [] as string[],
    relay: false,
    releases: 0,
    storage: new Map<StorageSlot, Uint8Array>(),
    nonces: opts.nonces.map(hex),
  };
  if (opts.key) b.storage.set('key', hex(opts.key));
  const io: SimulatorIo = {
    write: (bytes) => b.out.push(toHex(bytes)),
    setRelay: (released) => {
      if (released && !b.relay) b.releases++;
      b.relay = released;
      return true;
    },
    millis: () => b.now,
    readInputs: () => b.inputs,
    random: () => b.nonces.shift() ?? null,
    storeRead: (slot) => b.storage.get(slot) ?? null,
    storeWrite: (slot, bytes) => {
      b.storage.set(slot, bytes.slice());
      return true;
    },
  };
  return { b, io };
}

const identity = { deviceId: hex('4457524400000001'), capabilities: 0x3f };

describe('simulator replays the shared exchanges', () => {
  it.each(vectors.exchanges)('$name', async (ex) => {
    const { b, io } = bench({ now: ex.boot_ms, inputs: ex.inputs, nonces: ex.random, key: ex.provisioned ? ex.key : null });
    let sim: DoorSimulator | null = null;
    for (const [i, step] of ex.steps.entries()) {
      b.out = [];
      b.now = step.at_ms;
      if (step.inputs !== undefined) b.inputs = step.inputs;
      if (i === 0) {
        sim = await DoorSimulator.create(io, identity);
      } else {
        if (!sim) throw new Error('no simulator');
        if (step.host) await sim.rx(hex(step.host));
        await sim.tick();
      }
      expect({ step: i, at: step.at_ms, out: b.out }).toEqual({ step: i, at: step.at_ms, out: step.expect });
      expect({ step: i, relay: b.relay }).toEqual({ step: i, relay: step.relay });
      expect(sim?.relayReleased).toBe(step.relay);
    }
    expect(b.releases).toBe(ex.releases);
  });
});

describe('simulator answers malformed chunks like the firmware', () => {
  it.each(vectors.malformed)('$name', async (v) => {
    const { b, io } = bench({ now: 0, inputs: 0, nonces: [], key: null });
    const sim = await DoorSimulator.create(io, identity);
    b.out = [];
    await sim.rx(new Uint8Array([...hex(v.chunk), 0]));
    expect(b.out).toEqual(v.mcu_reply ? [v.mcu_reply] : []);
  });
});

describe('local safety rules', () => {
  it('opens on the exit button with no host, no key and no session', async () => {
    const { b, io } = bench({ now: 0, inputs: 0, nonces: [], key: null });
    const sim = await DoorSimulator.create(io, identity);
    b.now = 20_000;
    await sim.tick(); // watchdog has long expired: fail-secure
    b.inputs = Input.ExitButton;
    b.now += 10;
    await sim.tick();
    expect(b.relay).toBe(true);
    b.inputs = 0;
    b.now += 5000;
    await sim.tick();
    expect(b.relay).toBe(false);
  });
});

// Issue #12: a signed command held back on the cable used to work hours later, because unsigned
// heartbeats kept the session open and freshness was only "counter above the last".
describe('a withheld signed command', () => {
  const KEY = Uint8Array.from({ length: 32 }, (_, i) => i);
  let seq = 0x3000;

  async function keyedBoard() {
    const { b, io } = bench({ now: 0, inputs: 0, nonces: [], key: null });
    b.storage.set('key', KEY.slice());
    let draws = 0;
    io.random = (len) => {
      draws++;
      return Uint8Array.from({ length: len }, (_, i) => (draws * 31 + i * 7) & 0xff);
    };
    const sim = await DoorSimulator.create(io, identity);
    const key = await importDoorKey(KEY);
    const frames = (): Frame[] =>
      b.out.flatMap((w) => {
        const bytes = hex(w);
        const d = decodeFrame(bytes.subarray(0, bytes.length - 1));
        return d.ok ? [d.frame] : [];
      });
    const send = async (wire: Uint8Array): Promise<Frame | undefined> => {
      b.out = [];
      await sim.rx(wire);
      return frames().find((f) => f.header.type !== FrameType.Event);
    };
    const hostNonce = new Uint8Array(16).fill(0x77);
    const hello = await send(encodeFrame({ type: FrameType.Command, seq: ++seq, cmd: Cmd.Hello, payload: hostNonce }));
    const info = hello && parseHello(unverifiedBody(hello));
    if (!info) throw new Error('no HELLO answer');
    const session = { mcuNonce: info.nonce, hostNonce };
    const challenge = async () => {
      const r = await send(encodeFrame({ type: FrameType.Command, seq: ++seq, cmd: Cmd.Challenge }));
      const c = r && parseChallenge(unverifiedBody(r));
      if (!c) throw new Error('no challenge');
      return c.challenge;
    };
    const sign = async (cmd: Cmd, body: Uint8Array, counter: number) => encodeSigned({ seq: ++seq, cmd, body, counter, key, session, challenge: await challenge() });
    /** Unsigned heartbeats every `every` ms for `total` ms of the board's clock, as anyone on the cable can send. */
    const heartbeatsFor = async (total: number, every: number) => {
      for (let left = total; left > 0; left -= Math.min(every, left)) {
        await sim.rx(encodeFrame({ type: FrameType.Heartbeat, seq: ++seq, cmd: Cmd.Heartbeat }));
        b.now += Math.min(every, left);
        await sim.tick();
      }
      b.out = [];
    };
    return { b, sim, send, sign, heartbeatsFor };
  }

  it.each([
    ['UNLOCK', Cmd.Unlock, Uint8Array.of(0xe8, 0x03)],
    ['SET_CONFIG', Cmd.SetConfig, packConfig({ maxPulseMs: 30000, failMode: 1, heartbeatTimeoutMs: 600000, heldOpenMs: 3600000 })],
    ['LOCK with CLEAR_TAMPER', Cmd.Lock, Uint8Array.of(1)],
  ])('%s signed at t = 10 s and let through at t = 8 h is refused', async (_name, cmd, body) => {
    const { b, sim, send, sign, heartbeatsFor } = await keyedBoard();
    await heartbeatsFor(10_000, 5000);
    const held = await sign(cmd, body, 1);
    await heartbeatsFor(8 * 3600_000 - 10_000, 5000);
    expect(sim.state() & 0x80).toBe(0x80); // the session it was signed in is still open
    const r = await send(held);
    expect(r?.header.type).toBe(FrameType.Nak);
    expect(reasonName((r && unverifiedBody(r)[0]) ?? 0)).toBe('STALE_CHALLENGE');
    expect(b.relay).toBe(false);
    expect(b.releases).toBe(0);
    expect(b.storage.get('config')).toBeUndefined(); // nothing was written
  });

  it('an UNLOCK let through 2999 ms after its challenge opens; at 3000 ms it does not', async () => {
    const { b, send, sign } = await keyedBoard();
    const early = await sign(Cmd.Unlock, Uint8Array.of(0xe8, 0x03), 1);
    b.now += 2999;
    expect((await send(early))?.header.type).toBe(FrameType.Response);
    const late = await sign(Cmd.Unlock, Uint8Array.of(0xe8, 0x03), 2);
    b.now += 3000;
    expect((await send(late))?.header.type).toBe(FrameType.Nak);
    expect(b.releases).toBe(1);
  });

  it('is refused 2^32 ms later too, when the 32-bit clock has come round to the same minute', async () => {
    const { b, sim, send, sign, heartbeatsFor } = await keyedBoard();
    const cfg = packConfig({ maxPulseMs: 5000, failMode: 0, heartbeatTimeoutMs: 600_000, heldOpenMs: 30_000 });
    expect((await send(await sign(Cmd.SetConfig, cfg, 1)))?.header.type).toBe(FrameType.Response);
    const held = await sign(Cmd.Unlock, Uint8Array.of(0xe8, 0x03), 2);
    await heartbeatsFor(2 ** 32 + 1000, 599_000);
    expect(sim.state() & 0x80).toBe(0x80);
    expect((await send(held))?.header.type).toBe(FrameType.Nak);
    expect(b.relay).toBe(false);
  });
});
