import type { DenyReason, Fault, FlowState } from './flow.ts';

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
};

const FAULT_TEXT: Record<Fault, StatusText> = {
  cameraMissing: { tone: 'warn', title: 'Camera not found', detail: 'Face entry is unavailable. Use your PIN or ring.' },
  cameraDenied: { tone: 'warn', title: 'Camera blocked', detail: 'Camera permission was refused. Use your PIN or ring.' },
  noModels: { tone: 'warn', title: 'Face check unavailable', detail: 'Recognition models are missing. Use your PIN or ring.' },
  noDoorController: { tone: 'bad', title: 'Door controller lost', detail: 'The door stays locked. Please ring.' },
};

export function statusText(state: FlowState): StatusText {
  switch (state.kind) {
    case 'idle':
      return { tone: 'calm', title: 'Look at the camera', detail: 'Step closer to unlock, or use a PIN.' };
    case 'offline':
      return { tone: 'calm', title: 'Look at the camera', detail: 'Offline: the door still works.' };
    case 'faceSeen':
      return { tone: 'busy', title: 'Face seen', detail: 'Hold still and look at the circle.' };
    case 'verifying':
      return { tone: 'busy', title: 'Checking…', detail: state.trackId === null ? 'Reading your key.' : 'One moment.' };
    case 'granted':
      return { tone: 'good', title: `Welcome, ${state.name}`, detail: 'The door is unlocked.' };
    case 'denied':
      return { tone: 'bad', title: state.reason === 'lockedOut' ? 'Locked out' : 'Access denied', detail: DENY_TEXT[state.reason] };
    case 'enterPin':
      return { tone: 'busy', title: 'Enter PIN', detail: state.why === 'stepUp' ? 'A PIN is needed as well at this time.' : 'Type your PIN, then OK.' };
    case 'blink':
      return { tone: 'busy', title: 'Please blink', detail: 'Look at the camera and blink slowly.' };
    case 'ringing':
      return { tone: 'busy', title: 'Ringing…', detail: 'Someone has been told you are here.' };
    case 'doorOpen':
      return { tone: 'good', title: 'Door open', detail: state.name ? `Come in, ${state.name}.` : 'Please close it behind you.' };
    case 'fault':
      return FAULT_TEXT[state.fault];
  }
}
