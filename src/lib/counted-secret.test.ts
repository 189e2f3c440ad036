import { describe, expect, it } from 'vitest';
import { countedCheck, type LockoutCell } from './counted-secret.ts';
import { DEFAULT_LOCKOUT, NO_FAILURES, type LockoutRecord } from './lockout.ts';
import { SingleFlight } from './single-flight.ts';

/** A stored record that, like IndexedDB, hands out copies and writes in one step. */
function memoryCell(): LockoutCell & { stored: LockoutRecord; writes: LockoutRecord[] } {
  const cell = {
    stored: NO_FAILURES,
    writes: [] as LockoutRecord[],
    async update(change: (r: LockoutRecord) => LockoutRecord) {
      await Promise.resolve();
      cell.stored = change({ ...cell.stored });
      cell.writes.push(cell.stored);
      return cell.stored;
    },
  };
  return cell;
}

/** A slow secret check (PBKDF2 takes a few hundred ms on a tablet) that counts its runs. */
function slowCheck(secret: string) {
  const runs: string[] = [];
  return {
    runs,
    check: (guess: string) => async () => {
      runs.push(guess);
      await new Promise((r) => setTimeout(r, 5));
      return guess === secret;
    },
  };
}

describe('countedCheck: guessing cannot outrun the back-off', () => {
  it('a burst of 20 wrong guesses gets only the free tries checked, and the right one after the limit is refused', async () => {
    const cell = memoryCell();
    const flight = new SingleFlight();
    const secret = slowCheck('2468');
    const now = 1_000;
    const burst = Array.from({ length: 20 }, (_, i) => flight.run(() => countedCheck(cell, now, DEFAULT_LOCKOUT, secret.check(`1${String(i).padStart(3, '0')}`), (ok) => ok)));
    const right = flight.run(() => countedCheck(cell, now, DEFAULT_LOCKOUT, secret.check('2468'), (ok) => ok));
    const results = await Promise.all(burst);
    expect(secret.runs.filter((g) => g !== '2468')).toHaveLength(DEFAULT_LOCKOUT.freeTries);
    expect(results.filter((r) => r.kind === 'locked')).toHaveLength(20 - DEFAULT_LOCKOUT.freeTries);
    expect(cell.stored.failures).toBe(DEFAULT_LOCKOUT.freeTries);
    const last = await right;
    expect(last.kind).toBe('locked');
    expect(secret.runs).not.toContain('2468');
  });

  it('counts the failure before the check has an answer, so a check cut short still costs the guesser', async () => {
    const cell = memoryCell();
    let seenDuringCheck: LockoutRecord | null = null;
    const crash = countedCheck(cell, 0, DEFAULT_LOCKOUT, async () => {
      seenDuringCheck = { ...cell.stored };
      throw new Error('power cut');
    }, () => true);
    await expect(crash).rejects.toThrow('power cut');
    expect(seenDuringCheck).toEqual({ failures: 1, lockedUntil: 0 });
    expect(cell.stored.failures).toBe(1);
  });

  it('a right secret before the limit clears the count; a locked record is refused without running the check', async () => {
    const cell = memoryCell();
    const secret = slowCheck('2468');
    await countedCheck(cell, 0, DEFAULT_LOCKOUT, secret.check('1111'), (ok) => ok);
    const ok = await countedCheck(cell, 0, DEFAULT_LOCKOUT, secret.check('2468'), (ok) => ok);
    expect(ok).toMatchObject({ kind: 'checked', ok: true, before: { failures: 1 } });
    expect(cell.stored).toEqual(NO_FAILURES);

    cell.stored = { failures: 3, lockedUntil: 30_000 };
    const locked = await countedCheck(cell, 10_000, DEFAULT_LOCKOUT, secret.check('2468'), (ok) => ok);
    expect(locked).toEqual({ kind: 'locked', remainingMs: 20_000, record: { failures: 3, lockedUntil: 30_000 } });
    expect(secret.runs).toEqual(['1111', '2468']);
  });
});

describe('SingleFlight', () => {
  it('runs tasks one at a time in order, and a failed task does not stop the next', async () => {
    const flight = new SingleFlight();
    const log: string[] = [];
    const task = (name: string, fail = false) => async () => {
      log.push(`start ${name}`);
      await new Promise((r) => setTimeout(r, 2));
      log.push(`end ${name}`);
      if (fail) throw new Error(name);
      return name;
    };
    const a = flight.run(task('a'));
    const b = flight.run(task('b', true));
    const c = flight.run(task('c'));
    expect(flight.busy).toBe(true);
    await expect(a).resolves.toBe('a');
    await expect(b).rejects.toThrow('b');
    await expect(c).resolves.toBe('c');
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
    expect(flight.busy).toBe(false);
  });
});
