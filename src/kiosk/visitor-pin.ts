import type { FlowEvent } from './flow.ts';

/** The visitor PIN pad's contract with the access layer: a PIN in, a flow decision out. */
export type PinDecision = Extract<FlowEvent, { type: 'decision' }>;

export interface PinChecker {
  check(pin: string): Promise<PinDecision>;
}
