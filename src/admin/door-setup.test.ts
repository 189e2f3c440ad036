// The admin's door section logic over a faked navigator.serial with the firmware's twin behind
// the port: choose the board, see what it says, install the key, see it in session.
import { describe, expect, it } from 'vitest';
import { FakeClock, settle } from '../../tests/support/clock.ts';
import { FakeDoorKeyStore } from '../../tests/support/idb.ts';
import { FakeSerial, FakeSerialPort } from '../../tests/support/serial.ts';
import { SerialDoor } from '../door/links.ts';
import { Input, SimulatedDoor } from '../door/simulator.ts';
import { SerialDoorPorts } from '../door/web-serial.ts';
import { DoorSetupAdmin } from './door-setup.svelte.ts';

async function rig(inputs: number) {
  const clock = new FakeClock(1000);
  const board = await SimulatedDoor.create({ clock, inputs });
  const serial = new FakeSerial();
  const port = new FakeSerialPort({ device: board.transport });
  serial.attached.push(port);
  const store = new FakeDoorKeyStore();
  const door = await SerialDoor.start({ serial, key: await store.load(), clock });
  const setup = new DoorSetupAdmin(door, store, { clock });
  const stop = setup.start();
  const until = async (done: () => boolean) => {
    for (let i = 0; i < 200 && !done(); i++) await clock.advance(20);
  };
  return { clock, board, serial, port, store, door, setup, stop, until };
}

describe('DoorSetupAdmin', () => {
  it('has nothing to set up on a simulated panel without Web Serial', async () => {
    const setup = new DoorSetupAdmin(null, new FakeDoorKeyStore());
    expect(setup.available).toBe(false);
    expect(setup.canConnect).toBe(false);
    expect(setup.canProvision).toBe(false);
    await setup.provision();
    await setup.connect();
    expect(setup.notice).toBeNull();
  });

  it('on a simulated panel with Web Serial, grants a board and restarts onto it', async () => {
    const serial = new FakeSerial();
    const board = new FakeSerialPort();
    serial.attached.push(board);
    let restarts = 0;
    const ports = new SerialDoorPorts(serial);
    const setup = new DoorSetupAdmin(null, new FakeDoorKeyStore(), { ports, adopt: () => restarts++ });
    expect(setup.canConnect).toBe(true);
    await setup.connect();
    expect(restarts).toBe(1);
    expect(await ports.remembered()).toEqual([board]); // what the next boot will find
    expect(board.isOpen).toBe(false); // the running (simulated) panel does not touch it
  });

  it('connects the chosen board, shows its HELLO, provisions it, and ends in session', async () => {
    const { setup, store, board, until, stop, door } = await rig(Input.SetupButton);
    expect(setup.link).toMatchObject({ state: 'lost', reason: 'no door controller chosen' });
    expect(setup.canProvision).toBe(false);

    await setup.connect();
    await until(() => setup.session.state === 'fault');
    expect(setup.link.state).toBe('open');
    expect(setup.session).toMatchObject({ state: 'fault', fault: 'not-provisioned' });
    expect(setup.hello).toMatchObject({ firmware: '2.0.0', deviceId: '53494d0000000001' });
    expect(setup.inSetupMode).toBe(true);
    expect(setup.boardProvisioned).toBe(false);
    expect(setup.canProvision).toBe(true);

    await setup.provision();
    expect(setup.notice).toMatchObject({ tone: 'ok' });
    expect(store.key?.extractable).toBe(false);
    expect(setup.session.state).toBe('ready');
    expect(setup.boardProvisioned).toBe(true);
    expect(setup.inSetupMode).toBe(false);
    expect((await door.controller.unlock(600)).outcome).toBe('done');
    expect(board.releases).toBe(1);
    stop();
    await door.stop();
  });

  it('shows the reason when the board is not in set-up mode', async () => {
    const { setup, store, until, stop, door } = await rig(0);
    await setup.connect();
    await until(() => setup.session.state === 'fault');
    await setup.provision();
    expect(setup.notice?.tone).toBe('bad');
    expect(setup.notice?.text).toMatch(/not in set-up mode/);
    expect(store.key).toBeNull();
    stop();
    await door.stop();
  });

  it('reads a cancelled chooser as no port, and counts line errors', async () => {
    const { setup, serial, port, until, stop, door, clock } = await rig(0);
    serial.choose = () => null;
    await setup.connect();
    expect(setup.notice).toEqual({ tone: 'info', text: 'No port chosen.' });
    serial.choose = (c) => c[0] ?? null;
    await setup.connect();
    await until(() => setup.link.state === 'open');
    port.readError('BreakError');
    await settle();
    expect(setup.rxErrors).toBe(0); // sampled, not pushed per byte
    await clock.advance(1000);
    expect(setup.rxErrors).toBe(1);
    stop();
    await door.stop();
  });
});
