import { describe, expect, it } from 'vitest';
import { MemorySettings, memoryEventLog } from '../../tests/support/idb.ts';
import { parseCommandBody, mayRun } from '../remote/command.ts';
import { parseMatterReport, type MatterReport } from './matter-report.ts';
import { MatterStatus } from './matter-status.svelte.ts';

const report = (fabrics: MatterReport['fabrics'], commissioned = fabrics.length > 0): MatterReport => ({ qrPairingCode: 'MT:Y.K9042C00KA0648G00', manualPairingCode: '34970112332', commissioned, fabrics });
const home = { fabricIndex: 1, label: 'Home Assistant', vendorId: 0x134b };
const google = { fabricIndex: 2, label: '', vendorId: 0x6006 };
const clock = { now: () => 1_000, setTimeout: () => 0, clearTimeout: () => undefined };

describe('a Matter bridge report on the wire', () => {
  it('takes the QR payload, the manual code and the fabrics', () => {
    expect(parseMatterReport(report([home, google]))).toEqual(report([home, google]));
    expect(parseCommandBody({ op: 'bridge.report', matter: report([home]) })).toEqual({ op: 'bridge.report', matter: report([home]) });
  });

  it.each([
    ['a payload that is not a Matter QR payload', { ...report([]), qrPairingCode: 'https://evil.example/' }],
    ['markup in the payload', { ...report([]), qrPairingCode: 'MT:<svg onload=x>' }],
    ['a manual code of 10 digits', { ...report([]), manualPairingCode: '3497011233' }],
    ['a fabric index of 0', report([{ ...home, fabricIndex: 0 }])],
    ['a fabric twice', report([home, home])],
    ['a label of 33 characters', report([{ ...home, label: 'x'.repeat(33) }])],
    ['a vendor id beyond 16 bits', report([{ ...home, vendorId: 0x10000 }])],
    ['a field more', { ...report([]), secret: 1 }],
    ['17 fabrics', report(Array.from({ length: 17 }, (_, i) => ({ ...home, fabricIndex: i + 1 })))],
  ])('refuses %s', (_what, bad) => {
    expect(parseMatterReport(bad)).toBeNull();
    expect(parseCommandBody({ op: 'bridge.report', matter: bad })).toBeNull();
  });

  it('is a bridge\'s op only', () => {
    expect(mayRun('bridge', 'bridge.report')).toBe(true);
    expect(mayRun('owner', 'bridge.report')).toBe(false);
    expect(mayRun('manager', 'bridge.report')).toBe(false);
  });
});

describe('MatterStatus: what the admin area shows, and a fabric removed there', () => {
  it('keeps the latest report per bridge, across a reload', async () => {
    const settings = new MemorySettings();
    const status = await MatterStatus.load(settings, clock, memoryEventLog(clock));
    expect(await status.report('bridge-1', report([]))).toEqual([]);
    expect(await status.report('bridge-1', report([home]))).toEqual([]);
    expect(status.bridges).toEqual([{ adminId: 'bridge-1', at: 1_000, removing: [], report: report([home]) }]);
    expect((await MatterStatus.load(settings, clock, memoryEventLog(clock))).bridges).toEqual(status.bridges);
  });

  it('hands a removed fabric to the bridge in the answer to each report until the bridge no longer lists it', async () => {
    const log = memoryEventLog(clock);
    const status = await MatterStatus.load(new MemorySettings(), clock, log);
    await status.report('bridge-1', report([home, google]));
    await status.remove('bridge-1', 2);
    await status.remove('bridge-1', 2);
    await status.remove('bridge-1', 9); // not one of its fabrics: nothing to ask
    expect(status.bridges[0]?.removing).toEqual([2]);
    // The admin's request is in the access log once, naming the bridge and the fabric.
    expect(log.events.map((e) => [e.kind, e.summary, e.detail])).toEqual([['admin', 'Matter: the panel admin asked bridge bridge-1 to leave fabric 2', { adminId: 'bridge-1', matterFabric: 2 }]]);
    // A report before the bridge has left it still asks (the answer may have been lost).
    expect(await status.report('bridge-1', report([home, google]))).toEqual([2]);
    expect(await status.report('bridge-1', report([home]))).toEqual([]);
    expect(status.bridges[0]).toMatchObject({ removing: [], report: report([home]) });
  });

  it('keeps bridges apart, and forgets one', async () => {
    const status = await MatterStatus.load(new MemorySettings(), clock, memoryEventLog(clock));
    await status.report('bridge-1', report([home]));
    await status.report('bridge-2', report([google]));
    await status.remove('bridge-2', 1); // bridge-2 has no fabric 1
    expect(status.bridges.map((b) => [b.adminId, b.removing])).toEqual([['bridge-1', []], ['bridge-2', []]]);
    await status.forget('bridge-1');
    expect(status.bridges.map((b) => b.adminId)).toEqual(['bridge-2']);
  });
});
