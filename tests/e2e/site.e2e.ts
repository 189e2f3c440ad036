import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { E2E_PORT } from '../../playwright.config.ts';
import { typePin } from './support/admin.ts';
import { deviceBrowser, showPairingCode } from './support/remote-mosquitto.ts';
import { emptyDoorwayVideo } from './support/vision-fixtures.ts';
import { decodePairingPayload } from '../../src/remote/pairing.ts';
import { engines, type Engine } from '../hub/engines.ts';
import { bridgedBrokers, singleBroker, type Site } from '../hub/brokers.ts';

// A site as its admin runs it: the hub started with `node hub/main.mjs` on a fresh state folder,
// two kiosks in browsers of their own, and every step of the admin's a CLI command to the running
// hub. Nothing reaches into the hub's internals. The same flow runs twice: the one-command default
// (PGlite in the state folder, one Mosquitto) and production's shape (a real PostgreSQL 15 given
// as `--database URL`, two bridged Mosquittos: the kiosks on the building's, the hub on the central one).
const matrix: { name: string; engine: () => Engine; site: () => Promise<Site> }[] = [
  { name: 'PGlite, one Mosquitto', engine: () => engines()[0]!, site: singleBroker },
  { name: 'PostgreSQL 15, two bridged Mosquittos', engine: () => engines()[1]!, site: bridgedBrokers },
];

const API_PORT = E2E_PORT + 20;
const PIN = '4821';
const run = promisify(execFile);

/** The running hub of one variant: its state folder, its process, what it printed. */
interface RunningHub {
  readonly state: string;
  proc: ChildProcess | null;
  output: string;
}

/** `node hub/main.mjs <args>` against the running hub, as the admin types it; its JSON answer. */
async function cli<T = unknown>(hub: RunningHub, ...args: string[]): Promise<T> {
  try {
    const { stdout } = await run(process.execPath, ['hub/main.mjs', '--state', hub.state, '--api-port', String(API_PORT), ...args], { timeout: 30_000 });
    return JSON.parse(stdout) as T;
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    throw new Error(`hub ${args.join(' ')} failed: ${e.stdout ?? ''} ${e.stderr ?? String(err)}\nhub output:\n${hub.output}`);
  }
}

/** `database`: a PostgreSQL URL given as `--database`, or none for PGlite in the state folder. */
async function startHub(state: string, brokerUrl: string, database: string | null): Promise<RunningHub> {
  rmSync(state, { recursive: true, force: true });
  const args = ['hub/main.mjs', '--state', state, ...(database ? ['--database', database] : []), '--broker', brokerUrl, '--api-port', String(API_PORT)];
  // Its own process group, so the stop below takes whatever it started (esbuild, under vite) with it.
  const p = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const hub: RunningHub = { state, proc: p, output: '' };
  p.stdout?.on('data', (d: Buffer) => (hub.output += d.toString()));
  p.stderr?.on('data', (d: Buffer) => (hub.output += d.toString()));
  const end = Date.now() + 60_000;
  try {
    while (!/admin API on/.test(hub.output)) {
      if (p.exitCode !== null) throw new Error(`the hub exited (${p.exitCode}):\n${hub.output}`);
      if (Date.now() > end) throw new Error(`the hub did not start:\n${hub.output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } catch (err) {
    await stopHub(hub);
    throw err;
  }
  return hub;
}

async function stopHub(hub: RunningHub): Promise<void> {
  const p = hub.proc;
  hub.proc = null;
  if (!p?.pid || p.exitCode !== null) return;
  const exited = new Promise((r) => p.once('exit', r));
  process.kill(-p.pid, 'SIGTERM');
  const killed = setTimeout(() => process.kill(-p.pid!, 'SIGKILL'), 10_000);
  await exited;
  clearTimeout(killed);
}

type Propagated = { propagated: { panelId: string; ok: boolean }[] };
const confirmedBy = (r: Propagated) => r.propagated.filter((p) => p.ok).map((p) => p.panelId).sort();

/** A visitor types a PIN on the kiosk's pad; the kiosk's answer (granted or denied). */
async function pinAtDoor(kiosk: Page, pin: string): Promise<string | null> {
  const screen = kiosk.getByTestId('kiosk');
  await expect(screen).toHaveAttribute('data-state', 'idle', { timeout: 20_000 });
  await kiosk.getByRole('button', { name: 'PIN' }).click();
  await typePin(kiosk, pin);
  await expect(screen).toHaveAttribute('data-state', /^(granted|denied)$/);
  return screen.getAttribute('data-state');
}

for (const variant of matrix) {
  test.describe(variant.name, () => {
    let engine: Engine | undefined;
    let site: Site | undefined;
    let hub: RunningHub | undefined;
    const state = resolve(`.cache/e2e-hub-${E2E_PORT}-${variant.name.replace(/[^A-Za-z0-9]+/g, '-')}`);

    test.beforeAll(async () => {
      test.setTimeout(90_000);
      engine = variant.engine();
      site = await variant.site();
      const database = engine.name === 'PGlite' ? null : await engine.target();
      hub = await startHub(state, site.hubUrl, database);
    });
    // Everything this variant started, even when a start above failed half way.
    test.afterAll(async () => {
      test.setTimeout(60_000);
      try {
        if (hub) await stopHub(hub);
      } finally {
        await site?.dispose();
        await engine?.dispose();
        rmSync(state, { recursive: true, force: true });
      }
    });

    test('the hub pairs with two kiosks from their codes; a person enrolled once opens both doors, a suspension closes both, and the one log holds both doors', async () => {
      test.setTimeout(120_000);
      const h = hub!;
      const admin = <T = unknown>(...args: string[]): Promise<T> => cli<T>(h, ...args);
      const video = emptyDoorwayVideo();
      const contexts: BrowserContext[] = await Promise.all([deviceBrowser({ video }), deviceBrowser({ video })]);
      try {
        const [front, back] = await Promise.all(contexts.map(async (c) => c.pages()[0] ?? (await c.newPage())));
        const doors = [front!, back!];

        // Each kiosk shows a pairing code; the admin gives its text to the hub.
        const codes = [await showPairingCode(front!, site!.doorUrl), await showPairingCode(back!, site!.doorUrl)];
        const ids = codes.map((c) => decodePairingPayload(c)?.panelId ?? '');
        const paired = [await admin<{ panelId: string; role: string }>('pair', codes[0]!, 'Front door'), await admin<{ panelId: string; role: string }>('pair', codes[1]!, 'Back door')];
        expect(paired).toEqual([{ panelId: ids[0], role: 'owner' }, { panelId: ids[1], role: 'owner' }]);
        for (const d of doors) await expect(d.getByTestId('paired-admin')).toHaveText(/· owner ·/);
        await expect.poll(async () => (await admin<{ name: string; online: boolean }[]>('doors')).map((d) => [d.name, d.online])).toEqual([['Front door', true], ['Back door', true]]);
        for (const d of doors) await d.evaluate(() => (location.hash = '#/'));

        // The site's shape first: a group, a door group with both doors, the rule between them.
        const { groupId } = await admin<{ groupId: string }>('group', 'Staff');
        const { doorGroupId } = await admin<{ doorGroupId: string }>('door-group', 'All doors');
        for (const id of ids) await admin('door', doorGroupId, id);
        await admin('allow', groupId, doorGroupId);

        // Enrol once: the person, then into the group; the last command returns when both doors confirmed.
        const cliStart = Date.now();
        await admin('doors');
        const cliMs = Date.now() - cliStart;
        const enrolStart = Date.now();
        const { personId } = await admin<{ personId: string }>('person', 'Ada Lovelace', PIN);
        const memberStart = Date.now();
        const enrolled = await admin<Propagated>('member', groupId, personId);
        const [enrolMs, memberMs] = [Date.now() - enrolStart, Date.now() - memberStart];
        expect(confirmedBy(enrolled)).toEqual([...ids].sort());

        // Both doors open for her: the welcome, then the simulated relay lets the door open.
        for (const d of doors) {
          expect(await pinAtDoor(d, PIN)).toBe('granted');
          await expect(d.getByTestId('status-title')).toHaveText('Welcome, Ada Lovelace');
          await expect(d.getByTestId('kiosk')).toHaveAttribute('data-state', 'doorOpen');
        }

        // The one log: a grant from each door, for the hub's person.
        const grants = async () => (await admin<{ panelId: string; outcome: string | null }[]>('log', '--person', personId)).filter((r) => r.outcome === 'grant').map((r) => r.panelId).sort();
        await expect.poll(grants, { timeout: 30_000 }).toEqual([...ids].sort());

        // Revoke once: both doors refuse her.
        const revokeStart = Date.now();
        const suspended = await admin<Propagated>('suspend', personId);
        const revokeMs = Date.now() - revokeStart;
        expect(confirmedBy(suspended)).toEqual([...ids].sort());
        for (const d of doors) expect(await pinAtDoor(d, PIN)).toBe('denied');

        const denials = async () => (await admin<{ panelId: string; outcome: string | null }[]>('log', '--person', personId)).filter((r) => r.outcome === 'deny').map((r) => r.panelId).sort();
        await expect.poll(denials, { timeout: 30_000 }).toEqual([...ids].sort());
        expect(await admin('verify')).toMatchObject({ ok: true, problems: [] });

        // Figures, not limits: each is wall time of CLI commands, so each includes a CLI start.
        console.log(`[site: ${variant.name}] enrol (person, then member) → both doors confirmed: ${enrolMs} ms (the member command alone: ${memberMs} ms); suspend → both doors confirmed: ${revokeMs} ms; a bare CLI command (doors): ${cliMs} ms`);
      } finally {
        await Promise.all(contexts.map((c) => c.close()));
      }
    });
  });
}
