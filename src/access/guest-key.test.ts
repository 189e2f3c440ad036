import { createPublicKey, sign as nodeSign, verify as nodeVerify, generateKeyPairSync } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeBase64Url, encodeBase64Url } from './base64url.ts';
import {
  createGuestKey,
  DEFAULT_SKEW_MS,
  generateIssuerKeys,
  GUEST_KEY_TYP,
  importIssuerKey,
  jwkThumbprint,
  MAX_SKEW_MS,
  maySelfEnrol,
  isLowS,
  lowS,
  selfEnrolPass,
  verifyGuestKey,
  withKeyUses,
  type GuestKeyRequest,
  type IssuerKeys,
  type VerifyOptions,
} from './guest-key.ts';
import { decide, decideGuestKey } from './policy.ts';
import { DEFAULT_SETTINGS } from './settings.ts';
import type { DoorState } from './types.ts';

const T0 = Date.parse('2025-06-04T14:00:00Z');
const DAY = 86_400_000;
const NORMAL: DoorState = { mode: 'normal', link: 'online', tamper: false };

const request: GuestKeyRequest = {
  keyId: 'key-123',
  subject: 'booking-77',
  name: 'Zoë Guest',
  doors: ['front', 'garage'],
  notBefore: T0,
  expires: T0 + 3 * DAY,
  issuedAt: T0 - DAY,
  maxUses: 5,
  selfEnrol: true,
};

let admin: IssuerKeys;
let stranger: IssuerKeys;
let issuers: Map<string, CryptoKey>;
let token: string;

beforeAll(async () => {
  admin = await generateIssuerKeys();
  stranger = await generateIssuerKeys();
  const imported = await importIssuerKey(admin.publicJwk);
  issuers = new Map([[imported.kid, imported.publicKey]]);
  token = await createGuestKey(request, admin);
});

function options(over: Partial<VerifyOptions> = {}): VerifyOptions {
  return { issuers, doorId: 'front', now: T0 + DAY, revoked: new Set(), uses: new Map(), ...over };
}

const enc = (v: unknown) => encodeBase64Url(new TextEncoder().encode(JSON.stringify(v)));
const parts = (t: string) => t.split('.') as [string, string, string];

/** Signs arbitrary header and payload with the admin key, for claims createGuestKey would refuse to write. */
async function signRaw(header: unknown, payload: unknown, key: CryptoKey = admin.privateKey): Promise<string> {
  const input = `${enc(header)}.${enc(payload)}`;
  const sig = await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, key, new TextEncoder().encode(input));
  return `${input}.${encodeBase64Url(lowS(new Uint8Array(sig)))}`;
}

function validPayload(): Record<string, unknown> {
  return JSON.parse(new TextDecoder().decode(decodeBase64Url(parts(token)[1])!)) as Record<string, unknown>;
}

describe('guest keys: the happy path', () => {
  it('verifies offline and returns the claims', async () => {
    const r = await verifyGuestKey(token, options());
    expect(r).toEqual({
      ok: true,
      claims: {
        keyId: 'key-123',
        issuer: admin.kid,
        subject: 'booking-77',
        name: 'Zoë Guest',
        doors: ['front', 'garage'],
        notBefore: T0,
        expires: T0 + 3 * DAY,
        issuedAt: T0 - DAY,
        maxUses: 5,
        selfEnrol: true,
      },
    });
  });

  it('is a standard compact JWS: the header says ES256 with our typ and the signer kid', () => {
    const header = JSON.parse(new TextDecoder().decode(decodeBase64Url(parts(token)[0])!));
    expect(header).toEqual({ alg: 'ES256', typ: GUEST_KEY_TYP, kid: admin.kid });
    expect(decodeBase64Url(parts(token)[2])).toHaveLength(64);
    expect(token.length).toBeLessThan(600); // comfortably inside one QR code
  });

  it('verifies with an independent implementation (node crypto, IEEE P1363 r||s)', () => {
    const [h, p, s] = parts(token);
    const key = createPublicKey({ key: admin.publicJwk as import('node:crypto').JsonWebKey, format: 'jwk' });
    const ok = nodeVerify('sha256', Buffer.from(`${h}.${p}`), { key, dsaEncoding: 'ieee-p1363' }, decodeBase64Url(s)!);
    expect(ok).toBe(true);
  });

  it('accepts a key signed by an independent implementation, in the canonical low-S form', async () => {
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = pair.publicKey.export({ format: 'jwk' });
    const { kid, publicKey } = await importIssuerKey(jwk as JsonWebKey);
    const input = `${enc({ alg: 'ES256', typ: GUEST_KEY_TYP, kid })}.${enc({ ...validPayload(), iss: kid })}`;
    const sig = lowS(nodeSign('sha256', Buffer.from(input), { key: pair.privateKey, dsaEncoding: 'ieee-p1363' }));
    const r = await verifyGuestKey(`${input}.${encodeBase64Url(sig)}`, options({ issuers: new Map([[kid, publicKey]]) }));
    expect(r.ok).toBe(true);
  });

  it('names a key by its RFC 7638 thumbprint, ignoring optional members', async () => {
    const withExtras = { ...admin.publicJwk, kid: 'whatever', use: 'sig', key_ops: ['verify'] };
    expect((await importIssuerKey(withExtras)).kid).toBe(admin.kid);
    expect(await jwkThumbprint(admin.publicJwk)).toBe(admin.kid);
    expect(admin.kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(stranger.kid).not.toBe(admin.kid);
  });

  it('keeps the private key non-extractable', async () => {
    expect(admin.privateKey.extractable).toBe(false);
    await expect(crypto.subtle.exportKey('jwk', admin.privateKey)).rejects.toThrow();
  });

  it('draws a random key id when none is given', async () => {
    const { keyId: _unused, ...rest } = request;
    const a = await verifyGuestKey(await createGuestKey(rest, admin), options());
    const b = await verifyGuestKey(await createGuestKey(rest, admin), options());
    expect(a.ok && b.ok && a.claims.keyId !== b.claims.keyId).toBe(true);
  });
});

describe('guest keys: refusals', () => {
  const refusals: [string, () => Promise<string>, Partial<VerifyOptions>, string][] = [
    ['signed by a key the panel does not trust, claiming the trusted kid', () => signRaw(JSON.parse(new TextDecoder().decode(decodeBase64Url(parts(token)[0])!)), validPayload(), stranger.privateKey), {}, 'keyBadSignature'],
    ['one signature bit flipped', async () => {
      const [h, p, s] = parts(token);
      const sig = decodeBase64Url(s)!;
      sig[10] = (sig[10] ?? 0) ^ 1;
      return `${h}.${p}.${encodeBase64Url(sig)}`;
    }, {}, 'keyBadSignature'],
    ['the payload edited to open another door', async () => {
      const [h, , s] = parts(token);
      return `${h}.${enc({ ...validPayload(), aud: ['front', 'back'] })}.${s}`;
    }, { doorId: 'back' }, 'keyBadSignature'],
    ['the payload edited to last longer', async () => {
      const [h, , s] = parts(token);
      return `${h}.${enc({ ...validPayload(), exp: (validPayload().exp as number) + 365 * 86_400 })}.${s}`;
    }, { now: T0 + 30 * DAY }, 'keyBadSignature'],
    ['a DER-encoded signature', async () => {
      const [h, p] = parts(token);
      return `${h}.${p}.${encodeBase64Url(new Uint8Array(70))}`;
    }, {}, 'keyBadSignature'],
    ['an unsigned token (alg none)', async () => `${enc({ alg: 'none', typ: GUEST_KEY_TYP, kid: admin.kid })}.${enc(validPayload())}.`, {}, 'keyUnsupportedAlgorithm'],
    ['an HMAC token', () => signRaw({ alg: 'HS256', typ: GUEST_KEY_TYP, kid: admin.kid }, validPayload()), {}, 'keyUnsupportedAlgorithm'],
    ['an unknown kid', () => signRaw({ alg: 'ES256', typ: GUEST_KEY_TYP, kid: 'someone-else' }, validPayload()), {}, 'keyUnknownIssuer'],
    ['a token of another type signed by the same admin', () => signRaw({ alg: 'ES256', typ: 'JWT', kid: admin.kid }, validPayload()), {}, 'keyMalformed'],
    ['a critical extension', () => signRaw({ alg: 'ES256', typ: GUEST_KEY_TYP, kid: admin.kid, crit: ['exp'] }, validPayload()), {}, 'keyMalformed'],
    ['an issuer claim that is not the signer', () => signRaw({ alg: 'ES256', typ: GUEST_KEY_TYP, kid: admin.kid }, { ...validPayload(), iss: 'other' }), {}, 'keyMalformed'],
    ['no key id', () => signRaw({ alg: 'ES256', typ: GUEST_KEY_TYP, kid: admin.kid }, { ...validPayload(), jti: undefined }), {}, 'keyMalformed'],
    ['no doors', () => signRaw({ alg: 'ES256', typ: GUEST_KEY_TYP, kid: admin.kid }, { ...validPayload(), aud: [] }), {}, 'keyMalformed'],
    ['a single door as a string', () => signRaw({ alg: 'ES256', typ: GUEST_KEY_TYP, kid: admin.kid }, { ...validPayload(), aud: 'front' }), {}, 'keyMalformed'],
    ['an end before the start', () => signRaw({ alg: 'ES256', typ: GUEST_KEY_TYP, kid: admin.kid }, { ...validPayload(), exp: validPayload().nbf }), {}, 'keyMalformed'],
    ['a use limit of zero', () => signRaw({ alg: 'ES256', typ: GUEST_KEY_TYP, kid: admin.kid }, { ...validPayload(), max: 0 }), {}, 'keyMalformed'],
    ['a time as a string', () => signRaw({ alg: 'ES256', typ: GUEST_KEY_TYP, kid: admin.kid }, { ...validPayload(), nbf: '0' }), {}, 'keyMalformed'],
    ['a payload that is not an object', () => signRaw({ alg: 'ES256', typ: GUEST_KEY_TYP, kid: admin.kid }, [1, 2]), {}, 'keyMalformed'],
    ['two segments', async () => parts(token).slice(0, 2).join('.'), {}, 'keyMalformed'],
    ['four segments', async () => `${token}.x`, {}, 'keyMalformed'],
    ['base64 padding', async () => {
      const [h, p, s] = parts(token);
      return `${h}=.${p}.${s}`;
    }, {}, 'keyMalformed'],
    ['a standard base64 character', async () => {
      const [h, p, s] = parts(token);
      return `${h}.${p}.+${s.slice(1)}`;
    }, {}, 'keyMalformed'],
    ['an empty string', async () => '', {}, 'keyMalformed'],
    ['a huge token', async () => `${token}${'A'.repeat(3000)}`, {}, 'keyMalformed'],
    ['the wrong door', async () => token, { doorId: 'back' }, 'keyWrongDoor'],
    ['revoked', async () => token, { revoked: new Set(['other', 'key-123']) }, 'keyRevoked'],
    ['used up', async () => token, { uses: new Map([['key-123', 5]]) }, 'keyExhausted'],
    ['expired', async () => token, { now: T0 + 4 * DAY }, 'keyExpired'],
    ['not yet valid', async () => token, { now: T0 - DAY }, 'keyNotYetValid'],
  ];

  it.each(refusals)('%s', async (_name, make, over, reason) => {
    const r = await verifyGuestKey(await make(), options(over));
    expect(r.ok ? 'ok' : r.reason).toBe(reason);
  });

  it('returns trusted claims only once the signature checked out', async () => {
    const expired = await verifyGuestKey(token, options({ now: T0 + 4 * DAY }));
    expect(!expired.ok && expired.claims?.keyId).toBe('key-123');
    const forged = await verifyGuestKey(await signRaw({ alg: 'ES256', typ: GUEST_KEY_TYP, kid: admin.kid }, validPayload(), stranger.privateKey), options());
    expect(!forged.ok && forged.claims).toBeNull();
  });
});

describe('guest keys: clock skew and counting at the boundaries', () => {
  const at = async (now: number, over: Partial<VerifyOptions> = {}) => {
    const r = await verifyGuestKey(token, options({ now, ...over }));
    return r.ok ? 'ok' : r.reason;
  };

  it('tolerates the default skew at both ends, and not a millisecond more', async () => {
    expect(await at(T0 - DEFAULT_SKEW_MS)).toBe('ok');
    expect(await at(T0 - DEFAULT_SKEW_MS - 1)).toBe('keyNotYetValid');
    expect(await at(T0 + 3 * DAY + DEFAULT_SKEW_MS - 1)).toBe('ok');
    expect(await at(T0 + 3 * DAY + DEFAULT_SKEW_MS)).toBe('keyExpired');
  });

  it('uses no skew when asked for none', async () => {
    expect(await at(T0 - 1, { maxSkewMs: 0 })).toBe('keyNotYetValid');
    expect(await at(T0, { maxSkewMs: 0 })).toBe('ok');
    expect(await at(T0 + 3 * DAY - 1, { maxSkewMs: 0 })).toBe('ok');
    expect(await at(T0 + 3 * DAY, { maxSkewMs: 0 })).toBe('keyExpired');
  });

  it('caps a generous skew setting', async () => {
    const hour = 3_600_000;
    expect(await at(T0 + 3 * DAY + MAX_SKEW_MS - 1, { maxSkewMs: hour })).toBe('ok');
    expect(await at(T0 + 3 * DAY + MAX_SKEW_MS, { maxSkewMs: hour })).toBe('keyExpired');
    expect(await at(T0 - MAX_SKEW_MS - 1, { maxSkewMs: hour })).toBe('keyNotYetValid');
  });

  it('refuses a non-finite clock', async () => {
    expect(await at(Number.NaN)).toBe('keyNotYetValid');
  });

  it('counts uses up to the limit', async () => {
    expect(await at(T0 + DAY, { uses: new Map([['key-123', 4]]) })).toBe('ok');
    expect(await at(T0 + DAY, { uses: new Map([['key-123', 5]]) })).toBe('keyExhausted');
    expect(await at(T0 + DAY, { uses: new Map([['another-key', 50]]) })).toBe('ok');
  });

  it('refuses a replayed single-use key', async () => {
    const once = await createGuestKey({ ...request, keyId: 'once', maxUses: 1 }, admin);
    expect((await verifyGuestKey(once, options())).ok).toBe(true);
    const replay = await verifyGuestKey(once, options({ uses: new Map([['once', 1]]) }));
    expect(!replay.ok && replay.reason).toBe('keyExhausted');
  });

  it('an unlimited key has no use limit', async () => {
    const open = await createGuestKey({ ...request, maxUses: null }, admin);
    const r = await verifyGuestKey(open, options({ uses: new Map([['key-123', 10_000]]) }));
    expect(r.ok && r.claims.maxUses).toBeNull();
  });
});

describe('hospitality self-enrolment', () => {
  it('is allowed during the stay only, and only when the key says so', async () => {
    const r = await verifyGuestKey(token, options());
    if (!r.ok) throw new Error('expected a valid key');
    expect(maySelfEnrol(r.claims, T0)).toBe(true);
    expect(maySelfEnrol(r.claims, T0 + 3 * DAY - 1)).toBe(true);
    expect(maySelfEnrol(r.claims, T0 + 3 * DAY)).toBe(false);
    expect(maySelfEnrol(r.claims, T0 - 1)).toBe(false);
    expect(maySelfEnrol({ ...r.claims, selfEnrol: false }, T0 + DAY)).toBe(false);
  });

  it("lets the enrolled face in for the stay only, through the key's own window", async () => {
    const r = await verifyGuestKey(token, options());
    if (!r.ok) throw new Error('expected a valid key');
    const pass = selfEnrolPass(r.claims);
    expect(pass).toEqual({ id: 'guest-key:key-123', personId: 'booking-77', from: T0, to: T0 + 3 * DAY, maxUses: 5, uses: 0, keyId: 'key-123' });
    const guest = { id: 'booking-77', name: 'Zoë Guest', role: 'guest' as const, active: true };
    const attempt = (now: number) =>
      decide(
        {
          people: [guest],
          passes: [pass],
          stepUpRules: [],
          door: NORMAL,
          settings: DEFAULT_SETTINGS,
          face: { match: { personId: guest.id, score: 0.9, margin: 0.3, agreedFrames: 5 }, liveness: { passive: 0.95, active: null } },
        },
        now,
      );
    expect(attempt(T0 + DAY)).toMatchObject({ outcome: 'grant', passId: 'guest-key:key-123' });
    expect(attempt(T0 + 3 * DAY)).toMatchObject({ outcome: 'deny', reasons: ['passExpired'] });
  });

  it("shares the key's use count: a 2-use key gives two entries in all, by QR or by face, and a revoked key stops the face", async () => {
    const twoUses = await createGuestKey({ ...request, keyId: 'key-2', maxUses: 2 }, admin);
    const r = await verifyGuestKey(twoUses, options());
    if (!r.ok) throw new Error('expected a valid key');
    const guest = { id: 'booking-77', name: 'Zoë Guest', role: 'guest' as const, active: true };
    const byFace = (uses: Map<string, number>, revoked = new Set<string>()) =>
      decide(
        {
          people: [guest],
          passes: [withKeyUses(selfEnrolPass(r.claims), uses, revoked)],
          stepUpRules: [],
          door: NORMAL,
          settings: DEFAULT_SETTINGS,
          face: { match: { personId: guest.id, score: 0.9, margin: 0.3, agreedFrames: 5 }, liveness: { passive: 0.95, active: null } },
        },
        T0 + DAY,
      );
    // One entry by QR, one by face: the third by face is refused like the third QR scan.
    expect(byFace(new Map([['key-2', 1]]))).toMatchObject({ outcome: 'grant', passId: 'guest-key:key-2' });
    expect(byFace(new Map([['key-2', 2]]))).toMatchObject({ outcome: 'deny', reasons: ['passExhausted'] });
    expect(await verifyGuestKey(twoUses, options({ uses: new Map([['key-2', 2]]) }))).toMatchObject({ ok: false, reason: 'keyExhausted' });
    expect(byFace(new Map(), new Set(['key-2']))).toMatchObject({ outcome: 'deny', reasons: ['passRevoked'] });
    // Passes that are not a key's keep their own count.
    const plain = { id: 'p', personId: 'x', from: 0, to: 1, maxUses: 3, uses: 1 };
    expect(withKeyUses(plain, new Map([['p', 9]]), new Set(['p']))).toBe(plain);
  });

  it('is off unless set', async () => {
    const plain = await createGuestKey({ ...request, selfEnrol: false }, admin);
    const r = await verifyGuestKey(plain, options());
    expect(r.ok && r.claims.selfEnrol).toBe(false);
    expect(JSON.stringify(JSON.parse(new TextDecoder().decode(decodeBase64Url(parts(plain)[1])!)))).not.toContain('enrol');
  });
});

describe('issuing', () => {
  it.each([
    ['no doors', { doors: [] }],
    ['an end before the start', { expires: T0 - 1 }],
    ['a zero use limit', { maxUses: 0 }],
    ['a fractional use limit', { maxUses: 1.5 }],
  ] as [string, Partial<GuestKeyRequest>][])('refuses %s', async (_name, over) => {
    await expect(createGuestKey({ ...request, ...over }, admin)).rejects.toThrow();
  });

  it('refuses to trust a private or non-P-256 key', async () => {
    const priv = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
    await expect(importIssuerKey(priv as JsonWebKey)).rejects.toThrow();
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ format: 'jwk' });
    await expect(importIssuerKey(p384 as JsonWebKey)).rejects.toThrow();
  });

  it('rounds the end up to whole seconds, so a key never ends early', async () => {
    const t = await createGuestKey({ ...request, expires: T0 + DAY + 1 }, admin);
    const r = await verifyGuestKey(t, options());
    expect(r.ok && r.claims.expires).toBe(T0 + DAY + 1000);
  });
});

describe('decideGuestKey', () => {
  it('grants a valid key and names the guest and the key', async () => {
    const d = decideGuestKey(await verifyGuestKey(token, options()), NORMAL, T0 + DAY);
    expect(d).toMatchObject({
      outcome: 'grant',
      reasons: ['guestKeyValid'],
      subject: { personId: 'booking-77', name: 'Zoë Guest', role: 'guest' },
      credential: { kind: 'guestKey', keyId: 'key-123', issuer: admin.kid },
      passId: null,
    });
  });

  it('denies with the verification reason', async () => {
    const d = decideGuestKey(await verifyGuestKey(token, options({ now: T0 + 5 * DAY })), NORMAL, T0 + 5 * DAY);
    expect(d).toMatchObject({ outcome: 'deny', reasons: ['keyExpired'], credential: { kind: 'guestKey', keyId: 'key-123' } });
  });

  it('attributes nothing to a forged key', async () => {
    const [h, p] = parts(token);
    const d = decideGuestKey(await verifyGuestKey(`${h}.${p}.${encodeBase64Url(new Uint8Array(64))}`, options()), NORMAL, T0);
    expect(d).toMatchObject({ outcome: 'deny', reasons: ['keyBadSignature'], subject: null, credential: { kind: 'guestKey', keyId: null, issuer: null } });
  });

  it('lets the door refuse a valid key', async () => {
    const d = decideGuestKey(await verifyGuestKey(token, options()), { ...NORMAL, mode: 'lockdown' }, T0 + DAY);
    expect(d).toMatchObject({ outcome: 'deny', reasons: ['doorLockdown', 'guestKeyValid'] });
  });
});

describe('base64url', () => {
  it('round-trips every byte value', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    for (let n = 0; n <= 5; n++) expect(decodeBase64Url(encodeBase64Url(all.slice(0, 250 + n)))).toEqual(all.slice(0, 250 + n));
  });
  it.each(['QQ==', 'Q+E', 'Q/E', 'QR', 'Q', 'Q E', 'QQ.'])('rejects %j', (text) => {
    expect(decodeBase64Url(text)).toBeNull();
  });
  it('accepts the canonical spelling', () => {
    expect(decodeBase64Url('QQ')).toEqual(new Uint8Array([65]));
  });
});

describe('signature malleability', () => {
  const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
  const big = (b: Uint8Array) => b.reduce((v, x) => (v << 8n) | BigInt(x), 0n);
  const bytes32 = (v: bigint) => Uint8Array.from({ length: 32 }, (_, i) => Number((v >> BigInt(8 * (31 - i))) & 0xffn));

  it('keys are issued with a low-S signature', async () => {
    for (let i = 0; i < 16; i++) {
      const t = await createGuestKey({ ...request, keyId: `k${i}` }, admin);
      expect(isLowS(decodeBase64Url(parts(t)[2])!)).toBe(true);
    }
  });

  it('the same key with s replaced by n - s verifies as ECDSA but is refused as a second spelling', async () => {
    const [h, p, sig] = parts(token);
    const raw = decodeBase64Url(sig)!;
    const high = raw.slice();
    high.set(bytes32(N - big(raw.subarray(32))), 32);
    // WebCrypto itself accepts both forms, which is why the check is needed.
    const imported = await importIssuerKey(admin.publicJwk);
    expect(await crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, imported.publicKey, high, new TextEncoder().encode(`${h}.${p}`))).toBe(true);
    expect(await verifyGuestKey(`${h}.${p}.${encodeBase64Url(high)}`, options())).toMatchObject({ ok: false, reason: 'keyBadSignature' });
    expect((await verifyGuestKey(token, options())).ok).toBe(true);
  });
});
