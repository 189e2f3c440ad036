import { describe, expect, it } from 'vitest';
import { keyStanding, PhoneGuestKeys, shareText, validityText, type ShareTarget } from './phone-guest-keys.svelte.ts';
import type { PhoneAdminState } from './phone-admin.svelte.ts';
import type { CommandBody } from '../command.ts';

const NOW = Date.UTC(2026, 10, 25, 12, 0);
const HOUR = 3_600_000;
const QR = async (text: string) => `<svg data-text="${text}"></svg>`;
const KEY = { keyId: 'k1', name: 'Grace', notBefore: NOW + 24 * HOUR, expires: NOW + 48 * HOUR, maxUses: 1, revoked: false, issuedAt: NOW, uses: 0 };

/** The door's screens' state as far as the guest keys use it: commands and their answers. */
function door(answers: Partial<Record<CommandBody['op'], unknown>>) {
  const sent: CommandBody[] = [];
  const answer = async (body: CommandBody) => {
    sent.push(body);
    return { re: 1, op: body.op, ok: true, result: answers[body.op] ?? null };
  };
  const s = { run: answer, remote: { send: answer } } as unknown as PhoneAdminState;
  return { s, sent };
}

describe('the phone guest keys (issue #14)', () => {
  it('says where each key stands', () => {
    expect(keyStanding(KEY, NOW)).toBe('notYet');
    expect(keyStanding(KEY, NOW + 30 * HOUR)).toBe('active');
    expect(keyStanding({ ...KEY, uses: 1 }, NOW + 30 * HOUR)).toBe('usedUp');
    expect(keyStanding(KEY, NOW + 48 * HOUR)).toBe('expired');
    expect(keyStanding({ ...KEY, revoked: true }, NOW + 30 * HOUR)).toBe('revoked');
  });

  it('gives start and end in the locale asked', () => {
    expect(validityText(KEY, 'de-DE')).toMatch(/^from 26\.11\.26, \d\d:\d\d until 27\.11\.26, \d\d:\d\d$/);
    expect(shareText(KEY, 'a.b.c', 'en-GB')).toMatch(/^Door key for Grace, valid from 26\/11\/2026.*: a\.b\.c$/);
  });

  it('shows a key again by asking the panel to sign it anew, and shares it through the share sheet where there is one', async () => {
    const { s, sent } = door({ 'guestKey.show': { token: 'tok.en.x', record: KEY } });
    const shared: { title: string; text: string }[] = [];
    const g = new PhoneGuestKeys(s, { share: async (d) => void shared.push(d) }, QR);
    await g.share('k1');
    expect(sent).toEqual([{ op: 'guestKey.show', keyId: 'k1' }]);
    expect(g.shown).toMatchObject({ token: 'tok.en.x', record: { keyId: 'k1' } });
    expect(shared).toEqual([{ title: 'Door key for Grace', text: expect.stringMatching(/tok\.en\.x$/) }]);
    expect(g.copied).toBeNull();
  });

  it('copies to the clipboard where the phone cannot share, and says so', async () => {
    const { s } = door({ 'guestKey.show': { token: 'tok.en.x', record: KEY } });
    const copied: string[] = [];
    const target: ShareTarget = { clipboard: { writeText: async (t) => void copied.push(t) } };
    const g = new PhoneGuestKeys(s, target, QR);
    await g.share('k1');
    expect(copied).toEqual([expect.stringMatching(/^Door key for Grace.*tok\.en\.x$/)]);
    expect(g.copied).toBe('k1');
  });

  it('issues a key that starts later with that start, and refuses a form the panel would refuse without sending it', async () => {
    const { s, sent } = door({ 'guestKey.issue': { token: 'tok.en.y', record: KEY }, 'guestKey.list': [KEY] });
    const g = new PhoneGuestKeys(s, {}, QR);
    expect(await g.issue({ name: 'Grace', notBefore: Number.NaN, hours: 24, maxUses: 1 })).toBe(false);
    expect(await g.issue({ name: 'Grace', notBefore: KEY.notBefore, hours: 0, maxUses: 1 })).toBe(false);
    expect(sent).toEqual([]);
    expect(await g.issue({ name: 'Grace', notBefore: KEY.notBefore, hours: 24, maxUses: 1 })).toBe(true);
    expect(sent[0]).toEqual({ op: 'guestKey.issue', name: 'Grace', notBefore: KEY.notBefore, expires: KEY.notBefore + 24 * HOUR, maxUses: 1, selfEnrol: false });
    expect(g.keys).toEqual([KEY]);
    expect(g.shown?.token).toBe('tok.en.y');
  });
});
