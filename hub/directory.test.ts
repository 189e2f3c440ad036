import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb, type Db } from './db/db.ts';
import * as dir from './directory.ts';
import { loadOrCreateIdentity, openSecret, type HubIdentity } from './identity.ts';
import { engines } from '../tests/hub/engines.ts';
import type { ScheduleException } from '../src/access/types.ts';

describe.each(engines())('the directory on $name', (engine) => {
  let db: Db;
  let id: HubIdentity;
  beforeAll(async () => {
    db = await openDb(await engine.target());
    id = await loadOrCreateIdentity(mkdtempSync(join(tmpdir(), 'doorward-hub-dir-')));
    await db.query(`INSERT INTO panels (panel_id, name, sign_jwk, enc_jwk, role, paired_at) VALUES ('front', 'Front', '{}', '{}', 'owner', 0), ('lab', 'Lab', '{}', '{}', 'owner', 0)`);
  }, 60_000);
  afterAll(async () => {
    await db?.close();
    await engine.dispose();
  });

  it('refuses what a door would refuse, and keeps the PIN sealed, never as typed', async () => {
    await expect(dir.addPerson(db, id, { name: 'Eve', pin: '12' }, 0)).rejects.toThrow(dir.DirectoryError);
    await expect(dir.addPerson(db, id, { name: '  ' }, 0)).rejects.toThrow('a name must be 1 to 80 characters');
    await expect(dir.addSchedule(db, 'Bad zone', { timeZone: 'Mars/Olympus', windows: [{ days: ['mon'], start: '08:00', end: '18:00' }] })).rejects.toThrow(dir.DirectoryError);
    await expect(dir.addSchedule(db, 'Empty', { timeZone: 'UTC', windows: [] })).rejects.toThrow('a schedule has 1 to 7 weekly windows');
    const ada = await dir.addPerson(db, id, { name: 'Ada', pin: '4821' }, 0);
    await expect(dir.addPerson(db, id, { name: 'Ada' }, 0)).rejects.toThrow('a person named Ada already exists');
    const [row] = await db.query<{ pin_sealed: string }>('SELECT pin_sealed FROM people WHERE person_id = $1', [ada]);
    expect(row?.pin_sealed).not.toContain('4821');
    expect(await openSecret(id, ada, row!.pin_sealed)).toBe('4821');
    // Sealed to the person: moved onto another row it does not open.
    expect(await openSecret(id, 'person-other', row!.pin_sealed)).toBeNull();
  });

  it("each door's slice: only the people whose groups may use it, on the combined terms of their rules", async () => {
    const ada = (await dir.listPeople(db)).find((p) => p.name === 'Ada')!.personId;
    const bob = await dir.addPerson(db, id, { name: 'Bob' }, 0);
    const [staff, lab] = [await dir.addGroup(db, 'Staff'), await dir.addGroup(db, 'Lab team')];
    const [everywhere, labDoors] = [await dir.addDoorGroup(db, 'Everywhere'), await dir.addDoorGroup(db, 'Lab doors')];
    await dir.addDoor(db, everywhere, 'front');
    await dir.addDoor(db, everywhere, 'lab');
    await dir.addDoor(db, labDoors, 'lab');
    const mornings = await dir.addSchedule(db, 'Mornings', { timeZone: 'Europe/London', windows: [{ days: ['mon', 'tue'], start: '08:00', end: '12:00' }] });
    const evenings = await dir.addSchedule(db, 'Evenings', { timeZone: 'Europe/London', windows: [{ days: ['mon'], start: '18:00', end: '22:00' }] });
    const tokyo = await dir.addSchedule(db, 'Tokyo', { timeZone: 'Asia/Tokyo', windows: [{ days: ['fri'], start: '09:00', end: '17:00' }] });
    await dir.addMember(db, staff, ada);
    await dir.addMember(db, lab, ada);
    await dir.addMember(db, lab, bob);
    await dir.grant(db, staff, everywhere, mornings);
    await dir.grant(db, lab, labDoors, evenings);

    expect((await dir.sliceFor(db, 'front')).map((p) => [p.name, p.schedule])).toEqual([['Ada', { timeZone: 'Europe/London', windows: [{ days: ['mon', 'tue'], start: '08:00', end: '12:00' }] }]]);
    const labSlice = Object.fromEntries((await dir.sliceFor(db, 'lab')).map((p) => [p.name, p.schedule]));
    expect(labSlice).toEqual({
      // Rules taken in schedule-name order: Evenings, then Mornings.
      Ada: { timeZone: 'Europe/London', windows: [{ days: ['mon'], start: '18:00', end: '22:00' }, { days: ['mon', 'tue'], start: '08:00', end: '12:00' }] },
      Bob: { timeZone: 'Europe/London', windows: [{ days: ['mon'], start: '18:00', end: '22:00' }] },
    });
    // Zones that cannot be one schedule: one rule's terms alone, never more.
    await dir.grant(db, lab, labDoors, tokyo);
    expect((await dir.sliceFor(db, 'lab')).find((p) => p.name === 'Ada')?.schedule?.windows).toHaveLength(1);
    // Any rule without a schedule: any time.
    await dir.grant(db, lab, labDoors, null);
    expect((await dir.sliceFor(db, 'lab')).map((p) => p.schedule)).toEqual([null, null]);
    await dir.removeMember(db, lab, bob);
    expect((await dir.sliceFor(db, 'lab')).map((p) => p.name)).toEqual(['Ada']);
  });

  it('holidays: a schedule carries its closed and open dates to every door, checked as a door checks them (issue #15)', async () => {
    const carol = await dir.addPerson(db, id, { name: 'Carol' }, 0);
    const cleaners = await dir.addGroup(db, 'Cleaners');
    const frontDoors = await dir.addDoorGroup(db, 'Front doors');
    await dir.addDoor(db, frontDoors, 'front');
    await dir.addMember(db, cleaners, carol);
    const week = { timeZone: 'Europe/Paris', windows: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'] as const, start: '06:00', end: '09:00' }] };
    const early = await dir.addSchedule(db, 'Early', { ...week, windows: week.windows.map((w) => ({ ...w, days: [...w.days] })) });
    await dir.grant(db, cleaners, frontDoors, early);

    await dir.addHoliday(db, early, { date: '2026-12-25', kind: 'closed', note: ' Christmas ' });
    await dir.addHoliday(db, early, { date: '2026-12-27', kind: 'open', spans: [{ start: '10:00', end: '14:00' }] });
    await dir.addHoliday(db, early, { date: '2026-12-28', kind: 'open' });
    const carolAt = async () => (await dir.sliceFor(db, 'front')).find((p) => p.name === 'Carol')?.schedule;
    expect((await carolAt())?.exceptions).toEqual([
      { date: '2026-12-25', kind: 'closed', note: 'Christmas' },
      { date: '2026-12-27', kind: 'open', spans: [{ start: '10:00', end: '14:00' }] },
      { date: '2026-12-28', kind: 'open' },
    ]);
    // The same date again replaces it; removing a date returns it to the weekly windows.
    await dir.addHoliday(db, early, { date: '2026-12-28', kind: 'closed' });
    expect(await dir.removeHoliday(db, early, '2026-12-27')).toBe(true);
    expect(await dir.removeHoliday(db, early, '2026-12-27')).toBe(false);
    expect((await carolAt())?.exceptions?.map((e) => [e.date, e.kind])).toEqual([['2026-12-25', 'closed'], ['2026-12-28', 'closed']]);

    // What a door would refuse from the wire, the hub refuses, and keeps nothing of it.
    for (const [bad, problem] of [
      [{ date: '2026-02-30', kind: 'closed' }, 'date must be a calendar date YYYY-MM-DD'],
      [{ date: '2026-12-31', kind: 'half' }, 'kind must be closed or open'],
      [{ date: '2026-12-31', kind: 'open', spans: [{ start: '25:00', end: '26:00' }] }, 'span times must be HH:MM (start before 24:00)'],
      [{ date: '2026-12-31', kind: 'closed', note: 'x'.repeat(81) }, 'note must be 1 to 80 printable characters'],
      [{ date: '2026-12-31', kind: 'closed', note: 'bell\u0007' }, 'note must be 1 to 80 printable characters'],
      [{ date: '2026-12-31', kind: 'closed', sneaky: true }, 'must be { date, kind, spans?, note? }'],
    ] as const)
      await expect(dir.addHoliday(db, early, bad as unknown as ScheduleException), problem).rejects.toThrow(problem);
    await expect(dir.addHoliday(db, 'schedule-nope', { date: '2026-12-31', kind: 'closed' })).rejects.toThrow('no such schedule');
    expect((await carolAt())?.exceptions).toHaveLength(2);

    // Two schedules with different holidays are not merged (that could open a closed date): the first alone.
    const late = await dir.addSchedule(db, 'Late', { timeZone: 'Europe/Paris', windows: [{ days: ['sat'], start: '18:00', end: '20:00' }] });
    const nightShift = await dir.addGroup(db, 'Night shift');
    await dir.addMember(db, nightShift, carol);
    await dir.grant(db, nightShift, frontDoors, late);
    expect(await carolAt()).toEqual({ timeZone: 'Europe/Paris', windows: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '06:00', end: '09:00' }], exceptions: [{ date: '2026-12-25', kind: 'closed', note: 'Christmas' }, { date: '2026-12-28', kind: 'closed' }] });
    // The same holidays on both: one schedule with both windows and those holidays.
    await dir.addHoliday(db, late, { date: '2026-12-25', kind: 'closed', note: 'Christmas' });
    await dir.addHoliday(db, late, { date: '2026-12-28', kind: 'closed' });
    expect((await carolAt())?.windows).toHaveLength(2);
    expect((await carolAt())?.exceptions).toHaveLength(2);
  });
});
