import type { DenyReason, Fault, FlowState, StepUpCause } from './flow.ts';

/** What the visitor reads for each state: short, friendly, legible at a metre. */
export type Tone = 'calm' | 'busy' | 'good' | 'bad' | 'warn';

export interface StatusText {
  readonly tone: Tone;
  readonly title: string;
  readonly detail: string;
}

const DENY_TEXT: Record<DenyReason, string> = {
  notRecognised: 'We could not recognise you. Use your PIN or ring.',
  spoofSuspected: 'Please look at the camera yourself, not a photo or screen.',
  pinWrong: 'That PIN is not valid.',
  lockedOut: 'Too many tries. Please wait, or ring.',
  doorFault: 'The door did not respond. Please ring.',
  timeout: 'That took too long. Please try again.',
  keyInvalid: 'That key is not valid here or now.',
  notAllowed: 'You cannot enter at the moment. Please ring.',
  noSecondFactor: 'An extra check is needed right now, and there is no PIN for you. Please ring: someone can let you in.',
};

const PIN_BECAUSE: Record<StepUpCause, string> = {
  rule: 'This door asks for a PIN as well at this time.',
  unusualTime: 'This is not a time you usually come, so a PIN is needed as well.',
  recentTrouble: 'There were failed tries at this door a moment ago, so a PIN is needed as well.',
  unsure: 'We are not quite sure it is you. Please add your PIN.',
};

const BLINK_BECAUSE: Record<StepUpCause, string> = {
  rule: 'This door asks for a blink as well. Look at the camera and blink slowly.',
  unusualTime: 'This is not a time you usually come. Look at the camera and blink slowly.',
  recentTrouble: 'Someone tried to fool the camera a moment ago. Look at the camera and blink slowly.',
  unsure: 'Look at the camera and blink slowly.',
};

/** What the kiosk needs besides the state to say it: the time, for countdowns. */
export interface StatusContext {
  readonly now: number;
  /** Until when the PIN pad refuses entries (0: it does not). */
  readonly pinLockedUntil: number;
  /** What the camera needs the visitor to do (face the camera, come closer, more light), if anything. */
  readonly coaching?: string | null;
}

/** "0:27", "14:05": a countdown legible at a glance. */
export function countdown(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

const FAULT_TEXT: Record<Fault, StatusText> = {
  cameraMissing: { tone: 'warn', title: 'Camera not found', detail: 'Face entry is unavailable. Use your PIN or ring.' },
  cameraDenied: { tone: 'warn', title: 'Camera blocked', detail: 'Camera permission was refused. Use your PIN or ring.' },
  noModels: { tone: 'warn', title: 'Face check unavailable', detail: 'Recognition models are missing. Use your PIN or ring.' },
  noDoorController: { tone: 'bad', title: 'Door controller lost', detail: 'The door stays locked. Please ring.' },
};

export function statusText(state: FlowState, ctx: StatusContext = { now: 0, pinLockedUntil: 0 }): StatusText {
  const lockedMs = ctx.pinLockedUntil - ctx.now;
  switch (state.kind) {
    // A face the camera cannot use yet (turned, too far, too dark) hears what to do, not silence.
    case 'idle':
      return { tone: 'calm', title: 'Look at the camera', detail: ctx.coaching ?? 'Step closer to unlock, or use a PIN.' };
    case 'offline':
      return { tone: 'calm', title: 'Look at the camera', detail: ctx.coaching ?? 'Offline: the door still works.' };
    case 'faceSeen':
      return { tone: 'busy', title: 'Face seen', detail: ctx.coaching ?? 'Hold still and look at the circle.' };
    case 'verifying':
      return { tone: 'busy', title: 'Checking…', detail: state.trackId === null ? 'Reading your key.' : 'One moment.' };
    case 'granted':
      return { tone: 'good', title: `Welcome, ${state.name}`, detail: 'The door is unlocked.' };
    case 'denied':
      if (state.reason === 'lockedOut') return { tone: 'bad', title: 'Locked out', detail: lockedMs > 0 ? `Too many wrong PINs. Try again in ${countdown(lockedMs)}, or ring.` : DENY_TEXT.lockedOut };
      return { tone: 'bad', title: 'Access denied', detail: DENY_TEXT[state.reason] };
    case 'enterPin':
      if (lockedMs > 0) return { tone: 'warn', title: 'PIN pad locked', detail: `Too many wrong PINs. Try again in ${countdown(lockedMs)}, or ring.` };
      return { tone: 'busy', title: 'Enter PIN', detail: state.why === 'stepUp' ? PIN_BECAUSE[state.because ?? 'rule'] : 'Type your PIN, then OK.' };
    case 'blink':
      return { tone: 'busy', title: 'Please blink', detail: BLINK_BECAUSE[state.because] };
    case 'ringing':
      return { tone: 'busy', title: 'Ringing…', detail: 'Someone has been told you are here.' };
    case 'doorOpen':
      return { tone: 'good', title: 'Door open', detail: state.name ? `Come in, ${state.name}.` : 'Please close it behind you.' };
    case 'fault':
      return FAULT_TEXT[state.fault];
  }
}
