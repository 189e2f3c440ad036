// A USB host for the emulated board, on the host-side hooks of rp2040js's RPUSBController
// (onUSBEnabled, onResetReceived, sendSetupPacket, onEndpointWrite, onEndpointRead,
// endpointReadDone). It enumerates the device the way Linux does (bus reset, 64-byte device
// descriptor at address 0, SET_ADDRESS, descriptors, strings, SET_CONFIGURATION), then drives a
// CDC-ACM function: SET_LINE_CODING, SET_CONTROL_LINE_STATE, bulk OUT and IN.
//
// rp2040js's own USBCDC helper does a shorter enumeration (no device or string descriptors) and
// answers every armed OUT buffer at once, empty if it has nothing; both are used in the tests.
import type { RP2040, RPUSBController } from 'rp2040js';

const EP0 = 0;
const EP0_SIZE = 64;
const DPRAM_EP0_IN_BUFFER_CONTROL = 0x80;
const BUF_CTRL_STALL = 1 << 11;
const USB_EP_STALL_ARM = 0x68;

export interface SetupPacket {
  readonly bmRequestType: number;
  readonly bRequest: number;
  readonly wValue: number;
  readonly wIndex: number;
  readonly wLength: number;
}

export function setupBytes(s: SetupPacket): Uint8Array {
  return Uint8Array.of(s.bmRequestType, s.bRequest, s.wValue & 0xff, s.wValue >> 8, s.wIndex & 0xff, s.wIndex >> 8, s.wLength & 0xff, s.wLength >> 8);
}

export class UsbStall extends Error {
  override readonly name = 'UsbStall';
}

interface ControlTransfer {
  readonly setup: SetupPacket;
  readonly out: Uint8Array | null;
  readonly resolve: (data: Uint8Array) => void;
  readonly reject: (err: Error) => void;
  stage: 'data-in' | 'status-out' | 'data-out' | 'status-in';
  received: number[];
  sent: number;
}

export interface CdcEndpoints {
  readonly bulkIn: number;
  readonly bulkOut: number;
  readonly notify: number;
}

export interface EnumeratedDevice {
  readonly device: Uint8Array;
  readonly config: Uint8Array;
  readonly vendorId: number;
  readonly productId: number;
  readonly deviceClass: number;
  readonly manufacturer: string;
  readonly product: string;
  readonly serialNumber: string;
  readonly endpoints: CdcEndpoints;
  /** Every descriptor in the configuration, split: [type, bytes]. */
  readonly descriptors: readonly (readonly [number, Uint8Array])[];
}

const GET_DESCRIPTOR = 6;
const SET_ADDRESS = 5;
const SET_CONFIGURATION = 9;
const CDC_SET_LINE_CODING = 0x20;
const CDC_GET_LINE_CODING = 0x21;
const CDC_SET_CONTROL_LINE_STATE = 0x22;

export function splitDescriptors(config: Uint8Array): [number, Uint8Array][] {
  const out: [number, Uint8Array][] = [];
  for (let i = 0; i + 2 <= config.length; ) {
    const len = config[i] ?? 0;
    if (len < 2 || i + len > config.length) throw new Error(`bad descriptor length ${len} at ${i}`);
    out.push([config[i + 1] ?? 0, config.slice(i, i + len)]);
    i += len;
  }
  return out;
}

function cdcEndpoints(descriptors: readonly (readonly [number, Uint8Array])[]): CdcEndpoints {
  let iface = -1;
  let cls = -1;
  let bulkIn = -1;
  let bulkOut = -1;
  let notify = -1;
  for (const [type, d] of descriptors) {
    if (type === 4) {
      iface = d[2] ?? -1;
      cls = d[5] ?? -1;
    } else if (type === 5) {
      const addr = d[2] ?? 0;
      const kind = (d[3] ?? 0) & 3;
      if (cls === 0x0a && kind === 2) {
        if (addr & 0x80) bulkIn = addr & 0x0f;
        else bulkOut = addr & 0x0f;
      } else if (cls === 0x02 && kind === 3) notify = addr & 0x0f;
    }
  }
  if (bulkIn < 0 || bulkOut < 0 || notify < 0 || iface < 0) throw new Error('no CDC-ACM data and notification endpoints in the configuration');
  return { bulkIn, bulkOut, notify };
}

function utf16(desc: Uint8Array): string {
  let s = '';
  for (let i = 2; i + 1 < desc.length; i += 2) s += String.fromCharCode((desc[i] ?? 0) | ((desc[i + 1] ?? 0) << 8));
  return s;
}

export class UsbHost {
  readonly #chip: RP2040;
  readonly #usb: RPUSBController;
  #ctrl: ControlTransfer | null = null;
  #ep0OutArmed = false;
  #resetDone: (() => void) | null = null;
  #resets = 0;
  #bulkInEp = -1;
  #bulkOutEp = -1;
  #bulkOutArmed = 0;
  #bulkOutQueue: number[] = [];
  readonly #inListeners = new Set<(bytes: Uint8Array) => void>();
  /** Bytes the device sent on each IN endpoint (for assertions on the raw traffic). */
  readonly inPackets: { endpoint: number; length: number }[] = [];

  constructor(chip: RP2040) {
    this.#chip = chip;
    this.#usb = chip.usbCtrl;
    this.#hook();
  }

  /** Bus resets the device has acknowledged (cleared SIE_STATUS.BUS_RESET). */
  get resets(): number {
    return this.#resets;
  }

  #hook(): void {
    const usb = this.#usb;
    usb.onUSBEnabled = () => usb.resetDevice(); // the pull-up appears: reset the bus
    usb.onResetReceived = () => {
      this.#resets++;
      const done = this.#resetDone;
      this.#resetDone = null;
      done?.();
    };
    usb.onEndpointWrite = (ep, buffer) => this.#onIn(ep, buffer);
    usb.onEndpointRead = (ep, size) => this.#onOutArmed(ep, size);
  }

  /** Waits for the bus reset the device's controller answers after it enables its pull-up. */
  waitForReset(): Promise<void> {
    if (this.#resets > 0) return Promise.resolve();
    return new Promise((resolve) => (this.#resetDone = resolve));
  }

  /** Resets the bus (a host starting over with a device it already knows). */
  busReset(): Promise<void> {
    return new Promise((resolve) => {
      this.#resetDone = resolve;
      this.#usb.resetDevice();
    });
  }

  control(setup: SetupPacket, out: Uint8Array | null = null): Promise<Uint8Array> {
    if (this.#ctrl) return Promise.reject(new Error('a control transfer is in flight'));
    return new Promise((resolve, reject) => {
      const dirIn = (setup.bmRequestType & 0x80) !== 0;
      this.#ctrl = { setup, out, resolve, reject, stage: dirIn ? 'data-in' : out && out.length ? 'data-out' : 'status-in', received: [], sent: 0 };
      this.#ep0OutArmed = false;
      this.#usb.sendSetupPacket(setupBytes(setup));
    });
  }

  /** Called by the board after each slice of emulated time: a stalled EP0 never answers. */
  checkStall(): void {
    const c = this.#ctrl;
    if (!c) return;
    const armed = this.#usb.readUint32(USB_EP_STALL_ARM) & 1;
    const bc = this.#chip.usbDPRAMView.getUint32(DPRAM_EP0_IN_BUFFER_CONTROL, true);
    if (armed && bc & BUF_CTRL_STALL) {
      this.#ctrl = null;
      c.reject(new UsbStall(`request 0x${c.setup.bRequest.toString(16)} stalled`));
    }
  }

  #finish(data: Uint8Array): void {
    const c = this.#ctrl;
    this.#ctrl = null;
    c?.resolve(data);
  }

  #onIn(ep: number, buffer: Uint8Array): void {
    this.inPackets.push({ endpoint: ep, length: buffer.length });
    if (ep !== EP0) {
      if (ep === this.#bulkInEp && buffer.length > 0) for (const cb of this.#inListeners) cb(buffer.slice());
      return;
    }
    const c = this.#ctrl;
    if (!c) return;
    if (c.stage === 'data-in') {
      c.received.push(...buffer);
      if (buffer.length < EP0_SIZE || c.received.length >= c.setup.wLength) {
        c.stage = 'status-out';
        if (this.#ep0OutArmed) this.#statusOut();
      }
    } else if (c.stage === 'status-in' && buffer.length === 0) {
      this.#finish(new Uint8Array(0));
    }
  }

  #statusOut(): void {
    this.#ep0OutArmed = false;
    const c = this.#ctrl;
    this.#usb.endpointReadDone(EP0, new Uint8Array(0));
    if (c) this.#finish(Uint8Array.from(c.received));
  }

  #onOutArmed(ep: number, size: number): void {
    if (ep !== EP0) {
      if (ep === this.#bulkOutEp) {
        this.#bulkOutArmed = size;
        this.#pumpBulkOut();
      }
      return;
    }
    const c = this.#ctrl;
    if (c?.stage === 'data-out' && c.out) {
      const chunk = c.out.slice(c.sent, c.sent + Math.min(size, EP0_SIZE));
      c.sent += chunk.length;
      if (c.sent >= c.out.length) c.stage = 'status-in';
      this.#usb.endpointReadDone(EP0, chunk);
    } else if (c?.stage === 'status-out') {
      this.#statusOut();
    } else {
      this.#ep0OutArmed = true;
    }
  }

  #pumpBulkOut(): void {
    if (this.#bulkOutArmed === 0 || this.#bulkOutQueue.length === 0) return;
    const chunk = Uint8Array.from(this.#bulkOutQueue.splice(0, this.#bulkOutArmed));
    this.#bulkOutArmed = 0;
    this.#usb.endpointReadDone(this.#bulkOutEp, chunk);
  }

  // ---- standard and CDC requests ----

  getDescriptor(type: number, index: number, length: number, langId = 0): Promise<Uint8Array> {
    return this.control({ bmRequestType: 0x80, bRequest: GET_DESCRIPTOR, wValue: (type << 8) | index, wIndex: langId, wLength: length });
  }

  async enumerate(): Promise<EnumeratedDevice> {
    if (this.#resets === 0) await this.waitForReset();
    else await this.busReset();
    // Linux and Windows ask for 64 bytes of the device descriptor at address 0 first.
    await this.getDescriptor(1, 0, 64);
    await this.control({ bmRequestType: 0x00, bRequest: SET_ADDRESS, wValue: 1, wIndex: 0, wLength: 0 });
    const device = await this.getDescriptor(1, 0, 18);
    const head = await this.getDescriptor(2, 0, 9);
    const total = (head[2] ?? 0) | ((head[3] ?? 0) << 8);
    const config = await this.getDescriptor(2, 0, total);
    const langs = await this.getDescriptor(3, 0, 255);
    const lang = (langs[2] ?? 0) | ((langs[3] ?? 0) << 8);
    const str = async (i: number) => (i ? utf16(await this.getDescriptor(3, i, 255, lang)) : '');
    const manufacturer = await str(device[14] ?? 0);
    const product = await str(device[15] ?? 0);
    const serialNumber = await str(device[16] ?? 0);
    const descriptors = splitDescriptors(config);
    const endpoints = cdcEndpoints(descriptors);
    // known before SET_CONFIGURATION: the device offers its OUT buffer while handling it
    this.#bulkInEp = endpoints.bulkIn;
    this.#bulkOutEp = endpoints.bulkOut;
    this.#bulkOutArmed = 0;
    await this.control({ bmRequestType: 0x00, bRequest: SET_CONFIGURATION, wValue: config[5] ?? 1, wIndex: 0, wLength: 0 });
    return {
      device,
      config,
      vendorId: (device[8] ?? 0) | ((device[9] ?? 0) << 8),
      productId: (device[10] ?? 0) | ((device[11] ?? 0) << 8),
      deviceClass: device[4] ?? 0,
      manufacturer,
      product,
      serialNumber,
      endpoints,
      descriptors,
    };
  }

  /** What Chromium's SerialPort.open({ baudRate }) does on Linux: line coding, then DTR and RTS. */
  async openSerial(baudRate: number, dataBits = 8, stopBits: 1 | 2 = 1, parity = 0): Promise<void> {
    const coding = new Uint8Array(7);
    new DataView(coding.buffer).setUint32(0, baudRate, true);
    coding[4] = stopBits === 2 ? 2 : 0;
    coding[5] = parity;
    coding[6] = dataBits;
    await this.control({ bmRequestType: 0x21, bRequest: CDC_SET_LINE_CODING, wValue: 0, wIndex: 0, wLength: 7 }, coding);
    await this.setLineState(true, true);
  }

  setLineState(dtr: boolean, rts: boolean): Promise<Uint8Array> {
    return this.control({ bmRequestType: 0x21, bRequest: CDC_SET_CONTROL_LINE_STATE, wValue: (dtr ? 1 : 0) | (rts ? 2 : 0), wIndex: 0, wLength: 0 });
  }

  getLineCoding(): Promise<Uint8Array> {
    return this.control({ bmRequestType: 0xa1, bRequest: CDC_GET_LINE_CODING, wValue: 0, wIndex: 0, wLength: 7 });
  }

  write(bytes: Uint8Array): void {
    this.#bulkOutQueue.push(...bytes);
    this.#pumpBulkOut();
  }

  onData(cb: (bytes: Uint8Array) => void): () => void {
    this.#inListeners.add(cb);
    return () => this.#inListeners.delete(cb);
  }
}
