import type { DoorState } from '../door/controller.ts';
import type { SerialDoor } from '../door/links.ts';
import { StateBit } from '../door/protocol.ts';
import type { HelloInfo } from '../door/protocol.ts';
import { monotonicClock } from '../platform/clock.ts';
import type { Clock, TimerHandle } from '../platform/clock.ts';
import type { SerialDoorPorts, SerialLinkState } from '../door/web-serial.ts';
import { provisionDoor } from '../panel/door-setup.ts';
import type { DoorKeyStore, ProvisionResult } from '../panel/door-setup.ts';
import { say } from '../lib/words/index.ts';

export type SetupNotice = { readonly tone: 'ok' | 'bad' | 'info'; readonly text: string };

export interface DoorSetupOptions {
  clock?: Clock;
  /**
   * On a simulated panel that has Web Serial: granting a board here is enough, because the next
   * boot finds it among the remembered ports and runs on it. `adopt` is that restart.
   */
  ports?: SerialDoorPorts | null;
  adopt?: () => void;
}

/**
 * The admin's view of the real door controller: choosing the USB port, the session as the
 * controller sees it, and installing the key. Null `door` means this panel runs the simulator
 * (no Web Serial, or no board granted at boot); with `ports` it can still grant one and restart.
 */
export class DoorSetupAdmin {
  #link = $state<SerialLinkState>({ state: 'idle' });
  #session = $state<DoorState>({ state: 'idle' });
  #rxErrors = $state(0);
  #busy = $state<'connecting' | 'provisioning' | null>(null);
  #notice = $state<SetupNotice | null>(null);
  readonly #door: SerialDoor | null;
  readonly #store: DoorKeyStore;
  readonly #clock: Clock;
  readonly #ports: SerialDoorPorts | null;
  readonly #adopt: () => void;

  constructor(door: SerialDoor | null, store: DoorKeyStore, options: DoorSetupOptions = {}) {
    this.#door = door;
    this.#store = store;
    this.#clock = options.clock ?? monotonicClock;
    this.#ports = door?.ports ?? options.ports ?? null;
    this.#adopt = options.adopt ?? (() => undefined);
    if (door) this.#sync(door);
  }

  /** A real board is in use: its link, session and key can be shown and set up. */
  get available(): boolean {
    return this.#door !== null;
  }
  /** The browser can reach USB serial boards (Chromium with Web Serial). */
  get canConnect(): boolean {
    return this.#ports !== null;
  }
  get link(): SerialLinkState {
    return this.#link;
  }
  get session(): DoorState {
    return this.#session;
  }
  get busy(): 'connecting' | 'provisioning' | null {
    return this.#busy;
  }
  get notice(): SetupNotice | null {
    return this.#notice;
  }
  /** Frames the panel dropped (bad CRC, framing) plus line errors the serial port reported. */
  get rxErrors(): number {
    return this.#rxErrors;
  }
  /** What the board said about itself in its last HELLO. */
  get hello(): HelloInfo | null {
    const s = this.#session;
    return 'info' in s && s.info ? s.info : null;
  }
  get inSetupMode(): boolean {
    return ((this.hello?.state ?? 0) & StateBit.Setup) !== 0;
  }
  get boardProvisioned(): boolean {
    return ((this.hello?.state ?? 0) & StateBit.Provisioned) !== 0;
  }
  /** Provisioning needs a live session (to send the key) and no other action in progress. */
  get canProvision(): boolean {
    const s = this.#session.state;
    return this.#door !== null && this.#busy === null && (s === 'ready' || s === 'fault');
  }

  /** Follows the link while the admin section is on screen; returns the teardown. */
  start(): () => void {
    const door = this.#door;
    if (!door) return () => undefined;
    this.#sync(door);
    const stops = [door.transport.on('link', (s) => (this.#link = s)), door.controller.on('state', (s) => (this.#session = s))];
    // The error counters have no events (noise must not cost a render per bad byte): sample them.
    let timer: TimerHandle = null;
    const poll = () => {
      this.#sync(door);
      timer = this.#clock.setTimeout(poll, 1000);
    };
    timer = this.#clock.setTimeout(poll, 1000);
    return () => {
      this.#clock.clearTimeout(timer);
      stops.forEach((stop) => stop());
    };
  }

  /** "Connect door controller": must run inside the click handler (Chromium wants a user gesture). */
  async connect(): Promise<void> {
    const ports = this.#ports;
    if (!ports || this.#busy) return;
    this.#busy = 'connecting';
    try {
      const door = this.#door;
      const port = door ? await door.choose() : await ports.request();
      if (!port) this.#notice = { tone: 'info', text: say('admin.doorSetup.noPort') };
      else if (!door) {
        this.#notice = { tone: 'info', text: say('admin.doorSetup.granted') };
        this.#adopt();
      } else this.#notice = null;
    } catch (err) {
      this.#notice = { tone: 'bad', text: say('admin.doorSetup.openFailed', { error: String(err) }) };
    } finally {
      this.#busy = null;
      if (this.#door) this.#sync(this.#door);
    }
  }

  async provision(): Promise<void> {
    const door = this.#door;
    if (!door || !this.canProvision) return;
    this.#busy = 'provisioning';
    try {
      this.#notice = noticeFor(await provisionDoor({ controller: door.controller, store: this.#store }));
    } catch (err) {
      this.#notice = { tone: 'bad', text: say('admin.doorSetup.provisionFailed', { error: String(err) }) };
    } finally {
      this.#busy = null;
      this.#sync(door);
    }
  }

  #sync(door: SerialDoor): void {
    this.#link = door.transport.link;
    this.#session = door.controller.state;
    this.#rxErrors = door.controller.rxErrors + door.transport.lineErrors;
  }
}

function noticeFor(r: ProvisionResult): SetupNotice {
  switch (r.outcome) {
    case 'provisioned':
      return { tone: 'ok', text: say('admin.doorSetup.installed') };
    case 'unsaved':
    case 'refused':
    case 'lost':
      return { tone: 'bad', text: r.message };
  }
}
