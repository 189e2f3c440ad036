import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi } from './api.ts';
import { singleBroker, type Site } from '../tests/hub/brokers.ts';
import { Browser, startPushService, type PushService } from '../tests/hub/push-service.ts';
import { pairDoor, startDoors, startHub, until, type Door, type HubUnderTest } from '../tests/hub/site.ts';
import { freePort } from '../tests/remote/mosquitto.ts';

// Alerts from real doors (src/remote over a real Mosquitto) reach a phone through a push service
// on 127.0.0.1 that checks VAPID, and the phone's side (tests/hub/push-service.ts) decrypts them.
let site: Site;
let t: HubUnderTest;
let doors: Door[];
let api: Server;
let base: string;
let service: PushService;
const TOKEN = 'push-token-0123456789';
const phone = new Browser();
const gonePhone = new Browser();

beforeAll(async () => {
  site = await singleBroker();
  t = await startHub(site, join(mkdtempSync(join(tmpdir(), 'doorward-hub-push-')), 'pgdata'));
  doors = await startDoors(site, 2);
  await pairDoor(t.hub, doors[0]!, 'Front door');
  await pairDoor(t.hub, doors[1]!, 'Back door');
  const port = await freePort();
  api = await startApi(t.hub, TOKEN, port);
  base = `http://127.0.0.1:${port}`;
  service = await startPushService();
}, 60_000);
afterAll(async () => {
  await new Promise((r) => api?.close(() => r(null)));
  for (const d of doors ?? []) d.stop();
  await t?.stop();
  await service?.close();
  await site?.dispose();
});

const call = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(base + path, { method, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
};
const to = (path: string) => service.deliveries.filter((d) => d.path === path);
const opened = (path: string, who: Browser) => to(path).map((d) => JSON.parse(who.decrypt(d.body)) as Record<string, unknown>);

describe('Web Push from the hub', () => {
  it('subscribes phones through the admin API, refusing a bad subscription, and lists them without their keys', async () => {
    expect(await call('POST', '/api/push/subscriptions', { subscription: { endpoint: 'http://192.0.2.1/x', keys: phone.subscription('').keys }, label: 'x' })).toEqual({ status: 400, json: { error: 'subscription.endpoint: an https URL' } });
    expect((await call('POST', '/api/push/subscriptions', { subscription: phone.subscription(`${service.origin}/phone`), label: "Ada's phone" })).status).toBe(201);
    expect((await call('POST', '/api/push/subscriptions', { subscription: gonePhone.subscription(`${service.origin}/gone`), label: 'old phone' })).status).toBe(201);
    const listed = await call('GET', '/api/push');
    expect(listed.json.publicKey).toMatch(/^B[\w-]{86}$/);
    expect(listed.json.subscriptions).toEqual([
      { subscriptionId: expect.any(String), label: "Ada's phone", service: service.origin, createdAt: expect.any(Number) },
      { subscriptionId: expect.any(String), label: 'old phone', service: service.origin, createdAt: expect.any(Number) },
    ]);
    expect(JSON.stringify(listed.json)).not.toContain(phone.subscription('').keys.auth);
  });

  it("pushes each door's alerts once, with the door's name, VAPID-signed, readable only by the phone", async () => {
    const [front, back] = doors as [Door, Door];
    front.actions.ring();
    back.actions.decide('deny', null, ['spoofAttempt']);
    back.actions.write('system', null, 'The door opened without a grant', { code: 'forcedDoor', severity: 'critical' });
    front.actions.write('system', null, 'Two people went through on one grant', { code: 'tailgating', severity: 'warning' });
    front.actions.decide('grant', 'person-1'); // not an alert: logged, not pushed
    await until('four alerts at the phone', () => to('/phone').length === 4);
    await t.hub.idle();
    await t.hub.push.idle();
    const messages = opened('/phone', phone);
    expect(messages.map((m) => m.title).sort()).toEqual(['Back door: Door forced open', 'Back door: Spoof attempt at the door', 'Front door: Several people at once', 'Front door: Someone rang the doorbell']);
    // Only these fields: no person id, snapshot, score or any other part of the event's detail.
    for (const m of messages) expect(Object.keys(m).sort()).toEqual(['at', 'body', 'door', 'panelId', 'severity', 'tag', 'title']);
    const publicKey = String((await call('GET', '/api/push')).json.publicKey);
    for (const d of to('/phone')) {
      expect(d.vapidKey).toBe(publicKey);
      expect(d.jwtClaims).toMatchObject({ aud: service.origin, sub: expect.stringMatching(/^mailto:/) });
      expect(d.headers['content-encoding']).toBe('aes128gcm');
    }
    expect(service.refusals).toEqual([]);
    expect(() => new Browser().decrypt(to('/phone')[0]!.body)).toThrow();
    // A catch-up brings every event again: logged once, so pushed once.
    for (const d of doors) await t.hub.links.catchUp(d.panelId);
    await t.hub.idle();
    await t.hub.push.idle();
    expect(to('/phone')).toHaveLength(4);
  }, 30_000);

  it('a subscription the push service calls gone (410) is removed, and gets nothing more', async () => {
    service.status.set('/gone', 410);
    doors[0]!.actions.ring();
    await until('the ring at the phone', () => to('/phone').length === 5);
    await t.hub.push.idle();
    expect((await call('GET', '/api/push')).json.subscriptions).toEqual([expect.objectContaining({ label: "Ada's phone" })]);
    const goneSoFar = to('/gone').length;
    doors[1]!.actions.ring();
    await until('the next ring at the phone', () => to('/phone').length === 6);
    await t.hub.push.idle();
    expect(to('/gone')).toHaveLength(goneSoFar);
    expect(opened('/phone', phone).at(-1)).toMatchObject({ title: 'Back door: Someone rang the doorbell', door: 'Back door' });
  }, 30_000);

  it('keeps its VAPID key in hub-keys.json (0600) across a restart, and an admin can unsubscribe', async () => {
    const before = String((await call('GET', '/api/push')).json.publicKey);
    const file = join(t.stateDir, 'hub-keys.json');
    expect(statSync(file).mode & 0o077).toBe(0);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toHaveProperty('vapid.d');
    await new Promise((r) => api.close(() => r(null)));
    await t.restart();
    const port = await freePort();
    api = await startApi(t.hub, TOKEN, port);
    base = `http://127.0.0.1:${port}`;
    const after = await call('GET', '/api/push');
    expect(after.json.publicKey).toBe(before);
    const [sub] = after.json.subscriptions as { subscriptionId: string }[];
    expect(await call('DELETE', `/api/push/subscriptions/${sub!.subscriptionId}`)).toEqual({ status: 200, json: { removed: true } });
    expect(await call('DELETE', `/api/push/subscriptions/${sub!.subscriptionId}`)).toMatchObject({ status: 404 });
    expect((await call('GET', '/api/push')).json.subscriptions).toEqual([]);
  }, 30_000);
});
