import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../../src/platform/clock.ts';
import { PanelRemote } from '../../src/remote/panel-remote.ts';
import { MemoryPanelStore, memoryOutbox } from '../support/idb.ts';
import { SimDoor } from '../support/sim-door.ts';
import { Hub } from '../../hub/hub.ts';
import type { Site } from './brokers.ts';
import { waitFor } from '../remote/scenario.ts';

export const FAST = { baseMs: 100, maxMs: 1_000 } as const;

/** A door: the panel's remote layer (src/remote) over a SimDoor; restartable on the same storage. */
export class Door {
  readonly actions = new SimDoor(systemClock);
  readonly store = new MemoryPanelStore();
  readonly outbox = memoryOutbox(systemClock);
  remote: PanelRemote | null = null;
  #stop: (() => void) | null = null;
  constructor(readonly site: Site) {}

  async start(): Promise<PanelRemote> {
    const remote = await PanelRemote.create({ brokerUrl: this.site.doorUrl, connect: this.site.connect, store: this.store, outbox: this.outbox, actions: this.actions, audit: () => undefined, clock: systemClock, flushIntervalMs: 200, backoff: FAST });
    this.remote = remote;
    this.#stop = remote.start();
    await waitFor('the door online', () => remote.status === 'online');
    return remote;
  }

  stop(): void {
    this.#stop?.();
    this.#stop = null;
  }

  get panelId(): string {
    if (!this.remote) throw new Error('door not started');
    return this.remote.panelId;
  }
}

export async function startDoors(site: Site, n: number): Promise<Door[]> {
  const doors = Array.from({ length: n }, () => new Door(site));
  await Promise.all(doors.map((d) => d.start()));
  return doors;
}

export interface HubUnderTest {
  hub: Hub;
  readonly stateDir: string;
  readonly database: string;
  restart(): Promise<Hub>;
  stop(): Promise<void>;
}

export async function startHub(site: Site, database: string, stateDir = mkdtempSync(join(tmpdir(), 'doorward-hub-'))): Promise<HubUnderTest> {
  const open = () => Hub.start({ stateDir, database, brokerUrl: site.hubUrl, connect: site.connect, clock: systemClock, backoff: FAST, replyTimeoutMs: 8_000, retryEveryMs: 1_000 });
  const t: HubUnderTest = {
    hub: await open(),
    stateDir,
    database,
    async restart() {
      await t.hub.stop();
      t.hub = await open();
      return t.hub;
    },
    stop: () => t.hub.stop(),
  };
  await waitFor('the hub online', () => t.hub.links.status === 'online');
  return t;
}

/** As an installer does it: the door shows an owner's pairing code, the hub is given its text. */
export async function pairDoor(hub: Hub, door: Door, name: string): Promise<void> {
  const remote = door.remote;
  if (!remote) throw new Error('door not started');
  const offer = await remote.createPairing('owner');
  const r = await hub.pair(offer.payload, name);
  if (!r.ok) throw new Error(`pairing ${name} failed: ${r.reason}`);
}

export async function logCount(hub: Hub, panelId?: string): Promise<number> {
  await hub.idle();
  const rows = await hub.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM log${panelId ? ' WHERE panel_id = $1' : ''}`, panelId ? [panelId] : []);
  return rows[0]?.n ?? 0;
}

/** Every id once: the rows of the log per (panel, event id). */
export async function duplicates(hub: Hub): Promise<number> {
  const [r] = await hub.db.query<{ n: number }>('SELECT (count(*) - count(DISTINCT (panel_id, event_id)))::int AS n FROM log');
  return r?.n ?? -1;
}

/** Polls an async condition (scenario.ts's waitFor takes a synchronous one). */
export async function until(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
