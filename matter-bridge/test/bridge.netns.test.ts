// The Matter bridge end to end, inside a network namespace of its own (test/netns.sh): a real
// Mosquitto, the panel's real remote link and services (tests/remote/real-panel.ts: the real
// Gatekeeper, PeopleAdmin, panelActions; storage and the door in memory), the bridge paired to it
// as a 'bridge' admin, and matter.js's own controller commissioning the bridge over mDNS and UDP.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Environment, ServerNode, type ClientNode } from '@matter/main';
import { DoorLockClient } from '@matter/main/behaviors/door-lock';
import { DoorLock } from '@matter/main/clusters/door-lock';
import { connectMqtt } from '../../src/remote/link.ts';
import { PanelRemote } from '../../src/remote/panel-remote.ts';
import { systemClock, type Clock } from '../../src/platform/clock.ts';
import { NO_FAILURES } from '../../src/lib/lockout.ts';
import { MemoryPanelStore, memoryOutbox } from '../../tests/support/idb.ts';
import { startMosquitto, type Mosquitto } from '../../tests/remote/mosquitto.ts';
import { waitFor } from '../../tests/remote/scenario.ts';
import { realPanel, type RealPanel } from '../../tests/remote/real-panel.ts';
import type { AuditEntry } from '../../src/remote/ports.ts';
import { Bridge } from '../src/bridge.ts';

if (process.env.DOORWARD_NETNS !== '1') throw new Error('run this through `npm run test:matter` (matter-bridge/test/netns.sh): Matter discovery multicasts, and only a namespace of its own keeps that off real networks');

const Lock = DoorLockClient.with('User', 'PinCredential', 'FaceCredentials', 'DoorPositionSensor', 'CredentialOverTheAirAccess', 'WeekDayAccessSchedules', 'YearDayAccessSchedules');
const pin = (digits: string) => new TextEncoder().encode(digits);
type LockOperation = DoorLock.LockOperationEvent;

let mosquitto: Mosquitto;
let panel: RealPanel;
let remote: PanelRemote;
let stopPanel: () => void;
const audits: AuditEntry[] = [];
let bridge: Bridge;
let controller: ServerNode;
let peer: ClientNode;
let adaId: string;
const dirs: string[] = [];
const operations: LockOperation[] = [];
const figures: Record<string, number> = {};
/** The panel's wall clock (schedules, the log): real time unless a test sets it. */
const panelClock: Clock & { at: number | null } = { at: null, now: () => panelClock.at ?? Date.now(), setTimeout: systemClock.setTimeout, clearTimeout: systemClock.clearTimeout };
/** Matter local time as matter.js takes it: Unix seconds of the door's wall clock (UTC here). */
const matterSeconds = (iso: string) => Date.parse(iso) / 1000;
const bridgeAdminId = () => remote.admins.find((a) => a.label === 'Front door')?.id ?? 'none';

const tmp = (name: string) => {
  const d = mkdtempSync(join(tmpdir(), `doorward-matter-${name}-`));
  dirs.push(d);
  return d;
};
/**
 * The peer's door lock as the controller sees it. A client endpoint's behaviors are built from what
 * the device describes, so they are looked up by id and typed here as the features the bridge serves.
 */
const lock = () => {
  const ep = peer.parts.get(1);
  if (!ep) throw new Error('no door lock endpoint on the peer');
  return {
    stateOf: (_: typeof Lock) => ep.stateOf('doorLock') as unknown as InstanceType<typeof Lock>['state'],
    commandsOf: (_: typeof Lock) => ep.commandsOf('doorLock') as unknown as InstanceType<typeof Lock>,
    eventsOf: (_: typeof Lock) => ep.eventsOf('doorLock') as unknown as InstanceType<typeof Lock>['events'],
  };
};

beforeAll(async () => {
  mosquitto = await startMosquitto();
  panel = await realPanel(panelClock);
  const ada = await panel.admin.create('Ada', 'resident', '2468', '');
  if (!('personId' in ada)) throw new Error(ada.problem);
  adaId = ada.personId;
  await panel.admin.addTemplate(adaId, new Float32Array(512).fill(0.1), 0.9);
  remote = await PanelRemote.create({ brokerUrl: mosquitto.url, connect: connectMqtt, store: new MemoryPanelStore(), outbox: memoryOutbox(systemClock), actions: panel.actions, audit: (e) => void audits.push(e), clock: systemClock, flushIntervalMs: 200 });
  stopPanel = remote.start();
  await waitFor('the panel online', () => remote.status === 'online');

  bridge = await Bridge.open({ stateDir: tmp('bridge'), connect: connectMqtt, port: 5640, pulseSeconds: 1, name: 'Front door', log: () => undefined, reportEveryMs: 500 });
  const offer = await remote.createPairing('bridge');
  expect(await bridge.pair(offer.payload)).toEqual({ ok: true, role: 'bridge' });
  await bridge.start();

  const environment = new Environment('test-controller', Environment.default);
  environment.vars.set('storage.path', tmp('controller'));
  controller = await ServerNode.create({ id: 'controller', environment, network: { port: 5641 } });
  await controller.start();
  const t0 = performance.now();
  peer = await controller.peers.commission({ id: 'front-door', pairingCode: bridge.commissioning.manualPairingCode });
  figures.commissionMs = Math.round(performance.now() - t0);
  lock().eventsOf(Lock).lockOperation.on((e) => void operations.push(e));
}, 90_000);

afterAll(async () => {
  console.log(`[matter-bridge figures] ${JSON.stringify(figures)}`);
  await controller?.close();
  await bridge?.close();
  stopPanel?.();
  await mosquitto?.dispose();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('the Matter bridge, commissioned by matter.js over mDNS in a private namespace', () => {
  it('is a commissioned Door Lock on one fabric, showing the panel locked, the door closed, and the panel\'s people as users', async () => {
    expect(bridge.commissioning.commissioned).toBe(true);
    expect(bridge.fabrics()).toHaveLength(1);
    const s = lock().stateOf(Lock);
    expect(s.lockState).toBe(DoorLock.LockState.Locked);
    expect(s.doorState).toBe(DoorLock.DoorState.DoorClosed);
    expect(s.requirePinForRemoteOperation).toBe(true);
    const ada = await lock().commandsOf(Lock).getUser({ userIndex: 1 });
    // Ada's PIN shows as existing, her face as a face credential: neither is readable from Matter.
    expect(ada).toMatchObject({ userIndex: 1, userName: 'Ada', userStatus: DoorLock.UserStatus.OccupiedEnabled, credentials: [{ credentialType: DoorLock.CredentialType.Pin, credentialIndex: 1 }, { credentialType: DoorLock.CredentialType.Face, credentialIndex: 1 }] });
    expect(JSON.stringify(ada)).not.toContain('2468');
  });

  it('refuses an unlock without a PIN, and the panel never hears of it', async () => {
    await expect(lock().commandsOf(Lock).unlockDoor({})).rejects.toThrow();
    expect(panel.door.pulses).toEqual([]);
  });

  it('unlocks with a PIN the panel checks, names the person in the lock operation, and locks again', async () => {
    const before = operations.length;
    const t0 = performance.now();
    await lock().commandsOf(Lock).unlockDoor({ pinCode: pin('2468') });
    figures.unlockRoundTripMs = Math.round(performance.now() - t0);
    expect(panel.door.pulses).toHaveLength(1);
    expect(panel.log.events.at(-1)).toMatchObject({ kind: 'attempt', personId: adaId, summary: `grant Ada by pin sent by Matter bridge "Front door" (${bridgeAdminId().slice(0, 8)})`, detail: { via: { adminId: bridgeAdminId(), carrier: 'Matter bridge "Front door"' } } });
    await waitFor('the unlock event at the controller', () => operations.length > before);
    expect(operations[before]).toMatchObject({ lockOperationType: DoorLock.LockOperationType.Unlock, operationSource: DoorLock.OperationSource.Remote, userIndex: 1, credentials: [{ credentialType: DoorLock.CredentialType.Pin, credentialIndex: 1 }] });
    await waitFor('the lock state unlocked', () => lock().stateOf(Lock).lockState === DoorLock.LockState.Unlocked);

    const t1 = performance.now();
    await lock().commandsOf(Lock).lockDoor({});
    figures.lockRoundTripMs = Math.round(performance.now() - t1);
    expect(panel.door.locks).toBe(1);
    await waitFor('the lock state locked', () => lock().stateOf(Lock).lockState === DoorLock.LockState.Locked);
  });

  it('backs off wrong PINs from the controller as the keypad does: three wrong, then even the right one waits, at the pad too', async () => {
    for (const guess of ['1111', '2222', '3333']) await expect(lock().commandsOf(Lock).unlockDoor({ pinCode: pin(guess) })).rejects.toThrow();
    await expect(lock().commandsOf(Lock).unlockDoor({ pinCode: pin('2468') })).rejects.toThrow(/lockedOut|Failure/);
    expect(await panel.gatekeeper.pin('2468')).toMatchObject({ outcome: 'deny', reason: 'lockedOut' });
    expect(await panel.settings.get('pinPadLockout')).toMatchObject({ failures: 3 });
    expect(panel.door.pulses).toHaveLength(1);
    // The back-off waited out (its record cleared, as its time running out would).
    await panel.settings.put('pinPadLockout', NO_FAILURES);
  });

  it('sets a week-day schedule for a user from the controller: the panel refuses their PIN outside it and opens inside it', async () => {
    const ctl = lock().commandsOf(Lock);
    // Ada (user 1), Mondays 09:00 to 17:00 in the panel's zone (UTC in this panel).
    await ctl.setWeekDaySchedule({ weekDayIndex: 2, userIndex: 1, daysMask: { monday: true }, startHour: 9, startMinute: 0, endHour: 17, endMinute: 0 });
    const ada = () => panel.actions.listPeople().then((people) => people.find((p) => p.id === adaId));
    expect((await ada())?.schedule).toEqual({ timeZone: 'UTC', windows: [{ days: ['mon'], start: '09:00', end: '17:00' }] });
    const read = await ctl.getWeekDaySchedule({ weekDayIndex: 2, userIndex: 1 });
    expect(read).toMatchObject({ status: 0, daysMask: { monday: true }, startHour: 9, startMinute: 0, endHour: 17, endMinute: 0 });
    expect(Object.entries(read.daysMask ?? {}).filter(([, on]) => on).map(([day]) => day)).toEqual(['monday']);
    expect(await ctl.getWeekDaySchedule({ weekDayIndex: 1, userIndex: 1 })).toMatchObject({ status: 0x8b }); // NOT_FOUND
    expect(await ctl.getUser({ userIndex: 1 })).toMatchObject({ userType: DoorLock.UserType.ScheduleRestrictedUser });

    const pulses = panel.door.pulses.length;
    panelClock.at = Date.parse('2026-03-02T18:30:00Z'); // a Monday, after hours
    expect(await panel.gatekeeper.pin('2468')).toMatchObject({ outcome: 'deny' });
    expect(JSON.stringify(panel.log.events.at(-1)?.detail)).toContain('outsideSchedule');
    panelClock.at = Date.parse('2026-03-03T10:00:00Z'); // a Tuesday
    expect(await panel.gatekeeper.pin('2468')).toMatchObject({ outcome: 'deny' });
    panelClock.at = Date.parse('2026-03-02T10:00:00Z'); // Monday morning
    expect(await panel.gatekeeper.pin('2468')).toMatchObject({ outcome: 'grant', name: 'Ada' });
    expect(panel.door.pulses).toHaveLength(pulses + 1);

    // A year-day schedule of whole days narrows it to those dates; one with a time of day has no Doorward counterpart.
    await expect(ctl.setYearDaySchedule({ yearDayIndex: 1, userIndex: 1, localStartTime: matterSeconds('2026-03-01T09:00:00Z'), localEndTime: matterSeconds('2026-03-31T23:59:59Z') })).rejects.toThrow(/Invalid command \(code 133\)/);
    await ctl.setYearDaySchedule({ yearDayIndex: 1, userIndex: 1, localStartTime: matterSeconds('2026-03-01T00:00:00Z'), localEndTime: matterSeconds('2026-03-31T23:59:59Z') });
    expect((await ada())?.schedule).toEqual({ timeZone: 'UTC', windows: [{ days: ['mon'], start: '09:00', end: '17:00' }], ranges: [{ from: '2026-03-01', to: '2026-03-31' }] });
    panelClock.at = Date.parse('2026-04-06T10:00:00Z'); // a Monday morning in April
    expect(await panel.gatekeeper.pin('2468')).toMatchObject({ outcome: 'deny' });
    panelClock.at = null;

    // Cleared from the controller: back to the role's default (a resident, any time).
    await ctl.clearYearDaySchedule({ yearDayIndex: 0xfe, userIndex: 1 });
    await ctl.clearWeekDaySchedule({ weekDayIndex: 0xfe, userIndex: 1 });
    expect((await ada())?.schedule).toBeNull();
    expect(await ctl.getUser({ userIndex: 1 })).toMatchObject({ userType: DoorLock.UserType.UnrestrictedUser });
    await panel.settings.put('pinPadLockout', NO_FAILURES);
  });

  it('tells the panel its commissioning for the admin area: the QR payload, the manual code and the fabric it joined', async () => {
    await waitFor('the report at the panel', () => panel.matter.bridges[0]?.report.fabrics.length === 1);
    const c = bridge.commissioning;
    expect(panel.matter.bridges).toEqual([{ adminId: bridgeAdminId(), at: expect.any(Number), removing: [], report: { qrPairingCode: c.qrPairingCode, manualPairingCode: c.manualPairingCode, commissioned: true, fabrics: [{ fabricIndex: bridge.fabrics()[0]!.fabricIndex, label: bridge.fabrics()[0]!.label, vendorId: bridge.fabrics()[0]!.vendorId }] } }]);
    expect(c.qrPairingCode).toMatch(/^MT:/);
  });

  it('adds a user and PIN from the controller: a Doorward person with that PIN, who opens the door at the pad', async () => {
    const ctl = lock().commandsOf(Lock);
    const pulses = panel.door.pulses.length;
    await ctl.setUser({ operationType: DoorLock.DataOperationType.Add, userIndex: 2, userName: 'Grace', userUniqueId: null, userStatus: null, userType: null, credentialRule: null });
    const r = await ctl.setCredential({ operationType: DoorLock.DataOperationType.Add, credential: { credentialType: DoorLock.CredentialType.Pin, credentialIndex: 2 }, credentialData: pin('5791'), userIndex: 2, userStatus: null, userType: null });
    expect(r).toMatchObject({ status: 0 });
    const grace = (await panel.actions.listPeople()).find((p) => p.name === 'Grace');
    expect(grace).toMatchObject({ hasPin: true, templates: 0, active: true });
    expect(await panel.gatekeeper.pin('5791')).toMatchObject({ outcome: 'grant', name: 'Grace' });
    expect(panel.door.pulses).toHaveLength(pulses + 1);
    // A PIN the panel already holds for someone else is refused by the panel, and the controller told.
    const dup = await ctl.setCredential({ operationType: DoorLock.DataOperationType.Add, credential: { credentialType: DoorLock.CredentialType.Pin, credentialIndex: 3 }, credentialData: pin('2468'), userIndex: null, userStatus: null, userType: null });
    expect(dup.status).not.toBe(0);
    expect((await panel.actions.listPeople()).map((p) => p.name).sort()).toEqual(['Ada', 'Grace']);
  });

  it('reports a face entry at the panel as a Biometric unlock by the mapped user, and the contact as the door state', async () => {
    const before = operations.length;
    expect(await panel.face(adaId)).toMatchObject({ outcome: 'grant', name: 'Ada' });
    await waitFor('the face entry at the controller', () => operations.some((o, i) => i >= before && o.operationSource === DoorLock.OperationSource.Biometric));
    expect(operations.slice(before).find((o) => o.operationSource === DoorLock.OperationSource.Biometric)).toMatchObject({ lockOperationType: DoorLock.LockOperationType.Unlock, userIndex: 1, credentials: [{ credentialType: DoorLock.CredentialType.Face, credentialIndex: 1 }] });
    await panel.contact(true);
    await waitFor('the door open at the controller', () => lock().stateOf(Lock).doorState === DoorLock.DoorState.DoorOpen);
    await panel.contact(false);
    await waitFor('the door closed at the controller', () => lock().stateOf(Lock).doorState === DoorLock.DoorState.DoorClosed);
  });

  it('removes users from the controller: a PIN-only person is erased, a person enrolled by face only loses the PIN', async () => {
    const ctl = lock().commandsOf(Lock);
    await ctl.clearUser({ userIndex: 2 });
    expect((await panel.actions.listPeople()).map((p) => p.name)).toEqual(['Ada']);
    await ctl.clearUser({ userIndex: 1 });
    expect(await panel.actions.listPeople()).toEqual([expect.objectContaining({ name: 'Ada', hasPin: false, templates: 1 })]);
    expect(await panel.gatekeeper.pin('2468')).toMatchObject({ outcome: 'deny' });
  });

  it('was never allowed more than a bridge: the panel logged no refusal of an op it may run', () => {
    expect(remote.admins.find((a) => a.label === 'Front door')?.role).toBe('bridge');
    expect(audits.filter((a) => a.outcome === 'refused' && a.reason === 'forbidden')).toEqual([]);
  });

  it('decommissions: the controller leaves and the fabric is gone from the bridge', async () => {
    await peer.decommission();
    await waitFor('the fabric removed', () => bridge.fabrics().length === 0, 20_000);
    expect(bridge.fabrics()).toEqual([]);
    // With its last fabric gone the lock resets itself to commissionable, with the same setup code.
    await waitFor('the bridge commissionable again', () => bridge.commissioning.commissioned === false, 20_000);
    await new Promise((r) => setTimeout(r, 500));
  });

  it('leaves a fabric that the panel\'s admin removed, at its next report', async () => {
    // Its reset after the last fabric left runs on a while after it reads as commissionable: until then the node reads as 'not initialized'.
    const readable = (f: () => boolean) => () => {
      try {
        return f();
      } catch {
        return false;
      }
    };
    const commissionable = readable(() => bridge.commissioning.commissioned === false);
    await waitFor('the bridge\'s node back up, commissionable', commissionable, 20_000);
    // No id: matter.js can see the device on two addresses at once and would make the named peer twice.
    await controller.peers.commission({ pairingCode: bridge.commissioning.manualPairingCode });
    await waitFor('the new fabric at the panel', () => panel.matter.bridges[0]?.report.fabrics.length === 1);
    const [fabric] = panel.matter.bridges[0]!.report.fabrics;
    await panel.matter.remove(bridgeAdminId(), fabric!.fabricIndex);
    expect(panel.matter.bridges[0]?.removing).toEqual([fabric!.fabricIndex]);
    // Leaving its last fabric resets the node: it reads as 'not initialized' for a moment.
    await waitFor('the bridge left it', readable(() => bridge.fabrics().length === 0), 20_000);
    await waitFor('the panel shows no fabric and asks for nothing more', () => panel.matter.bridges[0]?.report.fabrics.length === 0 && panel.matter.bridges[0]?.removing.length === 0, 20_000);
    await waitFor('the bridge commissionable again', commissionable, 20_000);
    await new Promise((r) => setTimeout(r, 500));
  });
});
