import { describe, expect, it } from 'vitest';
import type { PersonSummary } from '../../src/panel/actions.ts';
import type { RemoteEvent } from '../../src/remote/messages.ts';
import { lockHappeningOf } from './lock-events.ts';
import { pinFromBytes, UserBook } from './users.ts';

const person = (id: string, o: Partial<PersonSummary> = {}): PersonSummary => ({ id, name: id, role: 'resident', active: true, hasPin: false, templates: 0, schedule: null, ...o });
const event = (kind: RemoteEvent['kind'], detail: unknown, personId: string | null = null): RemoteEvent => ({ id: 'e1', at: 1, kind, summary: '', personId, snapshotId: null, detail });

describe('UserBook', () => {
  it('keeps each person on their index across changes, and gives a newcomer the lowest free one', () => {
    const book = new UserBook(3);
    book.reconcile([person('ada'), person('grace'), person('alan')]);
    expect(book.users.map((u) => [u.userIndex, u.personId])).toEqual([[1, 'ada'], [2, 'grace'], [3, 'alan']]);
    book.reconcile([person('ada'), person('alan')]);
    book.reconcile([person('ada'), person('alan'), person('edsger', { hasPin: true, templates: 2 })]);
    expect(book.byPerson('alan')?.userIndex).toBe(3);
    expect(book.byIndex(2)).toMatchObject({ personId: 'edsger', hasPin: true, hasFace: true });
    // Full: a fourth person is not shown rather than shown under someone else's number.
    book.reconcile([person('ada'), person('alan'), person('edsger'), person('barbara')]);
    expect(book.byPerson('barbara')).toBeNull();
    expect(new UserBook(3, book.assignments).assignments).toEqual({ ada: 1, edsger: 2, alan: 3 });
  });
});

describe('pinFromBytes', () => {
  it('takes 4 to 12 ASCII digits and nothing else', () => {
    expect(pinFromBytes(new TextEncoder().encode('4821'))).toBe('4821');
    expect(pinFromBytes(new TextEncoder().encode('48'))).toBeNull();
    expect(pinFromBytes(new TextEncoder().encode('48a1'))).toBeNull();
    expect(pinFromBytes(new Uint8Array([0x34, 0x38, 0x32, 0x31, 0]))).toBeNull();
    expect(pinFromBytes(new TextEncoder().encode('1'.repeat(13)))).toBeNull();
  });
});

describe('lockHappeningOf', () => {
  it('maps Doorward credentials to Matter operation sources, with the person', () => {
    expect(lockHappeningOf(event('attempt', { outcome: 'grant', credential: { kind: 'face' } }, 'ada'))).toEqual({ kind: 'unlocked', source: 'biometric', personId: 'ada', credential: 'face', byAdmin: null });
    expect(lockHappeningOf(event('attempt', { outcome: 'grant', credential: { kind: 'pin' } }, 'ada'))).toMatchObject({ source: 'keypad', credential: 'pin' });
    expect(lockHappeningOf(event('attempt', { outcome: 'grant', credential: { kind: 'pin' }, via: { adminId: 'b1' } }, 'ada'))).toMatchObject({ source: 'remote', byAdmin: 'b1' });
    expect(lockHappeningOf(event('attempt', { outcome: 'grant', credential: { kind: 'guestKey', keyId: 'k', issuer: 'i' } }, 'guest:k'))).toMatchObject({ source: 'remote', credential: 'guestKey' });
    expect(lockHappeningOf(event('attempt', { outcome: 'grant', credential: { kind: 'remote', adminId: 'p1' } }))).toMatchObject({ source: 'remote', credential: 'remote', byAdmin: 'p1' });
  });

  it('says nothing of refusals, admin lines or junk, and reads the contact from door lines', () => {
    expect(lockHappeningOf(event('attempt', { outcome: 'deny', credential: { kind: 'pin' } }))).toBeNull();
    expect(lockHappeningOf(event('attempt', { outcome: 'grant', credential: { kind: 'exitButton' } }))).toBeNull();
    expect(lockHappeningOf(event('admin', { outcome: 'grant' }))).toBeNull();
    expect(lockHappeningOf(event('attempt', 'grant'))).toBeNull();
    expect(lockHappeningOf(event('door', { door: 'opened' }))).toEqual({ kind: 'door', open: true });
    expect(lockHappeningOf(event('door', { door: 'closed' }))).toEqual({ kind: 'door', open: false });
    expect(lockHappeningOf(event('door', { exitButton: true }))).toBeNull();
  });
});
