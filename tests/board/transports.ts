// The emulated board's host links as the DoorController's ByteTransport: USB CDC-ACM (what the
// kiosk's Web Serial port is) and the UART on GP0/GP1 (a USB-serial adapter). The USB one follows
// the board across reboots the way Web Serial does: the device goes (link down), enumerates again,
// the port is reopened (link up).
import type { ByteTransport, LinkChange } from '../../src/door/transport.ts';
import type { EmulatedBoard } from './board.ts';
import type { EnumeratedDevice, UsbHost } from './usb-host.ts';

export class CdcTransport implements ByteTransport {
  readonly kind = 'serial' as const;
  readonly #board: EmulatedBoard;
  readonly #bytes = new Set<(bytes: Uint8Array) => void>();
  readonly #links = new Set<(change: LinkChange) => void>();
  #unsubscribe: () => void = () => undefined;
  readonly #stopBoot: () => void;
  #open = false;
  device: EnumeratedDevice | null = null;

  constructor(board: EmulatedBoard) {
    this.#board = board;
    this.#stopBoot = board.onBoot((usb) => {
      this.#open = false;
      this.#unsubscribe();
      for (const cb of this.#links) cb({ up: false, reason: 'device lost (board reset)' });
      void this.#attach(usb).then(() => this.#links.forEach((cb) => cb({ up: true })));
    });
  }

  /** Enumerates the board and opens the port as Chromium does (115200 8N1, DTR and RTS). */
  async open(): Promise<EnumeratedDevice> {
    return this.#board.drive(this.#attach(this.#board.usb), 5000, 'USB enumeration');
  }

  async #attach(usb: UsbHost): Promise<EnumeratedDevice> {
    const device = await usb.enumerate();
    await usb.openSerial(115_200);
    this.device = device;
    this.#unsubscribe = usb.onData((b) => this.#bytes.forEach((cb) => cb(b)));
    this.#open = true;
    return device;
  }

  async write(bytes: Uint8Array): Promise<void> {
    if (!this.#open) throw new Error('port not open');
    this.#board.usb.write(bytes);
  }

  onBytes(cb: (bytes: Uint8Array) => void): () => void {
    this.#bytes.add(cb);
    return () => this.#bytes.delete(cb);
  }

  onLinkChange(cb: (change: LinkChange) => void): () => void {
    this.#links.add(cb);
    return () => this.#links.delete(cb);
  }

  async close(): Promise<void> {
    this.#stopBoot();
    this.#unsubscribe();
    this.#bytes.clear();
    if (this.#open) {
      this.#open = false;
      // like closing a tty: DTR drops (delivered as the board runs on)
      this.#board.usb.setLineState(false, false).catch(() => undefined);
    }
  }
}

export class UartTransport implements ByteTransport {
  readonly kind = 'serial' as const;
  readonly #board: EmulatedBoard;
  readonly #stop: () => void;
  readonly #bytes = new Set<(bytes: Uint8Array) => void>();

  constructor(board: EmulatedBoard) {
    this.#board = board;
    this.#stop = board.onUart((b) => this.#bytes.forEach((cb) => cb(b)));
  }

  async write(bytes: Uint8Array): Promise<void> {
    this.#board.uartWrite(bytes);
  }

  onBytes(cb: (bytes: Uint8Array) => void): () => void {
    this.#bytes.add(cb);
    return () => this.#bytes.delete(cb);
  }

  async close(): Promise<void> {
    this.#stop();
    this.#bytes.clear();
  }
}
