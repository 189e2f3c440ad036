import { NO_FAILURES, recordFailure, recordSuccess, remainingLockMs, type LockoutRecord } from '../lib/lockout.ts';
import type { FlowEvent } from './flow.ts';

/**
 * The visitor PIN pad's contract with the access layer: a PIN in, a flow decision out. Repeated
 * failures at the pad back off whatever the PIN, so guessing is slow even across people.
 */
export type PinDecision = Extract<FlowEvent, { type: 'decision' }>;

export interface PinChecker {
  check(pin: string, now: number): Promise<PinDecision>;
}

export type PinMatcher = (pin: string, now: number) => Promise<{ name: string } | null>;

export function lockedPinChecker(match: PinMatcher): PinChecker {
  let record: LockoutRecord = NO_FAILURES;
  return {
    async check(pin, now) {
      if (remainingLockMs(record, now) > 0) return { type: 'decision', outcome: 'deny', reason: 'lockedOut' };
      const who = await match(pin, now);
      if (who) {
        record = recordSuccess();
        return { type: 'decision', outcome: 'grant', name: who.name };
      }
      record = recordFailure(record, now);
      console.warn('[pin] refused', { failures: record.failures });
      return { type: 'decision', outcome: 'deny', reason: remainingLockMs(record, now) > 0 ? 'lockedOut' : 'pinWrong' };
    },
  };
}
