import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as dir from './directory.ts';
import { attendance, queryLog } from './log.ts';
import { engines, type Engine } from '../tests/hub/engines.ts';
import { bridgedBrokers, singleBroker, type Site } from '../tests/hub/brokers.ts';
import { duplicates, logCount, pairDoor, startDoors, startHub, type Door, type HubUnderTest } from '../tests/hub/site.ts';
import { until } from '../tests/hub/site.ts';
import type { Weekday } from '../src/access/types.ts';
import { checkSchedule } from '../src/access/schedule.ts';
import { generateKeyPairs } from '../src/remote/keys.ts';
import { panelMessage } from '../src/remote/messages.ts';
import { encodeEnvelope } from '../src/remote/envelope.ts';
import { topics } from '../src/remote/topics.ts';

// A site of two doors and a hub: real Mosquitto (one, or two bridged), real PGlite or a real
// PostgreSQL 15, real MQTT.js and WebCrypto, the panels' own remote layer; only the doors' pads are simulated.
const matrix: { name: string; engine: () => Engine; site: () => Promise<Site> }[] = [
  { name: 'PGlite, one Mosquitto', engine: () => engines()[0]!, site: singleBroker },
  { name: 'PGlite, two bridged Mosquittos', engine: () => engines()[0]!, site: bridgedBrokers },
  { name: 'PostgreSQL 15, one Mosquitto', engine: () => engines()[1]!, site: singleBroker },
  { name: 'PostgreSQL 15, two bridged Mosquittos', engine: () => engines()[1]!, site: bridgedBrokers },
];

const PIN = '4821';
const WEEKDAYS: Weekday[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

describe.each(matrix)('the site hub on $name', ({ engine: makeEngine, site: makeSite }) => {
  let engine: Engine;
  let site: Site;
  let t: HubUnderTest;
  let doors: Door[];

  beforeAll(async () => {
    engine = makeEngine();
    site = await makeSite();
    t = await startHub(site, await engine.target());
    doors = await startDoors(site, 2);
    await pairDoor(t.hub, doors[0]!, 'Front door');
    await pairDoor(t.hub, doors[1]!, 'Back door');
  }, 90_000);
  afterAll(async () => {
    for (const d of doors ?? []) d.stop();
    await t?.stop();
    await site?.dispose();
    await engine?.dispose();
  });

  it('pairs with each door as its owner through the pairing code', async () => {
    for (const d of doors) expect(d.remote!.admins).toEqual([expect.objectContaining({ id: t.hub.hubId, role: 'owner' })]);
    expect(t.hub.links.panels.map((p) => [p.name, p.role])).toEqual([['Front door', 'owner'], ['Back door', 'owner']]);
  });

  it('enrol once: the person opens every door of their group; a schedule, a suspension and a removal reach every door', async () => {
    const { db, identity } = t.hub;
    const ada = await dir.addPerson(db, identity, { name: 'Ada Lovelace', pin: PIN }, Date.now());
    const bob = await dir.addPerson(db, identity, { name: 'Bob Visitor', pin: '7351' }, Date.now());
    const staff = await dir.addGroup(db, 'Staff');
    const all = await dir.addDoorGroup(db, 'All doors');
    const front = await dir.addDoorGroup(db, 'Front only');
    for (const d of doors) await dir.addDoor(db, all, d.panelId);
    await dir.addDoor(db, front, doors[0]!.panelId);
    await dir.addMember(db, staff, ada);
    await dir.grant(db, staff, all, null);
    const visitors = await dir.addGroup(db, 'Visitors');
    await dir.addMember(db, visitors, bob);
    await dir.grant(db, visitors, front, null);
    expect((await t.hub.propagate()).map((r) => r.ok)).toEqual([true, true]);

    // Each door holds its slice: Bob only at the front door.
    expect(doors.map((d) => [...d.actions.people.values()].map((p) => p.name).sort())).toEqual([['Ada Lovelace', 'Bob Visitor'], ['Ada Lovelace']]);
    for (const d of doors) expect((await d.actions.enterPin(PIN)).outcome).toBe('grant');
    expect((await doors[1]!.actions.enterPin('7351')).outcome).toBe('deny');
    await until('both grants in the one log', async () => (await queryLog(t.hub.db, { personId: ada })).length === 2);

    // A schedule that does not include today: both doors refuse Ada now.
    const tomorrow = WEEKDAYS[(new Date().getUTCDay() + 1) % 7]!;
    const later = await dir.addSchedule(db, 'Tomorrow only', { timeZone: 'UTC', windows: [{ days: [tomorrow], start: '00:00', end: '24:00' }] });
    await dir.grant(db, staff, all, later);
    expect((await t.hub.propagate()).every((r) => r.ok)).toBe(true);
    for (const d of doors) expect(await d.actions.enterPin(PIN)).toMatchObject({ outcome: 'deny', reasons: expect.arrayContaining(['outsideSchedule']) });
    await dir.grant(db, staff, all, null);
    await t.hub.propagate();
    for (const d of doors) expect((await d.actions.enterPin(PIN)).outcome).toBe('grant');

    // Suspend once: every door refuses.
    await dir.setActive(db, ada, false);
    expect((await t.hub.propagate()).every((r) => r.ok)).toBe(true);
    for (const d of doors) expect(await d.actions.enterPin(PIN)).toMatchObject({ outcome: 'deny', reasons: expect.arrayContaining(['personInactive']) });

    // Out of the group: every door forgets her.
    await dir.removeMember(db, staff, ada);
    await t.hub.propagate();
    for (const d of doors) expect([...d.actions.people.values()].some((p) => p.name === 'Ada Lovelace')).toBe(false);

    const day = attendance(db, Date.now() - 86_400_000, Date.now() + 60_000, 'UTC');
    expect((await day).find((r) => r.name === 'Ada Lovelace')?.entries).toBe(4);
  }, 90_000);

  it('a closed holiday today on the schedule: both doors refuse; removed, both let the person in again (issue #15)', async () => {
    const { db, identity } = t.hub;
    const cleo = await dir.addPerson(db, identity, { name: 'Cleo Holiday', pin: '6093' }, Date.now());
    const team = await dir.addGroup(db, 'Holiday team');
    const both = await dir.addDoorGroup(db, 'Both doors');
    for (const d of doors) await dir.addDoor(db, both, d.panelId);
    await dir.addMember(db, team, cleo);
    const always = await dir.addSchedule(db, 'Every day', { timeZone: 'UTC', windows: [{ days: WEEKDAYS, start: '00:00', end: '24:00' }] });
    await dir.grant(db, team, both, always);
    expect((await t.hub.propagate()).every((r) => r.ok)).toBe(true);
    for (const d of doors) expect((await d.actions.enterPin('6093')).outcome).toBe('grant');

    const today = new Date().toISOString().slice(0, 10);
    await dir.addHoliday(db, always, { date: today, kind: 'closed', note: 'Site closed' });
    expect((await t.hub.propagate()).every((r) => r.ok)).toBe(true);
    for (const d of doors) {
      const held = [...d.actions.people.values()].find((p) => p.name === 'Cleo Holiday');
      expect(held?.schedule?.exceptions).toEqual([{ date: today, kind: 'closed', note: 'Site closed' }]);
      // The door's own schedule check names the holiday; its decision refuses on the schedule.
      expect(checkSchedule(held!.schedule!, Date.now())).toEqual({ inside: false, why: 'closedDate' });
      expect(await d.actions.enterPin('6093')).toMatchObject({ outcome: 'deny', reasons: expect.arrayContaining(['outsideSchedule']) });
    }

    expect(await dir.removeHoliday(db, always, today)).toBe(true);
    expect((await t.hub.propagate()).every((r) => r.ok)).toBe(true);
    for (const d of doors) {
      expect([...d.actions.people.values()].find((p) => p.name === 'Cleo Holiday')?.schedule?.exceptions).toBeUndefined();
      expect((await d.actions.enterPin('6093')).outcome).toBe('grant');
    }
    await dir.removeMember(db, team, cleo);
    await t.hub.propagate();
  }, 90_000);

  it('collects a backlog the door kept while it was cut off, and while the hub was down: each event once, and the log verifies', async () => {
    const [front, back] = doors as [Door, Door];
    const before = await logCount(t.hub);
    // The link between doors and hub goes (the bridge, or the broker); the doors decide on.
    await site.cut();
    const during = [];
    for (let i = 0; i < 10; i++) during.push(front.actions.decide('deny', null), back.actions.decide('grant', 'nobody'));
    await site.restore();
    await until('the backlog in the log', async () => (await logCount(t.hub)) >= before + 20, 45_000);

    // The hub away; the doors log on; the hub back on the same database.
    await t.hub.stop();
    const whileAway = [front.actions.decide('ring', null), back.actions.decide('deny', null)];
    await until('the doors to have sent them', () => front.outbox.records.size === 0 && back.outbox.records.size === 0);
    await t.restart();
    await until('the events from while the hub was away', async () => {
      const ids = (await queryLog(t.hub.db, { limit: 1000 })).map((r) => r.eventId);
      return whileAway.every((e) => ids.includes(e.id));
    }, 45_000);
    await t.hub.catchUpAll();
    await new Promise((r) => setTimeout(r, 500));
    const count = await logCount(t.hub);
    expect(await duplicates(t.hub)).toBe(0);
    const sent = new Set([...front.actions.events.map((e) => `${front.panelId}/${e.id}`), ...back.actions.events.map((e) => `${back.panelId}/${e.id}`)]);
    const logged = (await queryLog(t.hub.db, { limit: 10_000 })).map((r) => `${r.panelId}/${r.eventId}`);
    expect(new Set(logged)).toEqual(sent);
    expect(count).toBe(sent.size);
    expect(await t.hub.verify()).toEqual({ ok: true, rows: count, problems: [] });
  }, 150_000);

  it('logs nothing a door did not sign: a forged event under a door\'s id, sealed to the hub, is dropped', async () => {
    const door = doors[0]!;
    const stranger = await generateKeyPairs();
    const forged = await panelMessage('event', '*', [{ kid: t.hub.hubId, ecdh: t.hub.identity.keys.encryptionJwk }], { id: 'forged-1', at: Date.now(), kind: 'attempt', summary: 'grant Mallory by pin', personId: null, snapshotId: null, detail: { outcome: 'grant' } }, { panelId: door.panelId, signingKey: stranger.signing.privateKey }, Date.now(), Date.now());
    const spy = site.connect({ url: site.hubUrl, clientId: `spy-${Date.now()}`, sessionExpirySeconds: 0 });
    try {
      await until('the spy online', () => spy.status === 'online');
      await spy.publish(topics(door.panelId).events, encodeEnvelope(forged), { qos: 1 });
      const real = door.actions.decide('deny', null);
      await until('the real event after it', async () => (await queryLog(t.hub.db, { panelId: door.panelId, limit: 10_000 })).some((r) => r.eventId === real.id), 30_000);
      expect((await queryLog(t.hub.db, { limit: 10_000 })).some((r) => r.eventId === 'forged-1')).toBe(false);
    } finally {
      await spy.close();
    }
  });

  it("verify finds a row edited in the database, even one whose chain was recomputed, against the door's signature", async () => {
    const [last] = await t.hub.db.query<{ seq: string }>('SELECT max(seq) AS seq FROM log');
    const row = (await queryLog(t.hub.db, { limit: 10_000 })).find((r) => r.seq === Number(last?.seq));
    if (!row) throw new Error('no rows');
    await t.hub.db.query('ALTER TABLE log DISABLE TRIGGER log_append_only');
    await t.hub.db.query("UPDATE log SET summary = 'grant Mallory by pin' WHERE seq = $1", [row.seq]);
    const { rowHash } = await import('./log.ts');
    const edited = (await queryLog(t.hub.db, { limit: 10_000 })).find((r) => r.seq === row.seq);
    const { rowHash: _old, ...rest } = edited!;
    // The attacker also fixes the row's hash (it is the newest, so nothing follows it) and the head.
    await t.hub.db.query('UPDATE log SET row_hash = $2 WHERE seq = $1', [row.seq, rowHash(rest)]);
    await t.hub.db.query('UPDATE log_head SET last_hash = $1', [rowHash(rest)]);
    await t.hub.db.query('ALTER TABLE log ENABLE TRIGGER log_append_only');
    const r = await t.hub.verify();
    expect(r.ok).toBe(false);
    expect(r.problems).toEqual([`row ${row.seq} (event ${row.eventId}): it differs from what the panel signed`]);
  });
});
