// Provisioning against the firmware's twin: a board booted with its set-up button held takes one
// key, the panel keeps only a non-extractable copy, and a panel or board without the key never
// gets the door open.
import { describe, expect, it } from 'vitest';
import { DoorController } from '../door/controller.ts';
import { FakeClock } from '../../tests/support/clock.ts';
import { FakeDoorKeyStore } from '../../tests/support/idb.ts';
import { TapTransport } from '../../tests/support/serial.ts';
import { Cmd, FrameType, StateBit, decodeFrame } from '../door/protocol.ts';
import { Input, SimulatedDoor } from '../door/simulator.ts';
import { DOOR_KEY_NAME, loadDoorKey, provisionDoor, refusalMessage } from './door-setup.ts';

async function rig(opts: { setupButton?: boolean; boardKey?: Uint8Array } = {}) {
  const clock = new FakeClock(1000);
  const door = await SimulatedDoor.create({
    clock,
    inputs: opts.setupButton === false ? 0 : Input.SetupButton,
    ...(opts.boardKey ? { key: opts.boardKey } : {}),
  });
  const tap = new TapTransport(door.transport);
  const store = new FakeDoorKeyStore();
  const controller = new DoorController({ transport: tap, clock, key: null, initialSeq: 0x2000 });
  /** Hands out the key buffer it filled, so the test can check it was wiped. */
  const drawn: Uint8Array[] = [];
  const random = (b: Uint8Array) => {
    for (let i = 0; i < b.length; i++) b[i] = (i * 37 + 11) & 0xff;
    drawn.push(b);
    return b;
  };
  return { clock, door, tap, store, controller, random, drawn };
}

/** The key bytes as they went over the wire in the PROVISION_KEY frame the panel sent. */
function provisionedOnWire(tap: TapTransport): Uint8Array | null {
  for (const w of tap.written) {
    const r = decodeFrame(w.subarray(0, w.length - 1));
    if (r.ok && r.frame.header.type === FrameType.Command && r.frame.header.cmd === Cmd.ProvisionKey) return r.frame.payload;
  }
  return null;
}

describe('provisionDoor', () => {
  it('sends a fresh key once, keeps a non-extractable HMAC copy, wipes the bytes, and the door opens', async () => {
    const { door, tap, store, controller, random, drawn } = await rig();
    expect(await controller.connect()).toMatchObject({ state: 'fault', fault: 'not-provisioned' });

    expect(await provisionDoor({ controller, store, random })).toEqual({ outcome: 'provisioned' });

    const sent = provisionedOnWire(tap);
    expect(sent).toEqual(Uint8Array.from({ length: 32 }, (_, i) => (i * 37 + 11) & 0xff));
    expect(tap.written.filter((w) => w === tap.lastCommand(Cmd.ProvisionKey))).toHaveLength(1);
    expect(drawn).toHaveLength(1);
    expect(drawn[0]?.every((b) => b === 0)).toBe(true);

    expect(store.saves).toBe(1);
    expect(store.key?.extractable).toBe(false);
    expect(store.key?.algorithm).toMatchObject({ name: 'HMAC', hash: { name: 'SHA-256' } });
    expect(store.key?.usages).toEqual(['sign']);
    await expect(crypto.subtle.exportKey('raw', store.key as CryptoKey)).rejects.toThrow();

    expect(door.simulator.provisioned).toBe(true);
    const s = controller.state;
    if (s.state !== 'simulated') throw new Error(`controller ${s.state}`);
    expect(s.info.state & StateBit.Provisioned).toBeTruthy();
    expect((await controller.unlock(1000)).outcome).toBe('done');
    expect(door.releases).toBe(1);
  });

  it('shows the refusal of a board that is not in set-up mode, and stores nothing', async () => {
    const { door, store, controller, random, drawn } = await rig({ setupButton: false });
    await controller.connect();
    const r = await provisionDoor({ controller, store, random });
    expect(r).toEqual({ outcome: 'refused', reason: 'NOT_IN_SETUP_MODE', message: refusalMessage('NOT_IN_SETUP_MODE') });
    expect(r.outcome === 'refused' && r.message).toMatch(/hold its set-up button while powering it up/i);
    expect(store.saves).toBe(0);
    expect(drawn[0]?.every((b) => b === 0)).toBe(true);
    expect(door.simulator.provisioned).toBe(false);
    expect(controller.state).toMatchObject({ state: 'fault', fault: 'not-provisioned' });
    expect(await controller.unlock(1000)).toEqual({ outcome: 'refused', reason: 'NOT_PROVISIONED' });
    expect(door.releases).toBe(0);
  });

  it('takes one key per set-up mode: a second attempt is refused and the first key stays in force', async () => {
    const { door, store, controller, random } = await rig();
    await controller.connect();
    expect((await provisionDoor({ controller, store, random })).outcome).toBe('provisioned');
    const first = store.key;
    const second = await provisionDoor({ controller, store });
    expect(second).toMatchObject({ outcome: 'refused', reason: 'NOT_IN_SETUP_MODE' });
    expect(store.key).toBe(first);
    expect((await controller.unlock(500)).outcome).toBe('done');
    expect(door.releases).toBe(1);
  });

  it('says so when the board loses the link mid-provisioning, and keeps nothing', async () => {
    const { clock, door, tap, store, controller, random, drawn } = await rig();
    await controller.connect();
    door.transport.setLinkUp(false);
    const pending = provisionDoor({ controller, store, random });
    await clock.advance(1000); // three tries of 250 ms
    const r = await pending;
    expect(r.outcome).toBe('lost');
    expect(store.saves).toBe(0);
    expect(drawn[0]?.every((b) => b === 0)).toBe(true);
    expect(tap.written.length).toBeGreaterThan(0);
  });

  it('reports a key the board took but the panel could not store', async () => {
    const { store, controller, random } = await rig();
    await controller.connect();
    store.failSave = true;
    const r = await provisionDoor({ controller, store, random });
    expect(r.outcome).toBe('unsaved');
    expect(r.outcome === 'unsaved' && r.message).toMatch(/QuotaExceededError/);
    expect(controller.state.state).toBe('simulated'); // usable until the next reload
  });

  it('refuses a random source that returns zeros rather than send an all-zero key', async () => {
    const { tap, store, controller } = await rig();
    await expect(provisionDoor({ controller, store, random: (b) => b })).rejects.toThrow(/zeros/);
    expect(provisionedOnWire(tap)).toBeNull();
  });
});

describe('loadDoorKey at boot', () => {
  it('hands the stored key to the controller, which then opens the door', async () => {
    const first = await rig();
    await first.controller.connect();
    await provisionDoor({ controller: first.controller, store: first.store, random: first.random });
    expect(first.door.simulator.provisioned).toBe(true);

    // Power cut: the board restarts with the key from its flash, the panel reloads with only
    // what its store kept (the raw bytes are long gone).
    const board = await SimulatedDoor.create({ clock: first.clock, key: Uint8Array.from({ length: 32 }, (_, i) => (i * 37 + 11) & 0xff) });
    const controller = new DoorController({ transport: board.transport, clock: first.clock, key: null, initialSeq: 0x3000 });
    const key = await loadDoorKey(first.store, controller);
    expect(key).toBe(first.store.key);
    expect((await controller.connect()).state).toBe('simulated');
    expect((await controller.unlock(700)).outcome).toBe('done');
    expect(board.releases).toBe(1);
  });

  it('tells the controller there is no key: the kiosk shows a fault and the door never opens', async () => {
    const { door, store, controller } = await rig({ setupButton: false, boardKey: Uint8Array.from({ length: 32 }, (_, i) => i + 1) });
    expect(await loadDoorKey(store, controller)).toBeNull();
    expect(await controller.connect()).toMatchObject({ state: 'fault', fault: 'no-key' });
    expect(await controller.unlock(1000)).toEqual({ outcome: 'refused', reason: 'NOT_PROVISIONED' });
    expect(door.releases).toBe(0);
  });

  it('names the IndexedDB entry door-hmac', () => {
    expect(DOOR_KEY_NAME).toBe('door-hmac');
  });
});
