import { pinProblem, scheduleProblems } from '../src/access/index.ts';
import type { Role, Schedule, ScheduleException, TimeSpan } from '../src/access/types.ts';
import { canonicalJson } from '../src/remote/canonical.ts';
import { checkWireSchedule, MAX_SCHEDULE_EXCEPTIONS } from '../src/remote/command.ts';
import type { Sql } from './db/db.ts';
import { sealSecret, type HubIdentity } from './identity.ts';

/**
 * The site's directory: people, the groups they are in, door groups, schedules (with their holiday
 * exceptions), and which group
 * may use which door group when. Every write checks its input as a panel would (a PIN the pad
 * accepts, a schedule the access layer reads as granting something) so the hub never holds a
 * change the doors will refuse. What each door should then hold is `sliceFor(panel)`.
 */
export class DirectoryError extends Error {}

const ROLES: readonly Role[] = ['resident', 'employee', 'guest', 'service'];
const name = (v: string, what: string): string => {
  const t = v.trim();
  if (t.length === 0 || t.length > 80) throw new DirectoryError(`${what} must be 1 to 80 characters`);
  return t;
};
const newId = (prefix: string) => `${prefix}-${crypto.randomUUID()}`;

async function unique<T>(run: () => Promise<T>, what: string): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (/duplicate key|unique/i.test(String(err))) throw new DirectoryError(`${what} already exists`);
    throw err;
  }
}

export interface NewPerson {
  readonly name: string;
  readonly role?: Role;
  readonly pin?: string;
}

export async function addPerson(db: Sql, id: HubIdentity, p: NewPerson, now: number): Promise<string> {
  const role = p.role ?? 'employee';
  if (!ROLES.includes(role)) throw new DirectoryError(`unknown role ${role}`);
  if (p.pin !== undefined) {
    const problem = pinProblem(p.pin);
    if (problem) throw new DirectoryError(problem);
  }
  const personId = newId('person');
  const sealed = p.pin !== undefined ? await sealSecret(id, personId, p.pin) : null;
  await unique(() => db.query('INSERT INTO people (person_id, name, role, active, pin_sealed, created_at) VALUES ($1, $2, $3, true, $4, $5)', [personId, name(p.name, 'a name'), role, sealed, now]), `a person named ${p.name.trim()}`);
  return personId;
}

/** Suspend (false) or restore (true) at every door at once. */
export async function setActive(db: Sql, personId: string, active: boolean): Promise<void> {
  const r = await db.query('UPDATE people SET active = $2 WHERE person_id = $1 RETURNING person_id', [personId, active]);
  if (r.length === 0) throw new DirectoryError('no such person');
}

export async function removePerson(db: Sql, personId: string): Promise<void> {
  await db.query('DELETE FROM people WHERE person_id = $1', [personId]);
}

export async function addGroup(db: Sql, groupName: string): Promise<string> {
  const groupId = newId('group');
  await unique(() => db.query('INSERT INTO person_groups (group_id, name) VALUES ($1, $2)', [groupId, name(groupName, 'a group name')]), `a group named ${groupName}`);
  return groupId;
}

export async function addMember(db: Sql, groupId: string, personId: string): Promise<void> {
  await db.query('INSERT INTO group_members (group_id, person_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [groupId, personId]);
}

export async function removeMember(db: Sql, groupId: string, personId: string): Promise<void> {
  await db.query('DELETE FROM group_members WHERE group_id = $1 AND person_id = $2', [groupId, personId]);
}

export async function addDoorGroup(db: Sql, groupName: string): Promise<string> {
  const id = newId('doors');
  await unique(() => db.query('INSERT INTO door_groups (door_group_id, name) VALUES ($1, $2)', [id, name(groupName, 'a door group name')]), `a door group named ${groupName}`);
  return id;
}

export async function addDoor(db: Sql, doorGroupId: string, panelId: string): Promise<void> {
  await db.query('INSERT INTO door_group_doors (door_group_id, panel_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [doorGroupId, panelId]);
}

/** A zone and up to seven weekly windows, as a panel takes them; holidays are added with addHoliday. */
export async function addSchedule(db: Sql, scheduleName: string, schedule: Schedule): Promise<string> {
  const clean: Schedule = { timeZone: schedule.timeZone, windows: schedule.windows.map((w) => ({ days: [...w.days], start: w.start, end: w.end })) };
  if (clean.windows.length === 0 || clean.windows.length > 7) throw new DirectoryError('a schedule has 1 to 7 weekly windows');
  const problems = scheduleProblems(clean);
  if (problems.length > 0) throw new DirectoryError(problems.join('; '));
  const id = newId('schedule');
  await unique(() => db.query('INSERT INTO schedules (schedule_id, name, schedule) VALUES ($1, $2, $3)', [id, name(scheduleName, 'a schedule name'), JSON.stringify(clean)]), `a schedule named ${scheduleName}`);
  return id;
}

/**
 * A holiday on a schedule: the date closed all day, or (`kind: 'open'`) open on its own spans
 * (all day without) in place of the weekly windows. Checked as a door checks it from the wire
 * (src/remote/command.ts checkWireSchedule), with the schedule's other holidays; the same date
 * again replaces the one before.
 */
export async function addHoliday(db: Sql, scheduleId: string, exception: ScheduleException): Promise<void> {
  const [row] = await db.query<{ schedule: Schedule }>('SELECT schedule FROM schedules WHERE schedule_id = $1', [scheduleId]);
  if (!row) throw new DirectoryError('no such schedule');
  const others = (await holidaysOf(db, [scheduleId])).get(scheduleId)?.filter((e) => e.date !== exception.date) ?? [];
  if (others.length >= MAX_SCHEDULE_EXCEPTIONS) throw new DirectoryError(`a schedule has at most ${MAX_SCHEDULE_EXCEPTIONS} holidays`);
  const checked = checkWireSchedule({ ...row.schedule, exceptions: [...others, exception] });
  if (!checked.ok) throw new DirectoryError(checked.problem.replace(/^exception \d+: /, ''));
  const clean = checked.schedule.exceptions!.at(-1)!;
  await db.query(
    'INSERT INTO schedule_exceptions (schedule_id, date, kind, spans, note) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (schedule_id, date) DO UPDATE SET kind = EXCLUDED.kind, spans = EXCLUDED.spans, note = EXCLUDED.note',
    [scheduleId, clean.date, clean.kind, clean.kind === 'open' && clean.spans ? JSON.stringify(clean.spans) : null, clean.note ?? null],
  );
}

/** The date back to the weekly windows; false when the schedule had no holiday on it. */
export async function removeHoliday(db: Sql, scheduleId: string, date: string): Promise<boolean> {
  const r = await db.query('DELETE FROM schedule_exceptions WHERE schedule_id = $1 AND date = $2 RETURNING date', [scheduleId, date]);
  return r.length > 0;
}

/** Each schedule's holidays, by date. */
async function holidaysOf(db: Sql, scheduleIds: readonly string[]): Promise<Map<string, ScheduleException[]>> {
  const out = new Map<string, ScheduleException[]>();
  if (scheduleIds.length === 0) return out;
  const params = scheduleIds.map((_, i) => `$${i + 1}`).join(', ');
  const rows = await db.query<Record<string, unknown>>(`SELECT schedule_id, date, kind, spans, note FROM schedule_exceptions WHERE schedule_id IN (${params}) ORDER BY schedule_id, date`, [...scheduleIds]);
  for (const r of rows) {
    const note = r.note === null ? {} : { note: String(r.note) };
    const e: ScheduleException = r.kind === 'closed' ? { date: String(r.date), kind: 'closed', ...note } : { date: String(r.date), kind: 'open', ...(r.spans === null ? {} : { spans: r.spans as TimeSpan[] }), ...note };
    const list = out.get(String(r.schedule_id)) ?? [];
    list.push(e);
    out.set(String(r.schedule_id), list);
  }
  return out;
}

/** The group may use the door group: always (`scheduleId` null) or within that schedule. */
export async function grant(db: Sql, groupId: string, doorGroupId: string, scheduleId: string | null): Promise<void> {
  await db.query('INSERT INTO access_rules (group_id, door_group_id, schedule_id) VALUES ($1, $2, $3) ON CONFLICT (group_id, door_group_id) DO UPDATE SET schedule_id = EXCLUDED.schedule_id', [groupId, doorGroupId, scheduleId]);
}

export async function revokeGrant(db: Sql, groupId: string, doorGroupId: string): Promise<void> {
  await db.query('DELETE FROM access_rules WHERE group_id = $1 AND door_group_id = $2', [groupId, doorGroupId]);
}

/** One person as one door should hold them. */
export interface SlicePerson {
  readonly personId: string;
  readonly name: string;
  readonly role: Role;
  readonly active: boolean;
  readonly schedule: Schedule | null;
  readonly pinSealed: string | null;
}

/**
 * Who this door should know, and on what terms: everyone in a group that may use a door group
 * the door is in, and nobody else. Several rules for one person at one door: any without a
 * schedule means any time; otherwise their windows together, where they share a zone and the same
 * holidays and fit in the seven a panel takes; where they do not, the first rule's alone (never
 * more than was given). Each schedule goes with its holidays.
 */
export async function sliceFor(db: Sql, panelId: string): Promise<SlicePerson[]> {
  const rows = await db.query<Record<string, unknown>>(
    `SELECT p.person_id, p.name, p.role, p.active, p.pin_sealed, r.schedule_id, s.schedule
       FROM people p
       JOIN group_members gm ON gm.person_id = p.person_id
       JOIN access_rules r ON r.group_id = gm.group_id
       JOIN door_group_doors d ON d.door_group_id = r.door_group_id
       LEFT JOIN schedules s ON s.schedule_id = r.schedule_id
      WHERE d.panel_id = $1
      ORDER BY p.person_id, s.name NULLS FIRST`,
    [panelId],
  );
  const holidays = await holidaysOf(db, [...new Set(rows.filter((r) => r.schedule_id !== null).map((r) => String(r.schedule_id)))]);
  const withHolidays = (scheduleId: string, s: Schedule): Schedule => {
    const exceptions = holidays.get(scheduleId);
    return exceptions ? { ...s, exceptions } : s;
  };
  const byPerson = new Map<string, { p: Omit<SlicePerson, 'schedule'>; schedules: (Schedule | null)[] }>();
  for (const r of rows) {
    const id = String(r.person_id);
    const entry = byPerson.get(id) ?? { p: { personId: id, name: String(r.name), role: r.role as Role, active: r.active === true, pinSealed: r.pin_sealed === null ? null : String(r.pin_sealed) }, schedules: [] };
    entry.schedules.push(r.schedule_id === null ? null : withHolidays(String(r.schedule_id), r.schedule as Schedule));
    byPerson.set(id, entry);
  }
  return [...byPerson.values()].map(({ p, schedules }) => ({ ...p, schedule: combine(schedules) }));
}

function combine(schedules: readonly (Schedule | null)[]): Schedule | null {
  if (schedules.some((s) => s === null)) return null;
  const [first, ...rest] = schedules as Schedule[];
  if (!first) return null;
  const windows = [...first.windows];
  for (const s of rest) {
    if (s.timeZone !== first.timeZone || canonicalJson(s.exceptions ?? []) !== canonicalJson(first.exceptions ?? []) || windows.length + s.windows.length > 7) return first;
    for (const w of s.windows) if (!windows.some((x) => canonicalJson(x) === canonicalJson(w))) windows.push(w);
  }
  return { timeZone: first.timeZone, windows, ...(first.exceptions ? { exceptions: first.exceptions } : {}) };
}

export interface PersonView {
  readonly personId: string;
  readonly name: string;
  readonly role: Role;
  readonly active: boolean;
  readonly groups: readonly string[];
}

export async function listPeople(db: Sql): Promise<PersonView[]> {
  const rows = await db.query<Record<string, unknown>>(
    `SELECT p.person_id, p.name, p.role, p.active, coalesce(array_agg(g.name ORDER BY g.name) FILTER (WHERE g.name IS NOT NULL), '{}') AS groups
       FROM people p LEFT JOIN group_members gm ON gm.person_id = p.person_id LEFT JOIN person_groups g ON g.group_id = gm.group_id
      GROUP BY p.person_id ORDER BY p.name`,
  );
  return rows.map((r) => ({ personId: String(r.person_id), name: String(r.name), role: r.role as Role, active: r.active === true, groups: (r.groups as string[]) ?? [] }));
}
