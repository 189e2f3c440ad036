import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import type { Role, Schedule, ScheduleException } from '../src/access/types.ts';
import * as dir from './directory.ts';
import { DirectoryError } from './directory.ts';
import type { Hub } from './hub.ts';
import { attendance, attendanceCsv, logCsv, queryLog } from './log.ts';
import { PushInputError } from './push.ts';

/**
 * The hub's admin API, on loopback only, behind a bearer token kept in the state folder (0600):
 * what the `npm run hub -- <command>` CLI talks to, since the embedded database belongs to the
 * running hub alone. Bodies are small JSON, checked field by field; a bad one gets a 400 and
 * changes nothing.
 */
const MAX_BODY = 64 * 1024;

class BadRequest extends Error {}

const str = (o: Record<string, unknown>, k: string, max = 200): string => {
  const v = o[k];
  if (typeof v !== 'string' || v.length === 0 || v.length > max) throw new BadRequest(`${k}: a string of 1 to ${max} characters`);
  return v;
};
const optStr = (o: Record<string, unknown>, k: string): string | undefined => (o[k] === undefined ? undefined : str(o, k));
const num = (v: string | null, fallback: number): number => {
  if (v === null) return fallback;
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new BadRequest(`not a time in ms: ${v}`);
  return n;
};

async function body(req: IncomingMessage): Promise<Record<string, unknown>> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > MAX_BODY) throw new BadRequest('body too large');
    chunks.push(c);
  }
  if (size === 0) return {};
  let v: unknown;
  try {
    v = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new BadRequest('body is not JSON');
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new BadRequest('body must be a JSON object');
  return v as Record<string, unknown>;
}

export function startApi(hub: Hub, token: string, port: number, host = '127.0.0.1'): Promise<Server> {
  const expected = Buffer.from(`Bearer ${token}`);
  const server = createServer((req, res) => void handle(hub, expected, req, res));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

async function handle(hub: Hub, expected: Buffer, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const send = (status: number, value: unknown, type = 'application/json') => {
    res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
    res.end(type === 'application/json' ? JSON.stringify(value) : String(value));
  };
  const given = Buffer.from(req.headers.authorization ?? '');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return send(401, { error: 'unauthorised' });
  const url = new URL(req.url ?? '/', 'http://hub');
  const route = `${req.method} ${url.pathname}`;
  const q = url.searchParams;
  const { db, identity } = hub;
  try {
    let m: RegExpMatchArray | null;
    switch (true) {
      case route === 'GET /api/panels':
        return send(200, hub.links.panels.map((p) => ({ panelId: p.panelId, name: p.name, role: p.role, online: hub.links.online(p.panelId) })));
      case route === 'POST /api/panels': {
        const b = await body(req);
        const r = await hub.pair(str(b, 'code', 2048), str(b, 'name', 80));
        return r.ok ? send(201, { panelId: r.panel.panelId, role: r.panel.role }) : send(409, { error: r.reason });
      }
      case route === 'GET /api/people':
        return send(200, await dir.listPeople(db));
      case route === 'POST /api/people': {
        const b = await body(req);
        const pin = optStr(b, 'pin');
        const personId = await dir.addPerson(db, identity, { name: str(b, 'name', 80), ...(b.role ? { role: str(b, 'role') as Role } : {}), ...(pin ? { pin } : {}) }, Date.now());
        return send(201, { personId, propagated: await hub.propagate() });
      }
      case (m = route.match(/^POST \/api\/people\/([\w-]+)\/(suspend|restore)$/)) !== null:
        await dir.setActive(db, m![1]!, m![2] === 'restore');
        return send(200, { propagated: await hub.propagate() });
      case (m = route.match(/^DELETE \/api\/people\/([\w-]+)$/)) !== null:
        await dir.removePerson(db, m![1]!);
        return send(200, { propagated: await hub.propagate() });
      case route === 'POST /api/groups':
        return send(201, { groupId: await dir.addGroup(db, str(await body(req), 'name', 80)) });
      case (m = route.match(/^POST \/api\/groups\/([\w-]+)\/members$/)) !== null:
        await dir.addMember(db, m![1]!, str(await body(req), 'personId'));
        return send(200, { propagated: await hub.propagate() });
      case route === 'POST /api/door-groups':
        return send(201, { doorGroupId: await dir.addDoorGroup(db, str(await body(req), 'name', 80)) });
      case (m = route.match(/^POST \/api\/door-groups\/([\w-]+)\/doors$/)) !== null:
        await dir.addDoor(db, m![1]!, str(await body(req), 'panelId'));
        return send(200, { propagated: await hub.propagate() });
      case route === 'POST /api/schedules': {
        const b = await body(req);
        const s = b.schedule as Schedule | undefined;
        if (!s || typeof s !== 'object' || typeof s.timeZone !== 'string' || !Array.isArray(s.windows)) throw new BadRequest('schedule: { timeZone, windows: [{ days, start, end }] }');
        return send(201, { scheduleId: await dir.addSchedule(db, str(b, 'name', 80), s) });
      }
      case (m = route.match(/^POST \/api\/schedules\/([\w-]+)\/holidays$/)) !== null: {
        // Checked field by field in addHoliday, as a door checks a schedule from the wire.
        await dir.addHoliday(db, m![1]!, (await body(req)) as unknown as ScheduleException);
        return send(200, { propagated: await hub.propagate() });
      }
      case (m = route.match(/^DELETE \/api\/schedules\/([\w-]+)\/holidays\/(\d{4}-\d{2}-\d{2})$/)) !== null:
        if (!(await dir.removeHoliday(db, m![1]!, m![2]!))) return send(404, { error: 'no such holiday' });
        return send(200, { propagated: await hub.propagate() });
      case route === 'POST /api/rules': {
        const b = await body(req);
        await dir.grant(db, str(b, 'groupId'), str(b, 'doorGroupId'), optStr(b, 'scheduleId') ?? null);
        return send(200, { propagated: await hub.propagate() });
      }
      case route === 'GET /api/log':
      case route === 'GET /api/log.csv': {
        const rows = await queryLog(db, { ...(q.get('panel') ? { panelId: q.get('panel')! } : {}), ...(q.get('person') ? { personId: q.get('person')! } : {}), limit: num(q.get('limit'), 500) });
        return route.endsWith('.csv') ? send(200, logCsv(rows), 'text/csv; charset=utf-8') : send(200, rows);
      }
      case route === 'GET /api/attendance.csv': {
        const tz = q.get('tz') ?? 'UTC';
        const to = num(q.get('to'), Date.now());
        const rows = await attendance(db, num(q.get('from'), to - 7 * 86_400_000), to, tz);
        return send(200, attendanceCsv(rows, tz), 'text/csv; charset=utf-8');
      }
      case route === 'GET /api/push':
        return send(200, { publicKey: hub.push.publicKey, subscriptions: await hub.push.list() });
      case route === 'POST /api/push/subscriptions': {
        const b = await body(req);
        return send(201, { subscriptionId: await hub.push.add(b.subscription, str(b, 'label', 80)) });
      }
      case (m = route.match(/^DELETE \/api\/push\/subscriptions\/([\w-]+)$/)) !== null:
        return (await hub.push.remove(m![1]!)) ? send(200, { removed: true }) : send(404, { error: 'no such subscription' });
      case route === 'GET /api/verify':
        return send(200, await hub.verify());
      default:
        return send(404, { error: `no such endpoint: ${route}` });
    }
  } catch (err) {
    if (err instanceof BadRequest || err instanceof DirectoryError || err instanceof PushInputError) return send(400, { error: err.message });
    if (/invalid time zone|foreign key/i.test(String(err))) return send(400, { error: String(err instanceof Error ? err.message : err) });
    return send(500, { error: 'internal error' });
  }
}
