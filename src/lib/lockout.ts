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

/**
 * One attempt, counted before its result is known: refused while locked; otherwise the record to
 * store at once is the one with this attempt counted as a failure (a success clears it after).
 * Stored in the same transaction as the read, two attempts can never both see the old count.
 */
export function countAttempt(record: LockoutRecord, now: number, policy = DEFAULT_LOCKOUT): { readonly allowed: boolean; readonly next: LockoutRecord } {
  if (remainingLockMs(record, now) > 0) return { allowed: false, next: record };
  return { allowed: true, next: recordFailure(record, now, policy) };
}

export function isLockoutRecord(v: unknown): v is LockoutRecord {
  const r = v as Partial<LockoutRecord> | null;
  return !!r && typeof r === 'object' && Number.isSafeInteger(r.failures) && (r.failures ?? -1) >= 0 && Number.isSafeInteger(r.lockedUntil);
}
