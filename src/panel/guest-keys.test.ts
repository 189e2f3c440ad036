import { describe, expect, it } from 'vitest';
import { GuestKeyBook } from './guest-keys.ts';
import { FakeClock } from '../../tests/support/clock.ts';
import { MemorySettings, memoryKeyRing } from '../../tests/support/idb.ts';

const HOUR = 3_600_000;

function book() {
  const clock = new FakeClock();
  const keys = new GuestKeyBook(memoryKeyRing(), new MemorySettings(), clock, 'front-door');
  return { clock, keys };
}

describe('GuestKeyBook.show: an issued key shown again (issue #14)', () => {
  it('signs the same key again: same key id, subject, window and uses, and it verifies', async () => {
    const { clock, keys } = book();
    const { token, record } = await keys.issue({ name: 'Grace', notBefore: clock.now(), expires: clock.now() + 24 * HOUR, maxUses: 3, selfEnrol: false });
    const shown = await keys.show(record.keyId);
    if (!('token' in shown)) throw new Error(shown.problem);
    expect(shown.record).toEqual(record);
    const [first, again] = [await keys.verify(token), await keys.verify(shown.token)];
    expect(again).toMatchObject({ ok: true, claims: { keyId: record.keyId, subject: `guest:${record.keyId}`, name: 'Grace', doors: ['front-door'], maxUses: 3, selfEnrol: false } });
    expect(again).toEqual(first);
  });

  it('counts uses against the same key: a 1-use key used once is exhausted under the re-shown token too', async () => {
    const { clock, keys } = book();
    const { token, record } = await keys.issue({ name: 'Ada', notBefore: clock.now(), expires: clock.now() + HOUR, maxUses: 1, selfEnrol: false });
    const verified = await keys.verify(token);
    expect(verified.ok).toBe(true);
    await keys.countUse(record.keyId);
    const shown = await keys.show(record.keyId);
    if (!('token' in shown)) throw new Error(shown.problem);
    expect(await keys.verify(shown.token)).toMatchObject({ ok: false, reason: 'keyExhausted' });
    expect(await keys.listed()).toEqual([{ ...record, uses: 1 }]);
  });

  it('keeps a key that starts later starting later: the re-shown token is not valid yet either', async () => {
    const { clock, keys } = book();
    const { record } = await keys.issue({ name: 'Linus', notBefore: clock.now() + 24 * HOUR, expires: clock.now() + 48 * HOUR, maxUses: null, selfEnrol: true });
    const shown = await keys.show(record.keyId);
    if (!('token' in shown)) throw new Error(shown.problem);
    expect(await keys.verify(shown.token)).toMatchObject({ ok: false, reason: 'keyNotYetValid', claims: { notBefore: record.notBefore, expires: record.expires, selfEnrol: true } });
  });

  it('refuses a revoked key, and a revoked key re-shown earlier stops opening too', async () => {
    const { clock, keys } = book();
    const { record } = await keys.issue({ name: 'Grace', notBefore: clock.now(), expires: clock.now() + HOUR, maxUses: null, selfEnrol: false });
    const shown = await keys.show(record.keyId);
    if (!('token' in shown)) throw new Error(shown.problem);
    await keys.revoke(record.keyId);
    expect(await keys.show(record.keyId)).toEqual({ problem: 'That guest key is revoked; it cannot be shown again.' });
    expect(await keys.verify(shown.token)).toMatchObject({ ok: false, reason: 'keyRevoked' });
  });

  it('refuses a key it never issued', async () => {
    const { keys } = book();
    expect(await keys.show('not-a-key')).toEqual({ problem: 'No such guest key.' });
  });
});
