import { describe, expect, it } from 'vitest';
import { encodeBase64Url } from '../access/base64url.ts';
import { alertFor } from './alerts.ts';
import { bellEvent } from '../panel/bell.ts';
import { canonicalJson, utf8 } from './canonical.ts';
import { checkWireSchedule, mayRun, nextCounter, parseCommandBody, MAX_SCHEDULE_EXCEPTIONS, signCommand, verifyCommand, MAX_TTL_MS, type AdminRole, type CommandBody, type TrustedAdmin } from './command.ts';
import { boxContext, encodeEnvelope, parseEnvelope, signEnvelope } from './envelope.ts';
import { discoveryMessages, parseHaLockCommand } from './ha.ts';
import { generateKeyPairs, importVerifyKey, parsePublicJwk, type KeyPairs } from './keys.ts';
import { backoffDelay, isProtocolRefusal } from './link.ts';
import { toRemoteEvent } from './messages.ts';
import { acceptPairRequest, buildPairRequest, decodePairingPayload, encodePairingPayload, MAX_CODE_TRIES, MAX_PAIR_BYTES, newPairingCode, type PairedAdmin, type PairingCode } from './pairing.ts';
import { openBox, sealBox } from './sealed.ts';
import { parseTopic, topics } from './topics.ts';

const NOW = Date.UTC(2026, 10, 25, 12, 0, 0);
const PANEL = 'panel0000000001';

async function setup() {
  const panel = await generateKeyPairs();
  const owner = await generateKeyPairs();
  const manager = await generateKeyPairs();
  const stranger = await generateKeyPairs();
  const bridge = await generateKeyPairs();
  const trusted = new Map<string, TrustedAdmin>([
    [bridge.id, { role: 'bridge', verifyKey: (await importVerifyKey(bridge.signingJwk))! }],
    [owner.id, { role: 'owner', verifyKey: (await importVerifyKey(owner.signingJwk))! }],
    [manager.id, { role: 'manager', verifyKey: (await importVerifyKey(manager.signingJwk))! }],
  ]);
  const sign = (who: KeyPairs, body: CommandBody, counter: number, now = NOW, ttlMs?: number) =>
    signCommand(body, { panelId: PANEL, panelEcdh: panel.encryptionJwk, adminId: who.id, signingKey: who.signing.privateKey, counter, now, ...(ttlMs ? { ttlMs } : {}) }).then(encodeEnvelope);
  const verify = (msg: string, counters: ReadonlyMap<string, number> = new Map(), now = NOW) => verifyCommand(msg, trusted, counters, now, { panelId: PANEL, ecdhPrivate: panel.encryption.privateKey });
  return { panel, owner, manager, stranger, bridge, trusted, sign, verify };
}

describe('canonical encoding', () => {
  it('is independent of key order and refuses what JSON cannot say exactly', () => {
    expect(canonicalJson({ b: 1, a: [true, null, 'x'], c: { z: 0, y: -1.5 } })).toBe('{"a":[true,null,"x"],"b":1,"c":{"y":-1.5,"z":0}}');
    expect(canonicalJson({ a: 1, b: 2 })).toBe(canonicalJson({ b: 2, a: 1 }));
    expect(() => canonicalJson({ a: undefined })).toThrow();
    expect(() => canonicalJson(Number.NaN)).toThrow();
    expect(() => canonicalJson(() => 1)).toThrow();
  });
});

describe('topics', () => {
  it('builds and parses the scheme, refusing wildcards and foreign trees', () => {
    const t = topics(PANEL);
    expect(t.cmd('abc_-1')).toBe(`doorward/${PANEL}/cmd/abc_-1`);
    expect(parseTopic(t.cmd('abc'))).toEqual({ kind: 'cmd', panelId: PANEL, adminId: 'abc' });
    expect(parseTopic(t.state)).toEqual({ kind: 'state', panelId: PANEL });
    expect(parseTopic(t.haLockSet)).toEqual({ kind: 'haLockSet', panelId: PANEL });
    expect(parseTopic(`doorward/${PANEL}/cmd/a/b`)).toBeNull();
    expect(parseTopic(`other/${PANEL}/state`)).toBeNull();
    expect(parseTopic(`doorward/${PANEL}/unknown`)).toBeNull();
    expect(() => t.cmd('a/b')).toThrow();
    expect(() => t.cmd('+')).toThrow();
    expect(() => topics('#')).toThrow();
  });
});

describe('keys', () => {
  it('exports minimal public JWKs and rejects private or malformed ones', async () => {
    const k = await generateKeyPairs();
    expect(Object.keys(k.signingJwk).sort()).toEqual(['crv', 'kty', 'x', 'y']);
    expect(k.signing.privateKey.extractable).toBe(false);
    expect(k.encryption.privateKey.extractable).toBe(false);
    expect(parsePublicJwk({ ...k.signingJwk, d: 'secret' })).toBeNull();
    expect(parsePublicJwk({ ...k.signingJwk, crv: 'P-384' })).toBeNull();
    expect(parsePublicJwk({ ...k.signingJwk, x: 'short' })).toBeNull();
    // A point that is not on the curve is refused at import, not later.
    expect(await importVerifyKey({ ...k.signingJwk, y: k.signingJwk.x })).toBeNull();
  });
});

describe('sealed boxes', () => {
  it('open for each named recipient only, and only in their context', async () => {
    const a = await generateKeyPairs();
    const b = await generateKeyPairs();
    const c = await generateKeyPairs();
    const box = await sealBox(utf8('Alice at 08:02'), [{ kid: a.id, ecdh: a.encryptionJwk }, { kid: b.id, ecdh: b.encryptionJwk }], 'ctx/1');
    expect(JSON.stringify(box)).not.toContain('Alice');
    expect(new TextDecoder().decode((await openBox(box, a.id, a.encryption.privateKey, 'ctx/1'))!)).toBe('Alice at 08:02');
    expect(new TextDecoder().decode((await openBox(box, b.id, b.encryption.privateKey, 'ctx/1'))!)).toBe('Alice at 08:02');
    expect(await openBox(box, c.id, c.encryption.privateKey, 'ctx/1')).toBeNull();
    // c claims a's slot: the key derivation binds the slot to a's key, so it still fails.
    expect(await openBox(box, a.id, c.encryption.privateKey, 'ctx/1')).toBeNull();
    expect(await openBox(box, a.id, a.encryption.privateKey, 'ctx/2')).toBeNull();
    const tampered = { ...box, ct: box.ct.slice(0, -2) + (box.ct.endsWith('AA') ? 'BA' : 'AA') };
    expect(await openBox(tampered, a.id, a.encryption.privateKey, 'ctx/1')).toBeNull();
  });
});

describe('verifyCommand', () => {
  it('accepts a fresh command from a paired admin and decrypts its body', async () => {
    const s = await setup();
    const msg = await s.sign(s.owner, { op: 'person.add', name: 'Ada Lovelace', role: 'resident', pin: '4821' }, 10);
    // Fragments no base64url ciphertext can hold by chance (a space, quotes and a colon).
    expect(msg).not.toContain('Ada Lovelace');
    expect(msg).not.toContain('"pin":"4821"');
    const r = await s.verify(msg);
    expect(r).toEqual({ ok: true, adminId: s.owner.id, role: 'owner', counter: 10, body: { op: 'person.add', name: 'Ada Lovelace', role: 'resident', pin: '4821' } });
  });

  it('refuses a replayed counter, and a counter that went backwards', async () => {
    const s = await setup();
    const msg = await s.sign(s.owner, { op: 'door.unlock' }, 10);
    const again = await s.verify(msg, new Map([[s.owner.id, 10]]));
    expect(again).toMatchObject({ ok: false, reason: 'replayed', adminId: s.owner.id, authentic: true });
    expect(await s.verify(await s.sign(s.owner, { op: 'door.unlock' }, 9), new Map([[s.owner.id, 10]]))).toMatchObject({ ok: false, reason: 'replayed' });
    // Counters are per admin: the manager's own count is separate.
    expect(await s.verify(await s.sign(s.manager, { op: 'door.unlock' }, 5), new Map([[s.owner.id, 10]]))).toMatchObject({ ok: true });
  });

  it('refuses forged, unpaired and misaddressed commands without trusting the sender', async () => {
    const s = await setup();
    expect(await s.verify(await s.sign(s.stranger, { op: 'door.unlock' }, 1))).toMatchObject({ ok: false, reason: 'unpaired', authentic: false, consumeCounter: null });
    // The stranger signs but claims the owner's id.
    const forged = parseEnvelope(await s.sign(s.stranger, { op: 'door.unlock' }, 1));
    if (!forged.ok) throw new Error('setup');
    expect(await s.verify(encodeEnvelope({ ...forged.env, from: s.owner.id }))).toMatchObject({ ok: false, reason: 'badSignature', authentic: false });
    // A genuine command with one field changed.
    const genuine = parseEnvelope(await s.sign(s.owner, { op: 'state.get' }, 3));
    if (!genuine.ok) throw new Error('setup');
    expect(await s.verify(encodeEnvelope({ ...genuine.env, seq: 4 }))).toMatchObject({ ok: false, reason: 'badSignature' });
    expect(await s.verify(encodeEnvelope({ ...genuine.env, to: 'otherpanel' }))).toMatchObject({ ok: false, reason: 'wrongPanel' });
  });

  it('refuses stale, expired, future and over-long commands', async () => {
    const s = await setup();
    expect(await s.verify(await s.sign(s.owner, { op: 'door.unlock' }, 1, NOW - 61_000))).toMatchObject({ ok: false, reason: 'expired', consumeCounter: 1 });
    expect(await s.verify(await s.sign(s.owner, { op: 'door.unlock' }, 1, NOW + 5 * 60_000))).toMatchObject({ ok: false, reason: 'notYetValid' });
    // A long-lived command made by hand (signCommand caps the TTL).
    const long = await signEnvelope({ v: 1, t: 'cmd', from: s.owner.id, to: PANEL, seq: 2, iat: NOW, exp: NOW + MAX_TTL_MS + 1, box: (await sealBox(utf8('{"op":"door.unlock"}'), [{ kid: PANEL, ecdh: s.panel.encryptionJwk }], boxContext('cmd', s.owner.id, PANEL))) }, s.owner.signing.privateKey);
    expect(await s.verify(encodeEnvelope(long))).toMatchObject({ ok: false, reason: 'stale' });
  });

  it('refuses malformed input of every kind without throwing', async () => {
    const s = await setup();
    for (const junk of ['', 'null', '[]', '{"v":1}', '{"v":2,"t":"cmd"}', 'x'.repeat(1_000_000), '\u0000', '{"v":1,"t":"cmd","from":"a","to":"b","seq":-1,"iat":1,"exp":2,"sig":""}']) {
      const r = await s.verify(junk);
      expect(r.ok).toBe(false);
    }
    expect(await s.verify('{"v":2,"t":"cmd"}')).toMatchObject({ ok: false, reason: 'unsupportedVersion' });
    // Signed and fresh but the body is not a command we know.
    const env = await signEnvelope({ v: 1, t: 'cmd', from: s.owner.id, to: PANEL, seq: 3, iat: NOW, exp: NOW + 60_000, box: await sealBox(utf8('{"op":"door.explode"}'), [{ kid: PANEL, ecdh: s.panel.encryptionJwk }], boxContext('cmd', s.owner.id, PANEL)) }, s.owner.signing.privateKey);
    expect(await s.verify(encodeEnvelope(env))).toMatchObject({ ok: false, reason: 'malformed', authentic: true, consumeCounter: 3 });
    // A body sealed for another context (a pairing box pasted into a command).
    const moved = await signEnvelope({ v: 1, t: 'cmd', from: s.owner.id, to: PANEL, seq: 4, iat: NOW, exp: NOW + 60_000, box: await sealBox(utf8('{"op":"door.unlock"}'), [{ kid: PANEL, ecdh: s.panel.encryptionJwk }], boxContext('pair', s.owner.id, PANEL)) }, s.owner.signing.privateKey);
    expect(await s.verify(encodeEnvelope(moved))).toMatchObject({ ok: false, reason: 'undecryptable' });
    expect(await s.verify(await s.sign(s.owner, { op: 'person.add', name: ' ', role: 'resident' } as CommandBody, 9))).toMatchObject({ ok: false, reason: 'malformed' });
    expect(await s.verify(await s.sign(s.owner, { op: 'person.add', name: 'A', role: 'king' } as unknown as CommandBody, 10))).toMatchObject({ ok: false, reason: 'malformed' });
  });

  it('holds managers to their role', async () => {
    const s = await setup();
    expect(await s.verify(await s.sign(s.manager, { op: 'pairing.create', role: 'manager' }, 1))).toMatchObject({ ok: false, reason: 'forbidden', op: 'pairing.create', consumeCounter: 1 });
    expect(await s.verify(await s.sign(s.manager, { op: 'admin.unpair', adminId: s.owner.id }, 2))).toMatchObject({ ok: false, reason: 'forbidden' });
    expect(await s.verify(await s.sign(s.owner, { op: 'admin.unpair', adminId: s.manager.id }, 3))).toMatchObject({ ok: true });
    expect(mayRun('manager', 'door.unlock')).toBe(true);
    expect(mayRun('manager', 'person.remove')).toBe(true);
  });

  it('holds a bridge to lock, unlock with a PIN and people with PINs: nothing else, and no unlock without a PIN', async () => {
    const s = await setup();
    const refused: CommandBody[] = [
      { op: 'door.unlock' },
      { op: 'settings.set', patch: { pulseMs: 4000 } },
      { op: 'settings.get' },
      { op: 'snapshot.get', snapshotId: 'snap-1' },
      { op: 'person.enrolPhoto', personId: 'p1', jpeg: 'AAAA' },
      { op: 'guestKey.issue', name: 'x', notBefore: NOW, expires: NOW + 1000, maxUses: 1, selfEnrol: false },
      { op: 'guestKey.revoke', keyId: 'k1' },
      { op: 'admins.list' },
      { op: 'admin.unpair', adminId: s.owner.id },
      { op: 'pairing.create', role: 'owner' },
    ];
    let n = 0;
    for (const body of refused) expect(await s.verify(await s.sign(s.bridge, body, ++n))).toMatchObject({ ok: false, reason: 'forbidden', op: body.op, consumeCounter: n });
    const allowed: CommandBody[] = [
      { op: 'door.lock' },
      { op: 'door.unlockPin', pin: '4821' },
      { op: 'people.list' },
      { op: 'person.add', name: 'Grace', role: 'resident', pin: '4821' },
      { op: 'person.update', personId: 'p1', pin: null },
      { op: 'person.remove', personId: 'p1' },
      { op: 'state.get' },
    ];
    for (const body of allowed) expect(await s.verify(await s.sign(s.bridge, body, ++n))).toMatchObject({ ok: true, role: 'bridge', body });
    // A PIN is digits, 4 to 12 of them, and nothing else rides along with it.
    for (const bad of [{ op: 'door.unlockPin', pin: '12' }, { op: 'door.unlockPin', pin: '12ab' }, { op: 'door.unlockPin', pin: 4821 }, { op: 'door.unlockPin', pin: '4821', then: 'door.unlock' }])
      expect(await s.verify(await s.sign(s.bridge, bad as unknown as CommandBody, ++n))).toMatchObject({ ok: false, reason: 'malformed' });
    expect(mayRun('manager', 'door.unlockPin')).toBe(true);
  });

  it('guest key list and show: owners and managers only, never a bridge; every field checked (issue #14)', async () => {
    const s = await setup();
    let n = 0;
    for (const who of [s.owner, s.manager]) {
      expect(await s.verify(await s.sign(who, { op: 'guestKey.show', keyId: 'k1' }, ++n))).toMatchObject({ ok: true, body: { op: 'guestKey.show', keyId: 'k1' } });
      expect(await s.verify(await s.sign(who, { op: 'guestKey.list' }, ++n))).toMatchObject({ ok: true, body: { op: 'guestKey.list' } });
    }
    for (const body of [{ op: 'guestKey.show', keyId: 'k1' }, { op: 'guestKey.list' }] as CommandBody[])
      expect(await s.verify(await s.sign(s.bridge, body, ++n))).toMatchObject({ ok: false, reason: 'forbidden', op: body.op });
    for (const bad of [
      { op: 'guestKey.show' },
      { op: 'guestKey.show', keyId: '' },
      { op: 'guestKey.show', keyId: 42 },
      { op: 'guestKey.show', keyId: 'k'.repeat(129) },
      { op: 'guestKey.show', keyId: 'k1', expires: NOW + 1e12 },
      { op: 'guestKey.list', all: true },
    ])
      expect(parseCommandBody(bad)).toBeNull();
    expect(await s.verify(await s.sign(s.owner, { op: 'guestKey.show', keyId: 'k1', maxUses: null } as unknown as CommandBody, ++n))).toMatchObject({ ok: false, reason: 'malformed' });
  });

  it('call ops: owners and managers only, never a bridge; the offer checked as untrusted (issue #14)', () => {
    for (const role of ['owner', 'manager'] as const) {
      expect(mayRun(role, 'call.start')).toBe(true);
      expect(mayRun(role, 'call.end')).toBe(true);
      expect(mayRun(role, 'call.decline')).toBe(true);
    }
    expect(mayRun('bridge', 'call.start')).toBe(false);
    expect(mayRun('bridge', 'call.end')).toBe(false);
    expect(mayRun('bridge', 'call.decline')).toBe(false);
    expect(parseCommandBody({ op: 'call.decline' })).toEqual({ op: 'call.decline' });
    expect(parseCommandBody({ op: 'call.start', sdp: 'v=0\r\n', mode: 'view' })).toEqual({ op: 'call.start', sdp: 'v=0\r\n', mode: 'view' });
    expect(parseCommandBody({ op: 'call.end' })).toEqual({ op: 'call.end' });
    for (const bad of [
      { op: 'call.start', sdp: 'x=0', mode: 'answer' },
      { op: 'call.start', sdp: 'v=0' + 'a'.repeat(20_000), mode: 'answer' },
      { op: 'call.start', sdp: 'v=0', mode: 'listen' },
      { op: 'call.start', sdp: 42, mode: 'answer' },
      { op: 'call.start', sdp: 'v=0', mode: 'answer', extra: 1 },
      { op: 'call.end', who: 'x' },
      { op: 'call.decline', adminName: 'Someone else' },
    ])
      expect(parseCommandBody(bad)).toBeNull();
  });

  it('takes holiday exceptions in a schedule from an owner or manager, every field checked, never from a bridge (issue #15)', async () => {
    const s = await setup();
    const week = { timeZone: 'Europe/London', windows: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '08:00', end: '18:00' }] };
    const holidays = { ...week, exceptions: [{ date: '2026-12-25', kind: 'closed', note: 'Christmas' }, { date: '2026-12-27', kind: 'open', spans: [{ start: '10:00', end: '14:00' }] }, { date: '2026-12-28', kind: 'open' }] };
    const body = { op: 'person.update', personId: 'p1', schedule: holidays } as unknown as CommandBody;
    expect(await s.verify(await s.sign(s.owner, body, 1))).toMatchObject({ ok: true, body });
    expect(await s.verify(await s.sign(s.manager, body, 2))).toMatchObject({ ok: true, body });
    // A bridge keeps what it had (weekly windows, year-day ranges), and no holidays.
    expect(await s.verify(await s.sign(s.bridge, body, 3))).toMatchObject({ ok: false, reason: 'forbidden', op: 'person.update', consumeCounter: 3 });
    expect(await s.verify(await s.sign(s.bridge, { op: 'person.update', personId: 'p1', schedule: week } as unknown as CommandBody, 4))).toMatchObject({ ok: true });
    // A note is trimmed; exceptions survive the round trip exactly otherwise.
    expect(checkWireSchedule({ ...week, exceptions: [{ date: '2026-01-01', kind: 'closed', note: '  New Year ' }] })).toEqual({ ok: true, schedule: { ...week, exceptions: [{ date: '2026-01-01', kind: 'closed', note: 'New Year' }] } });
    const many = Array.from({ length: MAX_SCHEDULE_EXCEPTIONS }, (_, i) => ({ date: new Date(Date.UTC(2026, 0, 1) + i * 86_400_000).toISOString().slice(0, 10), kind: 'closed' }));
    expect(checkWireSchedule({ ...week, exceptions: many })).toMatchObject({ ok: true });

    const refused: [string, unknown, RegExp][] = [
      ['an impossible date', [{ date: '2026-02-30', kind: 'closed' }], /exception 0: date/],
      ['a date with a time', [{ date: '2026-12-25T00:00', kind: 'closed' }], /exception 0: date/],
      ['a number for a date', [{ date: 20261225, kind: 'closed' }], /exception 0: date/],
      ['an unknown kind', [{ date: '2026-12-25', kind: 'always' }], /kind must be closed or open/],
      ['spans on a closed date', [{ date: '2026-12-25', kind: 'closed', spans: [{ start: '10:00', end: '12:00' }] }], /closed date has no spans/],
      ['a sloppy span time', [{ date: '2026-12-25', kind: 'open', spans: [{ start: '9:00', end: '12:00' }] }], /span times/],
      ['a span starting at 24:00', [{ date: '2026-12-25', kind: 'open', spans: [{ start: '24:00', end: '06:00' }] }], /span times/],
      ['an empty span list', [{ date: '2026-12-25', kind: 'open', spans: [] }], /spans must be/],
      ['too many spans', [{ date: '2026-12-25', kind: 'open', spans: Array.from({ length: 5 }, () => ({ start: '10:00', end: '11:00' })) }], /spans must be/],
      ['an extra span field', [{ date: '2026-12-25', kind: 'open', spans: [{ start: '10:00', end: '11:00', days: ['mon'] }] }], /span must be/],
      ['an extra field', [{ date: '2026-12-25', kind: 'closed', grant: 'everyone' }], /must be \{ date/],
      ['a long note', [{ date: '2026-12-25', kind: 'closed', note: 'x'.repeat(81) }], /note must be/],
      ['a blank note', [{ date: '2026-12-25', kind: 'closed', note: '   ' }], /note must be/],
      ['a control character in a note', [{ date: '2026-12-25', kind: 'closed', note: 'Xmas\u001b[2J' }], /note must be/],
      ['a bidi override in a note', [{ date: '2026-12-25', kind: 'closed', note: 'Xmas\u202egnp.exe' }], /note must be/],
      ['a duplicate date', [{ date: '2026-12-25', kind: 'closed' }, { date: '2026-12-25', kind: 'open' }], /2026-12-25 is given twice/],
      ['too many exceptions', [...many, { date: '2027-06-01', kind: 'closed' }], /1 to 400/],
      ['an empty list', [], /1 to 400/],
      ['an object for a list', { '2026-12-25': 'closed' }, /1 to 400/],
      ['a prototype key', [JSON.parse('{"date":"2026-12-25","kind":"closed","__proto__":{"admin":true}}')], /must be \{ date/],
    ];
    let n = 10;
    for (const [what, exceptions, problem] of refused) {
      const checked = checkWireSchedule({ ...week, exceptions });
      expect(checked, what).toMatchObject({ ok: false, problem: expect.stringMatching(problem) });
      const bad = { op: 'person.update', personId: 'p1', schedule: { ...week, exceptions } } as unknown as CommandBody;
      expect(parseCommandBody(bad as unknown as Record<string, unknown>), what).toBeNull();
      // Refused as a whole, with the reason the admin's phone shows: nothing of it reaches runCommand.
      expect(await s.verify(await s.sign(s.owner, bad, ++n)), what).toMatchObject({ ok: false, reason: 'malformed', consumeCounter: n, problem: expect.stringMatching(problem) });
    }
  });

  it('counters keep growing even when the stored one is lost', () => {
    expect(nextCounter(0, NOW)).toBe(NOW);
    expect(nextCounter(NOW + 50, NOW)).toBe(NOW + 51);
    expect(nextCounter(5, NOW + 0.7)).toBe(NOW);
  });
});

describe('pairing', () => {
  async function offer(role: AdminRole = 'manager') {
    const panel = await generateKeyPairs();
    const code = newPairingCode(role, NOW);
    const text = encodePairingPayload({ panelId: PANEL, brokerUrl: 'ws://192.168.1.20:8081', sign: panel.signingJwk, enc: panel.encryptionJwk, code: code.code });
    return { panel, code, text };
  }

  it('round-trips the QR payload and refuses anything else', async () => {
    const { text, code, panel } = await offer();
    expect(decodePairingPayload(text)).toEqual({ v: 1, panelId: PANEL, brokerUrl: 'ws://192.168.1.20:8081', sign: panel.signingJwk, enc: panel.encryptionJwk, code: code.code });
    expect(decodePairingPayload(`  ${text}\n`)).not.toBeNull();
    expect(decodePairingPayload(text.slice(0, -3))).toBeNull();
    expect(decodePairingPayload('DOORWARD-PAIR:' + encodeBase64Url(utf8('{"v":1}')))).toBeNull();
    expect(decodePairingPayload('https://example.com')).toBeNull();
  });

  it("carries the phone's own broker login where the broker asks for one, and refuses a malformed one", async () => {
    const panel = await generateKeyPairs();
    const code = newPairingCode('owner', NOW);
    const login = { username: 'phone-0123456789abcdef', password: 'x'.repeat(32) };
    const base = { panelId: PANEL, brokerUrl: 'wss://192.168.1.20:8081', sign: panel.signingJwk, enc: panel.encryptionJwk, code: code.code, exp: code.expiresAt };
    const text = encodePairingPayload({ ...base, login });
    expect(decodePairingPayload(text)?.login).toEqual(login);
    // Still short enough for the QR code and the phone's own limit.
    expect(text.length).toBeLessThan(2048);
    const bad = (o: unknown) => 'DOORWARD-PAIR:' + encodeBase64Url(utf8(JSON.stringify({ v: 1, ...base, login: o })));
    expect(decodePairingPayload(bad({ username: 'a/b', password: 'x' }))).toBeNull();
    expect(decodePairingPayload(bad({ username: 'a' }))).toBeNull();
  });

  it('accepts the phone that proves the code; the first admin becomes owner; the code dies', async () => {
    const { text, code, panel } = await offer('manager');
    const phone = await generateKeyPairs();
    const req = encodeEnvelope(await buildPairRequest(decodePairingPayload(text)!, phone, 'Ada phone', NOW));
    expect(req).not.toContain(code.code);
    const d = await acceptPairRequest(req, { panelId: PANEL, ecdhPrivate: panel.encryption.privateKey, pending: [code], admins: [], now: NOW + 1000 });
    expect(d).toMatchObject({ ok: true, admin: { id: phone.id, role: 'owner', label: 'Ada phone' }, pending: [] });
    // The same request again: the code is gone, so it proves nothing and is dropped unanswered.
    const again = await acceptPairRequest(req, { panelId: PANEL, ecdhPrivate: panel.encryption.privateKey, pending: d.pending, admins: d.ok ? [d.admin] : [], now: NOW + 2000 });
    expect(again).toMatchObject({ ok: false, reason: 'badCode', proven: false, requester: null });
    // A phone already paired that proves a live code is told so.
    const next = newPairingCode('manager', NOW);
    const twice = encodeEnvelope(await buildPairRequest({ ...decodePairingPayload(text)!, code: next.code }, phone, 'Ada phone', NOW));
    expect(await acceptPairRequest(twice, { panelId: PANEL, ecdhPrivate: panel.encryption.privateKey, pending: [next], admins: d.ok ? [d.admin] : [], now: NOW + 3000 })).toMatchObject({ ok: false, reason: 'alreadyPaired', proven: true, pending: [{ tries: 1 }] });
  });

  it('gives the second admin the role chosen on the panel', async () => {
    const { text, code, panel } = await offer('manager');
    const owner: PairedAdmin = { id: 'owner1', role: 'owner', signingJwk: panel.signingJwk, encryptionJwk: panel.encryptionJwk, label: 'o', pairedAt: 0 };
    const phone = await generateKeyPairs();
    const req = encodeEnvelope(await buildPairRequest(decodePairingPayload(text)!, phone, 'p', NOW));
    expect(await acceptPairRequest(req, { panelId: PANEL, ecdhPrivate: panel.encryption.privateKey, pending: [code], admins: [owner], now: NOW })).toMatchObject({ ok: true, admin: { role: 'manager' } });
  });

  it('pairs a bridge as a bridge, even as the first admin of the panel', async () => {
    const { text, code, panel } = await offer('bridge');
    const bridge = await generateKeyPairs();
    const req = encodeEnvelope(await buildPairRequest(decodePairingPayload(text)!, bridge, 'Matter bridge', NOW));
    expect(await acceptPairRequest(req, { panelId: PANEL, ecdhPrivate: panel.encryption.privateKey, pending: [code], admins: [], now: NOW })).toMatchObject({ ok: true, admin: { role: 'bridge' } });
  });

  it('drops requests that do not prove the code without counting them, however many; counts only proven ones, each once', async () => {
    const { text, code, panel } = await offer();
    const payload = decodePairingPayload(text)!;
    const phone = await generateKeyPairs();
    const ctx = { panelId: PANEL, ecdhPrivate: panel.encryption.privateKey, admins: [], now: NOW };
    let pending: readonly PairingCode[] = [code];
    // Guessed codes, each from a new key, as anyone who read the panel's public config can make.
    for (let i = 0; i < 3 * MAX_CODE_TRIES; i++) {
      const guess = encodeEnvelope(await buildPairRequest({ ...payload, code: newPairingCode('owner', NOW).code }, await generateKeyPairs(), 'p', NOW));
      const d = await acceptPairRequest(guess, { ...ctx, pending });
      expect(d).toMatchObject({ ok: false, reason: 'badCode', proven: false, requester: null });
      pending = d.pending;
    }
    expect(pending).toEqual([code]);
    // Junk, another panel's request, a proof cut short: dropped the same way.
    const right = parseEnvelope(encodeEnvelope(await buildPairRequest(payload, phone, 'p', NOW)));
    if (!right.ok) throw new Error('setup');
    for (const junk of ['{}', 'x'.repeat(MAX_PAIR_BYTES + 1), encodeEnvelope({ ...right.env, to: 'panel0000000002' }), encodeEnvelope({ ...right.env, body: { mac: 'AAAA' } })]) {
      expect(await acceptPairRequest(junk, { ...ctx, pending })).toMatchObject({ ok: false, proven: false, pending: [code] });
    }
    // The broker swaps in its own key as the sender: the proof covered the sender, so it no longer holds.
    const attacker = await generateKeyPairs();
    expect(await acceptPairRequest(encodeEnvelope({ ...right.env, from: attacker.id }), { ...ctx, pending })).toMatchObject({ ok: false, reason: 'badCode', proven: false });

    // Proven but wrong (a signature that does not hold): counted against the code, once per request.
    const forged = encodeEnvelope({ ...right.env, sig: (await buildPairRequest(payload, attacker, 'p', NOW)).sig });
    const once = await acceptPairRequest(forged, { ...ctx, pending });
    expect(once).toMatchObject({ ok: false, reason: 'badSignature', proven: true, pending: [{ tries: 1 }] });
    expect(await acceptPairRequest(forged, { ...ctx, pending: once.pending })).toMatchObject({ ok: false, proven: false, pending: [{ tries: 1 }] });
    // A proven request out of its time counts too; enough of them and the code is spent.
    pending = once.pending;
    for (let i = 1; i < MAX_CODE_TRIES; i++) {
      const stale = encodeEnvelope(await buildPairRequest(payload, await generateKeyPairs(), 'p', NOW - 10 * 60_000 - i));
      const d = await acceptPairRequest(stale, { ...ctx, pending });
      expect(d).toMatchObject({ ok: false, reason: 'expired', proven: true });
      pending = d.pending;
    }
    expect(pending).toEqual([]);
    // A code past its minutes proves nothing.
    const late = encodeEnvelope(await buildPairRequest(payload, phone, 'p', code.expiresAt));
    expect(await acceptPairRequest(late, { ...ctx, pending: [code], now: code.expiresAt + 1 })).toMatchObject({ ok: false, reason: 'badCode', proven: false, pending: [] });
  });
});

describe('Home Assistant', () => {
  it('describes a lock with a verified code, a door sensor and the last visitor, all with availability', () => {
    const t = topics(PANEL);
    const msgs = discoveryMessages(PANEL, t);
    expect(msgs.map((m) => m.topic)).toEqual([
      `homeassistant/lock/doorward_${PANEL}/lock/config`,
      `homeassistant/binary_sensor/doorward_${PANEL}/door/config`,
      `homeassistant/sensor/doorward_${PANEL}/last_visitor/config`,
    ]);
    const [lock, door, visitor] = msgs.map((m) => JSON.parse(m.payload) as Record<string, unknown>);
    expect(lock).toMatchObject({ command_topic: t.haLockSet, state_topic: t.haLockState, code_format: expect.any(String), availability_topic: t.lwt, unique_id: `doorward_${PANEL}_lock` });
    expect(String(lock?.command_template)).toContain('{{ code }}');
    expect(door).toMatchObject({ device_class: 'door', state_topic: t.haDoor, payload_on: 'open', availability_topic: t.lwt });
    expect(visitor).toMatchObject({ state_topic: t.haLastVisitor, value_template: '{{ value_json.name }}' });
    expect(parseHaLockCommand(utf8('{"action":"UNLOCK","code":"1234"}'))).toEqual({ action: 'UNLOCK', code: '1234' });
    expect(parseHaLockCommand(utf8('{"action":"UNLOCK","code":""}'))).toBeNull();
    expect(parseHaLockCommand(utf8('UNLOCK'))).toBeNull();
  });
});

describe('events and alerts', () => {
  it('normalises both outbox shapes and drops what cannot be sent', () => {
    const decision = { at: NOW, outcome: 'deny', subject: { personId: 'p1', name: 'Ada' }, alerts: ['spoofAttempt'] };
    const fromGate = toRemoteEvent({ id: 'e1', topic: 'events', payload: { id: 'e1', summary: 'deny Ada by face', decision }, createdAt: NOW, attempts: 0, nextAttemptAt: NOW });
    expect(fromGate).toMatchObject({ id: 'e1', at: NOW, kind: 'attempt', personId: 'p1', summary: 'deny Ada by face', snapshotId: null });
    // The picture logged with an attempt is named (not sent), whichever shape reaches the outbox last.
    expect(toRemoteEvent({ id: 'e1', topic: 'events', payload: { id: 'e1', summary: 'deny Ada by face', decision, snapshotId: 'snap-e1' }, createdAt: NOW, attempts: 0, nextAttemptAt: NOW })?.snapshotId).toBe('snap-e1');
    expect(alertFor(fromGate!)).toMatchObject({ title: 'Spoof attempt at the door', severity: 'critical' });
    const fromLog = toRemoteEvent({ id: 'e2', topic: 'events', payload: { id: 'e2', at: NOW, kind: 'door', summary: 'tamper raised', personId: null, snapshotId: null, detail: { tamper: true } }, createdAt: NOW, attempts: 0, nextAttemptAt: NOW });
    expect(alertFor(fromLog!)).toMatchObject({ tag: 'tamper' });
    expect(toRemoteEvent({ id: 'e3', topic: 'events', payload: 'junk', createdAt: NOW, attempts: 0, nextAttemptAt: NOW })).toBeNull();
    expect(alertFor({ id: 'x', at: NOW, kind: 'attempt', summary: 'grant Ada by face', personId: 'p1', snapshotId: null, detail: { outcome: 'grant', alerts: [] } })).toBeNull();
    // A face not recognised (offered the bell) is decided again and again: it is not a ring.
    expect(alertFor({ id: 'y', at: NOW, kind: 'attempt', summary: 'ring unknown by face', personId: null, snapshotId: null, detail: { outcome: 'ring', alerts: [] } })).toBeNull();
    expect(alertFor({ id: 'b', snapshotId: null, ...bellEvent(NOW) })).toMatchObject({ tag: 'doorbell', title: 'Someone rang the doorbell', kind: 'visitor' });
    expect(alertFor({ id: 'v', at: NOW, kind: 'system', summary: 'alert unknownVisitor', personId: null, snapshotId: null, detail: { code: 'unknownVisitor', deferred: false } })).toMatchObject({ tag: 'unknown-visitor', kind: 'visitor' });
    const lost = { id: 'z', at: NOW, kind: 'system', summary: 'alert controllerOffline: Door controller lost', personId: null, snapshotId: null, detail: { code: 'controllerOffline', detail: 'Door controller lost' } } as const;
    expect(alertFor(lost)).toMatchObject({ title: 'Door controller offline', severity: 'critical', kind: 'offline' });
    expect(alertFor({ ...lost, summary: 'door controller back', detail: { code: 'controllerBack' } })).toBeNull();
  });
});

describe('link helpers', () => {
  it('backs off exponentially with bounded jitter', () => {
    expect(backoffDelay(0, 1000, 60_000, 0)).toBe(500);
    expect(backoffDelay(0, 1000, 60_000, 1)).toBe(1000);
    expect(backoffDelay(3, 1000, 60_000, 1)).toBe(8000);
    expect(backoffDelay(20, 1000, 60_000, 0.5)).toBe(45_000);
    expect(backoffDelay(1000, 1000, 60_000, 1)).toBe(60_000);
  });
  it('recognises a broker that refuses MQTT 5', () => {
    expect(isProtocolRefusal(Object.assign(new Error('Connection refused: Unacceptable protocol version'), { code: 1 }))).toBe(true);
    expect(isProtocolRefusal(Object.assign(new Error('Connection refused: Not authorized'), { code: 5 }))).toBe(false);
  });
});

import { chooseBroker, isSecureBrokerLink, parseServerBrokerConfig } from './broker-url.ts';
describe('broker address', () => {
  const server = parseServerBrokerConfig({ broker: { url: 'ws://127.0.0.1:9081', username: 'doorward-panel', password: 'pw' }, phoneBroker: 'wss://192.168.1.20:9081', phoneLogins: true });
  it('prefers an explicit, valid ?broker=, then the stored one, then what the panel server says; never guesses', () => {
    expect(server).not.toBeNull();
    expect(chooseBroker({ search: '?broker=ws://127.0.0.1:9001' }, { asked: null, server: null }, server).choice).toEqual({ url: 'ws://127.0.0.1:9001', login: null, phoneUrl: null, phoneLogins: false });
    expect(chooseBroker({ search: '?broker=javascript:alert(1)' }, { asked: 'wss://b.example/mqtt', server: null }, server).choice?.url).toBe('wss://b.example/mqtt');
    // The kiosk dials the port its server's --broker-port names, with the server's login.
    expect(chooseBroker({ search: '' }, { asked: null, server: null }, server)).toMatchObject({ choice: { url: 'ws://127.0.0.1:9081', login: { username: 'doorward-panel', password: 'pw' }, phoneUrl: 'wss://192.168.1.20:9081', phoneLogins: true }, rememberServer: server });
    // Offline boot: the config kept from last time.
    expect(chooseBroker({ search: '' }, { asked: null, server }, null).choice?.url).toBe('ws://127.0.0.1:9081');
    expect(chooseBroker({ search: '' }, { asked: null, server: null }, null).choice).toBeNull();
  });
  it('reads only a well-formed server answer', () => {
    expect(parseServerBrokerConfig({ broker: { url: 'http://x', username: 'a', password: 'b' }, phoneBroker: null })).toBeNull();
    expect(parseServerBrokerConfig({ broker: { url: 'ws://x:1', username: 'a b', password: 'b' }, phoneBroker: null })).toBeNull();
    expect(parseServerBrokerConfig({ broker: null, phoneBroker: 'javascript:1' })).toBeNull();
    expect(parseServerBrokerConfig({ broker: null, phoneBroker: null })).toEqual({ broker: null, phoneBroker: null, phoneLogins: false });
  });
  it('calls a link secure only with TLS and a login', () => {
    expect(isSecureBrokerLink('wss://ha.local:8883', { username: 'panel', password: 'x' })).toBe(true);
    expect(isSecureBrokerLink('ws://ha.local:1883', { username: 'panel', password: 'x' })).toBe(false);
    expect(isSecureBrokerLink('wss://ha.local:8883', null)).toBe(false);
  });
});
