// The Pico's flash chip, and the parts of the RP2040 that talk to it, for the rp2040js emulator.
//
// rp2040js maps flash straight into the XIP window and its SSI answers only the status poll of
// the pico-sdk's boot2, so a program's own SSI commands (the 4Bh unique-id read, the boot ROM's
// erase and program) would reach nothing. Here the SSI (RP2040 datasheet 4.10) and IO_QSPI's
// chip-select override (2.19.6.2) are replaced by models that pass bytes to a 25-series SPI NOR
// flash model (the commands of, say, a Winbond W25Q16JV), and the XIP window is guarded: an
// instruction or data fetch from flash while the SSI is not set up for XIP, or a CPU write into
// the window, is the hang or silent no-op it would be on a real board, and fails the test.
import { BasePeripheral } from 'rp2040js';
import type { RP2040 } from 'rp2040js';

const SECTOR = 4096;
const BLOCK = 65536;
const PAGE = 256;

/** Typical W25Q16JV timings (datasheet table 9.7), so a key write takes board time. */
export interface FlashTimings {
  pageProgramNs: number;
  sectorEraseNs: number;
  blockEraseNs: number;
}
export const W25Q16_TYPICAL: FlashTimings = { pageProgramNs: 400_000, sectorEraseNs: 45_000_000, blockEraseNs: 150_000_000 };

/** Fault injection: the chip takes the next erase or program and never reports it done. */
export type FlashFault = 'none' | 'hang-on-next-write';

/** An erase (20h, D8h) or page program (02h) the chip took, at the rising edge of chip select. */
export interface FlashWrite {
  readonly opcode: number;
  readonly addr: number;
}

export interface FlashCommandRecord {
  readonly opcode: number;
  /** Bytes clocked while chip select was held, opcode included. */
  readonly length: number;
}

export class SpiNorFlash {
  readonly memory: Uint8Array;
  readonly uniqueId: Uint8Array;
  readonly commands: FlashCommandRecord[] = [];
  statusReads = 0;
  fault: FlashFault = 'none';
  /** Told of every erase and program as the chip takes it (fault injection hooks in here). */
  onWrite: ((w: FlashWrite) => void) | null = null;
  readonly #now: () => number;
  readonly #timings: FlashTimings;
  #selected = false;
  #bytes: number[] = [];
  #writeEnabled = false;
  #busyUntil = 0;
  #stuck = false;

  constructor(memory: Uint8Array, uniqueId: Uint8Array, now: () => number, timings: FlashTimings = W25Q16_TYPICAL) {
    if (uniqueId.length !== 8) throw new Error('the unique id is 64 bits');
    this.memory = memory;
    this.uniqueId = uniqueId;
    this.#now = now;
    this.#timings = timings;
  }

  get busy(): boolean {
    return this.#stuck || this.#now() < this.#busyUntil;
  }

  select(): void {
    this.#selected = true;
    this.#bytes = [];
  }

  /** Chip select rising edge: erase and program commands take effect here, as on the chip. */
  deselect(): void {
    if (!this.#selected) return;
    this.#selected = false;
    const b = this.#bytes;
    const op = b[0];
    if (op === undefined) return;
    if (op === 0x05) {
      this.statusReads++; // polled thousands of times per write: counted, not listed
      return;
    }
    this.commands.push({ opcode: op, length: b.length });
    if (op === 0x03 || op === 0x4b || op === 0x9f) return;
    if (this.busy) return; // a busy chip ignores everything but the status read
    const addr = (((b[1] ?? 0) << 16) | ((b[2] ?? 0) << 8) | (b[3] ?? 0)) % this.memory.length;
    switch (op) {
      case 0x06:
        this.#writeEnabled = true;
        return;
      case 0x04:
        this.#writeEnabled = false;
        return;
      case 0x02:
        if (!this.#writeEnabled || b.length <= 4) return;
        this.#program(addr, b.slice(4));
        break;
      case 0x20:
        if (!this.#writeEnabled || b.length !== 4) return;
        this.#erase(addr - (addr % SECTOR), SECTOR, this.#timings.sectorEraseNs);
        break;
      case 0xd8:
        if (!this.#writeEnabled || b.length !== 4) return;
        this.#erase(addr - (addr % BLOCK), BLOCK, this.#timings.blockEraseNs);
        break;
      default:
        return;
    }
    this.onWrite?.({ opcode: op, addr });
  }

  exchange(out: number): number {
    if (!this.#selected) return 0xff; // nobody drives MISO: the pull-up reads 1s
    const b = this.#bytes;
    b.push(out & 0xff);
    const i = b.length - 1;
    const op = b[0];
    if (i === 0) return 0xff;
    switch (op) {
      case 0x05:
        return (this.busy ? 0x01 : 0x00) | (this.#writeEnabled ? 0x02 : 0x00);
      case 0x03: {
        if (i < 4) return 0xff;
        const addr = (((b[1] ?? 0) << 16) | ((b[2] ?? 0) << 8) | (b[3] ?? 0)) + (i - 4);
        return this.busy ? 0xff : (this.memory[addr % this.memory.length] ?? 0xff);
      }
      case 0x4b: // READ_UNIQUE_ID: opcode, 4 dummy bytes, then the 8-byte id
        return i >= 5 && i < 13 ? (this.uniqueId[i - 5] ?? 0xff) : 0xff;
      case 0x9f: // JEDEC id: Winbond, W25Q16JV
        return [0xef, 0x40, 0x15][i - 1] ?? 0xff;
      default:
        return 0xff;
    }
  }

  #writeDone(ns: number): void {
    this.#writeEnabled = false;
    if (this.fault === 'hang-on-next-write') {
      this.#stuck = true;
      return;
    }
    this.#busyUntil = this.#now() + ns;
  }

  #program(addr: number, data: number[]): void {
    if (this.fault === 'hang-on-next-write') return this.#writeDone(0);
    const page = addr - (addr % PAGE);
    // Page program wraps within the page and can only clear bits.
    data.slice(-PAGE).forEach((v, k) => {
      const a = page + ((addr - page + k) % PAGE);
      this.memory[a] = (this.memory[a] ?? 0xff) & v;
    });
    this.#writeDone(this.#timings.pageProgramNs);
  }

  #erase(start: number, size: number, ns: number): void {
    if (this.fault !== 'hang-on-next-write') this.memory.fill(0xff, start, start + size);
    this.#writeDone(ns);
  }
}

// ---- the RP2040 side ------------------------------------------------------------------------

const SSI_CTRLR0 = 0x00;
const SSI_CTRLR1 = 0x04;
const SSI_SSIENR = 0x08;
const SSI_SER = 0x10;
const SSI_BAUDR = 0x14;
const SSI_TXFLR = 0x20;
const SSI_RXFLR = 0x24;
const SSI_SR = 0x28;
const SSI_DR0 = 0x60;
const SSI_SPI_CTRLR0 = 0xf4;
const SR_TFNF = 1 << 1;
const SR_TFE = 1 << 2;
const SR_RFNE = 1 << 3;

export const OUTOVER_NORMAL = 0;
export const OUTOVER_LOW = 2;
export const OUTOVER_HIGH = 3;

/** IO_QSPI (datasheet 2.19.6.2): only chip select's output override matters to the flash. */
export class IoQspi extends BasePeripheral {
  readonly #ctrl = new Uint32Array(6);
  readonly #flash: SpiNorFlash;

  constructor(rp2040: RP2040, flash: SpiNorFlash) {
    super(rp2040, 'IO_QSPI_BASE');
    this.#flash = flash;
  }

  get csOverride(): number {
    return ((this.#ctrl[1] ?? 0) >>> 8) & 3;
  }

  override readUint32(offset: number): number {
    if (offset < 0x30) return offset & 4 ? (this.#ctrl[offset >>> 3] ?? 0) : 0;
    return 0;
  }

  override writeUint32(offset: number, value: number): void {
    if (offset >= 0x30 || !(offset & 4)) return;
    const pin = offset >>> 3;
    const before = this.csOverride;
    this.#ctrl[pin] = value >>> 0;
    if (pin !== 1) return;
    const after = this.csOverride;
    if (after === OUTOVER_LOW && before !== OUTOVER_LOW) this.#flash.select();
    if (after !== OUTOVER_LOW && before === OUTOVER_LOW) this.#flash.deselect();
  }
}

/** The SSI in the modes the image uses: TX-and-RX command mode (8-bit frames) and XIP. */
export class FlashSsi extends BasePeripheral {
  readonly #flash: SpiNorFlash;
  readonly #io: () => IoQspi;
  readonly #rx: number[] = [];
  ctrlr0 = 0;
  ctrlr1 = 0;
  ssienr = 0;
  ser = 0;
  baudr = 0;
  spiCtrlr0 = 0x03000218; // reset value: 03h, 8-bit instruction, 24-bit address
  /** Bytes written to DR0 while no chip select was held: a command that reached nothing. */
  lostBytes = 0;

  constructor(rp2040: RP2040, flash: SpiNorFlash, io: () => IoQspi) {
    super(rp2040, 'SSI');
    this.#flash = flash;
    this.#io = io;
  }

  /** What the XIP block needs to turn a bus read into a flash read (boot2's configuration). */
  get xipReady(): boolean {
    const tmod = (this.ctrlr0 >>> 8) & 3;
    const spiFrf = (this.ctrlr0 >>> 21) & 3;
    const dfs32 = (this.ctrlr0 >>> 16) & 31;
    const cmd = this.spiCtrlr0 >>> 24;
    const instL = (this.spiCtrlr0 >>> 8) & 3;
    const addrL = (this.spiCtrlr0 >>> 2) & 15;
    return (
      this.ssienr === 1 && this.ser !== 0 && tmod === 3 && spiFrf === 0 && dfs32 === 31 && cmd === 0x03 && instL === 2 && addrL === 6 && this.#io().csOverride === OUTOVER_NORMAL
    );
  }

  override readUint32(offset: number): number {
    switch (offset) {
      case SSI_CTRLR0:
        return this.ctrlr0;
      case SSI_CTRLR1:
        return this.ctrlr1;
      case SSI_SSIENR:
        return this.ssienr;
      case SSI_SER:
        return this.ser;
      case SSI_BAUDR:
        return this.baudr;
      case SSI_TXFLR:
        return 0;
      case SSI_RXFLR:
        return this.#rx.length;
      case SSI_SR:
        return SR_TFNF | SR_TFE | (this.#rx.length ? SR_RFNE : 0);
      case SSI_DR0:
        return this.#rx.shift() ?? 0;
      case SSI_SPI_CTRLR0:
        return this.spiCtrlr0;
      default:
        return 0;
    }
  }

  override writeUint32(offset: number, value: number): void {
    const v = value >>> 0;
    // 4.10.13: the configuration registers only take writes while the SSI is disabled
    const configurable = this.ssienr === 0;
    switch (offset) {
      case SSI_CTRLR0:
        if (configurable) this.ctrlr0 = v;
        return;
      case SSI_CTRLR1:
        if (configurable) this.ctrlr1 = v;
        return;
      case SSI_BAUDR:
        if (configurable) this.baudr = v;
        return;
      case SSI_SPI_CTRLR0:
        if (configurable) this.spiCtrlr0 = v;
        return;
      case SSI_SER:
        this.ser = v;
        return;
      case SSI_SSIENR:
        this.ssienr = v & 1;
        if (!this.ssienr) this.#rx.length = 0;
        return;
      case SSI_DR0:
        this.#transmit(v & 0xff);
        return;
      default:
        return;
    }
  }

  #transmit(byte: number): void {
    const tmod = (this.ctrlr0 >>> 8) & 3;
    if (!this.ssienr || tmod !== 0 || !this.ser) return;
    const cs = this.#io().csOverride;
    if (cs === OUTOVER_LOW) {
      this.#rx.push(this.#flash.exchange(byte));
    } else if (cs === OUTOVER_NORMAL) {
      // The SSI's own chip select rises as soon as its FIFO is empty: one byte per command.
      this.#flash.select();
      this.#rx.push(this.#flash.exchange(byte));
      this.#flash.deselect();
    } else {
      this.lostBytes++;
      this.#rx.push(0xff);
    }
  }
}

/** XIP_CTRL (2.6.3): the flush the boot ROM does after programming; nothing is cached here. */
export class XipCtrl extends BasePeripheral {
  flushes = 0;
  constructor(rp2040: RP2040) {
    super(rp2040, 'XIP_CTRL');
  }
  override readUint32(offset: number): number {
    return offset === 0x08 ? 0x5 : 0; // STAT: FLUSH_READY, FIFO_EMPTY
  }
  override writeUint32(offset: number, _value: number): void {
    if (offset === 0x04) this.flushes++;
  }
}

const FLASH_START = 0x10000000;
const FLASH_END = 0x14000000;

/** Makes XIP reads depend on the SSI's state, and CPU writes to the window an error. */
export function guardXip(rp2040: RP2040, ssi: FlashSsi, onViolation: (what: string) => void): void {
  const inFlash = (a: number) => a >>> 0 >= FLASH_START && a >>> 0 < FLASH_END;
  const check = (a: number) => {
    if (inFlash(a) && !ssi.xipReady) onViolation(`read of 0x${(a >>> 0).toString(16)} while the SSI is not in XIP mode (pc 0x${rp2040.core.PC.toString(16)})`);
  };
  const r32 = rp2040.readUint32.bind(rp2040);
  const r16 = rp2040.readUint16.bind(rp2040);
  const r8 = rp2040.readUint8.bind(rp2040);
  const w32 = rp2040.writeUint32.bind(rp2040);
  const w16 = rp2040.writeUint16.bind(rp2040);
  const w8 = rp2040.writeUint8.bind(rp2040);
  const noWrite = (a: number) => {
    if (inFlash(a)) onViolation(`CPU write to the XIP window at 0x${(a >>> 0).toString(16)} (pc 0x${rp2040.core.PC.toString(16)})`);
  };
  Object.assign(rp2040, {
    readUint32: (a: number) => (check(a), r32(a)),
    readUint16: (a: number) => (check(a), r16(a)),
    readUint8: (a: number) => (check(a), r8(a)),
    writeUint32: (a: number, v: number) => (noWrite(a), w32(a, v)),
    writeUint16: (a: number, v: number) => (noWrite(a), w16(a, v)),
    writeUint8: (a: number, v: number) => (noWrite(a), w8(a, v)),
  });
}
