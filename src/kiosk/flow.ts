/**
 * The visitor-facing door flow as a pure state machine. Every screen the kiosk shows is one of
 * these states; events come from the vision worker, the access decision, the door controller,
 * the network probe and the clock. No timers live here: `deadline()` says when the caller must
 * send a `tick`, so tests drive time by hand.
 */

export type Fault = 'cameraMissing' | 'cameraDenied' | 'noModels' | 'noDoorController';

export type DenyReason =
  | 'notRecognised'
  | 'spoofSuspected'
  | 'pinWrong'
  | 'lockedOut'
  | 'doorFault'
  | 'timeout'
  | 'keyInvalid'
  /** A genuine key whose window has not begun, or has ended: the visitor is told when (`at`). */
  | 'keyNotYetValid'
  | 'keyExpired'
  | 'notAllowed'
  /** An extra check is needed now and this person has none to give here (no PIN, blink already tried). */
  | 'noSecondFactor';

/**
 * Why the visitor is asked for more, in terms they can act on: a standing rule of this door,
 * an hour that is unusual for them, something suspicious at the door a moment ago, or a face
 * the panel is not sure of.
 */
export type StepUpCause = 'rule' | 'unusualTime' | 'recentTrouble' | 'unsure';

export type FlowState =
  | { readonly kind: 'idle'; readonly since: number }
  | { readonly kind: 'offline'; readonly since: number }
  | { readonly kind: 'faceSeen'; readonly since: number; readonly trackId: number }
  /**
   * trackId null: a guest key is being checked, not a face. `deciding`: the attempt has gone to
   * the access decision, so the face leaving no longer ends it (its outcome must be shown).
   */
  | { readonly kind: 'verifying'; readonly since: number; readonly trackId: number | null; readonly deciding: boolean }
  | { readonly kind: 'granted'; readonly since: number; readonly name: string }
  /** `at`: the time the reason names (when a key opens, or when it expired), where it names one. */
  | { readonly kind: 'denied'; readonly since: number; readonly reason: DenyReason; readonly at?: number }
  | { readonly kind: 'enterPin'; readonly since: number; readonly why: 'requested' | 'stepUp'; readonly because?: StepUpCause }
  /** Active liveness: passive liveness was unsure, so the visitor is asked to blink. */
  | { readonly kind: 'blink'; readonly since: number; readonly because: StepUpCause }
  | { readonly kind: 'ringing'; readonly since: number }
  /** The ring was declined from a phone while the visitor still waited. */
  | { readonly kind: 'ringDeclined'; readonly since: number }
  | { readonly kind: 'doorOpen'; readonly since: number; readonly name: string | null }
  | { readonly kind: 'fault'; readonly since: number; readonly fault: Fault };

export type FlowEvent =
  | { readonly type: 'faceTracked'; readonly trackId: number; readonly stable: boolean }
  | { readonly type: 'faceLost' }
  | { readonly type: 'keyShown' }
  /** The verified face's evidence has gone to the access decision. */
  | { readonly type: 'attemptStarted' }
  /** The PIN pad's stored lockout, read at boot (0: not locked). */
  | { readonly type: 'pinLock'; readonly until: number }
  | { readonly type: 'decision'; readonly outcome: 'grant'; readonly name: string }
  /** retryAfterMs: how long the PIN pad stays locked (a lockout), 0 otherwise. */
  /** at: when a key opens or expired (keyNotYetValid, keyExpired). */
  | { readonly type: 'decision'; readonly outcome: 'deny'; readonly reason: DenyReason; readonly retryAfterMs?: number; readonly at?: number }
  | { readonly type: 'decision'; readonly outcome: 'stepUp'; readonly step: 'pin' | 'activeLiveness'; readonly because: StepUpCause }
  | { readonly type: 'decision'; readonly outcome: 'ring' }
  | { readonly type: 'door'; readonly door: 'opened' | 'closed' }
  | { readonly type: 'pinRequested' }
  | { readonly type: 'pinActivity' }
  | { readonly type: 'ringRequested' }
  | { readonly type: 'ringDeclined' }
  | { readonly type: 'cancel' }
  | { readonly type: 'network'; readonly online: boolean }
  | { readonly type: 'fault'; readonly fault: Fault; readonly active: boolean }
  | { readonly type: 'tick' };

export interface Flow {
  readonly state: FlowState;
  readonly online: boolean;
  /** Active faults, most serious first. */
  readonly faults: readonly Fault[];
  /** Until when the PIN pad refuses entries (epoch ms; 0 when it does not): the kiosk counts down. */
  readonly pinLockedUntil: number;
}

/** How long each transient screen stays before the flow falls back to rest. */
export const TIMEOUTS = {
  faceSeen: 3_000,
  verifying: 6_000,
  granted: 8_000,
  denied: 4_000,
  enterPin: 20_000,
  blink: 7_000,
  ringing: 30_000,
  ringDeclined: 6_000,
  doorOpen: 60_000,
} as const;

const FAULT_ORDER: readonly Fault[] = ['noDoorController', 'cameraDenied', 'cameraMissing', 'noModels'];

export function initialFlow(now: number, online = true): Flow {
  return { state: { kind: online ? 'idle' : 'offline', since: now }, online, faults: [], pinLockedUntil: 0 };
}

/** Where the flow rests when nothing is happening: a fault outranks offline, offline outranks idle. */
function rest(online: boolean, faults: readonly Fault[], now: number): FlowState {
  const fault = faults[0];
  if (fault) return { kind: 'fault', since: now, fault };
  return { kind: online ? 'idle' : 'offline', since: now };
}

function atRest(state: FlowState): boolean {
  return state.kind === 'idle' || state.kind === 'offline' || state.kind === 'fault';
}

/** A face can be handled only when the camera and models work; a door fault still lets PIN users see the refusal. */
function visionUsable(faults: readonly Fault[]): boolean {
  return !faults.some((f) => f === 'cameraMissing' || f === 'cameraDenied' || f === 'noModels');
}

export function deadline(state: FlowState): number | null {
  switch (state.kind) {
    case 'idle':
    case 'offline':
    case 'fault':
      return null;
    default:
      return state.since + TIMEOUTS[state.kind];
  }
}

export function step(flow: Flow, event: FlowEvent, now: number): Flow {
  const { state } = flow;
  const to = (next: FlowState): Flow => ({ ...flow, state: next });
  const toRest = (f: Flow = flow): Flow => ({ ...f, state: rest(f.online, f.faults, now) });

  switch (event.type) {
    case 'network': {
      if (event.online === flow.online) return flow;
      const next = { ...flow, online: event.online };
      return atRest(state) ? toRest(next) : next;
    }
    case 'fault': {
      // Faults are re-sent by watchers on every poll: a report that changes nothing is no change.
      if (flow.faults.includes(event.fault) === event.active) return flow;
      const set = new Set(flow.faults);
      if (event.active) set.add(event.fault);
      else set.delete(event.fault);
      const faults = FAULT_ORDER.filter((f) => set.has(f));
      const next = { ...flow, faults };
      // A lost door controller ends any open-door claim at once: the kiosk must not say the door is open.
      const mustLeave = event.active && event.fault === 'noDoorController' && (state.kind === 'granted' || state.kind === 'doorOpen');
      const visionGone = event.active && !visionUsable(faults) && (state.kind === 'faceSeen' || state.kind === 'verifying');
      if (mustLeave) return { ...next, state: { kind: 'denied', since: now, reason: 'doorFault' } };
      return atRest(state) || visionGone ? toRest(next) : next;
    }
    case 'tick': {
      const due = deadline(state);
      if (due === null || now < due) return flow;
      if (state.kind === 'verifying' || state.kind === 'blink') return to({ kind: 'denied', since: now, reason: 'timeout' });
      return toRest();
    }
    case 'faceTracked': {
      if (!visionUsable(flow.faults)) return flow;
      if (atRest(state)) return to({ kind: 'faceSeen', since: now, trackId: event.trackId });
      if (state.kind === 'faceSeen') {
        if (event.stable) return to({ kind: 'verifying', since: now, trackId: event.trackId, deciding: false });
        return state.trackId === event.trackId ? flow : to({ ...state, trackId: event.trackId });
      }
      return flow;
    }
    case 'faceLost':
      // A guest key check goes on when the face turns away: the visitor is looking at their phone.
      // So does a face whose attempt is being decided: its outcome is about to be shown.
      return state.kind === 'faceSeen' || state.kind === 'blink' || (state.kind === 'verifying' && state.trackId !== null && !state.deciding) ? toRest() : flow;
    case 'keyShown':
      return atRest(state) || state.kind === 'faceSeen' || state.kind === 'denied' ? to({ kind: 'verifying', since: now, trackId: null, deciding: true }) : flow;
    case 'attemptStarted':
      return state.kind === 'verifying' && !state.deciding ? to({ ...state, since: now, deciding: true }) : flow;
    case 'pinLock':
      return event.until === flow.pinLockedUntil ? flow : { ...flow, pinLockedUntil: event.until };
    case 'decision': {
      // A grant has already released the relay: it is shown whatever the screen was doing.
      if (event.outcome === 'grant') return to({ kind: 'granted', since: now, name: event.name });
      // Anything else only lands on the attempt that asked for it (face verifying, PIN entry, blink).
      if (state.kind !== 'verifying' && state.kind !== 'enterPin' && state.kind !== 'blink') return flow;
      switch (event.outcome) {
        case 'deny': {
          const locked = event.reason === 'lockedOut' && (event.retryAfterMs ?? 0) > 0 ? { pinLockedUntil: now + (event.retryAfterMs ?? 0) } : {};
          return { ...flow, ...locked, state: { kind: 'denied', since: now, reason: event.reason, ...(event.at !== undefined ? { at: event.at } : {}) } };
        }
        case 'stepUp':
          return to(
            event.step === 'activeLiveness' && state.kind !== 'blink'
              ? { kind: 'blink', since: now, because: event.because }
              : { kind: 'enterPin', since: now, why: 'stepUp', because: event.because },
          );
        case 'ring':
          return to({ kind: 'ringing', since: now });
      }
      return flow;
    }
    case 'door':
      if (event.door === 'opened') {
        if (state.kind === 'granted') return to({ kind: 'doorOpen', since: now, name: state.name });
        if (state.kind === 'doorOpen') return flow;
        // Opened from inside (exit button) or forced: show it, without a name.
        return atRest(state) ? to({ kind: 'doorOpen', since: now, name: null }) : flow;
      }
      return state.kind === 'doorOpen' ? toRest() : flow;
    case 'pinRequested':
      return atRest(state) || state.kind === 'faceSeen' || state.kind === 'denied'
        ? to({ kind: 'enterPin', since: now, why: 'requested' })
        : flow;
    case 'pinActivity':
      // Typing keeps the PIN screen open: the timeout counts from the last key.
      return state.kind === 'enterPin' ? to({ ...state, since: now }) : flow;
    case 'ringRequested':
      return atRest(state) || state.kind === 'faceSeen' || state.kind === 'denied' || state.kind === 'enterPin'
        ? to({ kind: 'ringing', since: now })
        : flow;
    case 'ringDeclined':
      // Only the visitor still at the ringing screen is told; one who moved on is not interrupted.
      return state.kind === 'ringing' ? to({ kind: 'ringDeclined', since: now }) : flow;
    case 'cancel':
      return state.kind === 'enterPin' || state.kind === 'ringing' || state.kind === 'denied' ? toRest() : flow;
  }
}

/** Safe to reload the app (apply an update): nobody is mid-interaction and the door is shut. */
export function isQuiet(flow: Flow): boolean {
  return atRest(flow.state);
}
