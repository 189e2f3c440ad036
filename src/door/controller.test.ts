// DoorController end to end against the simulated board (the firmware's twin), on a fake clock.
import { describe, expect, it } from 'vitest';
import { importDoorKey } from './auth.ts';
import { DoorController } from './controller.ts';
import type { DoorState } from './controller.ts';
import { FakeClock, TapTransport, settle } from './fakes.ts';
import { Cmd, FrameType, decodeFrame, reasonName } from './protocol.ts';
import type { DoorEvent } from './protocol.ts';
import { Input, SimulatedDoor } from './simulator.ts';

const KEY = Uint8Array.from({ length: 32 }, (_, i) => i);

async function rig(opts: { key?: Uint8Array | null; hostKey?: Uint8Array | null; inputs?: number } = {}) {
  const clock = new FakeClock(1000);
  const boardKey = opts.key === undefined ? KEY : opts.key;
  const door = await SimulatedDoor.create({ clock, ...(boardKey ? { key: boardKey } : {}), inputs: opts.inputs ?? 0 });
  const tap = new TapTransport(door.transport);
  const hostKey = opts.hostKey === undefined ? KEY : opts.hostKey;
  const ctrl = new DoorController({ transport: tap, clock, key: hostKey ? await importDoorKey(hostKey) : null, initialSeq: 0x4000 });
  const states: DoorState['state'][] = [];
  const events: DoorEvent[] = [];
  ctrl.on('state', (s) => states.push(s.state));
  ctrl.on('event', (e) => events.push(e));
  return { clock, door, tap, ctrl, states, events };
}

/** Answers (RESPONSE/NAK) the device sent, decoded. */
function answers(tap: TapTransport) {
  return tap.receivedFrames().filter((f) => f.header.type === FrameType.Response || f.header.type === FrameType.Nak);
}

describe('DoorController over the simulated board', () => {
  it('connects and says plainly that it is simulated', async () => {
    const { ctrl, states } = await rig();
    const s = await ctrl.connect();
    expect(s.state).toBe('simulated');
    if (s.state !== 'simulated') return;
    expect(s.info.firmware).toBe('1.0.0');
    expect(s.info.nonce).toHaveLength(16);
    expect(states).toEqual(['connecting', 'simulated']);
  });

  it('pulses the relay for a valid UNLOCK, and the MCU relocks on its own timer', async () => {
    const { ctrl, door, clock, events } = await rig();
    await ctrl.connect();
    const r = await ctrl.unlock(3000);
    expect(r).toEqual({ outcome: 'done', value: { pulseMs: 3000, state: expect.any(Number) } });
    expect(door.relay).toBe(true);
    await clock.advance(3100);
    expect(door.relay).toBe(false);
    expect(door.releases).toBe(1);
    expect(events.filter((e) => e.kind === 'relay').map((e) => e.kind === 'relay' && e.released)).toEqual([true, false]);
  });

  it('pulses once when the answer is lost and the UNLOCK is retried', async () => {
    const { ctrl, door, tap, clock } = await rig();
    await ctrl.connect();
    tap.dropAnswers = 1;
    const pending = ctrl.unlock(2000);
    for (let i = 0; i < 200 && tap.dropAnswers > 0; i++) await settle();
    expect(tap.dropAnswers).toBe(0); // the first answer was swallowed
    await clock.advance(250); // command timeout: the controller resends the identical bytes
    const r = await pending;
    expect(r.outcome).toBe('done');
    const unlocks = tap.written.filter((w) => {
      const d = decodeFrame(w.subarray(0, w.length - 1));
      return d.ok && d.frame.header.cmd === 0x03;
    });
    expect(unlocks).toHaveLength(2);
    expect(unlocks[0]).toEqual(unlocks[1]);
    expect(door.releases).toBe(1);
  });

  it('refuses a replayed UNLOCK frame', async () => {
    const { ctrl, door, tap, clock } = await rig();
    await ctrl.connect();
    expect((await ctrl.unlock(1000)).outcome).toBe('done');
    const recorded = tap.lastCommand(Cmd.Unlock);
    expect((await ctrl.status()).outcome).toBe('done');
    await clock.advance(1100);
    expect(door.relay).toBe(false);
    if (!recorded) throw new Error('nothing recorded');
    await tap.inject(recorded); // an attacker replays the captured bytes
    for (let i = 0; i < 20; i++) await settle();
    const last = answers(tap).at(-1);
    expect(last?.header.type).toBe(FrameType.Nak);
    expect(reasonName(last?.payload[0] ?? 0)).toBe('STALE_COUNTER');
    expect(door.relay).toBe(false);
    expect(door.releases).toBe(1);
    const status = await ctrl.status();
    expect(status.outcome === 'done' && status.value.staleCounter).toBe(1);
  });

  it('refuses a forged tag (wrong key) and keeps the door locked', async () => {
    const { ctrl, door } = await rig({ hostKey: new Uint8Array(32).fill(0x5a) });
    await ctrl.connect();
    expect(await ctrl.unlock(1000)).toEqual({ outcome: 'refused', reason: 'BAD_TAG' });
    expect(door.releases).toBe(0);
    const status = await ctrl.status();
    expect(status.outcome === 'done' && status.value.badTag).toBe(1);
  });

  it('goes lost when heartbeats stop being answered, and comes back by itself', async () => {
    const { ctrl, door, clock, states } = await rig();
    await ctrl.connect();
    await clock.advance(3000);
    expect(ctrl.state.state).toBe('simulated'); // heartbeats kept it alive
    door.transport.setLinkUp(false);
    await clock.advance(1000 + 3 * 250 + 10);
    expect(ctrl.state.state).toBe('lost');
    const attempt = ctrl.unlock(1000); // tries a new HELLO first, which goes unanswered
    await clock.advance(3 * 250 + 10);
    expect(await attempt).toEqual({ outcome: 'lost' });
    door.transport.setLinkUp(true);
    await clock.advance(2100);
    expect(ctrl.state.state).toBe('simulated');
    expect(states).toContain('lost');
    expect(door.releases).toBe(0);
  });

  it('recovers a session closed by the MCU watchdog', async () => {
    const { ctrl, door, clock } = await rig();
    await ctrl.connect();
    door.transport.setLinkUp(false);
    await clock.advance(11_000); // MCU: no heartbeat for 10 s -> fail-secure, session closed
    door.transport.setLinkUp(true);
    await clock.advance(2100); // controller reconnects with a new HELLO
    const s = ctrl.state;
    expect(s.state).toBe('simulated');
    if (s.state === 'simulated') expect(s.info.lastFail).toBe(1);
    expect((await ctrl.unlock(500)).outcome).toBe('done');
  });

  it('reports exit button, door and relay events, ACKing each once', async () => {
    const { ctrl, door, clock, events } = await rig();
    await ctrl.connect();
    await clock.advance(300); // the BOOT event sent before we listened comes again; ACK it
    door.inputs = Input.ExitButton;
    await clock.advance(20);
    door.inputs = Input.DoorOpen;
    await clock.advance(20);
    door.inputs = 0;
    await clock.advance(20);
    expect(events.map((e) => e.kind)).toEqual(['boot', 'exit-button', 'relay', 'door', 'door']);
    await clock.advance(1000);
    expect(events).toHaveLength(5); // every event was ACKed: no retries reported twice
  });

  it('reports an unprovisioned board as a fault, then provisions it in set-up mode', async () => {
    const { ctrl, door } = await rig({ key: null, hostKey: null, inputs: Input.SetupButton });
    const s = await ctrl.connect();
    expect(s).toMatchObject({ state: 'fault', fault: 'not-provisioned' });
    expect(await ctrl.unlock(1000)).toEqual({ outcome: 'refused', reason: 'NOT_PROVISIONED' });
    expect((await ctrl.provisionKey(KEY)).outcome).toBe('done');
    expect(ctrl.state.state).toBe('simulated');
    expect((await ctrl.unlock(1000)).outcome).toBe('done');
    expect(door.releases).toBe(1);
    expect(await ctrl.provisionKey(KEY)).toEqual({ outcome: 'refused', reason: 'NOT_IN_SETUP_MODE' });
  });

  it('latches a tamper lockout until a signed clear', async () => {
    const { ctrl, door, clock } = await rig();
    await ctrl.connect();
    await clock.advance(300); // drain the BOOT event so the TAMPER event is next in line
    door.inputs = Input.Tamper;
    await clock.advance(20);
    expect(ctrl.state).toMatchObject({ state: 'fault', fault: 'tamper-lockout' });
    expect(await ctrl.clearTamper()).toEqual({ outcome: 'refused', reason: 'TAMPER_ACTIVE' });
    door.inputs = 0;
    await clock.advance(20);
    expect(await ctrl.unlock(1000)).toEqual({ outcome: 'refused', reason: 'LOCKED_OUT' });
    expect((await ctrl.clearTamper()).outcome).toBe('done');
    expect(ctrl.state.state).toBe('simulated');
    expect((await ctrl.unlock(1000)).outcome).toBe('done');
  });

  it('keeps one command in flight', async () => {
    const { ctrl, tap } = await rig();
    await ctrl.connect();
    const before = tap.written.length;
    const all = await Promise.all([ctrl.unlock(1000), ctrl.status(), ctrl.lock(), ctrl.status()]);
    expect(all.map((r) => r.outcome)).toEqual(['done', 'done', 'done', 'done']);
    // each write was answered before the next one went out
    const seqs = tap.written.slice(before).map((w) => {
      const d = decodeFrame(w.subarray(0, w.length - 1));
      return d.ok && d.frame.header.type === FrameType.Command ? d.frame.header.seq : -1;
    }).filter((s) => s >= 0);
    const answered = answers(tap).map((f) => f.header.seq);
    expect(seqs).toEqual(answered.slice(-4));
    expect(new Set(seqs).size).toBe(4);
  });

  it('changes config with a signed SET_CONFIG and the MCU enforces the new maximum', async () => {
    const { ctrl } = await rig();
    await ctrl.connect();
    const cfg = { maxPulseMs: 2000, failMode: 0 as const, heartbeatTimeoutMs: 5000, heldOpenMs: 20000 };
    expect(await ctrl.setConfig(cfg)).toEqual({ outcome: 'done', value: cfg });
    expect(await ctrl.unlock(2500)).toEqual({ outcome: 'refused', reason: 'OUT_OF_RANGE' });
    expect(await ctrl.setConfig({ ...cfg, maxPulseMs: 60000 })).toEqual({ outcome: 'refused', reason: 'OUT_OF_RANGE' });
  });
});
