// The TypeScript twin replays the same exchanges as firmware/tests/test_vectors.c, byte for byte.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
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
  nonces: string[];
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
    const { b, io } = bench({ now: ex.boot_ms, inputs: ex.inputs, nonces: ex.nonces, key: ex.provisioned ? ex.key : null });
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
