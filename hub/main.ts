import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { systemClock } from '../src/platform/clock.ts';
import { connectMqtt } from '../src/remote/link.ts';
import { startApi } from './api.ts';
import { Hub } from './hub.ts';

/**
 * `npm run hub` starts the site hub; `npm run hub -- <command>` asks the running one (its admin
 * API on loopback, with the token from its state folder). See hub/README.md.
 */
export interface Settings {
  readonly stateDir: string;
  readonly database: string | undefined;
  readonly broker: string;
  readonly brokerUser: string | undefined;
  readonly brokerPassword: string | undefined;
  readonly apiPort: number;
  readonly retentionDays: number;
  readonly pushSubject: string | undefined;
}

const STRING_OPTIONS = new Set(['state', 'database', 'broker', 'api-port', 'retention-days', 'push-subject', 'door', 'person', 'limit', 'from', 'to', 'tz', 'open', 'note']);
const BOOLEAN_OPTIONS = new Set(['csv']);

export interface CommandLine {
  readonly values: Record<string, string | boolean>;
  readonly positionals: readonly string[];
}

/**
 * The hub's own argument reading, because ids are base64url and one in 32 starts with '-': a
 * general parser (node:util parseArgs) takes `door GROUP -mcN1...` as an unknown option '-m' and
 * `--door -mcN1...` as a missing value. Here the hub has no short options, so a lone '-word' is
 * always an argument, and a known option always takes the next word as its value.
 */
export function parseCommandLine(argv: readonly string[]): CommandLine {
  const values: Record<string, string | boolean> = {};
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i] ?? '';
    if (word === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!word.startsWith('--')) {
      positionals.push(word);
      continue;
    }
    const eq = word.indexOf('=');
    const name = word.slice(2, eq < 0 ? undefined : eq);
    if (BOOLEAN_OPTIONS.has(name) && eq < 0) values[name] = true;
    else if (STRING_OPTIONS.has(name)) {
      const value = eq < 0 ? argv[++i] : word.slice(eq + 1);
      if (value === undefined) throw new Error(`--${name} needs a value`);
      values[name] = value;
    } else throw new Error(`unknown option ${word}; an argument that starts with '--' goes after a lone --, as in: -- ${word}`);
  }
  return { values, positionals };
}

export function settingsFrom(flags: Record<string, string | undefined>, env: NodeJS.ProcessEnv): Settings {
  return {
    stateDir: resolve(flags.state ?? env.HUB_STATE_DIR ?? '.cache/hub'),
    database: flags.database ?? env.HUB_DATABASE_URL ?? env.DATABASE_URL,
    broker: flags.broker ?? env.HUB_BROKER ?? 'ws://127.0.0.1:8081',
    brokerUser: env.HUB_BROKER_USERNAME,
    brokerPassword: env.HUB_BROKER_PASSWORD,
    apiPort: Number(flags['api-port'] ?? env.HUB_API_PORT ?? 8090),
    retentionDays: Number(flags['retention-days'] ?? env.HUB_RETENTION_DAYS ?? 90),
    pushSubject: flags['push-subject'] ?? env.HUB_PUSH_SUBJECT,
  };
}

function token(stateDir: string, create: boolean): string {
  const path = join(stateDir, 'admin-token');
  if (!existsSync(path)) {
    if (!create) throw new Error(`no admin token in ${stateDir}: is the hub running there?`);
    writeFileSync(path, randomBytes(24).toString('base64url'), { mode: 0o600 });
  }
  return readFileSync(path, 'utf8').trim();
}

export async function serve(s: Settings, log: (m: string) => void): Promise<() => Promise<void>> {
  const login = s.brokerUser && s.brokerPassword ? { username: s.brokerUser, password: s.brokerPassword } : null;
  const hub = await Hub.start({ stateDir: s.stateDir, ...(s.database ? { database: s.database } : {}), brokerUrl: s.broker, brokerLogin: login, connect: connectMqtt, clock: systemClock, retentionDays: s.retentionDays, ...(s.pushSubject ? { pushSubject: s.pushSubject } : {}), log });
  const api = await startApi(hub, token(s.stateDir, true), s.apiPort);
  log(`[hub] admin API on http://127.0.0.1:${s.apiPort} (token in ${join(s.stateDir, 'admin-token')}); ${hub.links.panels.length} doors paired`);
  return async () => {
    await new Promise((r) => api.close(() => r(null)));
    await hub.stop();
  };
}

/** One CLI command, as a request to the running hub. */
export async function ask(s: Settings, method: string, path: string, payload?: unknown): Promise<{ status: number; text: string }> {
  const res = await fetch(`http://127.0.0.1:${s.apiPort}${path}`, {
    method,
    headers: { authorization: `Bearer ${token(s.stateDir, false)}`, ...(payload !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(payload !== undefined ? { body: JSON.stringify(payload) } : {}),
  });
  return { status: res.status, text: await res.text() };
}

export const USAGE = `npm run hub [-- --state DIR --database URL --broker URL --api-port N]    start the hub
npm run hub -- pair "<pairing code text>" "Front door"      pair with the door showing that code
npm run hub -- doors | people | verify
npm run hub -- person "Ada Lovelace" [PIN]                   add a person (sent to the doors of their groups)
npm run hub -- suspend|restore|remove PERSON_ID
npm run hub -- group NAME | door-group NAME
npm run hub -- member GROUP_ID PERSON_ID | door DOOR_GROUP_ID PANEL_ID
npm run hub -- schedule NAME '<{"timeZone":"Europe/London","windows":[...]}>'
npm run hub -- holiday SCHEDULE_ID 2026-12-25 [--open 10:00-14:00[,15:00-17:00]|all] [--note "Christmas"]
                                                             closed that date (or open only then), at every door using it
npm run hub -- unholiday SCHEDULE_ID 2026-12-25              back to the weekly windows
npm run hub -- allow GROUP_ID DOOR_GROUP_ID [SCHEDULE_ID]
npm run hub -- log [--door PANEL_ID] [--person PERSON_ID] [--csv]
npm run hub -- attendance [--from MS] [--to MS] [--tz ZONE]   CSV, first in / last out per person per day
npm run hub -- push                                          the VAPID public key and the subscribed phones
npm run hub -- push-subscribe '<PushSubscription JSON>' LABEL  send this phone every door's alerts
npm run hub -- push-unsubscribe SUBSCRIPTION_ID`;

export function request(args: readonly string[], flags: Record<string, string | boolean | undefined>): [string, string, unknown?] | null {
  const [cmd, a, b, c] = args;
  const qs = (o: Record<string, string | boolean | undefined>) => {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(o)) if (typeof v === 'string') p.set(k, v);
    const t = p.toString();
    return t ? `?${t}` : '';
  };
  switch (cmd) {
    case 'pair':
      return a && b ? ['POST', '/api/panels', { code: a, name: b }] : null;
    case 'doors':
      return ['GET', '/api/panels'];
    case 'people':
      return ['GET', '/api/people'];
    case 'verify':
      return ['GET', '/api/verify'];
    case 'person':
      return a ? ['POST', '/api/people', { name: a, ...(b ? { pin: b } : {}) }] : null;
    case 'suspend':
    case 'restore':
      return a ? ['POST', `/api/people/${encodeURIComponent(a)}/${cmd}`] : null;
    case 'remove':
      return a ? ['DELETE', `/api/people/${encodeURIComponent(a)}`] : null;
    case 'group':
      return a ? ['POST', '/api/groups', { name: a }] : null;
    case 'door-group':
      return a ? ['POST', '/api/door-groups', { name: a }] : null;
    case 'member':
      return a && b ? ['POST', `/api/groups/${encodeURIComponent(a)}/members`, { personId: b }] : null;
    case 'door':
      return a && b ? ['POST', `/api/door-groups/${encodeURIComponent(a)}/doors`, { panelId: b }] : null;
    case 'schedule':
      return a && b ? ['POST', '/api/schedules', { name: a, schedule: JSON.parse(b) as unknown }] : null;
    case 'holiday': {
      if (!a || !b) return null;
      const open = typeof flags.open === 'string' ? flags.open : undefined;
      const spans = open === undefined || open === 'all' ? undefined : open.split(',').map((span) => {
        const [start = '', end = ''] = span.split('-');
        return { start, end };
      });
      const note = typeof flags.note === 'string' ? { note: flags.note } : {};
      return ['POST', `/api/schedules/${encodeURIComponent(a)}/holidays`, open === undefined ? { date: b, kind: 'closed', ...note } : { date: b, kind: 'open', ...(spans ? { spans } : {}), ...note }];
    }
    case 'unholiday':
      return a && b ? ['DELETE', `/api/schedules/${encodeURIComponent(a)}/holidays/${encodeURIComponent(b)}`] : null;
    case 'allow':
      return a && b ? ['POST', '/api/rules', { groupId: a, doorGroupId: b, ...(c ? { scheduleId: c } : {}) }] : null;
    case 'log':
      return ['GET', `/api/log${flags.csv ? '.csv' : ''}${qs({ panel: flags.door, person: flags.person, limit: flags.limit })}`];
    case 'attendance':
      return ['GET', `/api/attendance.csv${qs({ from: flags.from, to: flags.to, tz: flags.tz })}`];
    case 'push':
      return ['GET', '/api/push'];
    case 'push-subscribe':
      return a && b ? ['POST', '/api/push/subscriptions', { subscription: JSON.parse(a) as unknown, label: b }] : null;
    case 'push-unsubscribe':
      return a ? ['DELETE', `/api/push/subscriptions/${encodeURIComponent(a)}`] : null;
    default:
      return null;
  }
}
