import { createCipheriv, createECDH, createHash, hkdfSync, randomBytes, randomUUID, sign } from 'node:crypto';
import { decodeBase64Url, encodeBase64Url } from '../src/access/base64url.ts';
import { alertFor } from '../src/remote/alerts.ts';
import type { RemoteEvent } from '../src/remote/messages.ts';
import type { Db } from './db/db.ts';
import type { VapidKeys } from './identity.ts';

/**
 * Web Push from the hub, so an admin's phone hears of an alert at any door while the app is
 * closed. Written on node:crypto from the RFCs (no library: the whole of it is one ECDH, three
 * HKDFs, one AES-GCM record and one ES256 signature): the message is encrypted for the
 * subscription (RFC 8291, aes128gcm content coding of RFC 8188) and the request carries the
 * hub's VAPID signature (RFC 8292), so the push service learns neither the text nor any key.
 */

/** A browser's `PushSubscription.toJSON()`, checked. */
export interface Subscription {
  readonly endpoint: string;
  /** The browser's ECDH P-256 public key, uncompressed (65 bytes). */
  readonly p256dh: Buffer;
  /** Its 16-byte authentication secret. */
  readonly auth: Buffer;
}

export interface StoredSubscription extends Subscription {
  readonly subscriptionId: string;
  readonly label: string;
}

/** What a notification says: the door's name and the alert's words; never a face, a snapshot or a score. */
export interface PushMessage {
  readonly title: string;
  readonly body: string;
  readonly tag: string;
  readonly severity: 'critical' | 'warning' | 'info';
  readonly door: string;
  readonly panelId: string;
  readonly at: number;
}

const RECORD_SIZE = 4096;
/** One record of RECORD_SIZE holds this much: the 86-byte header, the 0x02 delimiter and the 16-byte tag aside. */
export const MAX_PLAINTEXT = RECORD_SIZE - 86 - 1 - 16;
const MAX_ENDPOINT = 2048;

export class PushInputError extends Error {}

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[::1\]|localhost)$/;

/**
 * Untrusted (it comes from a phone through the admin API): an https endpoint (plain http only to
 * a loopback address, a push service under test), a key that is a point on P-256, a 16-byte secret.
 */
export function parseSubscription(raw: unknown): Subscription {
  const o = raw && typeof raw === 'object' ? (raw as { endpoint?: unknown; keys?: { p256dh?: unknown; auth?: unknown } }) : {};
  if (typeof o.endpoint !== 'string' || o.endpoint.length > MAX_ENDPOINT) throw new PushInputError('subscription.endpoint: a URL');
  let url: URL;
  try {
    url = new URL(o.endpoint);
  } catch {
    throw new PushInputError('subscription.endpoint: a URL');
  }
  if (!(url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.test(url.hostname))) || url.username || url.password) {
    throw new PushInputError('subscription.endpoint: an https URL');
  }
  const p256dh = typeof o.keys?.p256dh === 'string' ? decodeBase64Url(o.keys.p256dh) : null;
  const auth = typeof o.keys?.auth === 'string' ? decodeBase64Url(o.keys.auth) : null;
  if (p256dh?.length !== 65 || p256dh[0] !== 4) throw new PushInputError('subscription.keys.p256dh: an uncompressed P-256 key');
  if (auth?.length !== 16) throw new PushInputError('subscription.keys.auth: 16 bytes');
  try {
    const probe = createECDH('prime256v1');
    probe.generateKeys();
    probe.computeSecret(p256dh);
  } catch {
    throw new PushInputError('subscription.keys.p256dh: not a point on P-256');
  }
  return { endpoint: url.href, p256dh: Buffer.from(p256dh), auth: Buffer.from(auth) };
}

/**
 * RFC 8291 section 3 and RFC 8188 section 2: one record, the last (delimiter 0x02), no padding.
 * `fixed` is for the RFC's test vector only; otherwise the sender's key and the salt are fresh.
 */
export function encryptPayload(plaintext: Uint8Array, to: Pick<Subscription, 'p256dh' | 'auth'>, fixed?: { readonly asPrivate: Buffer; readonly salt: Buffer }): Buffer {
  if (plaintext.length > MAX_PLAINTEXT) throw new PushInputError(`push payload over ${MAX_PLAINTEXT} bytes`);
  const ecdh = createECDH('prime256v1');
  if (fixed) ecdh.setPrivateKey(fixed.asPrivate);
  else ecdh.generateKeys();
  const asPublic = ecdh.getPublicKey();
  const salt = fixed?.salt ?? randomBytes(16);
  const ecdhSecret = ecdh.computeSecret(to.p256dh);
  const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), to.p256dh, asPublic]);
  const ikm = Buffer.from(hkdfSync('sha256', ecdhSecret, to.auth, keyInfo, 32));
  const cek = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: aes128gcm\0'), 16));
  const nonce = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: nonce\0'), 12));
  const cipher = createCipheriv('aes-128-gcm', cek, nonce);
  const body = Buffer.concat([cipher.update(plaintext), cipher.update(Buffer.from([2])), cipher.final(), cipher.getAuthTag()]);
  const header = Buffer.alloc(21);
  salt.copy(header, 0);
  header.writeUInt32BE(RECORD_SIZE, 16);
  header[20] = asPublic.length;
  return Buffer.concat([header, asPublic, body]);
}

/** RFC 8292: `vapid t=<ES256 JWT for the endpoint's origin>, k=<the hub's public key>`; valid 12 h. */
export function vapidAuthorization(endpoint: string, keys: VapidKeys, subject: string, nowMs: number): string {
  const b64 = (v: unknown) => encodeBase64Url(new TextEncoder().encode(JSON.stringify(v)));
  const input = `${b64({ typ: 'JWT', alg: 'ES256' })}.${b64({ aud: new URL(endpoint).origin, exp: Math.floor(nowMs / 1000) + 12 * 3600, sub: subject })}`;
  const signature = sign('sha256', Buffer.from(input), { key: keys.privateKey, dsaEncoding: 'ieee-p1363' });
  return `vapid t=${input}.${encodeBase64Url(signature)}, k=${encodeBase64Url(keys.publicKey)}`;
}

/** The notification an event makes, or null: alerts only (spoof, forced door, tailgating, the doorbell, tamper ...). */
export function pushMessageFor(e: RemoteEvent, panelId: string, door: string): PushMessage | null {
  const a = alertFor(e);
  if (!a) return null;
  return { title: `${door}: ${a.title}`, body: a.body, tag: `${panelId}/${a.tag}`, severity: a.severity, door, panelId, at: e.at };
}

export type Fetch = (url: string, init: { method: string; headers: Record<string, string>; body: Uint8Array; signal: AbortSignal }) => Promise<{ status: number }>;

export interface PusherOptions {
  readonly db: Db;
  readonly vapid: VapidKeys;
  /** RFC 8292's `sub`: who the push service may contact about this sender. */
  readonly subject: string;
  readonly now: () => number;
  readonly fetch?: Fetch;
  readonly log?: (msg: string) => void;
}

/** Subscriptions in the hub's database; each alert sent to all of them, a gone one (404, 410) removed. */
export class Pusher {
  readonly #o: PusherOptions;
  readonly #inFlight = new Set<Promise<unknown>>();

  constructor(o: PusherOptions) {
    this.#o = o;
  }

  get publicKey(): string {
    return encodeBase64Url(this.#o.vapid.publicKey);
  }

  async add(raw: unknown, label: string): Promise<string> {
    const s = parseSubscription(raw);
    const id = randomUUID();
    // One row per endpoint: a phone that subscribes again replaces its keys.
    const [row] = await this.#o.db.query<{ subscription_id: string }>(
      `INSERT INTO push_subscriptions (subscription_id, endpoint, p256dh, auth, label, created_at) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (endpoint) DO UPDATE SET p256dh = EXCLUDED.p256dh, auth = EXCLUDED.auth, label = EXCLUDED.label RETURNING subscription_id`,
      [id, s.endpoint, encodeBase64Url(s.p256dh), encodeBase64Url(s.auth), label, this.#o.now()],
    );
    return row?.subscription_id ?? id;
  }

  async remove(subscriptionId: string): Promise<boolean> {
    return (await this.#o.db.query('DELETE FROM push_subscriptions WHERE subscription_id = $1 RETURNING subscription_id', [subscriptionId])).length > 0;
  }

  /** What the admin sees: never the keys. */
  async list(): Promise<{ subscriptionId: string; label: string; service: string; createdAt: number }[]> {
    const rows = await this.#o.db.query<Record<string, unknown>>('SELECT subscription_id, label, endpoint, created_at FROM push_subscriptions ORDER BY created_at');
    return rows.map((r) => ({ subscriptionId: String(r.subscription_id), label: String(r.label), service: new URL(String(r.endpoint)).origin, createdAt: Number(r.created_at) }));
  }

  async #all(): Promise<StoredSubscription[]> {
    const rows = await this.#o.db.query<Record<string, string>>('SELECT subscription_id, endpoint, p256dh, auth, label FROM push_subscriptions');
    return rows.map((r) => ({ subscriptionId: String(r.subscription_id), endpoint: String(r.endpoint), label: String(r.label), p256dh: Buffer.from(decodeBase64Url(String(r.p256dh)) ?? []), auth: Buffer.from(decodeBase64Url(String(r.auth)) ?? []) }));
  }

  /** Fire and forget for the caller; `idle()` waits. */
  notify(messages: readonly PushMessage[]): void {
    if (messages.length === 0) return;
    const run = this.#sendAll(messages).catch((err: unknown) => this.#o.log?.(`[hub] push not sent: ${String(err)}`));
    this.#inFlight.add(run);
    void run.finally(() => this.#inFlight.delete(run));
  }

  async idle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.all([...this.#inFlight]);
  }

  async #sendAll(messages: readonly PushMessage[]): Promise<void> {
    const subs = await this.#all();
    await Promise.all(subs.map(async (s) => {
      for (const m of messages) if (!(await this.send(s, m))) return;
    }));
  }

  /** One message to one subscription; false when the subscription is gone (and now removed). */
  async send(s: StoredSubscription, m: PushMessage): Promise<boolean> {
    const body = encryptPayload(new TextEncoder().encode(JSON.stringify(m)), s);
    const fetcher: Fetch = this.#o.fetch ?? ((url, init) => fetch(url, { ...init, body: init.body as BufferSource }));
    let status: number;
    try {
      ({ status } = await fetcher(s.endpoint, {
        method: 'POST',
        headers: {
          authorization: vapidAuthorization(s.endpoint, this.#o.vapid, this.#o.subject, this.#o.now()),
          'content-encoding': 'aes128gcm',
          'content-type': 'application/octet-stream',
          ttl: String(m.severity === 'info' ? 600 : 86_400),
          urgency: m.severity === 'critical' ? 'high' : 'normal',
          // Same door, same alert: a newer one replaces the undelivered older one (RFC 8030 5.4).
          topic: createHash('sha256').update(m.tag).digest('base64url').slice(0, 32),
        },
        body,
        signal: AbortSignal.timeout(10_000),
      }));
    } catch (err) {
      this.#o.log?.(`[hub] push to ${s.label} failed: ${String(err)}`);
      return true;
    }
    if (status === 404 || status === 410) {
      await this.remove(s.subscriptionId);
      this.#o.log?.(`[hub] push subscription ${s.label} is gone (${status}): removed`);
      return false;
    }
    if (status < 200 || status >= 300) this.#o.log?.(`[hub] push to ${s.label} refused: HTTP ${status}`);
    return true;
  }
}
