import type { DenyReason, Fault, FlowState, StepUpCause } from './flow.ts';
import { say as deviceSay, type Say, type WordKey } from '../lib/words/index.ts';
import { formatDate, formatDateTime } from '../lib/words/format.ts';

/** What the visitor reads for each state: short, friendly, legible at a metre. */
export type Tone = 'calm' | 'busy' | 'good' | 'bad' | 'warn';

export interface StatusText {
  readonly tone: Tone;
  readonly title: string;
  readonly detail: string;
}

// The words live in the catalogue (src/lib/words); these maps only name their keys.
const DENY_TEXT: Record<DenyReason, WordKey> = {
  notRecognised: 'kiosk.deny.notRecognised', spoofSuspected: 'kiosk.deny.spoofSuspected', pinWrong: 'kiosk.deny.pinWrong',
  lockedOut: 'kiosk.deny.lockedOut', doorFault: 'kiosk.deny.doorFault', timeout: 'kiosk.deny.timeout', keyInvalid: 'kiosk.deny.keyInvalid',
  // Without a time to name, a key outside its window is just a key that is not valid now.
  keyNotYetValid: 'kiosk.deny.keyInvalid', keyExpired: 'kiosk.deny.keyInvalid',
  notAllowed: 'kiosk.deny.notAllowed', noSecondFactor: 'kiosk.deny.noSecondFactor',
};

const PIN_BECAUSE: Record<StepUpCause, WordKey> = { rule: 'kiosk.pin.rule', unusualTime: 'kiosk.pin.unusualTime', recentTrouble: 'kiosk.pin.recentTrouble', unsure: 'kiosk.pin.unsure' };

const BLINK_BECAUSE: Record<StepUpCause, WordKey> = { rule: 'kiosk.blink.rule', unusualTime: 'kiosk.blink.unusualTime', recentTrouble: 'kiosk.blink.recentTrouble', unsure: 'kiosk.blink.unsure' };

/** What the kiosk needs besides the state to say it: the time, for countdowns. */
export interface StatusContext {
  readonly now: number;
  /** Until when the PIN pad refuses entries (0: it does not). */
  readonly pinLockedUntil: number;
  /** What the camera needs the visitor to do (face the camera, come closer, more light), if anything. */
  readonly coaching?: string | null;
  /** The locale dates are written in (a key's start or end); the device's own when absent. */
  readonly locale?: string;
}

/** "0:27", "14:05": a countdown legible at a glance. */
export function countdown(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

const FAULT_TEXT: Record<Fault, { readonly tone: Tone; readonly title: WordKey; readonly detail: WordKey }> = {
  cameraMissing: { tone: 'warn', title: 'kiosk.fault.cameraMissing.title', detail: 'kiosk.fault.cameraMissing.detail' },
  cameraDenied: { tone: 'warn', title: 'kiosk.fault.cameraDenied.title', detail: 'kiosk.fault.cameraDenied.detail' },
  noModels: { tone: 'warn', title: 'kiosk.fault.noModels.title', detail: 'kiosk.fault.noModels.detail' },
  noDoorController: { tone: 'bad', title: 'kiosk.fault.noDoorController.title', detail: 'kiosk.fault.noDoorController.detail' },
};

export function statusText(state: FlowState, ctx: StatusContext = { now: 0, pinLockedUntil: 0 }, say: Say = deviceSay): StatusText {
  const lockedMs = ctx.pinLockedUntil - ctx.now;
  switch (state.kind) {
    // A face the camera cannot use yet (turned, too far, too dark) hears what to do, not silence.
    case 'idle':
      return { tone: 'calm', title: say('kiosk.look'), detail: ctx.coaching ?? say('kiosk.idleDetail') };
    case 'offline':
      return { tone: 'calm', title: say('kiosk.look'), detail: ctx.coaching ?? say('kiosk.offlineDetail') };
    case 'faceSeen':
      return { tone: 'busy', title: say('kiosk.faceSeen'), detail: ctx.coaching ?? say('kiosk.holdStill') };
    case 'verifying':
      return { tone: 'busy', title: say('kiosk.checking'), detail: state.trackId === null ? say('kiosk.readingKey') : say('kiosk.oneMoment') };
    case 'granted':
      return { tone: 'good', title: say('kiosk.welcome', { name: state.name }), detail: say('kiosk.unlocked') };
    case 'denied':
      if (state.reason === 'lockedOut') return { tone: 'bad', title: say('kiosk.lockedOut'), detail: lockedMs > 0 ? say('kiosk.wrongPins', { time: countdown(lockedMs) }) : say(DENY_TEXT.lockedOut) };
      if (state.reason === 'keyNotYetValid' && state.at !== undefined) return { tone: 'warn', title: say('kiosk.keyNotYet'), detail: say('kiosk.deny.keyNotYetValid', { time: formatDateTime(state.at, ctx.locale) }) };
      if (state.reason === 'keyExpired' && state.at !== undefined) return { tone: 'bad', title: say('kiosk.denied'), detail: say('kiosk.deny.keyExpired', { date: formatDate(state.at, ctx.locale) }) };
      return { tone: 'bad', title: say('kiosk.denied'), detail: say(DENY_TEXT[state.reason]) };
    case 'enterPin':
      if (lockedMs > 0) return { tone: 'warn', title: say('kiosk.pinLocked'), detail: say('kiosk.wrongPins', { time: countdown(lockedMs) }) };
      return { tone: 'busy', title: say('kiosk.enterPin'), detail: state.why === 'stepUp' ? say(PIN_BECAUSE[state.because ?? 'rule']) : say('kiosk.typePin') };
    case 'blink':
      return { tone: 'busy', title: say('kiosk.blink'), detail: say(BLINK_BECAUSE[state.because]) };
    case 'ringing':
      return { tone: 'busy', title: say('kiosk.ringing'), detail: say('kiosk.ringingDetail') };
    case 'ringDeclined':
      return { tone: 'warn', title: say('kiosk.ringDeclined'), detail: say('kiosk.ringDeclinedDetail') };
    case 'doorOpen':
      return { tone: 'good', title: say('kiosk.doorOpen'), detail: state.name ? say('kiosk.comeIn', { name: state.name }) : say('kiosk.closeBehind') };
    case 'fault':
      return { tone: FAULT_TEXT[state.fault].tone, title: say(FAULT_TEXT[state.fault].title), detail: say(FAULT_TEXT[state.fault].detail) };
  }
}
