import { DoorController, type DoorState as LinkState, type LinkFault } from '../door/controller.ts';
import { Input, SimulatedDoor } from '../door/simulator.ts';
import { monotonicClock as doorClock } from '../platform/clock.ts';
import { SerialDoor } from '../door/links.ts';
import type { SerialLike } from '../door/web-serial.ts';
import type { DoorEvent } from '../door/protocol.ts';
import type { DoorState } from '../access/types.ts';
import type { DoorPort } from './gatekeeper.ts';
import { Events, type EventOf } from '../lib/events.ts';
import { trace } from '../vision/trace.ts';
import { ensurePulseLimit, unlockWithinLimit } from '../door/pulse-limit.ts';

/**
 * The kiosk's view of the door controller: link state for the screen, the DoorPort for the
 * gatekeeper, and door events for the flow. In simulated mode the board is the firmware's
 * TypeScript twin, and a simulated visitor pushes the door open after each unlock so the whole
 * sequence (unlocked, open, closed, locked) plays out as it would at a real door.
 */
export type DoorView = { readonly text: string; readonly tone: 'ok' | 'sim' | 'bad' };

/**
 * What the kiosk hears from the door. Door, exit-button and tamper events come only from frames
 * the board signed; a `linkFault` says something on the cable sent frames the panel would not
 * believe (at most one report a minute, with the count).
 */
export interface DoorLinkEvents {
  door: 'opened' | 'closed';
  exitButton: null;
  tamper: boolean;
  controller: { readonly state: 'lost' | 'back'; readonly text: string };
  linkFault: string;
}
export type DoorLinkEvent = EventOf<DoorLinkEvents>;

/** How often a run of link faults is reported (each is logged to the console regardless). */
const LINK_FAULT_REPORT_MS = 60_000;

export class DoorLink implements DoorPort {
  #link = $state<LinkState>({ state: 'idle' });
  #tamper = $state(false);
  #open = $state(false);
  readonly #controller: DoorController;
  readonly #sim: SimulatedDoor | null;
  readonly #serial: SerialDoor | null;
  readonly #events = new Events<DoorLinkEvents>();
  #faultReportedAt = -Infinity;
  #faultsReported = 0;

  private constructor(controller: DoorController, sim: SimulatedDoor | null, serial: SerialDoor | null = null) {
    this.#controller = controller;
    this.#sim = sim;
    this.#serial = serial;
    // A serial door may have reached 'lost' (no board) before this link subscribed.
    this.#link = controller.state;
    controller.on('state', (s) => {
      const wasBad = this.view.tone === 'bad';
      this.#link = s;
      // Only a change between working and not: connecting at boot is neither.
      const view = this.view;
      if (!wasBad && view.tone === 'bad') this.#events.emit('controller', { state: 'lost', text: view.text });
      else if (wasBad && view.tone !== 'bad' && this.usable) this.#events.emit('controller', { state: 'back', text: view.text });
    });
    controller.on('event', (e) => this.#onEvent(e));
    controller.on('linkFault', (f) => this.#onLinkFault(f));
  }

  /** A simulated board provisioned with a fresh key, as an installer would do in set-up mode. */
  static async simulated(): Promise<DoorLink> {
    const raw = crypto.getRandomValues(new Uint8Array(32));
    const sim = await SimulatedDoor.create({ clock: doorClock, key: raw, tickMs: 20 });
    const key = await crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    raw.fill(0);
    const controller = new DoorController({ transport: sim.transport, clock: doorClock, key, log: (m) => console.info('[door]', m) });
    const link = new DoorLink(controller, sim);
    void controller.connect();
    return link;
  }

  /**
   * The board on a USB serial port. `key` comes from loadDoorKey; with null the controller
   * reports the fault 'no-key' and never unlocks.
   */
  static async serial(serial: SerialLike, key: CryptoKey | null): Promise<DoorLink> {
    const door = await SerialDoor.start({ serial, key, clock: doorClock, log: (m) => console.info('[door]', m) });
    return new DoorLink(door.controller, null, door);
  }

  /** The real board for the admin's set-up section; null in simulated mode. */
  get serialDoor(): SerialDoor | null {
    return this.#serial;
  }

  get view(): DoorView {
    const s = this.#link;
    switch (s.state) {
      case 'simulated':
        return { text: 'Simulated door controller', tone: 'sim' };
      case 'ready':
        return { text: 'Door controller connected', tone: 'ok' };
      case 'idle':
      case 'connecting':
        return { text: 'Connecting door controller…', tone: 'sim' };
      case 'lost':
        return { text: s.reason === 'no door controller chosen' ? 'No door controller connected' : 'Door controller lost', tone: 'bad' };
      case 'fault':
        return { text: `Door controller fault: ${s.fault}`, tone: 'bad' };
    }
  }

  /** True when the controller can carry out an unlock. */
  get usable(): boolean {
    return this.#link.state === 'ready' || this.#link.state === 'simulated';
  }

  get doorOpen(): boolean {
    return this.#open;
  }

  get isSimulated(): boolean {
    return this.#sim !== null;
  }

  status(): DoorState {
    return { mode: 'normal', link: this.usable ? 'online' : 'offline', tamper: this.#tamper };
  }

  async unlock(pulseMs: number): Promise<boolean> {
    if (!this.usable) return false;
    trace({ kind: 'unlock-sent' });
    // A replaced or reset board back at its default ceiling gets it raised once, then one retry.
    const r = await unlockWithinLimit(this.#controller, pulseMs, (m) => console.warn(m));
    trace({ kind: 'unlock-done', ok: r.outcome === 'done' });
    if (r.outcome !== 'done') console.warn('[door] unlock not done', r);
    return r.outcome === 'done';
  }

  /**
   * Before an unlock time is saved: the connected board raises its ceiling if it must (a signed
   * SET_CONFIG that keeps its other settings). A problem in words, or null.
   */
  async allowPulse(pulseMs: number): Promise<string | null> {
    const r = await ensurePulseLimit(this.usable ? this.#controller : null, pulseMs, (m) => console.info(m));
    return r.ok ? null : r.problem;
  }

  /** Ends a pulse early (the controller re-locks by itself anyway). */
  async lock(): Promise<boolean> {
    if (!this.usable) return false;
    return (await this.#controller.lock()).outcome === 'done';
  }

  on<K extends keyof DoorLinkEvents>(name: K, listener: (value: DoorLinkEvents[K]) => void): () => void {
    return this.#events.on(name, listener);
  }

  onEvery(listener: (e: DoorLinkEvent) => void): () => void {
    return this.#events.onEvery(listener);
  }

  /** Simulator controls for the demo and tests: the cable, the exit button. */
  simulateCable(connected: boolean): void {
    this.#sim?.transport.setLinkUp(connected);
  }

  simulateExitButton(): void {
    if (!this.#sim) return;
    const sim = this.#sim;
    sim.inputs |= Input.ExitButton;
    setTimeout(() => (sim.inputs &= ~Input.ExitButton), 300);
  }

  #onEvent(e: DoorEvent): void {
    if (e.kind === 'relay') trace({ kind: 'relay', released: e.released, controllerUptimeMs: e.uptimeMs });
    if (e.kind === 'door') {
      this.#open = e.open;
      this.#events.emit('door', e.open ? 'opened' : 'closed');
    } else if (e.kind === 'tamper') {
      this.#tamper = e.active;
      this.#events.emit('tamper', e.active);
    } else if (e.kind === 'exit-button') {
      this.#events.emit('exitButton', null);
    } else if (e.kind === 'relay' && e.released && this.#sim) {
      this.#simulateVisitorWalksThrough(this.#sim);
    }
  }

  #onLinkFault(f: LinkFault): void {
    const now = doorClock.now();
    if (now - this.#faultReportedAt < LINK_FAULT_REPORT_MS) return;
    const since = f.total - this.#faultsReported;
    this.#faultReportedAt = now;
    this.#faultsReported = f.total;
    this.#events.emit('linkFault', `${f.kind} ${f.frame} dropped${since > 1 ? ` (${since} frames since the last report)` : ''}`);
  }

  #simulateVisitorWalksThrough(sim: SimulatedDoor): void {
    setTimeout(() => (sim.inputs |= Input.DoorOpen), 800);
    setTimeout(() => (sim.inputs &= ~Input.DoorOpen), 3_800);
  }
}
