import { describe, expect, it } from 'vitest';
import { isRefusal, parseReply, refusalText } from './replies.ts';

const NOW = Date.UTC(2026, 10, 25, 12, 0, 0);
const PERSON = { id: 'p1', name: 'Ada', role: 'resident', active: true, hasPin: false, templates: 1, schedule: null };

describe('replies, read by the op that was asked', () => {
  it('a well-formed answer comes back typed by its op', () => {
    expect(parseReply('people.list', { re: 7, op: 'people.list', ok: true, result: [PERSON] })).toEqual({ re: 7, op: 'people.list', ok: true, result: [PERSON] });
    expect(parseReply('door.unlock', { re: 8, op: 'door.unlock', ok: true, result: { opened: true, reason: 'remote' } })).toMatchObject({ ok: true, result: { opened: true } });
    expect(parseReply('snapshot.get', { re: 9, op: 'snapshot.get', ok: true, result: null })).toMatchObject({ ok: true, result: null });
    expect(parseReply('person.remove', { re: 10, op: 'person.remove', ok: true })).toMatchObject({ ok: true, result: null });
    const key = { keyId: 'k1', name: 'Grace', notBefore: NOW + 86_400_000, expires: NOW + 2 * 86_400_000, maxUses: 2, revoked: false, issuedAt: NOW, selfEnrol: false };
    expect(parseReply('guestKey.list', { re: 11, op: 'guestKey.list', ok: true, result: [{ ...key, uses: 1 }] })).toMatchObject({ ok: true, result: [{ ...key, uses: 1 }] });
    expect(parseReply('guestKey.show', { re: 12, op: 'guestKey.show', ok: true, result: { token: 'a.b.c', record: key } })).toMatchObject({ ok: true, result: { token: 'a.b.c', record: key } });
    expect(parseReply('pair', { re: 0, op: 'pair', ok: true, result: { role: 'owner', panelId: 'panel1' } })).toMatchObject({ ok: true, result: { role: 'owner' } });
  });

  it('a result of the wrong shape is a refusal "unreadable" with its reason in words, never a value of the wrong type', () => {
    // The old reader passed `result` through as it came, and the screens cast it.
    const cases: [Parameters<typeof parseReply>[0], unknown][] = [
      ['people.list', [{ ...PERSON, role: 'king' }]],
      ['people.list', { length: 1 }],
      ['guestKey.issue', { token: 42 }],
      ['guestKey.show', { token: 'a.b.c', record: { keyId: 'k1' } }],
      ['guestKey.list', [{ keyId: 'k1', name: 'Grace', notBefore: NOW, expires: NOW + 1, maxUses: null, revoked: false, issuedAt: NOW, uses: -1 }]],
      ['settings.get', { faceMatch: 'high' }],
      ['settings.set', { settings: null, changes: [] }],
      ['door.unlock', 'opened'],
      ['snapshot.get', 12],
      ['pairing.create', { payload: 'x', role: 'god', expiresAt: NOW }],
      ['person.setActive', { sneaky: true }],
      ['pair', { role: 'owner' }],
    ];
    for (const [op, result] of cases) {
      const r = parseReply(op, { re: 3, op, ok: true, result });
      expect(r, op).toMatchObject({ re: 3, op, ok: false, reason: 'unreadable', problem: `the panel's answer to ${op} could not be read` });
    }
    // A result missing where the op answers with one is as unreadable as a wrong one.
    expect(parseReply('people.list', { re: 3, op: 'people.list', ok: true })).toMatchObject({ ok: false, reason: 'unreadable' });
  });

  it('an answer to another op, or a refusal for a reason this phone does not know, is unreadable too', () => {
    expect(parseReply('door.unlock', { re: 4, op: 'people.list', ok: true, result: [] })).toMatchObject({ op: 'door.unlock', ok: false, reason: 'unreadable', problem: 'the panel answered people.list to door.unlock' });
    expect(parseReply('door.unlock', { re: 4, op: 'door.unlock', ok: false, reason: 'because' })).toMatchObject({ ok: false, reason: 'unreadable', problem: expect.stringContaining('(because)') });
    // Not a reply at all: nothing to match it to.
    expect(parseReply('door.unlock', { op: 'door.unlock', ok: true })).toBeNull();
  });

  it('a refusal keeps its closed reason and the panel\'s own sentence; words for every reason', () => {
    const r = parseReply('person.update', { re: 5, op: 'person.update', ok: false, reason: 'rejected', problem: 'No such person.' });
    expect(r).toEqual({ re: 5, op: 'person.update', ok: false, reason: 'rejected', problem: 'No such person.' });
    expect(r && !r.ok ? refusalText(r) : '').toBe('No such person.');
    expect(refusalText({ reason: 'forbidden' })).toBe('only an owner may do that');
    // A refusal of bytes the panel could not read names no op.
    expect(parseReply('door.unlock', { re: 6, op: null, ok: false, reason: 'malformed' })).toMatchObject({ ok: false, reason: 'malformed' });
    expect(isRefusal('replayed')).toBe(true);
    expect(isRefusal('forbidden: only an owner')).toBe(false);
    expect(isRefusal('toString')).toBe(false);
  });
});
