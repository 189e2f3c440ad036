// The Web Serial transport over a faked navigator.serial whose ports run on real streams, with
// the firmware's twin on the far end: bytes both ways, every class of read error, and a board
// that is unplugged, replugged or rebooted and comes back without anyone touching the panel.
import { describe, expect, it } from 'vitest';
import { importDoorKey } from './auth.ts';
import type { DoorState } from './controller.ts';
import { FakeClock, settle } from '../../tests/support/clock.ts';
import { FakeSerial, FakeSerialPort } from '../../tests/support/serial.ts';
import { SerialDoor } from './links.ts';
import { Cmd, FrameSplitter, FrameType, decodeFrame, encodeFrame } from './protocol.ts';
import { SimulatedDoor } from './simulator.ts';
import type { LinkChange } from './transport.ts';
import { DOORWARD_USB, SerialDoorPorts, WebSerialTransport, classifyReadError } from './web-serial.ts';
import type { SerialLinkState } from './web-serial.ts';

const KEY = Uint8Array.from({ length: 32 }, (_, i) => 0xa0 ^ i);

/** A port whose far end is a plain echo of what the test pushes, for transport-only tests. */
function loosePort() {
  return new FakeSerialPort();
}

async function openTransport(port = loosePort(), opts: { writeTimeoutMs?: number } = {}) {
  const clock = new FakeClock(0);
  const log: string[] = [];
  const transport = new WebSerialTransport({ clock, log: (m) => log.push(m), retryMs: 1000, maxRetryMs: 4000, ...opts });
  const received: number[] = [];
  const links: LinkChange[] = [];
  const states: SerialLinkState['state'][] = [];
  transport.onBytes((b) => received.push(...b));
  transport.onLinkChange((c) => links.push(c));
  transport.on('link', (s) => states.push(s.state));
  expect(await transport.open(port)).toBe(true);
  return { clock, transport, port, received, links, states, log };
}

describe('classifyReadError', () => {
  it.each([
    ['BufferOverrunError', 'recoverable'],
    ['BreakError', 'recoverable'],
    ['FramingError', 'recoverable'],
    ['ParityError', 'recoverable'],
    ['NetworkError', 'device-lost'],
    ['UnknownError', 'fatal'],
    ['InvalidStateError', 'fatal'],
  ] as const)('%s is %s', (name, kind) => {
    expect(classifyReadError(new DOMException('x', name))).toBe(kind);
  });

  it('treats anything that is not a named error as fatal', () => {
    expect(classifyReadError('boom')).toBe('fatal');
    expect(classifyReadError(null)).toBe('fatal');
  });
});

describe('WebSerialTransport', () => {
  it('opens at 115200 8N1 with DTR asserted and carries bytes both ways', async () => {
    const { transport, port, received, links } = await openTransport();
    expect(port.openedWith).toEqual({ baudRate: 115200, dataBits: 8, stopBits: 1, parity: 'none', flowControl: 'none' });
    expect(port.signals.dataTerminalReady).toBe(true);
    expect(transport.link.state).toBe('open');
    expect(links).toEqual([{ up: true }]);

    await transport.write(Uint8Array.of(1, 2, 3));
    expect(port.written).toEqual([Uint8Array.of(1, 2, 3)]);

    port.receive(Uint8Array.of(9, 8));
    port.receive(Uint8Array.of(7));
    await settle();
    expect(received).toEqual([9, 8, 7]);
  });

  it('serialises overlapping writes through one writer, in order', async () => {
    const { transport, port } = await openTransport();
    await Promise.all([transport.write(Uint8Array.of(1)), transport.write(Uint8Array.of(2)), transport.write(Uint8Array.of(3))]);
    expect(port.written.map((w) => w[0])).toEqual([1, 2, 3]);
  });

  it.each(['BufferOverrunError', 'BreakError', 'FramingError', 'ParityError'])('counts a %s and keeps reading on the same open port', async (name) => {
    const { transport, port, received, links, clock } = await openTransport();
    port.receive(Uint8Array.of(1));
    await settle();
    port.readError(name);
    await settle();
    port.receive(Uint8Array.of(2));
    await settle();
    expect(received).toEqual([1, 2]);
    expect(transport.lineErrors).toBe(1);
    expect(transport.link.state).toBe('open');
    expect(port.opens).toBe(1);
    expect(port.closes).toBe(0);
    expect(links).toEqual([{ up: true }]);
    await clock.advance(10_000);
    expect(port.opens).toBe(1);
  });

  it('closes the port on a fatal read error, reports it, and reopens it on a backing-off timer', async () => {
    const { transport, port, received, links, clock } = await openTransport();
    port.failNextOpen = 'NetworkError'; // the first reopen fails too (the port is still settling)
    port.readError('UnknownError');
    await settle();
    expect(transport.link).toMatchObject({ state: 'failed', retryInMs: 1000 });
    expect(port.closes).toBe(1);
    expect(port.isOpen).toBe(false);
    expect(links).toEqual([{ up: true }, { up: false, reason: 'read failed: UnknownError: read failed: UnknownError' }]);

    await clock.advance(1000);
    expect(transport.link).toMatchObject({ state: 'failed', retryInMs: 2000, reason: 'open failed: NetworkError: Failed to open serial port.' });
    expect(links).toHaveLength(2); // a failed retry is not news
    await clock.advance(1999);
    expect(transport.link.state).toBe('failed');
    await clock.advance(1);
    expect(transport.link.state).toBe('open');
    expect(port.opens).toBe(2);
    expect(links.at(-1)).toEqual({ up: true });
    port.receive(Uint8Array.of(5));
    await settle();
    expect(received).toEqual([5]);
  });

  it('treats a NetworkError as the device gone: closes, and waits for the board instead of polling', async () => {
    const { transport, port, links, clock } = await openTransport();
    port.readError('NetworkError');
    await settle();
    expect(transport.link).toMatchObject({ state: 'lost', port });
    expect(links.at(-1)).toMatchObject({ up: false });
    expect(port.closes).toBe(1);
    await clock.advance(120_000);
    expect(port.opens).toBe(1);
    await expect(transport.write(Uint8Array.of(1))).rejects.toThrow(/not open \(lost\)/);
  });

  it('gives up on a write the device never takes, and reopens the port', async () => {
    const { transport, port, clock } = await openTransport(loosePort(), { writeTimeoutMs: 500 });
    port.stallWrites = true;
    const w = transport.write(Uint8Array.of(1));
    const failed = expect(w).rejects.toThrow(/write took over 500 ms/);
    await settle(); // the write reaches the writer (and starts its timer) a few microtasks later
    await clock.advance(500);
    await failed;
    // Letting go takes up to one more write timeout: the stalled write holds the writer.
    await clock.advance(500);
    expect(transport.link).toMatchObject({ state: 'failed', reason: 'write failed: write: TimeoutError: write took over 500 ms' });
    port.stallWrites = false;
    await clock.advance(1000);
    expect(transport.link.state).toBe('open');
    expect(port.opens).toBe(2);
    await transport.write(Uint8Array.of(2));
    expect(port.written.at(-1)).toEqual(Uint8Array.of(2));
  });

  it('retries a port that would not open (busy, or left open by an earlier transport)', async () => {
    const clock = new FakeClock(0);
    const port = loosePort();
    port.failNextOpen = 'InvalidStateError';
    const transport = new WebSerialTransport({ clock, retryMs: 1000 });
    expect(await transport.open(port)).toBe(false);
    expect(transport.link).toMatchObject({ state: 'failed', reason: 'open failed: InvalidStateError: Failed to open serial port.' });
    await clock.advance(1000);
    expect(transport.link.state).toBe('open');
  });

  it('close() lets go of the port and says so once', async () => {
    const { transport, port, links } = await openTransport();
    await transport.close();
    expect(port.isOpen).toBe(false);
    expect(transport.link.state).toBe('closed');
    expect(links).toEqual([{ up: true }, { up: false, reason: 'serial port closed' }]);
    expect(await transport.open(port)).toBe(false);
  });
});

describe('SerialDoorPorts', () => {
  it('asks the chooser for the board by its USB ids, and reads a cancel as null', async () => {
    const serial = new FakeSerial();
    const board = new FakeSerialPort();
    serial.attached.push(new FakeSerialPort({ info: { usbVendorId: 0x0403, usbProductId: 0x6001 } }), board);
    const ports = new SerialDoorPorts(serial);
    expect(await ports.request()).toBe(board);
    expect(serial.lastFilters).toEqual([{ usbVendorId: 0x2e8a, usbProductId: 0x000a }]);
    serial.choose = () => null;
    expect(await ports.request()).toBeNull();
  });

  it('remembers only granted door boards', async () => {
    const serial = new FakeSerial();
    const board = new FakeSerialPort();
    const ftdi = new FakeSerialPort({ info: { usbVendorId: 0x0403, usbProductId: 0x6001 } });
    const ungranted = new FakeSerialPort({ serialNumber: 'OTHER' });
    serial.attached.push(board, ftdi, ungranted);
    serial.grant(board);
    serial.grant(ftdi);
    expect(await new SerialDoorPorts(serial).remembered()).toEqual([board]);
    expect(DOORWARD_USB).toEqual({ usbVendorId: 11914, usbProductId: 10 });
  });

  it('stops listening when told', async () => {
    const serial = new FakeSerial();
    const stop = new SerialDoorPorts(serial).follow(new WebSerialTransport({ clock: new FakeClock() }));
    expect(serial.listenerCount('connect')).toBe(1);
    expect(serial.listenerCount('disconnect')).toBe(1);
    stop();
    expect(serial.listenerCount('connect') + serial.listenerCount('disconnect')).toBe(0);
  });
});

// ---- the whole link: SerialDoor over the firmware's twin ----

async function serialRig(opts: { granted?: boolean } = {}) {
  const clock = new FakeClock(1000);
  const board = await SimulatedDoor.create({ clock, key: KEY });
  const serial = new FakeSerial();
  const port = new FakeSerialPort({ device: board.transport });
  serial.attached.push(port);
  if (opts.granted ?? true) serial.grant(port);
  const door = await SerialDoor.start({ serial, key: await importDoorKey(KEY), clock, controller: { initialSeq: 0x1000 } });
  const states: DoorState['state'][] = [];
  door.controller.on('state', (s) => states.push(s.state));
  return { clock, board, serial, port, door, states };
}

/** Lets the controller's HELLO and the simulated board's tick run to an answer. */
async function until(clock: FakeClock, done: () => boolean, stepMs = 20, maxMs = 10_000): Promise<void> {
  for (let t = 0; t < maxMs && !done(); t += stepMs) await clock.advance(stepMs);
}

describe('SerialDoor', () => {
  it('opens the remembered board at start and reaches ready by itself', async () => {
    const { clock, door, board } = await serialRig();
    await until(clock, () => door.controller.state.state === 'ready');
    expect(door.controller.state).toMatchObject({ state: 'ready', info: { firmware: '2.0.0', deviceId: '53494d0000000001' } });
    expect((await door.controller.unlock(1500)).outcome).toBe('done');
    expect(board.relay).toBe(true);
    await door.stop();
  });

  it('says lost when no board was ever chosen, then connects the one the admin picks', async () => {
    const { clock, door, serial } = await serialRig({ granted: false });
    await settle();
    expect(door.controller.state).toEqual({ state: 'lost', reason: 'no door controller chosen' });
    expect(await door.choose()).toBe(serial.attached[0]);
    await until(clock, () => door.controller.state.state === 'ready');
    expect(door.controller.state.state).toBe('ready');
    await door.stop();
  });

  it('unplug: lost at once; replug: ready again with no one touching the panel', async () => {
    const { clock, door, serial, port, board, states } = await serialRig();
    await until(clock, () => door.controller.state.state === 'ready');
    const firstNonce = door.controller.state.state === 'ready' ? door.controller.state.info.nonce : null;

    serial.unplug(port);
    await settle();
    expect(door.controller.state).toMatchObject({ state: 'lost' });
    expect(door.transport.link.state).toBe('lost');
    expect((await door.controller.unlock(1000)).outcome).not.toBe('done');
    expect(board.releases).toBe(0);
    await clock.advance(30_000); // nobody polls a board that is not there
    expect(port.opens).toBe(1);

    // Chromium hands back a new SerialPort object for the re-enumerated board.
    const again = new FakeSerialPort({ device: board.transport });
    serial.plug(again);
    await until(clock, () => door.controller.state.state === 'ready');
    expect(door.controller.state.state).toBe('ready');
    const secondNonce = door.controller.state.state === 'ready' ? door.controller.state.info.nonce : null;
    expect(secondNonce).not.toEqual(firstNonce);
    expect(states).toContain('lost');
    expect(states.at(-1)).toBe('ready');
    expect((await door.controller.unlock(1000)).outcome).toBe('done');
    expect(board.releases).toBe(1);
    await door.stop();
  });

  it('a rebooted board (a fresh boot behind a new port) is back in session by itself', async () => {
    const { clock, door, serial, port } = await serialRig();
    await until(clock, () => door.controller.state.state === 'ready');
    serial.unplug(port);
    await settle();
    const rebooted = await SimulatedDoor.create({ clock, key: KEY });
    serial.plug(new FakeSerialPort({ device: rebooted.transport }));
    await until(clock, () => door.controller.state.state === 'ready');
    expect((await door.controller.unlock(800)).outcome).toBe('done');
    expect(rebooted.releases).toBe(1);
    await door.stop();
  });

  it('ignores boards it has no grant for, and other devices', async () => {
    const { clock, door, serial, port } = await serialRig();
    await until(clock, () => door.controller.state.state === 'ready');
    serial.unplug(port);
    await settle();
    serial.plug(new FakeSerialPort({ serialNumber: 'SOMEONE-ELSES' })); // no grant: no event
    serial.grant(new FakeSerialPort({ info: { usbVendorId: 0x0403, usbProductId: 0x6001 } }));
    serial.plug(new FakeSerialPort({ info: { usbVendorId: 0x0403, usbProductId: 0x6001 } }));
    await clock.advance(5000);
    expect(door.transport.link.state).toBe('lost');
    await door.stop();
  });

  it('keeps the session through line noise: a ParityError mid-frame costs one frame, not the link', async () => {
    const { clock, door, port } = await serialRig();
    await until(clock, () => door.controller.state.state === 'ready');
    port.readError('ParityError');
    // Half a frame, then the line noise, then the rest: the splitter sees one bad chunk.
    const frame = encodeFrame({ type: FrameType.Response, seq: 0x7777, cmd: Cmd.Status, payload: new Uint8Array(3) });
    port.receive(frame.subarray(0, 4));
    await settle();
    port.readError('FramingError');
    await settle();
    port.receive(frame.subarray(4));
    await clock.advance(3000);
    expect(door.transport.lineErrors).toBe(2);
    expect(door.controller.rxErrors).toBeGreaterThanOrEqual(1);
    expect(door.controller.state.state).toBe('ready');
    expect((await door.controller.status()).outcome).toBe('done');
    await door.stop();
  });

  it('writes well-formed frames to the port (what the board sees is the protocol, nothing else)', async () => {
    const { clock, door, port } = await serialRig();
    await until(clock, () => door.controller.state.state === 'ready');
    const splitter = new FrameSplitter();
    const cmds: number[] = [];
    for (const w of port.written) {
      splitter.push(w, (chunk) => {
        const r = chunk ? decodeFrame(chunk) : null;
        expect(r?.ok).toBe(true);
        if (r?.ok && r.frame.header.type === FrameType.Command) cmds.push(r.frame.header.cmd);
      });
    }
    expect(cmds[0]).toBe(Cmd.Hello);
    await door.stop();
  });
});
