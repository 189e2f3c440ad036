import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi } from './api.ts';
import { singleBroker, type Site } from '../tests/hub/brokers.ts';
import { startDoors, startHub, until, type Door, type HubUnderTest } from '../tests/hub/site.ts';
import { freePort } from '../tests/remote/mosquitto.ts';

// The admin API the CLI speaks, over real HTTP on loopback, to a hub on PGlite and a real Mosquitto.
let site: Site;
let t: HubUnderTest;
let doors: Door[];
let api: Server;
let base: string;
const TOKEN = 'test-token-0123456789';

beforeAll(async () => {
  site = await singleBroker();
  t = await startHub(site, join(mkdtempSync(join(tmpdir(), 'doorward-hub-api-')), 'pgdata'));
  doors = await startDoors(site, 2);
  const port = await freePort();
  api = await startApi(t.hub, TOKEN, port);
  base = `http://127.0.0.1:${port}`;
}, 60_000);
afterAll(async () => {
  await new Promise((r) => api?.close(() => r(null)));
  for (const d of doors ?? []) d.stop();
  await t?.stop();
  await site?.dispose();
});

const call = async (method: string, path: string, body?: unknown, token = TOKEN) => {
  const res = await fetch(base + path, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}) });
  const text = await res.text();
  return { status: res.status, text, json: () => JSON.parse(text) as Record<string, unknown> };
};

describe('the hub admin API', () => {
  it('refuses a request without the token, and bad bodies with a reason, changing nothing', async () => {
    expect((await call('GET', '/api/panels', undefined, 'wrong')).status).toBe(401);
    expect(await call('POST', '/api/people', '{not json')).toMatchObject({ status: 400 });
    expect((await call('POST', '/api/people', { name: 'Eve', pin: '1111' })).json()).toEqual({ error: 'PIN must not repeat one digit' });
    expect((await call('POST', '/api/panels', { code: 'DOORWARD-PAIR:junk', name: 'x' })).json()).toEqual({ error: 'not a Doorward pairing code' });
    expect((await call('GET', '/api/people')).json()).toEqual([]);
  });

  it('pairs two doors, enrols a person once for both, exports the log and attendance as CSV, and verifies', async () => {
    for (const [i, d] of doors.entries()) {
      const offer = await d.remote!.createPairing('owner');
      expect(await call('POST', '/api/panels', { code: offer.payload, name: `Door ${i + 1}` })).toMatchObject({ status: 201 });
    }
    const personId = String((await call('POST', '/api/people', { name: 'Grace Hopper', pin: '4821' })).json().personId);
    const groupId = String((await call('POST', '/api/groups', { name: 'Staff' })).json().groupId);
    const doorGroupId = String((await call('POST', '/api/door-groups', { name: 'All' })).json().doorGroupId);
    for (const d of doors) await call('POST', `/api/door-groups/${doorGroupId}/doors`, { panelId: d.panelId });
    await call('POST', `/api/groups/${groupId}/members`, { personId });
    const allowed = (await call('POST', '/api/rules', { groupId, doorGroupId })).json();
    expect(allowed.propagated).toEqual([expect.objectContaining({ ok: true }), expect.objectContaining({ ok: true })]);
    for (const d of doors) expect((await d.actions.enterPin('4821')).outcome).toBe('grant');
    await until('both grants logged', async () => ((await call('GET', `/api/log?person=${personId}`)).json() as unknown as unknown[]).length === 2);
    const csv = (await call('GET', '/api/log.csv')).text;
    expect(csv.split('\r\n')[0]).toBe('time,door,kind,outcome,person,summary,event_id');
    expect(csv).toContain('grant Grace Hopper by pin');
    const att = (await call('GET', '/api/attendance.csv?tz=UTC')).text.split('\r\n');
    expect(att[0]).toBe('date,person,first_in,last_out,entries');
    expect(att[1]).toMatch(/^\d{4}-\d\d-\d\d,Grace Hopper,\d\d:\d\d:\d\d,\d\d:\d\d:\d\d,2$/);
    expect((await call('GET', '/api/verify')).json()).toMatchObject({ ok: true });
    expect((await call('POST', `/api/people/${personId}/suspend`)).status).toBe(200);
    for (const d of doors) expect((await d.actions.enterPin('4821')).outcome).toBe('deny');
  }, 60_000);
});

describe('npm run hub', () => {
  it('starts on PGlite with one command, keeps its keys and token private, and answers the CLI', async () => {
    const state = mkdtempSync(join(tmpdir(), 'doorward-hub-cli-'));
    const port = String(await freePort());
    const args = ['hub/main.mjs', '--state', state, '--api-port', port, '--broker', site.hubUrl];
    const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
    try {
      await until('the hub to say it listens', () => /admin API on/.test(out) || proc.exitCode !== null, 60_000);
      expect(out).toMatch(/PGlite storage/);
      for (const f of ['hub-keys.json', 'admin-token']) expect(statSync(join(state, f)).mode & 0o077).toBe(0);
      const doorsNow = spawnSync(process.execPath, ['hub/main.mjs', 'doors', '--state', state, '--api-port', port], { encoding: 'utf8' });
      expect([doorsNow.status, doorsNow.stdout.trim()]).toEqual([0, '[]']);
      const verify = spawnSync(process.execPath, ['hub/main.mjs', 'verify', '--state', state, '--api-port', port], { encoding: 'utf8' });
      expect([verify.status, JSON.parse(verify.stdout)]).toEqual([0, { ok: true, rows: 0, problems: [] }]);
      expect(readFileSync(join(state, 'admin-token'), 'utf8').length).toBeGreaterThan(20);
    } finally {
      proc.kill('SIGTERM');
      await new Promise((r) => (proc.exitCode !== null ? r(null) : proc.once('exit', r)));
      rmSync(state, { recursive: true, force: true });
    }
  }, 90_000);
});
