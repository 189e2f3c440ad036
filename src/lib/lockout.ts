/**
 * Back-off after failed secret entries (admin PIN, visitor PIN pad). Pure: the caller stores the
 * record and passes the clock, so a reload cannot reset the count.
 */
export interface LockoutPolicy {
  readonly freeTries: number; // failures allowed before the first lockout
  readonly baseMs: number; // first lockout length; doubles with every further failure
  readonly maxMs: number;
}

export interface LockoutRecord {
  readonly failures: number;
  readonly lockedUntil: number; // epoch ms; 0 when not locked
}

export const NO_FAILURES: LockoutRecord = { failures: 0, lockedUntil: 0 };

export const DEFAULT_LOCKOUT: LockoutPolicy = { freeTries: 3, baseMs: 30_000, maxMs: 15 * 60_000 };

export function remainingLockMs(record: LockoutRecord, now: number): number {
  return Math.max(0, record.lockedUntil - now);
}

export function recordFailure(record: LockoutRecord, now: number, policy = DEFAULT_LOCKOUT): LockoutRecord {
  const failures = record.failures + 1;
  const over = failures - policy.freeTries;
  if (over < 0) return { failures, lockedUntil: 0 };
  const length = Math.min(policy.maxMs, policy.baseMs * 2 ** over);
  return { failures, lockedUntil: now + length };
}

export function recordSuccess(): LockoutRecord {
  return NO_FAILURES;
}

export function isLockoutRecord(v: unknown): v is LockoutRecord {
  const r = v as Partial<LockoutRecord> | null;
  return !!r && typeof r === 'object' && Number.isSafeInteger(r.failures) && (r.failures ?? -1) >= 0 && Number.isSafeInteger(r.lockedUntil);
}
