import { createDecipheriv, createECDH, createHmac, type ECDH } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The other end of Web Push, written from the RFCs apart from hub/push.ts: a browser's
 * subscription (its ECDH key and auth secret), what the browser does to a message (RFC 8291
 * section 3.4 with HMAC spelt out, RFC 8188 section 2), and a push service on 127.0.0.1 that
 * checks the VAPID header as RFC 8292 asks before it accepts a message.
 */
const b64u = (b: Uint8Array) => Buffer.from(b).toString('base64url');
const hmac = (key: Uint8Array, data: Uint8Array) => createHmac('sha256', key).update(data).digest();
/** HKDF (RFC 5869) with one block of output, which is all RFC 8291 needs. */
const hkdf = (salt: Uint8Array, ikm: Uint8Array, info: Uint8Array, length: number) => hmac(hmac(salt, ikm), Buffer.concat([info, Buffer.from([1])])).subarray(0, length);

export class Browser {
  readonly ecdh: ECDH = createECDH('prime256v1');
  readonly auth: Buffer;
  constructor(privateKey?: Buffer, auth?: Buffer) {
    if (privateKey) this.ecdh.setPrivateKey(privateKey);
    else this.ecdh.generateKeys();
    this.auth = auth ?? Buffer.from(Array.from({ length: 16 }, () => Math.floor(Math.random() * 256)));
  }

  subscription(endpoint: string) {
    return { endpoint, expirationTime: null, keys: { p256dh: b64u(this.ecdh.getPublicKey()), auth: b64u(this.auth) } };
  }

  /** Throws where a browser would drop the message. */
  decrypt(message: Buffer): string {
    const salt = message.subarray(0, 16);
    const rs = message.readUInt32BE(16);
    const idlen = message[20]!;
    const asPublic = message.subarray(21, 21 + idlen);
    const record = message.subarray(21 + idlen);
    if (idlen !== 65 || rs < 18 || record.length > rs) throw new Error('bad aes128gcm header');
    const uaPublic = this.ecdh.getPublicKey();
    const ecdhSecret = this.ecdh.computeSecret(asPublic);
    const ikm = hkdf(this.auth, ecdhSecret, Buffer.concat([Buffer.from('WebPush: info'), Buffer.from([0]), uaPublic, asPublic]), 32);
    const cek = hkdf(salt, ikm, Buffer.from('Content-Encoding: aes128gcm\x00', 'latin1'), 16);
    const nonce = hkdf(salt, ikm, Buffer.from('Content-Encoding: nonce\x00', 'latin1'), 12);
    const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
    decipher.setAuthTag(record.subarray(record.length - 16));
    const padded = Buffer.concat([decipher.update(record.subarray(0, record.length - 16)), decipher.final()]);
    let end = padded.length - 1;
    while (end >= 0 && padded[end] === 0) end--;
    if (padded[end] !== 2) throw new Error('not the last record (delimiter 0x02 missing)');
    return padded.subarray(0, end).toString('utf8');
  }
}

export interface Delivery {
  readonly path: string;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
  readonly jwtClaims: Record<string, unknown>;
  readonly vapidKey: string;
}

export interface PushService {
  readonly origin: string;
  readonly deliveries: Delivery[];
  readonly refusals: string[];
  /** What the service answers for a path (default 201). */
  status: Map<string, number>;
  close(): Promise<void>;
}

/** RFC 8292 section 3 and 4: `vapid t=<JWT>, k=<key>`, ES256 over the JWT's first two parts with `k`. */
async function checkVapid(header: string | undefined, origin: string, nowS: number): Promise<{ claims: Record<string, unknown>; key: string } | string> {
  const m = /^vapid t=([\w-]+\.[\w-]+\.[\w-]+), k=([\w-]+)$/.exec(header ?? '');
  if (!m) return 'no vapid authorization';
  const [h, c, s] = m[1]!.split('.') as [string, string, string];
  const head = JSON.parse(Buffer.from(h, 'base64url').toString()) as Record<string, unknown>;
  if (head.alg !== 'ES256') return 'not ES256';
  const key = await crypto.subtle.importKey('raw', Buffer.from(m[2]!, 'base64url'), { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify']);
  const ok = await crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, key, Buffer.from(s, 'base64url'), Buffer.from(`${h}.${c}`));
  if (!ok) return 'bad signature';
  const claims = JSON.parse(Buffer.from(c, 'base64url').toString()) as Record<string, unknown>;
  if (claims.aud !== origin) return `aud ${String(claims.aud)} is not ${origin}`;
  if (typeof claims.exp !== 'number' || claims.exp <= nowS || claims.exp > nowS + 24 * 3600) return 'exp not within 24 h';
  if (typeof claims.sub !== 'string' || !/^(mailto:|https:)/.test(claims.sub)) return 'sub is not a mailto: or https: contact';
  return { claims, key: m[2]! };
}

export async function startPushService(): Promise<PushService> {
  const deliveries: Delivery[] = [];
  const refusals: string[] = [];
  const status = new Map<string, number>();
  let origin = '';
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const v = await checkVapid(req.headers.authorization, origin, Math.floor(Date.now() / 1000));
        if (typeof v === 'string' || req.method !== 'POST' || req.headers['content-encoding'] !== 'aes128gcm' || !req.headers.ttl) {
          refusals.push(typeof v === 'string' ? v : 'bad request');
          res.writeHead(typeof v === 'string' ? 403 : 400).end();
          return;
        }
        deliveries.push({ path: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks), jwtClaims: v.claims, vapidKey: v.key });
        res.writeHead(status.get(req.url ?? '/') ?? 201).end();
      })();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { origin, deliveries, refusals, status, close: () => new Promise((r) => server.close(() => r())) };
}
