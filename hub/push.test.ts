import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadOrCreateIdentity } from './identity.ts';
import { describe, expect, it } from 'vitest';
import { encryptPayload, MAX_PLAINTEXT, parseSubscription, pushMessageFor, vapidAuthorization } from './push.ts';
import type { RemoteEvent } from '../src/remote/messages.ts';
import { Browser } from '../tests/hub/push-service.ts';
import { notificationFor } from '../src/pwa/push-message.ts';

const b = (s: string) => Buffer.from(s, 'base64url');

// RFC 8291 Appendix A, line breaks removed.
const RFC = {
  plaintext: 'When I grow up, I want to be a watermelon',
  asPrivate: 'yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw',
  uaPrivate: 'q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94',
  uaPublic: 'BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4',
  auth: 'BTBZMqHH6r4Tts7J_aSIgg',
  salt: 'DGv6ra1nlYgDCS1FRnbzlw',
  message:
    'DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN',
};

describe('Web Push encryption (RFC 8291, aes128gcm)', () => {
  it('reproduces the RFC 8291 Appendix A message byte for byte', () => {
    const out = encryptPayload(Buffer.from(RFC.plaintext), { p256dh: b(RFC.uaPublic), auth: b(RFC.auth) }, { asPrivate: b(RFC.asPrivate), salt: b(RFC.salt) });
    expect(out.toString('base64url')).toBe(RFC.message);
  });

  it('the test browser opens the RFC message, and a fresh message to a fresh subscription', () => {
    expect(new Browser(b(RFC.uaPrivate), b(RFC.auth)).decrypt(b(RFC.message))).toBe(RFC.plaintext);
    const phone = new Browser();
    const sub = parseSubscription(phone.subscription('https://push.example/abc'));
    const one = encryptPayload(Buffer.from('Front door: Spoof attempt'), sub);
    const two = encryptPayload(Buffer.from('Front door: Spoof attempt'), sub);
    expect(phone.decrypt(one)).toBe('Front door: Spoof attempt');
    // A fresh key and salt each time: the push service cannot tell two equal alerts apart.
    expect(one.subarray(0, 86).equals(two.subarray(0, 86))).toBe(false);
    expect(() => new Browser().decrypt(one)).toThrow();
  });

  it('refuses a payload that does not fit one 4096-byte record', () => {
    const sub = parseSubscription(new Browser().subscription('https://push.example/abc'));
    expect(encryptPayload(Buffer.alloc(MAX_PLAINTEXT), sub).length).toBe(4096);
    expect(() => encryptPayload(Buffer.alloc(MAX_PLAINTEXT + 1), sub)).toThrow(/over/);
  });
});

describe('a subscription from the admin API (untrusted)', () => {
  const keys = new Browser().subscription('https://x').keys;
  it.each([
    [{ endpoint: 'ftp://push.example/a', keys }, /https URL/],
    [{ endpoint: 'http://push.example/a', keys }, /https URL/],
    [{ endpoint: 'http://10.0.0.1/a', keys }, /https URL/],
    [{ endpoint: 'https://user:pw@push.example/a', keys }, /https URL/],
    [{ endpoint: 'not a url', keys }, /a URL/],
    [{ endpoint: 'https://push.example/a', keys: { ...keys, auth: 'AAAA' } }, /16 bytes/],
    [{ endpoint: 'https://push.example/a', keys: { ...keys, p256dh: Buffer.alloc(65).toString('base64url') } }, /P-256/],
    [{ endpoint: 'https://push.example/a', keys: { ...keys, p256dh: Buffer.concat([Buffer.from([4]), Buffer.alloc(64, 1)]).toString('base64url') } }, /not a point/],
    [null, /endpoint/],
  ])('refuses %j', (raw, reason) => {
    expect(() => parseSubscription(raw)).toThrow(reason);
  });

  it('takes https anywhere and plain http on loopback only', () => {
    expect(parseSubscription({ endpoint: 'https://fcm.googleapis.com/fcm/send/x', keys }).endpoint).toBe('https://fcm.googleapis.com/fcm/send/x');
    expect(parseSubscription({ endpoint: 'http://127.0.0.1:9/p', keys }).auth.length).toBe(16);
  });
});

describe('VAPID (RFC 8292)', () => {
  it('signs an ES256 JWT for the endpoint origin with the key it names', async () => {
    const pair = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const jwk = pair.publicKey.export({ format: 'jwk' });
    const publicKey = Buffer.concat([Buffer.from([4]), b(jwk.x!), b(jwk.y!)]);
    const now = Date.UTC(2026, 0, 1);
    const header = vapidAuthorization('https://push.example:8443/send/abc?x=1', { privateKey: pair.privateKey, publicKey }, 'mailto:ops@example.org', now);
    const [, jwt, k] = /^vapid t=(\S+), k=(\S+)$/.exec(header)!;
    expect(k).toBe(publicKey.toString('base64url'));
    const [h, c, s] = jwt!.split('.') as [string, string, string];
    expect(JSON.parse(b(h).toString())).toEqual({ typ: 'JWT', alg: 'ES256' });
    expect(JSON.parse(b(c).toString())).toEqual({ aud: 'https://push.example:8443', exp: now / 1000 + 12 * 3600, sub: 'mailto:ops@example.org' });
    const key = await crypto.subtle.importKey('raw', publicKey, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify']);
    expect(await crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, key, b(s), Buffer.from(`${h}.${c}`))).toBe(true);
  });
});

describe('what is pushed', () => {
  const ev = (kind: RemoteEvent['kind'], summary: string, detail: unknown): RemoteEvent => ({ id: 'e1', at: 5, kind, summary, personId: 'p-7', snapshotId: 'snap-9', detail });
  it('alerts with the door name; an ordinary grant is not pushed; no person id, snapshot or detail travels', () => {
    const spoof = pushMessageFor(ev('attempt', 'deny unknown by face', { outcome: 'deny', alerts: ['spoofAttempt'], liveness: 0.1, embedding: [0.3] }), 'panel-1', 'Front door');
    expect(spoof).toEqual({ title: 'Front door: Spoof attempt at the door', body: 'A photo was held to the camera', tag: 'panel-1/spoof', severity: 'critical', door: 'Front door', panelId: 'panel-1', at: 5 });
    expect(pushMessageFor(ev('system', 'Door forced open', { code: 'forcedDoor' }), 'p', 'Back')?.title).toBe('Back: Door forced open');
    expect(pushMessageFor(ev('system', 'Two people went through', { code: 'tailgating' }), 'p', 'Back')?.title).toBe('Back: Several people at once');
    expect(pushMessageFor(ev('attempt', 'grant Ada by face', { outcome: 'grant', alerts: [] }), 'p', 'Back')).toBeNull();
  });

  it("is what the app's service worker shows (src/pwa/push-message.ts reads the hub's message)", () => {
    const m = pushMessageFor(ev('system', 'Door forced open', { code: 'forcedDoor' }), 'panel-1', 'Back door');
    expect(notificationFor(JSON.stringify(m))).toEqual({ title: 'Back door: Door forced open', options: { body: 'The door was forced open', tag: 'panel-1/forced', requireInteraction: true, timestamp: 5, data: { url: '/#/remote' } } });
  });
});

describe('the VAPID key in hub-keys.json', () => {
  it('is made at the first start, kept after, and added to a key file from before Web Push without changing the hub id', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'doorward-hub-vapid-'));
    const first = await loadOrCreateIdentity(dir);
    const file = join(dir, 'hub-keys.json');
    expect((await loadOrCreateIdentity(dir)).vapid.publicKey.equals(first.vapid.publicKey)).toBe(true);
    const { vapid: _v, ...older } = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    writeFileSync(file, JSON.stringify(older), { mode: 0o644 });
    const upgraded = await loadOrCreateIdentity(dir);
    expect(upgraded.keys.id).toBe(first.keys.id);
    expect(upgraded.vapid.publicKey.length).toBe(65);
    expect(statSync(file).mode & 0o077).toBe(0);
    expect((await loadOrCreateIdentity(dir)).vapid.publicKey.equals(upgraded.vapid.publicKey)).toBe(true);
  });
});
