// DoorController end to end against the simulated board (the firmware's twin), on a fake clock.
import { describe, expect, it } from 'vitest';
import { encodeMcuFrame, encodeSigned, importDoorKey } from './auth.ts';
import { DoorController } from './controller.ts';
import type { DoorState, LinkFault } from './controller.ts';
import { FakeClock, settle } from '../../tests/support/clock.ts';
import { ImpostorBoard, TapTransport } from '../../tests/support/serial.ts';
import { Cmd, EventId, FrameType, decodeFrame, encodeFrame, reasonName } from './protocol.ts';
import type { DoorEvent } from './protocol.ts';
import { Input, SimulatedDoor } from './simulator.ts';

const KEY = Uint8Array.from({ length: 32 }, (_, i) => i);

async function rig(opts: { key?: Uint8Array | null; hostKey?: Uint8Array | null; inputs?: number } = {}) {
  const clock = new FakeClock(1000);
  const boardKey = opts.key === undefined ? KEY : opts.key;
  const door = await SimulatedDoor.create({ clock, ...(boardKey ? { key: boardKey } : {}), inputs: opts.inputs ?? 0 });
  const tap = new TapTransport(door.transport);
  const hostKey = opts.hostKey === undefined ? KEY : opts.hostKey;
  const logs: string[] = [];
  const ctrl = new DoorController({ transport: tap, clock, key: hostKey ? await importDoorKey(hostKey) : null, initialSeq: 0x4000, log: (m) => logs.push(m) });
  const states: DoorState['state'][] = [];
  const events: DoorEvent[] = [];
  const faults: LinkFault[] = [];
  ctrl.on('state', (s) => states.push(s.state));
  ctrl.on('event', (e) => events.push(e));
  ctrl.on('linkFault', (f) => faults.push(f));
  return { clock, door, tap, ctrl, states, events, faults, logs };
}

/** Lets the simulated link and WebCrypto settle until cond holds (bounded). */
async function settleUntil(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !cond(); i++) await settle();
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
    expect(s.info.firmware).toBe('2.0.0');
    expect(ctrl.keyed).toBe(true);
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
    tap.dropAnswersTo = Cmd.Unlock;
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
    // its challenge was spent by the first delivery
    expect(reasonName(last?.payload[0] ?? 0)).toBe('STALE_CHALLENGE');
    expect(door.relay).toBe(false);
    expect(door.releases).toBe(1);
    const status = await ctrl.status();
    expect(status.outcome === 'done' && status.value.staleCounter).toBe(1);
  });

  it('refuses to work with a board that signs with another key, and sends it nothing signed', async () => {
    const { ctrl, door, tap, faults } = await rig({ hostKey: new Uint8Array(32).fill(0x5a) });
    expect(await ctrl.connect()).toMatchObject({ state: 'fault', fault: 'key-mismatch' });
    expect(ctrl.keyed).toBe(false);
    expect(await ctrl.unlock(1000)).toEqual({ outcome: 'refused', reason: 'UNTRUSTED_LINK' });
    expect(door.releases).toBe(0);
    expect(tap.lastCommand(Cmd.Unlock)).toBeUndefined();
    expect(faults.map((f) => [f.kind, f.frame])).toContainEqual(['forged', 'RESPONSE to HELLO']);
  });

  it('has the board refuse an UNLOCK an attacker signed with a guessed key over the live challenge', async () => {
    const { ctrl, door, tap } = await rig();
    await ctrl.connect();
    expect((await ctrl.status()).outcome).toBe('done');
    const s = ctrl.state;
    if (s.state !== 'simulated') throw new Error(s.state);
    // The attacker asks for a challenge itself, reads it off the wire and signs with a guess.
    await tap.inject(encodeFrame({ type: FrameType.Command, seq: 0x7000, cmd: Cmd.Challenge }));
    await settleUntil(() => tap.answersTo(0x7000).length > 0);
    const chal = tap.answersTo(0x7000)[0]?.payload.slice(0, 16) ?? new Uint8Array(16);
    const guess = await importDoorKey(new Uint8Array(32).fill(1));
    const forged = await encodeSigned({ seq: 0x7001, cmd: Cmd.Unlock, body: Uint8Array.of(0xe8, 0x03), counter: 99, key: guess, session: { mcuNonce: s.info.nonce, hostNonce: new Uint8Array(16) }, challenge: chal });
    await tap.inject(forged);
    await settleUntil(() => tap.answersTo(0x7001).length > 0);
    expect(reasonName(tap.answersTo(0x7001)[0]?.payload[0] ?? 0)).toBe('BAD_TAG');
    expect(door.releases).toBe(0);
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
    // The new session key is derived by WebCrypto off the event loop: real time, not fake time.
    await settleUntil(() => ctrl.state.state !== 'lost');
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
    await settleUntil(() => ctrl.state.state !== 'lost');
    expect(ctrl.state).toMatchObject({ state: 'simulated', info: { lastFail: 1 } });
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
    // the UNLOCK is two requests (CHALLENGE, then the signed command): five in all
    expect(seqs).toEqual(answered.slice(-5));
    expect(new Set(seqs).size).toBe(5);
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

// Issue #12: the tablet believed forged controller replies, and a withheld UNLOCK worked hours later.
describe('DoorController believes only what the board signed', () => {
  it('a fake controller without the key that answers "done" gets unlock() false and no door event', async () => {
    const clock = new FakeClock(1000);
    const impostor = new ImpostorBoard();
    const logs: string[] = [];
    const ctrl = new DoorController({ transport: impostor, clock, key: await importDoorKey(KEY), initialSeq: 0x4000, log: (m) => logs.push(m) });
    const events: DoorEvent[] = [];
    ctrl.on('event', (e) => events.push(e));
    expect(await ctrl.connect()).toMatchObject({ state: 'fault', fault: 'unauthenticated' });
    const r = await ctrl.unlock(3000);
    expect(r.outcome).not.toBe('done');
    expect(impostor.unlocksClaimed).toBe(0); // the panel never even asked it
    await clock.advance(1000);
    expect(events).toEqual([]);
    expect(ctrl.linkFaults).toBeGreaterThan(0);
    expect(logs.some((m) => m.startsWith('door link fault: unauthenticated RESPONSE to HELLO'))).toBe(true);
  });

  it('a fake controller that signs with a key of its own is refused the same way', async () => {
    const clock = new FakeClock(1000);
    const impostor = new ImpostorBoard({ guessKey: new Uint8Array(32).fill(0x42) });
    const ctrl = new DoorController({ transport: impostor, clock, key: await importDoorKey(KEY), initialSeq: 0x4000 });
    const events: DoorEvent[] = [];
    ctrl.on('event', (e) => events.push(e));
    expect(await ctrl.connect()).toMatchObject({ state: 'fault', fault: 'key-mismatch' });
    expect((await ctrl.unlock(3000)).outcome).not.toBe('done');
    await clock.advance(1000);
    expect(events).toEqual([]);
  });

  it('in a keyed session, forged "done" and "door opened" from the cable are dropped as link faults', async () => {
    const { ctrl, door, tap, clock, events, faults } = await rig();
    await ctrl.connect();
    await clock.advance(300); // the BOOT retry, signed, arrives and is reported
    events.length = 0;
    // The attacker holds every UNLOCK back and answers for the board, unsigned and with a junk tag.
    tap.withhold.add(Cmd.Unlock);
    const pending = ctrl.unlock(3000);
    await settleUntil(() => tap.withheld.length > 0);
    const held = decodeFrame(tap.withheld[0]?.subarray(0, (tap.withheld[0]?.length ?? 1) - 1) ?? new Uint8Array());
    if (!held.ok) throw new Error('no UNLOCK captured');
    const { seq } = held.frame.header;
    const done = Uint8Array.of(0xb8, 0x0b, 0xa1);
    tap.toHost(encodeFrame({ type: FrameType.Response, seq, cmd: Cmd.Unlock, payload: done }));
    tap.toHost(encodeMcuFrame({ type: FrameType.Response, seq, cmd: Cmd.Unlock, payload: done }, { mcuKey: new Uint8Array(32).fill(9), counter: 1000, requestCrc: held.frame.crc }));
    tap.toHost(encodeFrame({ type: FrameType.Event, seq: 900, cmd: EventId.Door, payload: Uint8Array.of(0, 0, 0, 0, 1) }));
    await clock.advance(3 * 250 + 10);
    expect(await pending).toEqual({ outcome: 'lost' });
    expect(events.filter((e) => e.kind === 'door' || e.kind === 'relay')).toEqual([]);
    expect(door.releases).toBe(0);
    expect(faults.map((f) => [f.kind, f.frame])).toEqual(
      expect.arrayContaining([
        ['unauthenticated', 'RESPONSE to UNLOCK'],
        ['forged', 'RESPONSE to UNLOCK'],
        ['unauthenticated', 'EVENT 0x82'],
      ]),
    );
  });

  it('a genuine event recorded and played again is a replay, reported once, not twice', async () => {
    const { ctrl, door, tap, clock, events, faults } = await rig();
    await ctrl.connect();
    await clock.advance(300);
    door.inputs = Input.DoorOpen;
    await clock.advance(20);
    const opened = tap.received.find((w) => {
      const d = decodeFrame(w.subarray(0, w.length - 1));
      return d.ok && d.frame.header.type === FrameType.Event && d.frame.header.cmd === EventId.Door;
    });
    if (!opened) throw new Error('no door event');
    door.inputs = 0;
    await clock.advance(20);
    tap.toHost(opened); // the attacker plays the genuine "door opened" again, byte for byte
    await settle();
    expect(events.filter((e) => e.kind === 'door').map((e) => e.kind === 'door' && e.open)).toEqual([true, false]);
    expect(faults.at(-1)).toMatchObject({ kind: 'replayed', frame: 'EVENT 0x82' });
  });

  it("an earlier session's answers, replayed byte for byte to a new session, are not believed", async () => {
    const { ctrl, tap, clock } = await rig();
    await ctrl.connect();
    expect((await ctrl.unlock(1000)).outcome).toBe('done');
    await clock.advance(1100);
    const recorded = tap.received.map((b) => b.slice());
    await ctrl.close();
    // A second panel start with the same sequence numbers talks to a replayer of that session.
    const clock2 = new FakeClock(1000);
    const replayer = new TapTransport(new ImpostorBoard());
    const ctrl2 = new DoorController({ transport: replayer, clock: clock2, key: await importDoorKey(KEY), initialSeq: 0x4000 });
    replayer.withhold.add(Cmd.Hello);
    const connecting = ctrl2.connect();
    await settleUntil(() => replayer.withheld.length > 0);
    for (const b of recorded) replayer.toHost(b);
    expect(await connecting).toMatchObject({ state: 'fault', fault: 'key-mismatch' });
    const unlocking = ctrl2.unlock(1000); // tries one more HELLO, which the replayer cannot answer
    await settleUntil(() => replayer.withheld.length > 1);
    await clock2.advance(3 * 250 + 10);
    expect((await unlocking).outcome).not.toBe('done');
  });

  it('an UNLOCK held back on the cable and let through 10 s later is refused by the board', async () => {
    const { ctrl, door, tap, clock } = await rig();
    await ctrl.connect();
    tap.withhold.add(Cmd.Unlock);
    const pending = ctrl.unlock(2000);
    await settleUntil(() => tap.withheld.length > 0);
    await clock.advance(3 * 250 + 10);
    expect(await pending).toEqual({ outcome: 'lost' }); // the kiosk never claims it
    tap.withhold.clear();
    await clock.advance(10_000); // heartbeats keep the session; they cannot keep the challenge
    expect(ctrl.state.state).toBe('simulated');
    const held = tap.withheld[0];
    if (!held) throw new Error('nothing captured');
    await tap.inject(held);
    const d = decodeFrame(held.subarray(0, held.length - 1));
    if (!d.ok) throw new Error('bad capture');
    await settleUntil(() => tap.answersTo(d.frame.header.seq).length > 0);
    expect(reasonName(tap.answersTo(d.frame.header.seq)[0]?.payload[0] ?? 0)).toBe('STALE_CHALLENGE');
    expect(door.relay).toBe(false);
    expect(door.releases).toBe(0);
  });

  it('names a board that speaks protocol v1 instead of timing out', async () => {
    const clock = new FakeClock(1000);
    const logs: string[] = [];
    // A v1 board refuses our v2 HELLO with a v1 NAK BAD_VERSION (its own framing).
    const v1: import('./transport.ts').ByteTransport = {
      kind: 'serial',
      listeners: new Set<(b: Uint8Array) => void>(),
      async write(bytes: Uint8Array) {
        const r = decodeFrame(bytes.subarray(0, bytes.length - 1));
        if (!r.ok) return;
        const nak = encodeFrame({ version: 1, type: FrameType.Nak, seq: r.frame.header.seq, cmd: r.frame.header.cmd, payload: Uint8Array.of(0x03) });
        queueMicrotask(() => this.listeners.forEach((l) => l(nak)));
      },
      onBytes(cb: (b: Uint8Array) => void) {
        this.listeners.add(cb);
        return () => this.listeners.delete(cb);
      },
      async close() {},
    } as import('./transport.ts').ByteTransport & { listeners: Set<(b: Uint8Array) => void> };
    const ctrl = new DoorController({ transport: v1, clock, key: await importDoorKey(KEY), log: (m) => logs.push(m) });
    expect(await ctrl.connect()).toMatchObject({ state: 'fault', fault: 'protocol-version' });
    expect(logs).toContain("door controller speaks protocol v1; this panel speaks v2: update the controller's firmware");
  });
});
