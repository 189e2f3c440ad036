// The unlock time against the board's own ceiling, over the simulated board (the firmware's twin).
import { describe, expect, it } from 'vitest';
import { importDoorKey } from './auth.ts';
import { DoorController } from './controller.ts';
import { ensurePulseLimit, unlockWithinLimit, type PulseBoard } from './pulse-limit.ts';
import { SimulatedDoor } from './simulator.ts';
import { FakeClock } from '../../tests/support/clock.ts';
import type { DoorConfig } from './protocol.ts';

const KEY = Uint8Array.from({ length: 32 }, (_, i) => 100 + i);
const CUSTOM: DoorConfig = { maxPulseMs: 5000, failMode: 1, heartbeatTimeoutMs: 20_000, heldOpenMs: 90_000 };

async function rig(config: DoorConfig | null = CUSTOM) {
  const clock = new FakeClock(1000);
  const door = await SimulatedDoor.create({ clock, key: KEY });
  const ctrl = new DoorController({ transport: door.transport, clock, key: await importDoorKey(KEY), initialSeq: 0x2000 });
  await ctrl.connect();
  if (config) expect(await ctrl.setConfig(config)).toMatchObject({ outcome: 'done' });
  const logs: string[] = [];
  // Every command the board was sent, by name, to count the tries.
  const sent: string[] = [];
  const board: PulseBoard = {
    status: () => (sent.push('status'), ctrl.status()),
    setConfig: (c) => (sent.push(`setConfig ${c.maxPulseMs}`), ctrl.setConfig(c)),
    unlock: (ms) => (sent.push(`unlock ${ms}`), ctrl.unlock(ms)),
  };
  const config_ = async () => {
    const s = await ctrl.status();
    return s.outcome === 'done' ? s.value.config : null;
  };
  return { clock, door, ctrl, board, logs, sent, log: (m: string) => logs.push(m), config: config_ };
}

describe('raising the board limit for a longer unlock time', () => {
  it('raises max_pulse_ms to the unlock time and keeps every other field of the board config', async () => {
    const r = await rig();
    expect(await ensurePulseLimit(r.board, 12_000, r.log)).toEqual({ ok: true, raised: true });
    expect(await r.config()).toEqual({ ...CUSTOM, maxPulseMs: 12_000 });
    expect(await r.ctrl.unlock(12_000)).toMatchObject({ outcome: 'done' });
    expect(r.logs).toEqual(['[door] controller unlock limit raised 5000 -> 12000 ms (the exit button now releases that long too)']);
  });

  it('writes nothing when the board already allows it', async () => {
    const r = await rig();
    expect(await ensurePulseLimit(r.board, 4000, r.log)).toEqual({ ok: true, raised: false });
    expect(r.sent).toEqual(['status']);
    expect(await r.config()).toEqual(CUSTOM);
  });

  it('refuses in words, with the number read from the board, when the board will not take it; nothing changes', async () => {
    const r = await rig({ ...CUSTOM, maxPulseMs: 8000 });
    const refusing: PulseBoard = { ...r.board, setConfig: async () => ({ outcome: 'refused', reason: 'STORAGE_FAILURE' }) };
    expect(await ensurePulseLimit(refusing, 20_000, r.log)).toEqual({ ok: false, problem: 'This door controller allows at most 8 s.' });
    expect(await r.config()).toEqual({ ...CUSTOM, maxPulseMs: 8000 });
    expect(r.logs[0]).toMatch(/did not raise .*8000 -> 20000 ms \(STORAGE_FAILURE\)/);
    // Over the firmware's own ceiling: refused without asking.
    expect(await ensurePulseLimit(r.board, 31_000, r.log)).toEqual({ ok: false, problem: 'This door controller allows at most 8 s.' });
  });

  it('without a connected board allows only what every board allows by default', async () => {
    expect(await ensurePulseLimit(null, 5000)).toEqual({ ok: true, raised: false });
    expect(await ensurePulseLimit(null, 6000)).toEqual({ ok: false, problem: 'No door controller is connected to check it; without one the unlock time may be at most 5 s.' });
  });

  it('refuses when the board does not answer the status read', async () => {
    const r = await rig();
    const silent: PulseBoard = { ...r.board, status: async () => ({ outcome: 'lost' }) };
    expect(await ensurePulseLimit(silent, 12_000)).toEqual({ ok: false, problem: 'The door controller did not answer, so an unlock time of 12 s cannot be checked.' });
  });
});

describe('an unlock a replaced board refuses as too long', () => {
  it('raises the limit once and retries the unlock once, logged', async () => {
    // A fresh board at its default ceiling (5 s), where the panel's setting is 12 s.
    const r = await rig(null);
    const res = await unlockWithinLimit(r.board, 12_000, r.log);
    expect(res).toMatchObject({ outcome: 'done', value: { pulseMs: 12_000 } });
    expect(r.door.relay).toBe(true);
    expect(r.sent).toEqual(['unlock 12000', 'status', 'setConfig 12000', 'unlock 12000']);
    expect(r.logs).toContain('[door] unlock of 12000 ms refused as out of range; limit raised, retrying once');
  });

  it('does not loop: a board that takes the new limit and still refuses gets one retry, then the door stays locked', async () => {
    const r = await rig(null);
    const stubborn: PulseBoard = { ...r.board, unlock: async (ms) => (r.sent.push(`unlock ${ms}`), { outcome: 'refused', reason: 'OUT_OF_RANGE' }) };
    expect(await unlockWithinLimit(stubborn, 12_000, r.log)).toEqual({ outcome: 'refused', reason: 'OUT_OF_RANGE' });
    expect(r.sent.filter((s) => s.startsWith('unlock'))).toHaveLength(2);
    expect(r.sent.filter((s) => s.startsWith('setConfig'))).toHaveLength(1);
    expect(r.door.relay).toBe(false);
    expect(r.logs.at(-1)).toMatch(/not retried again \(door stays locked\)/);
  });

  it('fails closed without a retry when the limit cannot be raised, or was not the reason', async () => {
    const r = await rig(null);
    const refusing: PulseBoard = { ...r.board, setConfig: async () => ({ outcome: 'refused', reason: 'STORAGE_FAILURE' }) };
    expect(await unlockWithinLimit(refusing, 12_000, r.log)).toEqual({ outcome: 'refused', reason: 'OUT_OF_RANGE' });
    expect(r.sent.filter((s) => s.startsWith('unlock'))).toHaveLength(1);
    expect(r.door.relay).toBe(false);

    // OUT_OF_RANGE though the limit allows the pulse: not the ceiling, so nothing is raised or retried.
    const odd: PulseBoard = { ...r.board, unlock: async (ms) => (r.sent.push(`unlock ${ms}`), { outcome: 'refused', reason: 'OUT_OF_RANGE' }) };
    r.sent.length = 0;
    expect(await unlockWithinLimit(odd, 3000, r.log)).toEqual({ outcome: 'refused', reason: 'OUT_OF_RANGE' });
    expect(r.sent).toEqual(['unlock 3000', 'status']);
    expect(r.door.relay).toBe(false);
  });
});
