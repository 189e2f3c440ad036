// A real door controller on a USB serial port, assembled: the ports helper, the transport that
// follows the board across unplugs, and the DoorController session on top. The kiosk's DoorLink
// wraps `controller`; the admin area uses `choose()` (a user gesture) and provisioning.
import { DoorController } from './controller.ts';
import type { DoorControllerOptions } from './controller.ts';
import type { Clock } from '../platform/clock.ts';
import { SerialDoorPorts, WebSerialTransport } from './web-serial.ts';
import type { SerialLike, SerialPortFilterLike, SerialPortLike, WebSerialTransportOptions } from './web-serial.ts';

export interface SerialDoorOptions {
  serial: SerialLike;
  /** The stored door key, or null: the controller then reports the fault 'no-key'. */
  key: CryptoKey | null;
  clock: Clock;
  log?: (message: string) => void;
  filters?: readonly SerialPortFilterLike[];
  transport?: Omit<WebSerialTransportOptions, 'clock' | 'log'>;
  controller?: Omit<DoorControllerOptions, 'transport' | 'clock' | 'key' | 'log'>;
}

export class SerialDoor {
  readonly ports: SerialDoorPorts;
  readonly transport: WebSerialTransport;
  readonly controller: DoorController;
  #unfollow: (() => void) | null = null;

  private constructor(options: SerialDoorOptions) {
    const log = options.log ?? (() => undefined);
    this.ports = new SerialDoorPorts(options.serial, options.filters);
    this.transport = new WebSerialTransport({ ...options.transport, clock: options.clock, log });
    // The controller opens a session by itself whenever the transport says the link is up.
    this.controller = new DoorController({ ...options.controller, transport: this.transport, clock: options.clock, key: options.key, log });
  }

  /**
   * Starts following the board and opens the one this origin already may use (granted in the
   * admin area earlier, or by the kiosk policy). With none, the controller reads 'lost' until an
   * admin chooses one or a granted board is plugged in.
   */
  static async start(options: SerialDoorOptions): Promise<SerialDoor> {
    const door = new SerialDoor(options);
    door.#unfollow = door.ports.follow(door.transport);
    const [port] = await door.ports.remembered();
    if (port) await door.transport.open(port);
    else await door.transport.awaitDevice('no door controller chosen');
    return door;
  }

  /** The admin's "Connect door controller": Chromium's chooser, then this port. Needs a user gesture. */
  async choose(): Promise<SerialPortLike | null> {
    const port = await this.ports.request();
    if (port) await this.transport.open(port);
    return port;
  }

  async stop(): Promise<void> {
    this.#unfollow?.();
    this.#unfollow = null;
    await this.controller.close();
  }
}
