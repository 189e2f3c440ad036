import type { FlowState } from './flow.ts';
import { statusText } from './status-text.ts';

/** What is said aloud on entering a state; silence for the states a visitor does not need told. */
export function spokenLine(state: FlowState): string | null {
  switch (state.kind) {
    case 'granted':
    case 'denied':
    case 'ringing':
    case 'ringDeclined':
      return `${statusText(state).title}. ${statusText(state).detail}`;
    case 'blink':
      return 'Please look at the camera and blink.';
    case 'enterPin':
      return 'Please type your PIN on the keypad, then press OK.';
    case 'fault':
      return statusText(state).detail;
    default:
      return null;
  }
}
