import { join } from 'node:path';
import { Environment, ServerNode } from '@matter/main';
import { FabricManager } from '@matter/main/protocol';
import { DoorLockDevice } from '@matter/main/devices/door-lock';
import { DoorLock } from '@matter/main/clusters/door-lock';
import { PhoneRemote, type PairResult } from '../../src/remote/phone-remote.ts';
import type { MqttFactory } from '../../src/remote/link.ts';
import { systemClock } from '../../src/platform/clock.ts';
import { FileBridgeStore, processTabs } from './file-store.ts';
import { DoorwardLink, DoorwardLockServer } from './lock-server.ts';
import { PanelPort } from './panel-port.ts';
import { UserBook } from './users.ts';

/**
 * The Matter bridge: one Doorward panel, paired as a 'bridge' admin over the panel's broker, shown
 * to Matter controllers (Home Assistant, Apple Home, Google Home, Alexa) as a Door Lock. Its state
 * lives in one folder: the pairing (bridge.json, 0600) and matter.js's fabrics (matter/).
 */
export interface BridgeOptions {
  readonly stateDir: string;
  readonly connect: MqttFactory;
  /** Matter's UDP port (5540 is the standard one). */
  readonly port?: number;
  /** How long the relay stays open after an unlock (the panel's unlock time), in seconds. */
  readonly pulseSeconds?: number;
  readonly name?: string;
  readonly log?: (m: string) => void;
  /**
   * How often the bridge tells the panel its commissioning (QR payload, manual code, fabrics) for
   * the admin area; the panel's answer names fabrics an admin removed there. It also reports at
   * start and whenever its fabrics change.
   */
  readonly reportEveryMs?: number;
}

export interface FabricView {
  readonly fabricIndex: number;
  readonly label: string;
  readonly vendorId: number;
  readonly nodeId: string;
}

/** Users a controller sees; Doorward people beyond this are not shown on the lock. */
const MAX_USERS = 50;
/** Setup passcodes the Matter spec forbids (core spec 5.1.7.1). */
const FORBIDDEN_PASSCODES = new Set([0, 11111111, 22222222, 33333333, 44444444, 55555555, 66666666, 77777777, 88888888, 99999999, 12345678, 87654321]);

function newSetupCode(): { passcode: number; discriminator: number } {
  const r = crypto.getRandomValues(new Uint32Array(2));
  let passcode = (r[0]! % 99_999_998) + 1;
  while (FORBIDDEN_PASSCODES.has(passcode)) passcode = (passcode % 99_999_998) + 1;
  return { passcode, discriminator: r[1]! & 0xfff };
}

export class Bridge {
  readonly #o: BridgeOptions;
  readonly #store: FileBridgeStore;
  readonly #remote: PhoneRemote;
  readonly #log: (m: string) => void;
  #node: ServerNode | null = null;
  #port: PanelPort | null = null;
  #stopRemote: (() => void) | null = null;
  #link: DoorwardLink | null = null;
  #reportTimer: ReturnType<typeof setInterval> | null = null;
  #reporting: Promise<void> = Promise.resolve();

  private constructor(o: BridgeOptions, store: FileBridgeStore, remote: PhoneRemote) {
    this.#o = o;
    this.#store = store;
    this.#remote = remote;
    this.#log = o.log ?? ((m) => console.warn(`[matter-bridge] ${m}`));
  }

  static async open(o: BridgeOptions): Promise<Bridge> {
    const store = new FileBridgeStore(join(o.stateDir, 'bridge.json'));
    const remote = await PhoneRemote.create({ store, connect: o.connect, clock: systemClock, tabs: processTabs(), extractableKeys: true, notify: () => undefined, ...(o.log ? { log: o.log } : {}) });
    return new Bridge(o, store, remote);
  }

  get paired(): boolean {
    return this.#remote.panel !== null && this.#remote.adminId !== null;
  }

  get panelId(): string | null {
    return this.#remote.panel?.panelId ?? null;
  }

  /** With the text of the panel's "Pair the Matter bridge" QR code. */
  async pair(payloadText: string): Promise<PairResult> {
    const r = await this.#remote.pair(payloadText, this.#o.name ?? 'Matter bridge');
    if (r.ok && r.role !== 'bridge') {
      // A phone's code (owner or manager) would give every Matter controller far more than a lock needs.
      await this.#remote.forget();
      return { ok: false, reason: `that code pairs a ${r.role}; on the panel, choose "Matter bridge" when making the code` };
    }
    return r;
  }

  /** Connects to the panel and starts serving the lock on the LAN (mDNS, UDP). */
  async start(): Promise<void> {
    if (!this.paired) throw new Error('not paired with a panel yet: npm run matter -- --pair "<code from the panel>"');
    this.#stopRemote = this.#remote.start();
    const port = new PanelPort(this.#remote);
    this.#port = port;
    const environment = new Environment('doorward-bridge', Environment.default);
    environment.vars.set('storage.path', join(this.#o.stateDir, 'matter'));
    const book = new UserBook(MAX_USERS, this.#store.assignments);
    const link = new DoorwardLink(port, book, (a) => this.#store.saveAssignments(a), this.#o.pulseSeconds ?? 3, this.#log, this.#store.schedules);
    this.#link = link;
    environment.set(DoorwardLink, link);
    const setup = this.#store.matterSetup(newSetupCode);
    const name = (this.#o.name ?? 'Doorward door').slice(0, 32);
    const node = await ServerNode.create({
      id: 'doorward-lock',
      environment,
      network: { port: this.#o.port ?? 5540 },
      commissioning: { passcode: setup.passcode, discriminator: setup.discriminator },
      productDescription: { name, deviceType: DoorLockDevice.deviceType },
      basicInformation: {
        // The Matter test vendor: fine for a home's own controllers, not for a product sold (README, Matter).
        vendorName: 'Doorward',
        vendorId: 0xfff1 as never,
        productName: 'Doorward face access panel',
        productLabel: name,
        productId: 0x8000,
        nodeLabel: name,
        serialNumber: `dw-${this.#remote.panel?.panelId ?? 'unpaired'}`,
        hardwareVersion: 1,
        softwareVersion: 1,
      },
    });
    await node.add(DoorLockDevice.with(DoorwardLockServer), {
      id: 'door',
      doorLock: {
        lockState: DoorLock.LockState.Locked,
        lockType: DoorLock.LockType.Magnetic,
        actuatorEnabled: true,
        operatingMode: DoorLock.OperatingMode.Normal,
        supportedOperatingModes: { vacation: true, privacy: true, passage: true, noRemoteLockUnlock: true, alwaysSet: 2047 },
        doorState: DoorLock.DoorState.DoorClosed,
        numberOfTotalUsersSupported: MAX_USERS,
        numberOfPinUsersSupported: MAX_USERS,
        numberOfCredentialsSupportedPerUser: 1,
        // A Doorward person holds up to 7 weekly windows and 8 date ranges (src/remote/command.ts parseSchedule).
        numberOfWeekDaySchedulesSupportedPerUser: 7,
        numberOfYearDaySchedulesSupportedPerUser: 8,
        minPinCodeLength: 4,
        maxPinCodeLength: 12,
        credentialRulesSupport: { single: true },
        autoRelockTime: this.#o.pulseSeconds ?? 3,
        requirePinForRemoteOperation: true,
        // The panel counts wrong PINs (its pad's back-off); these only describe that to controllers.
        wrongCodeEntryLimit: 3,
        userCodeTemporaryDisableTime: 60,
      },
    });
    await node.start();
    this.#node = node;
    node.events.commissioning.fabricsChanged.on(() => void this.report());
    this.#reportTimer = setInterval(() => void this.report(), this.#o.reportEveryMs ?? 30_000);
    this.#reportTimer.unref?.();
    // Not awaited: serving the lock does not wait for a panel that may be offline.
    void this.report();
  }

  /**
   * Tells the panel the commissioning codes and fabrics (one report at a time), learns its time
   * zone (Matter schedules are the door's local time) and leaves the fabrics an admin removed at
   * the panel. A panel that does not answer is tried again at the next report.
   */
  report(): Promise<void> {
    this.#reporting = this.#reporting.then(async () => {
      if (!this.#node || !this.#port || !this.#link) return;
      try {
        const c = this.commissioning;
        const fabrics = this.fabrics().map((f) => ({ fabricIndex: f.fabricIndex, label: f.label.slice(0, 32), vendorId: f.vendorId }));
        const reply = await this.#port.report({ qrPairingCode: c.qrPairingCode, manualPairingCode: c.manualPairingCode, commissioned: c.commissioned, fabrics });
        this.#link.timeZone = reply.timeZone;
        // The admin removed these in the panel's admin area.
        for (const index of reply.removeFabrics) await this.removeFabric(index);
      } catch (err) {
        this.#log(`report to the panel failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    });
    return this.#reporting;
  }

  get commissioning(): { readonly qrPairingCode: string; readonly manualPairingCode: string; readonly commissioned: boolean } {
    const c = this.#need().state.commissioning;
    return { qrPairingCode: c.pairingCodes.qrPairingCode, manualPairingCode: c.pairingCodes.manualPairingCode, commissioned: c.commissioned };
  }

  /** The Matter fabrics (ecosystems: Home Assistant, Apple Home, Google Home...) this lock belongs to. */
  fabrics(): FabricView[] {
    return Object.values(this.#need().state.commissioning.fabrics).map((f) => ({ fabricIndex: f.fabricIndex, label: f.label, vendorId: f.rootVendorId, nodeId: String(f.nodeId) }));
  }

  /** Leaves one ecosystem: its controllers can no longer reach the door. */
  async removeFabric(fabricIndex: number): Promise<boolean> {
    const fabric = this.#need().env.get(FabricManager).maybeFor(fabricIndex as never);
    if (!fabric) return false;
    await fabric.leave();
    this.#log(`left Matter fabric ${fabricIndex} (${fabric.label || 'unnamed'})`);
    return true;
  }

  async close(): Promise<void> {
    if (this.#reportTimer) clearInterval(this.#reportTimer);
    this.#reportTimer = null;
    await this.#reporting;
    const node = this.#node;
    this.#node = null;
    await node?.close();
    this.#port?.close();
    this.#stopRemote?.();
    this.#stopRemote = null;
  }

  #need(): ServerNode {
    if (!this.#node) throw new Error('the bridge is not started');
    return this.#node;
  }
}

