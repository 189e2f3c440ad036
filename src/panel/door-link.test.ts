// Issue #12, "the tablet believes forged controller replies": the kiosk's DoorLink on its real
// Web Serial path, with something on the cable that answers "done" and "door opened" for the
// board. unlock() (what the Gatekeeper acts on) must say false, and the access-log lines the
// kiosk writes from DoorLink's events (doorLogEntry, as services.ts does) must never say the door
// opened; the forgery is logged as a link fault instead. Real time: DoorLink runs on the system
// clock, and a refused unlock costs the three 250 ms command timeouts.
import { afterEach, describe, expect, it } from 'vitest';
import { importDoorKey } from '../door/auth.ts';
import { FakeSerial, FakeSerialPort, ImpostorBoard, TapTransport } from '../../tests/support/serial.ts';
import { Cmd, EventId, FrameType, decodeFrame, encodeFrame } from '../door/protocol.ts';
import { Input, SimulatedDoor } from '../door/simulator.ts';
import type { ByteTransport } from '../door/transport.ts';
import { monotonicClock } from '../platform/clock.ts';
import { DoorLink } from './door-link.svelte.ts';
import type { DoorLinkEvent } from './door-link.svelte.ts';
import { doorLogEntry } from './door-log.ts';

const KEY = Uint8Array.from({ length: 32 }, (_, i) => i);
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

async function kiosk(device: ByteTransport) {
  const serial = new FakeSerial();
  const port = new FakeSerialPort({ device });
  serial.attached.push(port);
  serial.grant(port);
  const link = await DoorLink.serial(serial, await importDoorKey(KEY));
  const heard: DoorLinkEvent[] = [];
  link.onEvery((e) => heard.push(e));
  stops.push(async () => link.serialDoor?.stop());
  const logged = () => heard.map((e) => doorLogEntry(e, 0).summary);
  return { link, heard, logged };
}

async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
}

describe('DoorLink believes only what the board signed', () => {
  it('with a fake controller that answers "done" without the key: no unlock, nothing logged as opened', async () => {
    const impostor = new ImpostorBoard();
    const { link, logged } = await kiosk(impostor);
    await until(() => link.view.tone === 'bad');
    expect(link.view).toEqual({ text: 'Door controller fault: unauthenticated', tone: 'bad' });
    expect(await link.unlock(3000)).toBe(false);
    expect(impostor.unlocksClaimed).toBe(0);
    expect(logged().filter((s) => s.startsWith('door opened'))).toEqual([]);
    expect(logged()).toContain('alert doorLinkFault: unauthenticated RESPONSE to HELLO dropped');
  });

  it('with the real board and a forger on the cable: unlock() false, forged "door opened" not logged, one alert', async () => {
    const board = await SimulatedDoor.create({ clock: monotonicClock, key: KEY });
    stops.push(() => board.transport.close());
    const tap = new TapTransport(board.transport);
    const { link, logged } = await kiosk(tap);
    await until(() => link.usable);
    expect(link.usable).toBe(true);
    // The forger holds every UNLOCK back and answers for the board, then says the door opened.
    tap.withhold.add(Cmd.Unlock);
    const unlocking = link.unlock(3000);
    await until(() => tap.withheld.length > 0);
    const held = tap.withheld[0];
    const d = held && decodeFrame(held.subarray(0, held.length - 1));
    if (!d?.ok) throw new Error('no UNLOCK captured');
    tap.toHost(encodeFrame({ type: FrameType.Response, seq: d.frame.header.seq, cmd: Cmd.Unlock, payload: Uint8Array.of(0xb8, 0x0b, 0xa1) }));
    tap.toHost(encodeFrame({ type: FrameType.Event, seq: 500, cmd: EventId.Door, payload: Uint8Array.of(0, 0, 0, 0, 1) }));
    tap.toHost(encodeFrame({ type: FrameType.Event, seq: 501, cmd: EventId.Relay, payload: Uint8Array.of(0, 0, 0, 0, 1, 1) }));
    expect(await unlocking).toBe(false);
    expect(board.releases).toBe(0);
    expect(logged().filter((s) => s.startsWith('door opened'))).toEqual([]);
    // three forged frames, one report (the rest are counted into the next one)
    expect(logged().filter((s) => s.startsWith('alert doorLinkFault:'))).toEqual(['alert doorLinkFault: unauthenticated RESPONSE to UNLOCK dropped']);
  });

  it('with the real board and no forger: the door opens, and the board saying so is logged', async () => {
    const board = await SimulatedDoor.create({ clock: monotonicClock, key: KEY });
    stops.push(() => board.transport.close());
    const { link, logged } = await kiosk(board.transport);
    await until(() => link.usable);
    expect(await link.unlock(1000)).toBe(true);
    board.inputs = Input.DoorOpen;
    await until(() => logged().includes('door opened'));
    expect(logged()).toContain('door opened');
    expect(logged().filter((s) => s.startsWith('alert doorLinkFault'))).toEqual([]);
  });
});
