import { describe, expect, it } from 'vitest';
import { TIMEOUTS, deadline, initialFlow, isQuiet, step, type Flow, type FlowEvent, type FlowState } from './flow.ts';

const T0 = 1_700_000_000_000;

function run(events: readonly (FlowEvent | number)[], start: Flow = initialFlow(T0)): Flow {
  // Numbers advance the clock by that many ms and send a tick.
  let now = T0;
  let flow = start;
  for (const e of events) {
    if (typeof e === 'number') {
      now += e;
      flow = step(flow, { type: 'tick' }, now);
    } else {
      flow = step(flow, e, now);
    }
  }
  return flow;
}

const seen: FlowEvent = { type: 'faceTracked', trackId: 1, stable: false };
const stable: FlowEvent = { type: 'faceTracked', trackId: 1, stable: true };
const grant: FlowEvent = { type: 'decision', outcome: 'grant', name: 'Ada' };
const deny: FlowEvent = { type: 'decision', outcome: 'deny', reason: 'notRecognised' };
const opened: FlowEvent = { type: 'door', door: 'opened' };
const closed: FlowEvent = { type: 'door', door: 'closed' };
const kind = (f: Flow): FlowState['kind'] => f.state.kind;

describe('door flow: the happy path', () => {
  it('goes idle -> face seen -> verifying -> granted -> door open -> idle', () => {
    const kinds = [seen, stable, grant, opened, closed].reduce<FlowState['kind'][]>(
      (acc, _e, i, all) => [...acc, kind(run(all.slice(0, i + 1)))],
      [],
    );
    expect(kinds).toEqual(['faceSeen', 'verifying', 'granted', 'doorOpen', 'idle']);
    expect(run([seen, stable, grant]).state).toMatchObject({ kind: 'granted', name: 'Ada' });
    expect(run([seen, stable, grant, opened]).state).toMatchObject({ kind: 'doorOpen', name: 'Ada' });
  });

  it('keeps the track id current while the face is not yet stable', () => {
    const f = run([seen, { type: 'faceTracked', trackId: 7, stable: false }]);
    expect(f.state).toMatchObject({ kind: 'faceSeen', trackId: 7 });
  });
});

describe('door flow: decisions', () => {
  it('shows a denial with its reason', () => {
    expect(run([seen, stable, deny]).state).toMatchObject({ kind: 'denied', reason: 'notRecognised' });
  });
  it('asks for a PIN on step-up', () => {
    expect(run([seen, stable, { type: 'decision', outcome: 'stepUp', step: 'pin', because: 'rule' }]).state).toMatchObject({ kind: 'enterPin', why: 'stepUp' });
  });
  it('asks for a blink when liveness is unsure, and takes the decision that follows it', () => {
    const blink: FlowEvent = { type: 'decision', outcome: 'stepUp', step: 'activeLiveness', because: 'unsure' };
    expect(kind(run([seen, stable, blink]))).toBe('blink');
    expect(kind(run([seen, stable, blink, grant]))).toBe('granted');
    // A second liveness step-up after the blink falls back to the PIN rather than looping.
    expect(run([seen, stable, blink, blink]).state).toMatchObject({ kind: 'enterPin', why: 'stepUp' });
    expect(run([seen, stable, blink, TIMEOUTS.blink]).state).toMatchObject({ kind: 'denied', reason: 'timeout' });
    expect(kind(run([seen, stable, blink, { type: 'faceLost' }]))).toBe('idle');
  });
  it('rings on a ring decision', () => {
    expect(kind(run([seen, stable, { type: 'decision', outcome: 'ring' }]))).toBe('ringing');
  });
  it('ignores a refusal or step-up nobody asked for', () => {
    expect(kind(run([deny]))).toBe('idle');
    expect(kind(run([seen, deny]))).toBe('faceSeen');
    expect(kind(run([seen, { type: 'decision', outcome: 'stepUp', step: 'pin', because: 'rule' }]))).toBe('faceSeen');
  });
  it('shows a grant whatever the screen was doing: the relay has already been released', () => {
    expect(run([grant]).state).toMatchObject({ kind: 'granted', name: 'Ada' });
    expect(kind(run([seen, grant]))).toBe('granted');
    expect(kind(run([{ type: 'ringRequested' }, grant]))).toBe('granted');
  });
  it('keeps a face whose attempt is being decided when the face turns away, and shows its outcome', () => {
    const deciding = run([seen, stable, { type: 'attemptStarted' }, { type: 'faceLost' }]);
    expect(deciding.state).toMatchObject({ kind: 'verifying', deciding: true });
    expect(kind(step(deciding, grant, T0 + 10))).toBe('granted');
    expect(kind(step(deciding, deny, T0 + 10))).toBe('denied');
    expect(kind(run([seen, stable, { type: 'faceLost' }]))).toBe('idle');
  });
  it('remembers a PIN lockout from its refusal, and from the stored record at boot', () => {
    const locked = run([{ type: 'pinRequested' }, { type: 'decision', outcome: 'deny', reason: 'lockedOut', retryAfterMs: 30_000 }]);
    expect(locked.pinLockedUntil).toBe(T0 + 30_000);
    expect(run([{ type: 'pinLock', until: T0 + 5_000 }]).pinLockedUntil).toBe(T0 + 5_000);
    expect(run([{ type: 'pinRequested' }, { type: 'decision', outcome: 'deny', reason: 'pinWrong' }]).pinLockedUntil).toBe(0);
  });
  it('a fault or network report that changes nothing leaves the flow as it was', () => {
    const f = run([{ type: 'fault', fault: 'noModels', active: false }]);
    expect(step(f, { type: 'fault', fault: 'noModels', active: false }, T0 + 1)).toBe(f);
    expect(step(f, { type: 'network', online: true }, T0 + 1)).toBe(f);
  });
  it('takes a PIN decision on the PIN screen', () => {
    expect(kind(run([{ type: 'pinRequested' }, grant]))).toBe('granted');
    expect(run([{ type: 'pinRequested' }, { type: 'decision', outcome: 'deny', reason: 'pinWrong' }]).state).toMatchObject({
      kind: 'denied',
      reason: 'pinWrong',
    });
  });
});

describe('door flow: timeouts back to rest', () => {
  const cases: [string, FlowEvent[], number][] = [
    ['faceSeen', [seen], TIMEOUTS.faceSeen],
    ['granted', [seen, stable, grant], TIMEOUTS.granted],
    ['denied', [seen, stable, deny], TIMEOUTS.denied],
    ['enterPin', [{ type: 'pinRequested' }], TIMEOUTS.enterPin],
    ['ringing', [{ type: 'ringRequested' }], TIMEOUTS.ringing],
    ['ringDeclined', [{ type: 'ringRequested' }, { type: 'ringDeclined' }], TIMEOUTS.ringDeclined],
    ['doorOpen', [seen, stable, grant, opened], TIMEOUTS.doorOpen],
  ];
  for (const [name, events, ms] of cases) {
    it(`${name} stays until its timeout, then returns to idle`, () => {
      expect(kind(run([...events, ms - 1]))).toBe(name);
      expect(kind(run([...events, ms]))).toBe('idle');
    });
  }

  it('verifying that takes too long ends in a timeout denial, then idle', () => {
    const f = run([seen, stable, TIMEOUTS.verifying]);
    expect(f.state).toMatchObject({ kind: 'denied', reason: 'timeout' });
    expect(kind(run([seen, stable, TIMEOUTS.verifying, TIMEOUTS.denied]))).toBe('idle');
  });

  it('typing on the PIN pad restarts its timeout', () => {
    const f = run([{ type: 'pinRequested' }, TIMEOUTS.enterPin - 100, { type: 'pinActivity' }, 500]);
    expect(kind(f)).toBe('enterPin');
  });

  it('reports the next deadline, and none at rest', () => {
    expect(deadline(initialFlow(T0).state)).toBeNull();
    expect(deadline(run([seen]).state)).toBe(T0 + TIMEOUTS.faceSeen);
  });

  it('falls back to offline, not idle, when the network is gone', () => {
    expect(kind(run([{ type: 'network', online: false }, seen, TIMEOUTS.faceSeen]))).toBe('offline');
  });
});

describe('door flow: face lost, cancel and manual actions', () => {
  it('returns to rest when the face leaves before a decision', () => {
    expect(kind(run([seen, { type: 'faceLost' }]))).toBe('idle');
    expect(kind(run([seen, stable, { type: 'faceLost' }]))).toBe('idle');
  });
  it('keeps a shown decision when the face leaves', () => {
    expect(kind(run([seen, stable, grant, { type: 'faceLost' }]))).toBe('granted');
  });
  it('opens the PIN pad and the bell from idle and from a denial', () => {
    expect(kind(run([{ type: 'pinRequested' }]))).toBe('enterPin');
    expect(kind(run([seen, stable, deny, { type: 'pinRequested' }]))).toBe('enterPin');
    expect(kind(run([seen, stable, deny, { type: 'ringRequested' }]))).toBe('ringing');
    expect(kind(run([{ type: 'pinRequested' }, { type: 'ringRequested' }]))).toBe('ringing');
  });
  it('tells the visitor still at the ringing screen that the ring was declined, and nobody else', () => {
    expect(kind(run([{ type: 'ringRequested' }, { type: 'ringDeclined' }]))).toBe('ringDeclined');
    // The visitor cancelled, or is showing their face: a late decline changes nothing.
    expect(kind(run([{ type: 'ringRequested' }, { type: 'cancel' }, { type: 'ringDeclined' }]))).toBe('idle');
    expect(kind(run([seen, stable, { type: 'ringDeclined' }]))).toBe('verifying');
  });
  it('does not interrupt verification with the PIN pad', () => {
    expect(kind(run([seen, stable, { type: 'pinRequested' }]))).toBe('verifying');
  });
  it('cancel leaves the PIN pad, the bell and a denial', () => {
    for (const start of [[{ type: 'pinRequested' }], [{ type: 'ringRequested' }], [seen, stable, deny]] as FlowEvent[][]) {
      expect(kind(run([...start, { type: 'cancel' }]))).toBe('idle');
    }
    expect(kind(run([seen, stable, grant, { type: 'cancel' }]))).toBe('granted');
  });
});

describe('door flow: guest keys', () => {
  it('checks a shown key, and a face turning away does not cancel it', () => {
    const f = run([seen, { type: 'keyShown' }, { type: 'faceLost' }]);
    expect(f.state).toMatchObject({ kind: 'verifying', trackId: null });
    expect(run([{ type: 'keyShown' }, { type: 'decision', outcome: 'deny', reason: 'keyInvalid' }]).state).toMatchObject({ kind: 'denied', reason: 'keyInvalid' });
    // A key not valid yet keeps its start to the screen that says it.
    expect(run([{ type: 'keyShown' }, { type: 'decision', outcome: 'deny', reason: 'keyNotYetValid', at: 1_800_000_000_000 }]).state).toMatchObject({ kind: 'denied', reason: 'keyNotYetValid', at: 1_800_000_000_000 });
    expect(kind(run([{ type: 'keyShown' }, grant]))).toBe('granted');
  });
  it('does not start a key check in the middle of a PIN entry', () => {
    expect(kind(run([{ type: 'pinRequested' }, { type: 'keyShown' }]))).toBe('enterPin');
  });
});

describe('door flow: door events', () => {
  it('shows an unattributed open door when opened from inside', () => {
    expect(run([opened]).state).toMatchObject({ kind: 'doorOpen', name: null });
    expect(kind(run([opened, closed]))).toBe('idle');
  });
  it('ignores a close when it was not showing an open door', () => {
    expect(kind(run([seen, closed]))).toBe('faceSeen');
  });
});

describe('door flow: network and faults', () => {
  it('shows offline at rest and idle again when the network returns', () => {
    expect(kind(run([{ type: 'network', online: false }]))).toBe('offline');
    expect(kind(run([{ type: 'network', online: false }, { type: 'network', online: true }]))).toBe('idle');
    expect(kind(initialFlow(T0, false))).toBe('offline');
  });
  it('does not interrupt an interaction when the network drops', () => {
    const f = run([seen, stable, { type: 'network', online: false }]);
    expect(kind(f)).toBe('verifying');
    expect(kind(run([seen, stable, { type: 'network', online: false }, { type: 'faceLost' }]))).toBe('offline');
  });
  it('shows the most serious fault and clears back to idle', () => {
    const f = run([
      { type: 'fault', fault: 'noModels', active: true },
      { type: 'fault', fault: 'cameraMissing', active: true },
    ]);
    expect(f.state).toMatchObject({ kind: 'fault', fault: 'cameraMissing' });
    const cleared = step(step(f, { type: 'fault', fault: 'cameraMissing', active: false }, T0), { type: 'fault', fault: 'noModels', active: false }, T0);
    expect(kind(cleared)).toBe('idle');
  });
  it('ignores faces while the camera or models are missing, but still offers the PIN pad', () => {
    const f = run([{ type: 'fault', fault: 'cameraDenied', active: true }, seen]);
    expect(f.state).toMatchObject({ kind: 'fault', fault: 'cameraDenied' });
    expect(kind(step(f, { type: 'pinRequested' }, T0))).toBe('enterPin');
  });
  it('abandons a verification when the camera goes', () => {
    expect(run([seen, stable, { type: 'fault', fault: 'cameraMissing', active: true }]).state).toMatchObject({ kind: 'fault' });
  });
  it('never claims an open door once the door controller is lost', () => {
    const f = run([seen, stable, grant, opened, { type: 'fault', fault: 'noDoorController', active: true }]);
    expect(f.state).toMatchObject({ kind: 'denied', reason: 'doorFault' });
    expect(run([...[seen, stable, grant, opened], { type: 'fault', fault: 'noDoorController', active: true }, TIMEOUTS.denied]).state).toMatchObject({
      kind: 'fault',
      fault: 'noDoorController',
    });
  });
  it('returns to a fault, not idle, after a transient screen', () => {
    expect(kind(run([{ type: 'fault', fault: 'noModels', active: true }, { type: 'pinRequested' }, TIMEOUTS.enterPin]))).toBe('fault');
  });
});

describe('door flow: quiet (safe to update)', () => {
  it('is quiet at rest and busy during an interaction', () => {
    expect(isQuiet(initialFlow(T0))).toBe(true);
    expect(isQuiet(run([seen]))).toBe(false);
    expect(isQuiet(run([seen, stable, grant, opened]))).toBe(false);
  });
});
