import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from './db/db.ts';
import { appendEvents, attendance, attendanceCsv, pruneLog, queryLog, toCsv, verifyLog } from './log.ts';
import type { RemoteEvent } from '../src/remote/messages.ts';
import { engines } from '../tests/hub/engines.ts';

const DAY = Date.UTC(2031, 2, 3); // a Monday
const ev = (id: string, at: number, outcome = 'grant', personId: string | null = 'p-ada'): RemoteEvent => ({ id, at, kind: 'attempt', summary: `${outcome} ${personId ?? 'unknown'}`, personId, snapshotId: null, detail: { outcome, alerts: [] } });

/** As an attacker with the database's superuser would: the trigger off, the change made, the trigger back. */
async function tamper(db: Db, sql: string): Promise<void> {
  await db.query('ALTER TABLE log DISABLE TRIGGER log_append_only');
  await db.query(sql);
  await db.query('ALTER TABLE log ENABLE TRIGGER log_append_only');
}

describe.each(engines())('the one log on $name', (engine) => {
  let db: Db;
  beforeAll(async () => {
    db = await openDb(await engine.target());
    await db.query("INSERT INTO people (person_id, name, role, created_at) VALUES ('h-ada', 'Ada', 'employee', 0), ('h-alan', '=cmd|calc', 'employee', 0)");
    await db.query(`INSERT INTO panels (panel_id, name, sign_jwk, enc_jwk, role, paired_at) VALUES ('door-a', 'Front', '{}', '{}', 'owner', 0), ('door-b', 'Back', '{}', '{}', 'owner', 0)`);
    await db.query("INSERT INTO panel_people (panel_id, person_id, panel_person_id, synced) VALUES ('door-a', 'h-ada', 'p-ada', '{}'), ('door-b', 'h-ada', 'p-ada-b', '{}'), ('door-a', 'h-alan', 'p-alan', '{}')");
  }, 60_000);
  afterAll(async () => {
    await db?.close();
    await engine.dispose();
  });

  it('stores each event once however often it arrives, and knows the person across doors', async () => {
    const first = await appendEvents(db, { panelId: 'door-a', events: [ev('e1', DAY + 8 * 3600e3), ev('e2', DAY + 12 * 3600e3, 'deny', null)], envelope: '{"live":1}' }, DAY + 8 * 3600e3);
    const ids = (r: { fresh: readonly { id: string }[] }) => ({ ...r, fresh: r.fresh.map((e) => e.id) });
    expect(ids(first)).toEqual({ added: 2, duplicates: 0, fresh: ['e1', 'e2'] });
    // The same events again (catch-up overlapping the live stream), with one new, and a backlog from the other door.
    expect(await appendEvents(db, { panelId: 'door-a', events: [ev('e2', DAY + 12 * 3600e3, 'deny', null), ev('e1', DAY + 8 * 3600e3), ev('e3', DAY + 17 * 3600e3, 'grant', 'p-alan')], envelope: '{"catchup":1}' }, DAY + 18 * 3600e3).then(ids)).toEqual({ added: 1, duplicates: 2, fresh: ['e3'] });
    expect(await appendEvents(db, { panelId: 'door-b', events: [ev('e1', DAY + 18 * 3600e3, 'grant', 'p-ada-b')], envelope: '{"b":1}' }, DAY + 19 * 3600e3).then(ids)).toEqual({ added: 1, duplicates: 0, fresh: ['e1'] });
    const ada = await queryLog(db, { personId: 'h-ada' });
    expect(ada.map((r) => [r.panelId, r.eventId])).toEqual([['door-b', 'e1'], ['door-a', 'e1']]);
    expect((await queryLog(db, { panelId: 'door-a' })).map((r) => r.eventId)).toEqual(['e3', 'e2', 'e1']);
    expect(await verifyLog(db)).toEqual({ ok: true, rows: 4, problems: [] });
  });

  it('attendance: first in and last out per person per local day, exported as CSV a spreadsheet cannot run', async () => {
    const rows = await attendance(db, DAY, DAY + 86_400e3, 'Europe/London');
    expect(rows.map((r) => [r.name, r.day, r.firstIn, r.lastOut, r.entries])).toEqual([
      ['=cmd|calc', '2031-03-03', DAY + 17 * 3600e3, DAY + 17 * 3600e3, 1],
      ['Ada', '2031-03-03', DAY + 8 * 3600e3, DAY + 18 * 3600e3, 2],
    ]);
    expect(attendanceCsv(rows, 'Europe/London')).toBe("date,person,first_in,last_out,entries\r\n2031-03-03,'=cmd|calc,17:00:00,17:00:00,1\r\n2031-03-03,Ada,08:00:00,18:00:00,2\r\n");
    expect(toCsv(['a'], [['say "hi", then\nleave']])).toBe('a\r\n"say ""hi"", then\nleave"\r\n');
  });

  it('verify finds an edited row, a deleted row and a cut-off tail', async () => {
    await tamper(db, "UPDATE log SET summary = 'grant nobody' WHERE seq = 2");
    let r = await verifyLog(db);
    expect(r.ok).toBe(false);
    expect(r.problems).toEqual(['row 2 (event e2 of panel door-a) was changed after it was written']);
    await tamper(db, 'DELETE FROM log WHERE seq = 2');
    r = await verifyLog(db);
    expect(r.problems).toEqual(['rows 2..2 are missing (deleted)', 'row 3 does not follow the row before it (a row before it was changed or removed)']);
    await tamper(db, 'DELETE FROM log WHERE seq >= 2');
    r = await verifyLog(db);
    expect(r.problems).toEqual(['the log ends at row 1 but its head says 4 (the newest rows were deleted)']);
  });
});

describe.each(engines())('retention on $name', (engine) => {
  let db: Db;
  beforeAll(async () => {
    db = await openDb(await engine.target());
    await db.query(`INSERT INTO panels (panel_id, name, sign_jwk, enc_jwk, role, paired_at) VALUES ('door-a', 'Front', '{}', '{}', 'owner', 0)`);
  }, 60_000);
  afterAll(async () => {
    await db?.close();
    await engine.dispose();
  });

  it('drops the oldest rows and the chain still verifies from where it now starts', async () => {
    for (let i = 1; i <= 6; i++) await appendEvents(db, { panelId: 'door-a', events: [ev(`e${i}`, DAY + i)], envelope: `{"n":${i}}` }, DAY + i * 86_400e3);
    expect(await pruneLog(db, DAY + 3.5 * 86_400e3)).toBe(3);
    expect((await queryLog(db)).map((r) => r.eventId)).toEqual(['e6', 'e5', 'e4']);
    expect(await verifyLog(db)).toEqual({ ok: true, rows: 3, problems: [] });
    expect(await db.query('SELECT count(*)::int AS n FROM log_proofs')).toEqual([{ n: 3 }]);
    expect(await pruneLog(db, DAY)).toBe(0);
    await expect(db.query('DELETE FROM log')).rejects.toThrow(/append-only/);
  });
});
