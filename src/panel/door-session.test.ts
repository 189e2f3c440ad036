import { describe, expect, it } from 'vitest';
import { DoorSession, type SessionGate, type SessionKiosk } from './door-session.ts';
import { initialFlow, isQuiet, step, type Flow, type FlowEvent } from '../kiosk/flow.ts';
import type { FlowDecision } from './flow-decision.ts';
import type { FaceEvidence } from '../access/index.ts';
import { FakeVision } from '../../tests/support/vision-session.ts';
import { FakeClock, settle } from '../../tests/support/clock.ts';

const T0 = 1_700_000_000_000;

/** The pure door flow, stepped by the session's events (the kiosk's KioskFlow without its timer). */
function kiosk(clock: { now(): number }): SessionKiosk & { flow: Flow; trail: string[] } {
  const k = {
    flow: initialFlow(T0),
    trail: [] as string[],
    get state() {
      return k.flow.state;
    },
    get quiet() {
      return isQuiet(k.flow);
    },
    dispatch(e: FlowEvent) {
      const next = step(k.flow, e, clock.now());
      if (next.state.kind !== k.flow.state.kind) k.trail.push(next.state.kind);
      k.flow = next;
    },
  };
  return k;
}

/** A gate whose answers the test releases by hand, counting what it was asked. */
function gate() {
  const waiting: ((d: FlowDecision) => void)[] = [];
  const g = {
    faces: 0,
    keys: 0,
    pins: [] as string[],
    face: () => {
      g.faces++;
      return new Promise<FlowDecision>((resolve) => waiting.push(resolve));
    },
    pin: async (entered: string) => {
      g.pins.push(entered);
      return { type: 'decision', outcome: 'deny', reason: 'pinWrong' } as const;
    },
    guestKey: async () => {
      g.keys++;
      return { shown: { type: 'decision', outcome: 'grant', name: 'Gina' } as const, selfEnrol: null };
    },
    answer(d: FlowDecision) {
      waiting.shift()?.(d);
    },
  };
  return g satisfies SessionGate & Record<string, unknown>;
}

const evidence: FaceEvidence = { match: { personId: 'alice', score: 0.9, margin: 0.5, agreedFrames: 3 }, liveness: { passive: 0.95, active: null } };

function setup() {
  const clock = new FakeClock(T0);
  const k = kiosk(clock);
  const vision = new FakeVision();
  const g = gate();
  const session = new DoorSession({ kiosk: k, vision, gate: g, clock, offerSelfEnrol: () => undefined });
  const stop = session.start();
  return { clock, k, vision, g, session, stop };
}

describe('DoorSession: one face, one attempt, and its outcome always shown', () => {
  it('a stranger who stays in view is decided once, however many frames of evidence arrive', async () => {
    const { k, vision, g } = setup();
    vision.tracked(7);
    for (let i = 0; i < 5; i++) vision.evidence({ trackId: 7, evidence });
    expect(g.faces).toBe(1);
    g.answer({ type: 'decision', outcome: 'deny', reason: 'notRecognised' });
    await settle();
    expect(k.state.kind).toBe('denied');
    // Still there after the refusal screen: tracked and evidenced again, never decided again.
    k.dispatch({ type: 'cancel' });
    vision.tracked(7);
    vision.evidence({ trackId: 7, evidence });
    expect(k.state.kind).toBe('idle');
    expect(g.faces).toBe(1);
  });

  it('a face that leaves and comes back is a new visit and a new attempt', async () => {
    const { k, vision, g } = setup();
    vision.tracked(1);
    vision.evidence({ trackId: 1, evidence });
    g.answer({ type: 'decision', outcome: 'deny', reason: 'notRecognised' });
    await settle();
    k.dispatch({ type: 'cancel' });
    vision.lost();
    vision.tracked(1);
    vision.evidence({ trackId: 1, evidence });
    expect(g.faces).toBe(2);
  });

  it('a grant decided while the face turned away is shown as a grant, not lost', async () => {
    const { k, vision, g } = setup();
    vision.tracked(3);
    vision.evidence({ trackId: 3, evidence });
    expect(k.state).toMatchObject({ kind: 'verifying', deciding: true });
    vision.lost();
    expect(k.state.kind).toBe('verifying');
    g.answer({ type: 'decision', outcome: 'grant', name: 'Alice' });
    await settle();
    expect(k.state).toMatchObject({ kind: 'granted', name: 'Alice' });
    expect(k.trail).toEqual(['faceSeen', 'verifying', 'granted']);
  });

  it('an unsure face is asked to blink and decided again with the blink, within the same attempt', async () => {
    const { k, vision, g } = setup();
    vision.tracked(4);
    vision.evidence({ trackId: 4, evidence });
    g.answer({ type: 'decision', outcome: 'stepUp', step: 'activeLiveness', because: 'unsure' });
    await settle();
    expect(vision.blinkChecks).toBe(1);
    expect(g.faces).toBe(2);
    g.answer({ type: 'decision', outcome: 'grant', name: 'Alice' });
    await settle();
    expect(k.trail).toEqual(['faceSeen', 'verifying', 'blink', 'granted']);
  });

  it('a guest key held up gives one attempt however long it stays, even across the outcome screens; put away and shown again, it is a new one', async () => {
    const { clock, k, g, session } = setup();
    session.keysSeen(['token-a']);
    await settle();
    expect(k.state.kind).toBe('granted');
    // Still held up for 30 s, looked at every second; the scanner keeps looking while it is in view.
    for (let i = 0; i < 30; i++) {
      await clock.advance(1_000);
      if (i === 10) k.dispatch({ type: 'door', door: 'opened' });
      if (i === 20) k.dispatch({ type: 'door', door: 'closed' });
      expect(session.wantsKeys).toBe(true);
      session.keysSeen(['token-a']);
    }
    await settle();
    expect(k.state.kind).toBe('idle');
    expect(g.keys).toBe(1);
    // Put away for longer than a glance, then shown again.
    for (let i = 0; i < 6; i++) {
      await clock.advance(1_000);
      session.keysSeen([]);
    }
    session.keysSeen(['token-a']);
    await settle();
    expect(g.keys).toBe(2);
  });

  it('a key seen while a face is being decided is decided once the door is free, if still in view', async () => {
    const { k, vision, g, session } = setup();
    vision.tracked(5);
    vision.evidence({ trackId: 5, evidence });
    session.keysSeen(['token-b']);
    expect(g.keys).toBe(0);
    g.answer({ type: 'decision', outcome: 'deny', reason: 'notRecognised' });
    await settle();
    k.dispatch({ type: 'cancel' });
    session.keysSeen(['token-b']);
    await settle();
    expect(g.keys).toBe(1);
  });

  it('a PIN goes to the gate and its outcome to the screen', async () => {
    const { k, g, session } = setup();
    k.dispatch({ type: 'pinRequested' });
    await session.pin('1234');
    expect(g.pins).toEqual(['1234']);
    expect(k.state).toMatchObject({ kind: 'denied', reason: 'pinWrong' });
  });

  it('stops listening when stopped', () => {
    const { vision, g, stop } = setup();
    stop();
    vision.tracked(9);
    vision.evidence({ trackId: 9, evidence });
    expect(g.faces).toBe(0);
  });
});
