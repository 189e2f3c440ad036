// The site hub at scale: simulated doors (the panel's own remote layer over a SimDoor) on bridged
// real Mosquittos, one hub on PGlite or PostgreSQL. Prints figures; asserts nothing about speed.
import { performance } from 'node:perf_hooks';
import * as dir from '../hub/directory.ts';
import { bridgedBrokers, singleBroker } from '../tests/hub/brokers.ts';
import { duplicates, logCount, pairDoor, startDoors, startHub, until, type Door } from '../tests/hub/site.ts';
import { startPostgres } from '../tests/hub/postgres.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface HubBenchOptions {
  readonly doors?: number;
  readonly people?: number;
  readonly eventsPerDoor?: number;
  readonly postgres?: boolean;
  readonly bridged?: boolean;
}

const pct = (xs: readonly number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? NaN);
};
const summary = (xs: readonly number[]) => ({ p50: pct(xs, 50), p95: pct(xs, 95), max: pct(xs, 100), samples: xs.length });

export async function runHubBench(o: HubBenchOptions, log: (m: string) => void) {
  const nDoors = o.doors ?? 50;
  const nPeople = o.people ?? 5;
  const perDoor = o.eventsPerDoor ?? 40;
  const site = o.bridged === false ? await singleBroker() : await bridgedBrokers();
  const pg = o.postgres ? await startPostgres() : null;
  const dataDir = mkdtempSync(join(tmpdir(), 'doorward-bench-hub-'));
  const t = await startHub(site, pg ? pg.url : join(dataDir, 'pgdata'), join(dataDir, 'state'));
  let doors: Door[] = [];
  try {
    log(`${nDoors} doors on ${site.name}, hub on ${t.hub.db.kind}`);
    const t0 = performance.now();
    doors = await startDoors(site, nDoors);
    for (const [i, d] of doors.entries()) await pairDoor(t.hub, d, `Door ${i + 1}`);
    const pairMs = performance.now() - t0;
    log(`paired ${nDoors} doors in ${Math.round(pairMs)} ms`);
    await until('the first passes', async () => t.hub.sync.dirty.size === 0 && (await Promise.all(doors.map((d) => t.hub.sync.reconcile(d.panelId)))).every((r) => r.ok), 120_000);

    const { db, identity } = t.hub;
    const staff = await dir.addGroup(db, 'Staff');
    const all = await dir.addDoorGroup(db, 'All doors');
    for (const d of doors) await dir.addDoor(db, all, d.panelId);
    await dir.grant(db, staff, all, null);

    /** A directory change, then every door brought to its slice: each door's time to confirm. */
    const propagation = async (change: () => Promise<void>): Promise<number[]> => {
      const start = performance.now();
      await change();
      const times = await Promise.all(doors.map(async (d) => {
        const r = await t.hub.sync.reconcile(d.panelId);
        if (!r.ok) throw new Error(`door ${d.panelId}: ${r.problem}`);
        return performance.now() - start;
      }));
      return times;
    };
    const enrol: number[] = [];
    const revoke: number[] = [];
    const pins: string[] = [];
    const people: string[] = [];
    for (let i = 0; i < nPeople; i++) {
      const pin = String(7300 + i * 13);
      pins.push(pin);
      enrol.push(...(await propagation(async () => {
        const id = await dir.addPerson(db, identity, { name: `Person ${i}`, pin }, Date.now());
        people.push(id);
        await dir.addMember(db, staff, id);
      })));
    }
    const granted = (await Promise.all(doors.map((d) => d.actions.enterPin(pins[0]!)))).filter((x) => x.outcome === 'grant').length;
    for (const id of people) revoke.push(...(await propagation(() => dir.setActive(db, id, false))));
    const refused = (await Promise.all(doors.map((d) => d.actions.enterPin(pins[0]!)))).filter((x) => x.outcome === 'deny').length;
    log(`enrol -> ${granted}/${nDoors} doors grant; revoke -> ${refused}/${nDoors} doors refuse`);

    const sentTotal = () => doors.reduce((n, d) => n + d.actions.events.length, 0);
    await until('the log to hold everything so far', async () => (await logCount(t.hub)) >= sentTotal(), 120_000);
    // Ingest: every door logs a burst at once.
    const base = await logCount(t.hub);
    const i0 = performance.now();
    for (let k = 0; k < perDoor; k++) for (const d of doors) d.actions.decide('grant', null);
    await until('the burst in the log', async () => (await logCount(t.hub)) >= sentTotal(), 600_000);
    const ingestMs = performance.now() - i0;
    const total = await logCount(t.hub);
    log(`ingested ${total - base} events in ${Math.round(ingestMs)} ms`);

    // The hub restarts while doors log on.
    const r0 = performance.now();
    await t.hub.stop();
    for (const d of doors) d.actions.decide('deny', null);
    await t.restart();
    await until('the events from while the hub was away', async () => (await logCount(t.hub)) >= sentTotal(), 300_000);
    const restartMs = performance.now() - r0;

    // The bridge between the building and the centre goes down and comes back.
    const b0 = performance.now();
    await site.cut();
    for (const d of doors) d.actions.decide('ring', null);
    await new Promise((r) => setTimeout(r, 2_000));
    await site.restore();
    await until('the events from the outage', async () => (await logCount(t.hub)) >= sentTotal(), 300_000);
    const outageMs = performance.now() - b0;

    await t.hub.catchUpAll();
    await new Promise((r) => setTimeout(r, 1_000));
    const sent = sentTotal();
    const logged = await logCount(t.hub);
    const verify = await t.hub.verify();
    return {
      doors: nDoors,
      brokers: site.name,
      storage: t.hub.db.kind,
      pairAllMs: Math.round(pairMs),
      enrolToAllDoorsMs: summary(enrol),
      revokeToAllDoorsMs: summary(revoke),
      ingest: { events: total - base, ms: Math.round(ingestMs), eventsPerSecond: Math.round(((total - base) / ingestMs) * 1000) },
      hubRestart: { backlog: nDoors, recoveredMs: Math.round(restartMs) },
      bridgeOutage: { backlog: nDoors, outageMs: 2_000, recoveredMs: Math.round(outageMs) },
      sentByDoors: sent,
      inLog: logged,
      lost: sent - (logged - (await duplicates(t.hub))),
      duplicates: await duplicates(t.hub),
      verify: { ok: verify.ok, rows: verify.rows },
    };
  } finally {
    for (const d of doors) d.stop();
    await t.hub.stop();
    await site.dispose();
    await pg?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
