import { generateKeyPairSync } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { openDb } from '../hub/db/db.ts';
import { encryptPayload, Pusher, parseSubscription, type PushMessage } from '../hub/push.ts';
import { Browser, startPushService } from '../tests/hub/push-service.ts';

/**
 * The hub's Web Push cost: RFC 8291 encryptions per second on one core, and one alert to many
 * phones through a push service on loopback (VAPID checked, every message decrypted after).
 */
export async function runPushBench(o: { subscriptions?: number; alerts?: number }, log: (m: string) => void) {
  const n = o.subscriptions ?? 100;
  const alerts = o.alerts ?? 20;
  const message: PushMessage = { title: 'Back door: Door forced open', body: 'The door opened without a grant', tag: 'panel-2/forced', severity: 'critical', door: 'Back door', panelId: 'panel-2', at: Date.now() };
  const plain = new TextEncoder().encode(JSON.stringify(message));
  const one = parseSubscription(new Browser().subscription('https://push.example/x'));
  const t0 = performance.now();
  let k = 0;
  while (performance.now() - t0 < 2000) {
    encryptPayload(plain, one);
    k++;
  }
  const encryptPerSecond = Math.round(k / ((performance.now() - t0) / 1000));
  log(`${encryptPerSecond} encryptions/s`);

  const service = await startPushService();
  const db = await openDb('memory://');
  const pair = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const jwk = pair.publicKey.export({ format: 'jwk' });
  const vapid = { privateKey: pair.privateKey, publicKey: Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url')]) };
  const pusher = new Pusher({ db, vapid, subject: 'mailto:bench@doorward.invalid', now: Date.now });
  const phones = Array.from({ length: n }, () => new Browser());
  for (const [i, p] of phones.entries()) await pusher.add(p.subscription(`${service.origin}/p${i}`), `phone ${i}`);
  const times: number[] = [];
  for (let a = 0; a < alerts; a++) {
    const start = performance.now();
    pusher.notify([message]);
    await pusher.idle();
    times.push(performance.now() - start);
  }
  const opened = service.deliveries.filter((d) => phones[Number(d.path.slice(2))]!.decrypt(d.body).includes('Door forced open')).length;
  await service.close();
  await db.close();
  times.sort((x, y) => x - y);
  const pct = (p: number) => Math.round(times[Math.min(times.length - 1, Math.floor(p * times.length))]!);
  return { encryptPerSecond, subscriptions: n, alerts, allPhonesMsP50: pct(0.5), allPhonesMsP95: pct(0.95), delivered: service.deliveries.length, decrypted: opened, refused: service.refusals.length };
}
