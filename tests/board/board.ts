// One Raspberry Pi Pico running build/doorward.uf2 in the rp2040js emulator, wired as the door
// controller is in panel-bridge/README.md: relay on GP2, door contact GP3, exit button GP4,
// tamper loop GP5, set-up button GP6 (switches to ground, pull-ups in the chip), the UART on
// GP0/GP1 and a USB host on the USB port.
//
// What stands in for what (panel-bridge/README.md, "Tested without hardware"):
// - the boot ROM: build/rom_standin.bin (tests/rp2040_rom, written here from the datasheet);
//   rp2040js has no ROM of its own. It loads boot2 into SRAM, checks its CRC and enters it, and
//   provides the flash functions the key store calls;
// - the flash chip and the SSI/IO_QSPI in front of it: flash-chip.ts;
// - the ring oscillator's random bit (rp2040js leaves the ROSC unimplemented): a seeded PRNG;
// - a watchdog reset: a fresh RP2040 instance with the same flash contents, taken only when the
//   firmware selected the processor in PSM_WDSEL, as the silicon does;
// - the relay pin's pad loop-back (an output pin's GPIO_IN reads the pad).
//
// Time is the emulator's: every instruction advances the board clock by its cycles at clk_sys,
// WFI skips to the next alarm, and `hostClock` lets a DoorController run on the same clock.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BasePeripheral, GPIOPinState, Simulator } from 'rp2040js';
import type { Logger, RP2040 } from 'rp2040js';
import type { Clock, TimerHandle } from '../../src/platform/clock.ts';
import { FlashSsi, IoQspi, SpiNorFlash, XipCtrl, guardXip } from './flash-chip.ts';
import type { FlashTimings, FlashWrite } from './flash-chip.ts';
import { checkRp2040Uf2, parseUf2, uf2ToFlash } from './uf2.ts';
import { UsbHost } from './usb-host.ts';

export const FIRMWARE_DIR = fileURLToPath(new URL('../../panel-bridge/firmware', import.meta.url));
export const UF2_PATH = `${FIRMWARE_DIR}/build/doorward.uf2`;
export const ELF_PATH = `${FIRMWARE_DIR}/build/doorward.elf`;
export const ROM_PATH = `${FIRMWARE_DIR}/build/rom_standin.bin`;

export const PIN = { uartTx: 0, uartRx: 1, relay: 2, door: 3, exit: 4, tamper: 5, setup: 6 } as const;

const FLASH_SIZE = 2 * 1024 * 1024; // the Pico's W25Q16JV
const PSM_PROC0 = 1 << 15;
const SLICE_NS = 1_000_000;
const SLICE_INSTRUCTIONS = 200_000;

/** The toolchain the image needs (install-deps.sh installs it; CI has it). */
export function hasArmToolchain(): boolean {
  try {
    execFileSync('arm-none-eabi-gcc', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Builds doorward.uf2 and the stand-in ROM with make (a no-op when they are up to date). */
export function buildFirmware(): void {
  execFileSync('make', ['-s', '-C', FIRMWARE_DIR, 'uf2', 'emu-rom'], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (!existsSync(UF2_PATH) || !existsSync(ROM_PATH)) throw new Error('make did not write doorward.uf2 and rom_standin.bin');
}

/** Symbol addresses from the ELF (for the bench's cycle counts and the hang test). */
export function elfSymbols(): Map<string, number> {
  const out = execFileSync('arm-none-eabi-nm', [ELF_PATH], { encoding: 'utf8' });
  const map = new Map<string, number>();
  for (const line of out.split('\n')) {
    const [addr, , name] = line.trim().split(/\s+/);
    if (addr && name) map.set(name, parseInt(addr, 16));
  }
  return map;
}

export interface BoardInputs {
  doorOpen: boolean;
  exitPressed: boolean;
  tamperBroken: boolean;
  setupPressed: boolean;
}

export interface BoardOptions {
  /** The flash chip's 64-bit unique id; a different one per board. */
  uniqueId?: Uint8Array;
  inputs?: Partial<BoardInputs>;
  /** The UF2 file to flash (the built doorward.uf2 by default). */
  uf2?: Uint8Array;
  /** Seed for the ring oscillator's random bit. */
  seed?: number;
  flashTimings?: FlashTimings;
  /** Wiring fault: 'stuck-low' is a relay driver input shorted to ground (GPIO_IN reads 0). */
  relayPad?: 'ok' | 'stuck-low';
}

export interface RelayEdge {
  readonly atMs: number;
  readonly high: boolean;
}

export type BootCause = 'power' | 'watchdog';

class CollectingLogger implements Logger {
  readonly warnings: string[] = [];
  debug(): void {}
  info(): void {}
  warn(component: string, message: string): void {
    this.warnings.push(`${component}: ${message}`);
  }
  error(component: string, message: string): void {
    this.warnings.push(`${component}: ERROR ${message}`);
  }
}

/** ROSC RANDOMBIT (datasheet 2.17) from xorshift32: repeatable per seed. */
class Rosc extends BasePeripheral {
  #state: number;
  constructor(rp2040: RP2040, seed: number) {
    super(rp2040, 'ROSC_BASE');
    this.#state = seed >>> 0 || 1;
  }
  override readUint32(offset: number): number {
    if (offset !== 0x1c) return 0;
    let x = this.#state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.#state = x >>> 0;
    return this.#state & 1;
  }
  override writeUint32(): void {}
}

/** One power-on of the chip. */
class Chip {
  readonly sim = new Simulator();
  readonly rp2040: RP2040 = this.sim.rp2040;
  readonly logger = new CollectingLogger();
  readonly flash: SpiNorFlash;
  readonly ssi: FlashSsi;
  readonly io: IoQspi;
  readonly usb: UsbHost;
  readonly breaks: number[] = [];
  /** The first instruction run inside boot2's SRAM copy, and boot2's VTOR write. */
  boot2EnteredAt: number | null = null;
  watchdogFired = false;
  /** Called before each instruction with its address (the bench's probes); null when unused. */
  onInstruction: ((pc: number) => void) | null = null;

  constructor(rom: Uint32Array, flashImage: Uint8Array, uniqueId: Uint8Array, seed: number, timings: FlashTimings | undefined, onViolation: (what: string) => void) {
    const chip = this.rp2040;
    chip.logger = this.logger;
    chip.loadBootrom(rom); // resets the core and fills flash with 0xFF
    chip.flash.set(flashImage.subarray(0, FLASH_SIZE));
    const memory = chip.flash.subarray(0, FLASH_SIZE);
    this.flash = new SpiNorFlash(memory, uniqueId, () => this.sim.clock.nanos, timings);
    this.io = new IoQspi(chip, this.flash);
    this.ssi = new FlashSsi(chip, this.flash, () => this.io);
    chip.peripherals[0x18000] = this.ssi;
    chip.peripherals[0x40018] = this.io;
    chip.peripherals[0x14000] = new XipCtrl(chip);
    chip.peripherals[0x40060] = new Rosc(chip, seed);
    guardXip(chip, this.ssi, onViolation);
    chip.onBreak = (code) => {
      this.breaks.push(code);
      this.sim.stop();
    };
    this.usb = new UsbHost(chip);
  }

  get halted(): boolean {
    return this.breaks.length > 0;
  }

  /** Runs until the chip clock reaches endNs, stopping early after maxInstructions or a reboot. */
  run(endNs: number, maxInstructions: number, stop: () => boolean): void {
    const { core } = this.rp2040;
    const clock = this.sim.clock;
    for (let n = 0; n < maxInstructions && clock.nanos < endNs && !this.halted && !stop(); n++) {
      if (core.waiting) {
        const next = clock.nanosToNextAlarm;
        if (next > 0) clock.tick(Math.min(next, endNs - clock.nanos));
        else {
          clock.tick(0); // alarms due now
          if (core.waiting && clock.nanosToNextAlarm === 0) clock.tick(endNs - clock.nanos); // nothing will wake it
        }
      } else {
        if (this.boot2EnteredAt === null && core.PC >= 0x20041f00 && core.PC < 0x20042000) this.boot2EnteredAt = core.PC;
        this.onInstruction?.(core.PC);
        const cycles = core.executeInstruction();
        clock.tick((cycles * 1e9) / this.rp2040.clkSys);
      }
    }
  }
}

interface HostTimer {
  readonly id: number;
  readonly at: number;
  readonly cb: () => void;
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export class EmulatedBoard {
  readonly uniqueId: Uint8Array;
  readonly relayEdges: RelayEdge[] = [];
  readonly boots: BootCause[] = [];
  readonly violations: string[] = [];
  /** Watchdog timeouts that reset nothing (PSM_WDSEL left empty): the loop stays hung. */
  ineffectiveWatchdogs = 0;
  readonly #rom: Uint32Array;
  readonly #seed: number;
  readonly #timings: FlashTimings | undefined;
  readonly #relayPad: 'ok' | 'stuck-low';
  #flash: Uint8Array;
  #chip: Chip;
  #offsetNs = 0;
  #rebootPending: BootCause | null = null;
  #timers: HostTimer[] = [];
  #nextTimer = 1;
  readonly #inputs: BoardInputs;
  readonly #bootListeners = new Set<(usb: UsbHost, cause: BootCause) => void>();
  readonly #uartListeners = new Set<(bytes: Uint8Array) => void>();
  #uartQueue: number[] = [];
  #realtime: { stop: boolean; done: Promise<void> } | null = null;
  /** In startRealtime: how far board time was behind the wall clock at the last slice. */
  lagMs = 0;

  /** A fresh board: flash programmed from the UF2 (as the boot ROM's drive would), powered on. */
  constructor(options: BoardOptions = {}) {
    const file = options.uf2 ?? new Uint8Array(readFileSync(UF2_PATH));
    const blocks = parseUf2(file);
    checkRp2040Uf2(blocks);
    this.#flash = new Uint8Array(FLASH_SIZE).fill(0xff);
    this.#flash.set(uf2ToFlash(blocks));
    const rom = readFileSync(ROM_PATH);
    const words = new Uint8Array((rom.length + 3) & ~3);
    words.set(rom);
    this.#rom = new Uint32Array(words.buffer);
    this.uniqueId = options.uniqueId ?? Uint8Array.of(0xe6, 0x61, 0x38, 0x52, 0x83, 0x1f, 0x2a, 0x2c);
    this.#seed = options.seed ?? 0x2545f491;
    this.#timings = options.flashTimings;
    this.#relayPad = options.relayPad ?? 'ok';
    this.#inputs = { doorOpen: false, exitPressed: false, tamperBroken: false, setupPressed: false, ...options.inputs };
    this.#chip = this.#powerOn('power');
  }

  // ---- time ----

  get nanos(): number {
    return this.#offsetNs + this.#chip.sim.clock.nanos;
  }

  get ms(): number {
    return this.nanos / 1e6;
  }

  /** A Clock on board time, for a DoorController (or anything host-side) talking to this board. */
  readonly hostClock: Clock = {
    now: () => this.ms,
    setTimeout: (cb: () => void, ms: number): TimerHandle => {
      const t = { id: this.#nextTimer++, at: this.nanos + Math.max(0, ms) * 1e6, cb };
      const i = this.#timers.findIndex((x) => x.at > t.at);
      if (i < 0) this.#timers.push(t);
      else this.#timers.splice(i, 0, t);
      return t.id;
    },
    clearTimeout: (h: TimerHandle) => {
      this.#timers = this.#timers.filter((t) => t.id !== h);
    },
  };

  // ---- the chip ----

  get rp2040(): RP2040 {
    return this.#chip.rp2040;
  }

  get usb(): UsbHost {
    return this.#chip.usb;
  }

  get flashChip(): SpiNorFlash {
    return this.#chip.flash;
  }

  get ssi(): FlashSsi {
    return this.#chip.ssi;
  }

  get boot2EnteredAt(): number | null {
    return this.#chip.boot2EnteredAt;
  }

  get breakpoints(): readonly number[] {
    return this.#chip.breaks;
  }

  /** What rp2040js logged this boot: reads and writes of registers it does not implement. */
  get emulatorWarnings(): readonly string[] {
    return this.#chip.logger.warnings;
  }

  /** A probe run before every instruction of this boot (see scripts/bench-controller.ts). */
  set onInstruction(probe: ((pc: number) => void) | null) {
    this.#chip.onInstruction = probe;
  }

  get relay(): boolean {
    return this.rp2040.gpio[PIN.relay]?.value === GPIOPinState.High;
  }

  onBoot(cb: (usb: UsbHost, cause: BootCause) => void): () => void {
    this.#bootListeners.add(cb);
    return () => this.#bootListeners.delete(cb);
  }

  #powerOn(cause: BootCause): Chip {
    const chip = new Chip(this.#rom, this.#flash, this.uniqueId, this.#seed + this.boots.length, this.#timings, (what) => {
      this.violations.push(what);
      throw new Error(`XIP violation: ${what}`);
    });
    this.#flash = chip.flash.memory; // the chip's memory is the board's flash from now on
    const relay = chip.rp2040.gpio[PIN.relay];
    relay?.addListener((state) => {
      const high = state === GPIOPinState.High;
      relay.setInputValue(high && this.#relayPad === 'ok'); // the pad reads back what the pin drives
      const last = this.relayEdges[this.relayEdges.length - 1];
      if (!last || last.high !== high) this.relayEdges.push({ atMs: this.#offsetNs / 1e6 + chip.sim.clock.nanos / 1e6, high });
    });
    const wd = chip.rp2040.peripherals[0x40058] as unknown as { onWatchdogTrigger: () => void; alarm: { enable: boolean }; timer: { enable: boolean } };
    const psm = chip.rp2040.peripherals[0x40010] as unknown as { wdsel: number };
    wd.onWatchdogTrigger = () => {
      // rp2040js re-arms the expired alarm at once and would fire it forever: once is the event
      wd.alarm.enable = false;
      wd.timer.enable = false;
      chip.watchdogFired = true;
      if (psm.wdsel & PSM_PROC0) this.#rebootPending = 'watchdog';
      else this.ineffectiveWatchdogs++;
    };
    const uart = chip.rp2040.uart[0];
    if (uart) uart.onByte = (b) => this.#uartListeners.forEach((cb) => cb(Uint8Array.of(b)));
    const last = this.relayEdges[this.relayEdges.length - 1];
    if (last?.high) this.relayEdges.push({ atMs: this.#offsetNs / 1e6, high: false }); // a reset releases the pin
    this.boots.push(cause);
    this.#chip = chip;
    this.#applyInputs();
    for (const cb of this.#bootListeners) cb(chip.usb, cause);
    return chip;
  }

  /** Unplug and plug back in: everything restarts but the flash. */
  powerCycle(): void {
    this.#reboot('power');
  }

  /**
   * Fault injection: the power goes the moment the flash chip takes an erase or program that
   * `when` picks (before the instruction after it runs), and comes back at once. Once only.
   */
  cutPowerAt(when: (w: FlashWrite) => boolean): void {
    const flash = this.#chip.flash;
    flash.onWrite = (w) => {
      if (!when(w)) return;
      flash.onWrite = null;
      this.#rebootPending = 'power';
    };
  }

  #reboot(cause: BootCause): void {
    this.#offsetNs += this.#chip.sim.clock.nanos;
    this.#chip.sim.stop();
    this.#powerOn(cause);
  }

  // ---- wiring ----

  /** Switches to ground with the chip's pull-ups: which level each pin reads (README wiring). */
  #applyInputs(): void {
    const g = this.rp2040.gpio;
    g[PIN.door]?.setInputValue(this.#inputs.doorOpen); // reed closed (door shut) pulls it low
    g[PIN.exit]?.setInputValue(!this.#inputs.exitPressed);
    g[PIN.tamper]?.setInputValue(this.#inputs.tamperBroken); // intact loop pulls it low
    g[PIN.setup]?.setInputValue(!this.#inputs.setupPressed);
    g[PIN.uartRx]?.setInputValue(true); // idle line
  }

  set(inputs: Partial<BoardInputs>): void {
    Object.assign(this.#inputs, inputs);
    this.#applyInputs();
  }

  get inputs(): Readonly<BoardInputs> {
    return { ...this.#inputs };
  }

  /** Bytes into the UART's RX pin, paced by its 32-byte FIFO. */
  uartWrite(bytes: Uint8Array): void {
    this.#uartQueue.push(...bytes);
    this.#feedUart();
  }

  onUart(cb: (bytes: Uint8Array) => void): () => void {
    this.#uartListeners.add(cb);
    return () => this.#uartListeners.delete(cb);
  }

  #feedUart(): void {
    const uart = this.rp2040.uart[0];
    const RXFF = 1 << 6;
    while (uart && this.#uartQueue.length && !(uart.readUint32(0x18) & RXFF)) uart.feedByte(this.#uartQueue.shift() ?? 0);
  }

  /** Fault injection: the processor stuck in an endless loop (the HardFault handler's). */
  hang(): void {
    const hardFault = this.rp2040.readUint32(0x10000100 + 3 * 4) & ~1;
    this.rp2040.core.PC = hardFault;
  }

  // ---- running ----

  /** Board time moves by up to ns: chip, host timers and the UART feed, in time order. */
  #slice(ns: number): void {
    const end = this.nanos + ns;
    // Deadlines are compared on the running chip's own clock: after a reboot board time is an
    // offset plus that clock, and the sum can fall short of a deadline by a rounding step that
    // the chip, stopped exactly at it, would never make up (the board stood still).
    const local = (at: number) => at - this.#offsetNs;
    while (this.#chip.sim.clock.nanos < local(end)) {
      const timer = this.#timers[0];
      if (timer && local(timer.at) <= this.#chip.sim.clock.nanos) {
        this.#timers.shift();
        timer.cb();
        continue;
      }
      const until = Math.min(end, timer ? timer.at : end);
      const before = this.nanos;
      this.#chip.run(local(until), SLICE_INSTRUCTIONS, () => this.#rebootPending !== null);
      if (this.#rebootPending) {
        const cause = this.#rebootPending;
        this.#rebootPending = null;
        this.#reboot(cause);
      }
      if (this.#chip.halted && this.nanos === before) {
        this.#chip.sim.clock.tick(local(until) - this.#chip.sim.clock.nanos); // stopped at a breakpoint: time still passes
      }
      this.#feedUart();
      this.usb.checkStall();
      if (this.nanos === before) break; // instruction budget spent; the caller yields and comes back
    }
  }

  /** Runs the board for ms of board time, letting host-side promises settle along the way. */
  async run(ms: number): Promise<void> {
    const end = this.nanos + ms * 1e6;
    while (end - this.nanos >= 1) {
      this.#slice(Math.min(SLICE_NS, end - this.nanos));
      await yieldToEventLoop();
    }
  }

  /** Runs until cond holds; fails after ms of board time, naming what it waited for. */
  async until(cond: () => boolean, ms: number, what: string): Promise<void> {
    const end = this.nanos + ms * 1e6;
    while (!cond()) {
      if (this.nanos >= end) throw new Error(`board: no ${what} within ${ms} ms of board time (at ${this.ms.toFixed(1)} ms)`);
      this.#slice(SLICE_NS);
      await yieldToEventLoop();
    }
  }

  /** Runs the board until p settles (a DoorController call, a USB transfer) and returns it. */
  async drive<T>(p: Promise<T>, ms = 10_000, what = 'answer'): Promise<T> {
    let settled = false;
    p.then(
      () => (settled = true),
      () => (settled = true),
    );
    await this.until(() => settled, ms, what);
    return p;
  }

  /**
   * Runs the board in step with the wall clock until stopped (for a browser on real time).
   * When the emulator cannot keep up, board time falls behind; `lagMs` says by how much.
   */
  startRealtime(): void {
    if (this.#realtime) return;
    const state = { stop: false, done: Promise.resolve() };
    const startReal = performance.now();
    const startBoard = this.nanos;
    state.done = (async () => {
      while (!state.stop) {
        const target = startBoard + (performance.now() - startReal) * 1e6;
        if (this.nanos < target) this.#slice(Math.min(SLICE_NS, target - this.nanos));
        this.lagMs = Math.max(0, (target - this.nanos) / 1e6);
        if (this.nanos >= target) await new Promise((r) => setTimeout(r, 1));
        else await yieldToEventLoop();
      }
    })();
    this.#realtime = state;
  }

  async stopRealtime(): Promise<void> {
    const r = this.#realtime;
    this.#realtime = null;
    if (!r) return;
    r.stop = true;
    await r.done;
  }
}
