import { recordFailure, recordSuccess, remainingLockMs, type LockoutPolicy, type LockoutRecord } from './lockout.ts';

/** Where a secret's failure record lives; `update` must read, change and write in one step. */
export interface LockoutCell {
  update(change: (current: LockoutRecord) => LockoutRecord): Promise<LockoutRecord>;
}

export type CountedCheck<R> =
  | { readonly kind: 'locked'; readonly remainingMs: number; readonly record: LockoutRecord }
  | { readonly kind: 'checked'; readonly result: R; readonly ok: boolean; readonly before: LockoutRecord; readonly record: LockoutRecord };

/**
 * Checks a guessable secret (a PIN, an unlock code) so that guessing cannot outrun the back-off:
 * a locked record refuses without running the check at all; otherwise the failure is written
 * down *before* the slow check starts, and taken back only when the check succeeds. A crash, a
 * reload or a power cut in the middle therefore costs the guesser, never the counter.
 *
 * Callers run it inside a `SingleFlight`, so no two checks see the same record.
 */
export async function countedCheck<R>(
  cell: LockoutCell,
  now: number,
  policy: LockoutPolicy | undefined,
  check: () => Promise<R>,
  ok: (result: R) => boolean,
): Promise<CountedCheck<R>> {
  const seen = { before: recordSuccess(), lockedMs: 0 };
  const counted = await cell.update((current) => {
    seen.before = current;
    seen.lockedMs = remainingLockMs(current, now);
    return seen.lockedMs > 0 ? current : recordFailure(current, now, policy);
  });
  if (seen.lockedMs > 0) return { kind: 'locked', remainingMs: seen.lockedMs, record: counted };
  const result = await check();
  const passed = ok(result);
  const record = passed ? await cell.update(() => recordSuccess()) : counted;
  return { kind: 'checked', result, ok: passed, before: seen.before, record };
}
