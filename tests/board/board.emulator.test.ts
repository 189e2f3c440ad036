// build/doorward.uf2 on an emulated Raspberry Pi Pico (rp2040js), driven from outside as a real
// board would be: its USB port by a host that enumerates it, the door session by the kiosk's own
// DoorController (src/door/controller.ts), its inputs by switches to ground, its relay watched
// on GP2. Every duration below is board time, from the emulator's cycle-counted clock.
// See board.ts for what stands in for the boot ROM and the flash chip, and why.
import { readFileSync } from 'node:fs';
import { USBCDC } from 'rp2040js';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { encodeSigned, importDoorKey } from '../../src/door/auth.ts';
import { DoorController } from '../../src/door/controller.ts';
import { TapTransport } from '../support/serial.ts';
import { Cmd, FLAG_AUTH, FrameSplitter, FrameType, PROTOCOL_VERSION, StateBit, decodeFrame, encodeFrame, reasonName } from '../../src/door/protocol.ts';
import type { DoorConfig, DoorEvent, Frame } from '../../src/door/protocol.ts';
import { EmulatedBoard, PIN, UF2_PATH, buildFirmware, hasArmToolchain } from './board.ts';
import type { BoardOptions } from './board.ts';
import { W25Q16_TYPICAL } from './flash-chip.ts';
import { CdcTransport, UartTransport } from './transports.ts';
import { parseUf2 } from './uf2.ts';
import { UsbStall } from './usb-host.ts';

const toolchain = hasArmToolchain();
// npm test installs the toolchain as root (scripts/install-system-deps.sh): missing, the tests fail and say so.
if (!toolchain) throw new Error('RP2040 emulator tests need arm-none-eabi-gcc: run panel-bridge/firmware/install-deps.sh');

const KEY = Uint8Array.from({ length: 32 }, (_, i) => (i * 37 + 11) & 0xff);
/** HELLO's body in protocol v2: the host's half of the session name (PROTOCOL.md 4.1). */
const HOST_NONCE = Uint8Array.from({ length: 16 }, (_, i) => 0xa0 + i);
const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

interface Session {
  board: EmulatedBoard;
  link: CdcTransport;
  /** The cable between the panel and the board: what crossed it, and a way to splice into it. */
  tap: TapTransport;
  ctrl: DoorController;
  events: DoorEvent[];
}

const open: Pick<Session, 'ctrl'>[] = [];

async function session(options: BoardOptions = {}): Promise<Session> {
  const board = new EmulatedBoard(options);
  const link = new CdcTransport(board);
  await link.open();
  const tap = new TapTransport(link);
  const ctrl = new DoorController({ transport: tap, clock: board.hostClock, key: null });
  const events: DoorEvent[] = [];
  ctrl.on('event', (e) => events.push(e));
  const s = { board, link, tap, ctrl, events };
  open.push(s);
  return s;
}

/** A board provisioned the way an installer does it: set-up button held at power-up. */
async function provisioned(options: BoardOptions = {}): Promise<Session> {
  const s = await session({ ...options, inputs: { ...options.inputs, setupPressed: true } });
  await s.board.drive(s.ctrl.connect());
  s.board.set({ setupPressed: false });
  const r = await s.board.drive(s.ctrl.provisionKey(KEY.slice()));
  if (r.outcome !== 'done') throw new Error(`provisioning: ${JSON.stringify(r)}`);
  return s;
}

/** The commands the panel wrote from index `from` of the tap on, decoded. */
function commandsSent(tap: TapTransport, from: number): Frame[] {
  return tap.written.slice(from).flatMap((w) => {
    const d = decodeFrame(w.subarray(0, w.length - 1));
    return d.ok && d.frame.header.type === FrameType.Command ? [d.frame] : [];
  });
}

/** The key store's two sectors (storage_flash.c: A second to last, B last) as the chip holds them. */
function storeRecords(board: EmulatedBoard): { seq: number; hasKey: boolean; hasConfig: boolean }[] {
  const mem = board.flashChip.memory;
  return [mem.length - 8192, mem.length - 4096].map((at) => {
    const v = new DataView(mem.buffer, mem.byteOffset + at, 9);
    const valid = v.getUint32(0, true) === 0x32535744; // "DWS2" (panel-bridge/README.md)
    const flags = valid ? v.getUint8(8) : 0;
    return { seq: valid ? v.getUint32(4, true) : 0, hasKey: (flags & 1) !== 0, hasConfig: (flags & 2) !== 0 };
  });
}

const CONFIG_A: DoorConfig = { maxPulseMs: 4000, failMode: 0, heartbeatTimeoutMs: 8000, heldOpenMs: 20000 };
const CONFIG_B: DoorConfig = { maxPulseMs: 6000, failMode: 0, heartbeatTimeoutMs: 9000, heldOpenMs: 25000 };

async function configNow(s: Session): Promise<DoorConfig> {
  const st = await s.board.drive(s.ctrl.status());
  if (st.outcome !== 'done') throw new Error(`STATUS ${st.outcome}`);
  return st.value.config;
}

function pulses(board: EmulatedBoard, fromMs = 0): { rise: number; fall: number | null }[] {
  const out: { rise: number; fall: number | null }[] = [];
  for (const e of board.relayEdges.filter((x) => x.atMs >= fromMs)) {
    if (e.high) out.push({ rise: e.atMs, fall: null });
    else {
      const last = out[out.length - 1];
      if (last && last.fall === null) last.fall = e.atMs;
    }
  }
  return out;
}

afterEach(async () => {
  for (const s of open.splice(0)) await s.ctrl.close();
});

describe('doorward.uf2 on an emulated RP2040', () => {
  beforeAll(() => buildFirmware(), 120_000);

  describe('boot', () => {
    it('boots the way the boot ROM does: boot2 copied to SRAM, CRC checked, entered; XIP set up; vectors into flash', async () => {
      const board = new EmulatedBoard();
      await board.run(30);
      expect(board.breakpoints).toEqual([]);
      expect(board.boot2EnteredAt).toBe(0x20041f00);
      expect(board.rp2040.core.VTOR).toBe(0x10000100);
      expect(board.ssi.xipReady).toBe(true);
      expect(board.violations).toEqual([]);
      // clocks.c: crystal -> PLL_SYS 125 MHz (clk_sys, clk_peri), PLL_USB 48 MHz
      expect(board.rp2040.clkSys).toBe(125_000_000);
      expect(board.rp2040.clkPeri).toBe(125_000_000);
      expect(board.rp2040.pllUsb.frequency).toBe(48_000_000);
      expect(Math.abs((board.rp2040.uart[0]?.baudRate ?? 0) / 115_200 - 1)).toBeLessThan(0.001); // 67 + 52/64
      // the unique id was read with one 13-byte 4Bh command under a single chip select
      expect(board.flashChip.commands).toContainEqual({ opcode: 0x4b, length: 13 });
      expect(board.ssi.lostBytes).toBe(0);
      // every register the image touched exists in the emulator or in a stand-in
      expect(board.emulatorWarnings).toEqual([]);
      // the relay pin is an output, driven low (locked)
      expect(board.rp2040.gpio[PIN.relay]?.outputEnable).toBe(true);
      expect(board.relay).toBe(false);
    });

    it('a UF2 whose boot2 fails the CRC never runs: the ROM path stops where the real one would go to BOOTSEL', async () => {
      const file = new Uint8Array(readFileSync(UF2_PATH));
      file[32 + 40] = (file[32 + 40] ?? 0) ^ 0xff; // a byte of boot2 in block 0's payload
      expect(() => parseUf2(file)).not.toThrow();
      const board = new EmulatedBoard({ uf2: file });
      await board.run(30);
      expect(board.breakpoints).toEqual([0xb0]);
      expect(board.boot2EnteredAt).toBeNull();
      expect(board.rp2040.gpio[PIN.relay]?.outputEnable).toBe(false);
    });
  });

  describe('USB', () => {
    it('enumerates as a CDC-ACM device 2e8a:000a with the flash unique id as its serial number', async () => {
      const board = new EmulatedBoard({ uniqueId: Uint8Array.of(0xde, 0x0d, 0x04, 0x12, 0x34, 0x56, 0x78, 0x9a) });
      const dev = await board.drive(board.usb.enumerate(), 2000, 'enumeration');
      expect(dev.vendorId).toBe(0x2e8a); // what panel-bridge/README.md gives Chromium's policy
      expect(dev.productId).toBe(0x000a);
      expect(dev.deviceClass).toBe(0x02);
      expect(dev.device[7]).toBe(64); // bMaxPacketSize0
      expect(dev.manufacturer).toBe('Doorward');
      expect(dev.product).toBe('Doorward door controller');
      expect(dev.serialNumber).toBe('DE0D04123456789A');
      const interfaces = dev.descriptors.filter(([t]) => t === 4).map(([, d]) => [d[5], d[6], d[4]]);
      expect(interfaces).toEqual([
        [0x02, 0x02, 1], // communication: CDC, abstract control model, one (notification) endpoint
        [0x0a, 0x00, 2], // data: two bulk endpoints
      ]);
      const endpoints = dev.descriptors.filter(([t]) => t === 5).map(([, d]) => [d[2], (d[3] ?? 0) & 3, (d[4] ?? 0) | ((d[5] ?? 0) << 8)]);
      expect(endpoints).toEqual([
        [0x81, 3, 16],
        [0x02, 2, 64],
        [0x82, 2, 64],
      ]);
      expect(dev.endpoints).toEqual({ bulkIn: 2, bulkOut: 2, notify: 1 });
    });

    it('keeps the line coding a host sets, and stalls what it does not support', async () => {
      const board = new EmulatedBoard();
      await board.drive(board.usb.enumerate());
      await board.drive(board.usb.openSerial(9600, 7, 2, 2));
      const coding = await board.drive(board.usb.getLineCoding());
      expect(Array.from(coding)).toEqual([0x80, 0x25, 0, 0, 2, 2, 7]);
      // device qualifier: a full-speed-only device stalls it (USB 2.0 9.6.2)
      await expect(board.drive(board.usb.getDescriptor(6, 0, 10))).rejects.toBeInstanceOf(UsbStall);
      // a vendor request it has never heard of
      await expect(board.drive(board.usb.control({ bmRequestType: 0xc0, bRequest: 0x42, wValue: 0, wIndex: 0, wLength: 4 }))).rejects.toBeInstanceOf(UsbStall);
      // and the control pipe still works after a stall
      expect((await board.drive(board.usb.getDescriptor(1, 0, 18))).length).toBe(18);
    });

    it('the serial number is unique per board and stable across power cycles', async () => {
      const a = new EmulatedBoard({ uniqueId: Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8) });
      const b = new EmulatedBoard({ uniqueId: Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 9) });
      const sa = (await a.drive(a.usb.enumerate())).serialNumber;
      const sb = (await b.drive(b.usb.enumerate())).serialNumber;
      expect(sa).toBe('0102030405060708');
      expect(sb).toBe('0102030405060709');
      a.powerCycle();
      expect((await a.drive(a.usb.enumerate())).serialNumber).toBe(sa);
    });

    it("enumerates with rp2040js's own USBCDC host helper and answers a HELLO over it", async () => {
      const board = new EmulatedBoard();
      const cdc = new USBCDC(board.rp2040.usbCtrl);
      let connected = false;
      const rx: number[] = [];
      cdc.onDeviceConnected = () => (connected = true);
      cdc.onSerialData = (b) => rx.push(...b);
      await board.until(() => connected, 2000, 'USBCDC connection');
      // The helper asserts DTR in the same breath; give the device a moment to see it.
      await board.run(5);
      for (const b of encodeFrame({ type: FrameType.Command, seq: 7, cmd: Cmd.Hello, payload: HOST_NONCE })) cdc.sendSerialByte(b);
      const frames: Uint8Array[] = [];
      const split = new FrameSplitter();
      await board.until(
        () => {
          split.push(Uint8Array.from(rx.splice(0)), (c) => c && frames.push(c));
          return frames.some((f) => {
            const d = decodeFrame(f);
            return d.ok && d.frame.header.type === FrameType.Response;
          });
        },
        1000,
        'HELLO response',
      );
      const hello = frames.map((f) => decodeFrame(f)).find((d) => d.ok && d.frame.header.type === FrameType.Response);
      expect(hello?.ok && hello.frame.header.seq).toBe(7);
      expect(hello?.ok && hello.frame.payload.length).toBe(32);
    });
  });

  describe('a door session through the kiosk DoorController', () => {
    it('HELLO, key provisioning in set-up mode, a signed UNLOCK: GP2 high for the pulse, then low', async () => {
      const s = await session({ inputs: { setupPressed: true }, uniqueId: Uint8Array.of(0xe6, 0x61, 0x38, 0x52, 0x83, 0x1f, 0x2a, 0x2c) });
      const { board, ctrl } = s;
      const hello = await board.drive(ctrl.connect());
      expect(hello).toMatchObject({ state: 'fault', fault: 'not-provisioned' });
      if (hello.state !== 'fault' || !hello.info) throw new Error('no HELLO info');
      expect(hello.info.protocolVersion).toBe(PROTOCOL_VERSION); // 2
      expect(hello.info.firmware).toBe('2.0.0');
      expect(hello.info.deviceId).toBe('e6613852831f2a2c'); // the flash unique id, as over USB
      expect(hello.info.state & StateBit.Setup).toBe(StateBit.Setup);
      expect(await board.drive(ctrl.unlock(300))).toEqual({ outcome: 'refused', reason: 'NOT_PROVISIONED' });

      board.set({ setupPressed: false });
      const prov = await board.drive(ctrl.provisionKey(KEY.slice()));
      expect(prov.outcome).toBe('done');
      expect(ctrl.state.state).toBe('ready');
      expect(ctrl.keyed).toBe(true); // the board signed its HELLO answer with this session's K_mcu

      const sent = board.ms;
      const mark = s.tap.written.length;
      const r = await board.drive(ctrl.unlock(300));
      expect(r).toMatchObject({ outcome: 'done', value: { pulseMs: 300 } });
      // protocol v2: a CHALLENGE first, then the UNLOCK signed over it; both answers signed
      const [challenge, unlock] = commandsSent(s.tap, mark).filter((f) => f.header.cmd !== Cmd.Heartbeat);
      expect([challenge?.header.cmd, unlock?.header.cmd]).toEqual([Cmd.Challenge, Cmd.Unlock]);
      expect(unlock?.header.flags).toBe(FLAG_AUTH);
      for (const f of [challenge, unlock]) {
        const answers = s.tap.answersTo(f?.header.seq ?? -1);
        expect(answers.map((a) => [a.header.type, a.header.flags & FLAG_AUTH])).toEqual([[FrameType.Response, FLAG_AUTH]]);
      }
      await board.until(() => pulses(board, sent).some((p) => p.fall !== null), 1000, 'relay pulse');
      const [pulse] = pulses(board, sent);
      if (!pulse || pulse.fall === null) throw new Error('no pulse');
      expect(pulse.rise).toBeGreaterThan(sent);
      // the MCU's own relock timer, on its 1 ms clock
      expect(Math.abs(pulse.fall - pulse.rise - 300)).toBeLessThan(1.5);
      expect(board.relay).toBe(false);
      await board.until(() => s.events.filter((e) => e.kind === 'relay').length >= 2, 1000, 'relay events');
      expect(s.events.filter((e) => e.kind === 'relay').map((e) => e.kind === 'relay' && [e.released, e.cause])).toEqual([
        [true, 1],
        [false, 3],
      ]);
      // the same board refuses a second key: set-up mode ended with the first
      expect(await board.drive(ctrl.provisionKey(KEY.map((b) => b ^ 0x55)))).toEqual({ outcome: 'refused', reason: 'NOT_IN_SETUP_MODE' });
      expect(ctrl.linkFaults).toBe(0); // every answer and event the image sent verified
    });

    it('a signed UNLOCK held back past its 3 s challenge, or replayed, is refused: heartbeats keep the session, not the challenge', async () => {
      const { board, ctrl, tap } = await provisioned();
      const state = ctrl.state;
      if (state.state !== 'ready') throw new Error(`not ready: ${state.state}`);
      // what someone on the cable who had the key's signature for one command would hold
      const session = tap.sessionNonces(state.info.nonce);
      const answerTo = async (seq: number) => {
        await board.until(() => tap.answersTo(seq).length > 0, 500, `an answer to ${seq.toString(16)}`);
        return tap.answersTo(seq).at(-1);
      };
      await tap.inject(encodeFrame({ type: FrameType.Command, seq: 0x6000, cmd: Cmd.Challenge }));
      const challenge = (await answerTo(0x6000))?.payload.slice(0, 16) ?? new Uint8Array(16);
      const held = await encodeSigned({ seq: 0x6001, cmd: Cmd.Unlock, body: Uint8Array.of(0x2c, 0x01), counter: 5000, key: await importDoorKey(KEY), session, challenge });
      const edges = board.relayEdges.length;
      await board.run(3100); // by the board's own clock; the panel's heartbeats go on meanwhile
      expect(ctrl.state.state).toBe('ready');
      await tap.inject(held);
      const refused = await answerTo(0x6001);
      expect(refused?.header.type).toBe(FrameType.Nak);
      expect(reasonName(refused?.payload[0] ?? 0)).toBe('STALE_CHALLENGE');
      await board.run(50);
      expect(board.relayEdges.length).toBe(edges);

      // a genuine UNLOCK, recorded off the cable and played again after the pulse
      const sent = board.ms;
      expect((await board.drive(ctrl.unlock(200))).outcome).toBe('done');
      await board.until(() => pulses(board, sent).some((p) => p.fall !== null), 1000, 'relay pulse');
      const recorded = tap.lastCommand(Cmd.Unlock);
      const d = recorded && decodeFrame(recorded.subarray(0, recorded.length - 1));
      if (!recorded || !d?.ok) throw new Error('no UNLOCK recorded');
      // after another command: a frame repeated at once is a retry, answered from the board's
      // duplicate cache with its first answer (and no second pulse)
      expect((await board.drive(ctrl.status())).outcome).toBe('done');
      const before = tap.answersTo(d.frame.header.seq).length;
      await tap.inject(recorded);
      await board.until(() => tap.answersTo(d.frame.header.seq).length > before, 500, 'an answer to the replay');
      expect(reasonName(tap.answersTo(d.frame.header.seq).at(-1)?.payload[0] ?? 0)).toBe('STALE_CHALLENGE');
      await board.run(50);
      expect(pulses(board, sent)).toHaveLength(1);
    });

    it('an UNLOCK signed with another key is refused and the relay never moves', async () => {
      const { board, ctrl } = await provisioned();
      const edges = board.relayEdges.length;
      ctrl.setKey(await crypto.subtle.importKey('raw', KEY.map((b) => b ^ 1), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']));
      expect(await board.drive(ctrl.unlock(300))).toEqual({ outcome: 'refused', reason: 'BAD_TAG' });
      await board.run(50);
      expect(board.relayEdges.length).toBe(edges);
    });

    it('keeps the key in flash across a power cycle (through the boot ROM flash functions) and reconnects by itself', async () => {
      const { board, ctrl, events } = await provisioned();
      // a record was programmed past the image, in the last two sectors
      const imageEnd = parseUf2(new Uint8Array(readFileSync(UF2_PATH))).length * 256;
      expect(imageEnd).toBeLessThanOrEqual(board.flashChip.memory.length - 8192);
      expect(storeRecords(board)).toEqual([
        { seq: 1, hasKey: true, hasConfig: false },
        { seq: 0, hasKey: false, hasConfig: false },
      ]);
      // write enable, sector erase, page program, and status polls until each was done
      expect(board.flashChip.commands.map((c) => c.opcode)).toEqual(expect.arrayContaining([0x06, 0x20, 0x02]));
      expect(board.flashChip.statusReads).toBeGreaterThan(0);
      board.powerCycle();
      await board.until(() => ctrl.state.state === 'ready', 5000, 'the controller back in session');
      await board.until(() => events.some((e) => e.kind === 'boot'), 1500, 'the BOOT event');
      expect(ctrl.keyed).toBe(true);
      const sent = board.ms;
      expect((await board.drive(ctrl.unlock(200))).outcome).toBe('done');
      await board.until(() => pulses(board, sent).some((p) => p.fall !== null), 1000, 'relay pulse');
    });

    it('the A/B key store: writes alternate between the two sectors, and key and config survive power cycles', async () => {
      const s = await provisioned();
      const { board, ctrl } = s;
      expect((await board.drive(ctrl.setConfig(CONFIG_A))).outcome).toBe('done');
      // the newest record went to the other sector; the one before it is untouched
      expect(storeRecords(board)).toEqual([
        { seq: 1, hasKey: true, hasConfig: false },
        { seq: 2, hasKey: true, hasConfig: true },
      ]);
      board.powerCycle();
      await board.until(() => ctrl.state.state === 'ready' && ctrl.keyed, 5000, 'the controller back in a keyed session');
      expect(await configNow(s)).toEqual(CONFIG_A);
      expect((await board.drive(ctrl.setConfig(CONFIG_B))).outcome).toBe('done');
      expect(storeRecords(board)).toEqual([
        { seq: 3, hasKey: true, hasConfig: true },
        { seq: 2, hasKey: true, hasConfig: true },
      ]);
      board.powerCycle();
      await board.until(() => ctrl.state.state === 'ready' && ctrl.keyed, 5000, 'the controller back in a keyed session');
      expect(await configNow(s)).toEqual(CONFIG_B);
      expect(board.boots).toEqual(['power', 'power', 'power']);
    });

    it('a power cut between the erase and the program of a SET_CONFIG: the board comes back with its key and the old config', async () => {
      const s = await provisioned();
      const { board, ctrl } = s;
      expect((await board.drive(ctrl.setConfig(CONFIG_A))).outcome).toBe('done');
      const sectorA = board.flashChip.memory.length - 8192;
      board.cutPowerAt((w) => w.opcode === 0x20 && w.addr === sectorA); // the older record's sector
      // The panel would send SET_CONFIG again in the new session by itself: held back here, to
      // see the board as the cut left it.
      const { tap } = s;
      const stop = board.onBoot(() => tap.withhold.add(Cmd.SetConfig));
      const cut = await board.drive(ctrl.setConfig(CONFIG_B));
      stop();
      expect(cut.outcome).not.toBe('done');
      expect(board.boots).toEqual(['power', 'power']);
      expect(storeRecords(board)[0]).toEqual({ seq: 0, hasKey: false, hasConfig: false }); // erased, never programmed
      await board.until(() => ctrl.state.state === 'ready' && ctrl.keyed, 5000, 'the controller back in a keyed session');
      expect(await configNow(s)).toEqual(CONFIG_A);
      // and the store takes the write again, into the same sector
      tap.withhold.clear();
      expect((await board.drive(ctrl.setConfig(CONFIG_B))).outcome).toBe('done');
      expect(storeRecords(board)).toEqual([
        { seq: 3, hasKey: true, hasConfig: true },
        { seq: 2, hasKey: true, hasConfig: true },
      ]);
      const sent = board.ms;
      expect((await board.drive(ctrl.unlock(200))).outcome).toBe('done');
      await board.until(() => pulses(board, sent).some((p) => p.fall !== null), 1000, 'relay pulse');
    });
  });

  describe('local inputs', () => {
    it('the exit button opens the door with no host at all, for max_pulse_ms', async () => {
      const board = new EmulatedBoard(); // nothing on USB or the UART
      await board.run(50);
      board.set({ exitPressed: true });
      await board.run(60);
      board.set({ exitPressed: false });
      await board.until(() => pulses(board).some((p) => p.fall !== null), 6000, 'the exit pulse to end');
      const [p] = pulses(board);
      if (!p || p.fall === null) throw new Error('no pulse');
      expect(Math.abs(p.fall - p.rise - 5000)).toBeLessThan(1.5); // the default max_pulse_ms
    });

    it('door contact, exit button, tamper loop and set-up button reach the panel as events and state', async () => {
      const { board, ctrl, events } = await provisioned();
      const seen = (pred: (e: DoorEvent) => boolean, what: string) => board.until(() => events.some(pred), 1000, what);

      board.set({ doorOpen: true }); // opened with the relay locked: forced
      await seen((e) => e.kind === 'door' && e.open, 'door opened event');
      await seen((e) => e.kind === 'fault' && e.code === 2, 'forced-door fault');
      const st = await board.drive(ctrl.status());
      expect(st.outcome === 'done' && st.value.state & StateBit.Door).toBe(StateBit.Door);
      board.set({ doorOpen: false });
      await seen((e) => e.kind === 'door' && !e.open, 'door closed event');

      board.set({ exitPressed: true });
      await seen((e) => e.kind === 'exit-button', 'exit-button event');
      board.set({ exitPressed: false });
      expect(await board.drive(ctrl.lock())).toMatchObject({ outcome: 'done' });

      board.set({ tamperBroken: true });
      await seen((e) => e.kind === 'tamper' && e.active, 'tamper event');
      await board.until(() => ctrl.state.state === 'fault', 1000, 'tamper lockout on the panel');
      expect(ctrl.state).toMatchObject({ state: 'fault', fault: 'tamper-lockout' });
      expect(await board.drive(ctrl.unlock(300))).toEqual({ outcome: 'refused', reason: 'LOCKED_OUT' });
      board.set({ tamperBroken: false });
      await seen((e) => e.kind === 'tamper' && !e.active, 'tamper cleared event');
      // the latch outlives the loop closing; a press of the set-up button (inside) clears it
      const latched = await board.drive(ctrl.status());
      expect(latched.outcome === 'done' && latched.value.state & StateBit.Lockout).toBe(StateBit.Lockout);
      board.set({ setupPressed: true });
      await board.run(60);
      board.set({ setupPressed: false });
      await board.run(30);
      const cleared = await board.drive(ctrl.status());
      expect(cleared.outcome === 'done' && cleared.value.state & StateBit.Lockout).toBe(0);
    });
  });

  describe('failure', () => {
    it('a relay output that does not read back is driven locked, never left released', async () => {
      // a driver stage shorted to ground: the pad reads low whatever the pin drives
      const { board, ctrl, events } = await provisioned({ relayPad: 'stuck-low' });
      // the panel is told, in a signed refusal, instead of "done" for a door that never opened
      expect(await board.drive(ctrl.unlock(300))).toEqual({ outcome: 'refused', reason: 'RELAY_FAILURE' });
      expect(ctrl.linkFaults).toBe(0);
      await board.run(10);
      expect(board.rp2040.gpio[PIN.relay]?.outputValue).toBe(false); // the output itself, not the pad
      await board.run(400);
      expect(board.rp2040.gpio[PIN.relay]?.outputValue).toBe(false);
      expect(events.filter((e) => e.kind === 'relay')).toEqual([]);
    });

    it('a slow flash erase during SET_CONFIG does not trip the watchdog: each flash operation has its own budget', async () => {
      // 600 ms per sector erase: past the main loop's 500 ms watchdog (the W25Q16JV's maximum is 400 ms)
      const s = await provisioned({ flashTimings: { ...W25Q16_TYPICAL, sectorEraseNs: 600_000_000 } });
      const { board, ctrl } = s;
      for (const cfg of [CONFIG_A, CONFIG_B]) expect((await board.drive(ctrl.setConfig(cfg))).outcome).toBe('done');
      expect(board.boots).toEqual(['power']); // no watchdog reset, in provisioning either
      expect(storeRecords(board).map((r) => r.seq)).toEqual([3, 2]);
      expect(await configNow(s)).toEqual(CONFIG_B);
      expect(ctrl.state.state).toBe('ready');
    }, 120_000); // two 600 ms erases per write, emulated instruction by instruction: 19 s alone, past 30 s beside the other test files

    it('a flash chip that never finishes an erase still gets the board rebooted by the watchdog, with its key', async () => {
      const s = await provisioned();
      const { board, ctrl } = s;
      let erasedAt: number | null = null;
      board.flashChip.fault = 'hang-on-next-write';
      board.flashChip.onWrite = (w) => (erasedAt ??= w.opcode === 0x20 ? board.ms : null);
      void ctrl.setConfig(CONFIG_A).catch(() => undefined);
      await board.until(() => board.boots.includes('watchdog'), 2000, 'a watchdog reset');
      if (erasedAt === null) throw new Error('no erase seen');
      const rebootedAt = board.ms;
      expect(rebootedAt - erasedAt).toBeLessThanOrEqual(1000 + 2); // the flash operation's budget
      expect(board.relay).toBe(false);
      await board.until(() => ctrl.state.state === 'ready' && ctrl.keyed, 5000, 'the controller back in a keyed session');
      expect(storeRecords(board)[0]).toEqual({ seq: 1, hasKey: true, hasConfig: false });
    });

    it('heartbeat loss: fail-safe releases the relay when the panel goes quiet, fail-secure keeps it locked', async () => {
      const { board, ctrl } = await provisioned();
      const cfg = await board.drive(ctrl.setConfig({ maxPulseMs: 5000, failMode: 1, heartbeatTimeoutMs: 1000, heldOpenMs: 30000 }));
      expect(cfg.outcome).toBe('done');
      await board.run(2500); // heartbeats keep it in session
      expect(board.relay).toBe(false);
      const quiet = board.ms;
      await ctrl.close(); // the panel stops talking
      await board.until(() => board.relay, 2000, 'fail-safe release');
      const released = board.relayEdges[board.relayEdges.length - 1];
      expect(released?.high).toBe(true);
      // heartbeat_timeout_ms after the last frame, which came at most a heartbeat interval before
      expect((released?.atMs ?? 0) - quiet).toBeLessThanOrEqual(1000 + 2);

      // a panel coming back: HELLO ends the fail state and says it happened
      const link = new CdcTransport(board);
      await link.open();
      const again = new DoorController({ transport: link, clock: board.hostClock, key: null });
      open.push({ ctrl: again });
      const hello = await board.drive(again.connect());
      expect(hello.state === 'fault' && hello.info?.lastFail).toBe(2); // watchdog -> fail-safe
      expect(board.relay).toBe(false);

      // fail-secure: silence leaves the door locked
      again.setKey(await crypto.subtle.importKey('raw', KEY, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']));
      await board.drive(again.connect());
      expect((await board.drive(again.setConfig({ maxPulseMs: 5000, failMode: 0, heartbeatTimeoutMs: 1000, heldOpenMs: 30000 }))).outcome).toBe('done');
      const edges = board.relayEdges.length;
      await again.close();
      open.pop();
      await board.run(1500);
      expect(board.relay).toBe(false);
      expect(board.relayEdges.length).toBe(edges);
      const link3 = new CdcTransport(board);
      await link3.open();
      const third = new DoorController({ transport: link3, clock: board.hostClock, key: null });
      open.push({ ctrl: third });
      const h3 = await board.drive(third.connect());
      expect(h3.state === 'fault' && h3.info?.lastFail).toBe(1); // watchdog -> fail-secure
    });

    it('the hardware watchdog reboots a hung main loop within 500 ms: relay locked, USB back, panel reconnects', async () => {
      const { board, ctrl, events } = await provisioned();
      const sent = board.ms;
      expect((await board.drive(ctrl.unlock(3000))).outcome).toBe('done');
      await board.until(() => board.relay, 100, 'relay released');
      const hungAt = board.ms;
      board.hang(); // the CPU stuck in a loop, as in the HardFault handler
      await board.until(() => board.boots.includes('watchdog'), 1000, 'a watchdog reset');
      expect(board.ineffectiveWatchdogs).toBe(0);
      expect(board.relay).toBe(false);
      const [p] = pulses(board, sent);
      if (!p || p.fall === null) throw new Error('no pulse end');
      expect(p.fall - hungAt).toBeLessThanOrEqual(500 + 2); // the load value: 500 ms
      expect(p.fall - p.rise).toBeLessThan(3000); // the reset ended the pulse, not the timer
      await board.until(() => ctrl.state.state === 'ready', 5000, 'the panel back in session');
      await board.until(() => events.some((e) => e.kind === 'boot'), 1500, 'the BOOT event');
    });
  });

  describe('UART', () => {
    it('frames from the USB and the UART never interleave; a frame torn off on one link costs only itself', async () => {
      const board = new EmulatedBoard();
      await board.drive(board.usb.enumerate());
      await board.drive(board.usb.openSerial(115_200));
      const answered = new Set<number>();
      const split = new FrameSplitter();
      board.usb.onData((b) =>
        split.push(b, (c) => {
          const d = c ? decodeFrame(c) : null;
          if (d?.ok && d.frame.header.type === FrameType.Response) answered.add(d.frame.header.seq);
        }),
      );
      const hello = (seq: number) => encodeFrame({ type: FrameType.Command, seq, cmd: Cmd.Hello, payload: HOST_NONCE });
      // a frame arriving on the UART while the USB one is half in
      const uart = hello(0x0101);
      board.uartWrite(uart.subarray(0, 6));
      await board.run(3);
      board.usb.write(hello(0x0202));
      await board.run(3);
      board.uartWrite(uart.subarray(6));
      await board.until(() => answered.has(0x0101) && answered.has(0x0202), 500, 'both HELLOs answered');
      // the UART stops mid-frame (cable pulled): the USB frame is answered once that link is let go
      board.uartWrite(hello(0x0303).subarray(0, 5));
      await board.run(3);
      board.usb.write(hello(0x0404));
      await board.until(() => answered.has(0x0404), 500, 'the USB HELLO after the torn UART frame');
      expect(answered.has(0x0303)).toBe(false);
    });


    it('GP0/GP1 at 115200 8N1 is a second host link for the same session protocol', async () => {
      const board = new EmulatedBoard({ uniqueId: Uint8Array.of(9, 8, 7, 6, 5, 4, 3, 2) });
      await board.run(30);
      const ctrl = new DoorController({ transport: new UartTransport(board), clock: board.hostClock, key: null });
      try {
        const hello = await board.drive(ctrl.connect());
        expect(hello).toMatchObject({ state: 'fault', fault: 'not-provisioned' });
        expect(hello.state === 'fault' && hello.info?.deviceId).toBe(hex(Uint8Array.of(9, 8, 7, 6, 5, 4, 3, 2)));
        const st = await board.drive(ctrl.status());
        expect(st.outcome).toBe('done');
      } finally {
        await ctrl.close();
      }
    });
  });
});
