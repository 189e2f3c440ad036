import { isLocalDate, parseClock, pinProblem, scheduleProblems } from '../access/index.ts';
import type { Role, Schedule, ScheduleException, TimeSpan, Weekday } from '../access/types.ts';
import type { PersonChange } from '../panel/actions.ts';
import { parseMatterReport, type MatterReport } from '../panel/matter-report.ts';
import { sameCallRelay } from '../panel/call-relay.ts';
import { checkSettingsPatch, SETTING_LABELS, weakenedBy, type PanelSettingsView, type SettingKey, type SettingsPatch } from '../panel/panel-settings.ts';
import { isEpochMs, isNonEmptyString, isSafeInt, parseJsonObject, utf8 } from './canonical.ts';
import { boxContext, parseEnvelope, PROTOCOL_VERSION, signEnvelope, verifyEnvelope, MAX_MESSAGE_BYTES, type Envelope } from './envelope.ts';
import type { PublicJwk } from './keys.ts';
import { openBox, sealBox } from './sealed.ts';

/**
 * Admin commands: what a phone may ask, who may ask it, and the check the panel runs before
 * anything changes. A command is an envelope signed by the admin's ECDSA key; its body is
 * encrypted to the panel (names, PINs and photos are personal data the broker must not see).
 */
export type AdminRole = 'owner' | 'manager' | 'bridge';
export const ADMIN_ROLES: readonly AdminRole[] = ['owner', 'manager', 'bridge'];
export const isAdminRole = (v: unknown): v is AdminRole => typeof v === 'string' && (ADMIN_ROLES as readonly string[]).includes(v);

export type CommandBody =
  | { readonly op: 'state.get' }
  | { readonly op: 'people.list' }
  | { readonly op: 'person.add'; readonly name: string; readonly role: Role; readonly pin?: string }
  | { readonly op: 'person.setActive'; readonly personId: string; readonly active: boolean }
  | { readonly op: 'person.remove'; readonly personId: string }
  /** Only the fields present change; `pin: null` clears the PIN (and its duress PIN), `schedule: null` gives the role's default. */
  | ({ readonly op: 'person.update'; readonly personId: string } & PersonChange)
  | { readonly op: 'person.enrolPhoto'; readonly personId: string; readonly jpeg: string }
  /** The person's face thumbnail (kept sealed on the panel), sealed to the asking admin like every reply. */
  | { readonly op: 'person.thumbnail'; readonly personId: string }
  | { readonly op: 'guestKey.issue'; readonly name: string; readonly notBefore: number; readonly expires: number; readonly maxUses: number | null; readonly selfEnrol: boolean }
  | { readonly op: 'guestKey.revoke'; readonly keyId: string }
  | { readonly op: 'guestKey.list' }
  /** An issued key's token signed again by the panel (no token is stored), to show, share or print once more. */
  | { readonly op: 'guestKey.show'; readonly keyId: string }
  | { readonly op: 'door.unlock' }
  /** An unlock that needs a PIN, checked by the panel as at its PIN pad (same people, same back-off). */
  | { readonly op: 'door.unlockPin'; readonly pin: string }
  | { readonly op: 'door.lock' }
  /** The Matter bridge's QR payload, manual code and fabrics, for the admin area; the reply names fabrics to leave. */
  | { readonly op: 'bridge.report'; readonly matter: MatterReport }
  | { readonly op: 'log.recent'; readonly limit: number }
  | { readonly op: 'snapshot.get'; readonly snapshotId: string }
  | { readonly op: 'admins.list' }
  | { readonly op: 'admin.unpair'; readonly adminId: string }
  | { readonly op: 'pairing.create'; readonly role: AdminRole }
  | { readonly op: 'settings.get' }
  | { readonly op: 'settings.set'; readonly patch: SettingsPatch }
  /** A doorbell call: the phone's complete (non-trickle) WebRTC offer; the reply is the panel's answer. */
  | { readonly op: 'call.start'; readonly sdp: string; readonly mode: CallMode }
  | { readonly op: 'call.end' }
  /** "I can't come": the ring stops on every phone and the panel logs who declined. */
  | { readonly op: 'call.decline' };

/** 'answer': two-way audio with the visitor; 'view': a live look, announced on the kiosk. */
export type CallMode = 'answer' | 'view';
export const MAX_SDP_CHARS = 20_000;

export type Op = CommandBody['op'];
export type CommandOf<K extends Op> = Extract<CommandBody, { op: K }>;

/** Managers run the door and its people; only owners decide who else holds a key to the panel. */
const OWNER_ONLY: ReadonlySet<Op> = new Set<Op>(['admin.unpair', 'pairing.create']);
// A bridge never reaches calls: BRIDGE_OPS leaves them out, so a voice assistant cannot open the camera.
/**
 * A bridge (the Matter bridge, matter-bridge/) speaks for every controller on its fabrics, voice
 * assistants included, so it holds the least: lock, unlock with a PIN the panel checks, and the
 * people and PINs a lock's user list manages. No settings, photos, snapshots, guest keys, admins,
 * and no unlock without a PIN; erasing a person enrolled by face is refused in runCommand.
 */
export const BRIDGE_OPS: ReadonlySet<Op> = new Set<Op>(['state.get', 'log.recent', 'people.list', 'person.add', 'person.update', 'person.setActive', 'person.remove', 'door.lock', 'door.unlockPin', 'bridge.report']);
export function mayRun(role: AdminRole, op: Op): boolean {
  if (role === 'bridge') return BRIDGE_OPS.has(op);
  // Only a bridge has a Matter commissioning to report.
  if (op === 'bridge.report') return false;
  return role === 'owner' || !OWNER_ONLY.has(op);
}

/**
 * Settings are finer than ops: both roles may read them and tighten any of them, and change the
 * operational ones (unlock time, quiet hours) either way; only an owner may weaken a
 * security-critical one (lower a face or liveness threshold, shorten what the log keeps), so a
 * manager's phone, lost or misused, cannot make the door easier to fool or erase the record of
 * what it did. The call relay is the owner's alone: whoever runs it learns who calls the door
 * and when. Returns the settings refused to this role; empty when the change may run.
 */
export function settingsRefusedTo(role: AdminRole, current: PanelSettingsView, patch: SettingsPatch): SettingKey[] {
  if (role === 'owner') return [];
  const relayChanged = patch.callRelay !== undefined && !sameCallRelay(patch.callRelay, current.callRelay);
  return [...weakenedBy(current, patch), ...(relayChanged ? (['callRelay'] as const) : [])];
}

export function refusedSettingsText(keys: readonly SettingKey[]): string {
  const lowered = keys.filter((k) => k !== 'callRelay');
  const what = [...(lowered.length > 0 ? [`lower the ${lowered.map((k) => SETTING_LABELS[k]).join(', ')}`] : []), ...(keys.includes('callRelay') ? [`change the ${SETTING_LABELS.callRelay}`] : [])];
  return `only an owner may ${what.join(' or ')}`;
}

/** Freshness: clocks may disagree by this much; a command may live at most MAX_TTL_MS. */
export const MAX_SKEW_MS = 2 * 60_000;
export const MAX_TTL_MS = 5 * 60_000;
export const DEFAULT_TTL_MS = 60_000;
const PERSON_ROLES: readonly Role[] = ['resident', 'employee', 'guest', 'service'];

/** Why verifyCommand refuses a command (replies.ts `Refusal` is every reason a reply can give). */
export type CommandRefusal =
  | 'malformed'
  | 'unsupportedVersion'
  | 'wrongPanel'
  | 'unpaired'
  | 'badSignature'
  | 'notYetValid'
  | 'expired'
  | 'stale'
  | 'replayed'
  | 'undecryptable'
  | 'forbidden'
  | 'retained'
  | 'topicMismatch'
  | 'rateLimited';

export interface TrustedAdmin {
  readonly role: AdminRole;
  readonly verifyKey: CryptoKey;
}

export interface PanelKeysForVerify {
  readonly panelId: string;
  readonly ecdhPrivate: CryptoKey;
}

export type VerifyResult =
  | { readonly ok: true; readonly adminId: string; readonly role: AdminRole; readonly counter: number; readonly body: CommandBody }
  | {
      readonly ok: false;
      readonly reason: CommandRefusal;
      /** The claimed signer; `authentic` says whether its signature held, so the log can tell. */
      readonly adminId: string | null;
      readonly authentic: boolean;
      /** Set once the signature and counter held: store it, so the same command cannot run later. */
      readonly consumeCounter: number | null;
      readonly op: Op | null;
      /** Why a malformed body was refused, where the parser can say (a schedule's problem). */
      readonly problem?: string;
    };

/**
 * The panel's whole check, in an order that never lets unsigned bytes influence state: shape,
 * addressee, signer known, signature, counter, freshness, then (only now) decrypt and parse the
 * body, then the signer's role. Pure apart from WebCrypto: the caller persists the counter.
 */
export async function verifyCommand(
  msg: Uint8Array | string,
  pairedAdmins: ReadonlyMap<string, TrustedAdmin>,
  lastCounters: ReadonlyMap<string, number>,
  now: number,
  panel: PanelKeysForVerify,
): Promise<VerifyResult> {
  const refuse = (reason: CommandRefusal, adminId: string | null = null, authentic = false, consumeCounter: number | null = null, op: Op | null = null): VerifyResult => ({ ok: false, reason, adminId, authentic, consumeCounter, op });

  const parsed = parseEnvelope(msg);
  if (!parsed.ok) return refuse(parsed.reason);
  const env = parsed.env;
  const box = env.box;
  if (env.t !== 'cmd' || !box) return refuse('malformed', env.from);
  if (env.to !== panel.panelId) return refuse('wrongPanel', env.from);
  const admin = pairedAdmins.get(env.from);
  if (!admin) return refuse('unpaired', env.from);
  if (!(await verifyEnvelope(env, admin.verifyKey))) return refuse('badSignature', env.from);

  if (!(env.seq > (lastCounters.get(env.from) ?? 0))) return refuse('replayed', env.from, true);
  if (env.iat > now + MAX_SKEW_MS) return refuse('notYetValid', env.from, true);
  if (!(env.exp > now)) return refuse('expired', env.from, true, env.seq);
  if (env.exp - env.iat > MAX_TTL_MS || env.exp < env.iat || env.iat < now - MAX_TTL_MS - MAX_SKEW_MS) return refuse('stale', env.from, true, env.seq);

  const plain = await openBox(box, panel.panelId, panel.ecdhPrivate, boxContext('cmd', env.from, env.to));
  if (!plain) return refuse('undecryptable', env.from, true, env.seq);
  const obj = parseJsonObject(plain, MAX_MESSAGE_BYTES);
  const body = parseCommandBody(obj);
  if (!body) {
    const problem = malformedProblem(obj);
    return { ...refuse('malformed', env.from, true, env.seq), ...(problem ? { problem } : {}) };
  }
  if (!mayRun(admin.role, body.op)) return refuse('forbidden', env.from, true, env.seq, body.op);
  // A bridge speaks for voice assistants and lock apps, which edit weekly and year-day schedules, not holidays.
  if (admin.role === 'bridge' && body.op === 'person.update' && body.schedule?.exceptions) return refuse('forbidden', env.from, true, env.seq, body.op);
  return { ok: true, adminId: env.from, role: admin.role, counter: env.seq, body };
}

export interface SignCommandOptions {
  readonly panelId: string;
  readonly panelEcdh: PublicJwk;
  readonly adminId: string;
  readonly signingKey: CryptoKey;
  readonly counter: number;
  readonly now: number;
  readonly ttlMs?: number;
}

export async function signCommand(body: CommandBody, o: SignCommandOptions): Promise<Envelope> {
  const box = await sealBox(utf8(JSON.stringify(body)), [{ kid: o.panelId, ecdh: o.panelEcdh }], boxContext('cmd', o.adminId, o.panelId));
  const ttl = Math.min(MAX_TTL_MS, o.ttlMs ?? DEFAULT_TTL_MS);
  return signEnvelope({ v: PROTOCOL_VERSION, t: 'cmd', from: o.adminId, to: o.panelId, seq: o.counter, iat: o.now, exp: o.now + ttl, box }, o.signingKey);
}

/**
 * A counter that only grows, even if the phone's stored value is lost: the clock in ms, or one
 * more than the last one used, whichever is larger.
 */
export function nextCounter(last: number, now: number): number {
  const next = Math.max(last + 1, Math.floor(now));
  if (!Number.isSafeInteger(next)) throw new Error('command counter exhausted');
  return next;
}

const id = (v: unknown): v is string => isNonEmptyString(v, 128);
const text = (v: unknown, max: number): v is string => typeof v === 'string' && v.trim().length > 0 && v.length <= max;
const isRole = (v: unknown): v is Role => typeof v === 'string' && (PERSON_ROLES as readonly string[]).includes(v);
const WEEKDAYS: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const onlyKeys = (o: Record<string, unknown>, allowed: readonly string[]) => Object.keys(o).every((k) => allowed.includes(k));
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Holiday exceptions a schedule may carry: a year of dated closures and openings, with room to spare. */
export const MAX_SCHEDULE_EXCEPTIONS = 400;
export const MAX_EXCEPTION_SPANS = 4;
export const MAX_EXCEPTION_NOTE = 80;
// Printable: no control, format (bidi overrides), surrogate, private-use or unassigned characters.
const PRINTABLE_NOTE = /^[^\p{C}]+$/u;

export type WireSchedule = { readonly ok: true; readonly schedule: Schedule } | { readonly ok: false; readonly problem: string };

function wireException(e: unknown, i: number): { ok: true; exception: ScheduleException } | { ok: false; problem: string } {
  const bad = (problem: string) => ({ ok: false as const, problem: `exception ${i}: ${problem}` });
  if (!isObject(e) || !onlyKeys(e, ['date', 'kind', 'spans', 'note'])) return bad('must be { date, kind, spans?, note? }');
  if (typeof e.date !== 'string' || !isLocalDate(e.date)) return bad('date must be a calendar date YYYY-MM-DD');
  let note: string | undefined;
  if (e.note !== undefined) {
    if (typeof e.note !== 'string' || e.note.trim().length === 0 || [...e.note].length > MAX_EXCEPTION_NOTE || !PRINTABLE_NOTE.test(e.note)) return bad(`note must be 1 to ${MAX_EXCEPTION_NOTE} printable characters`);
    note = e.note.trim();
  }
  if (e.kind === 'closed') {
    if (e.spans !== undefined) return bad('a closed date has no spans');
    return { ok: true, exception: { date: e.date, kind: 'closed', ...(note !== undefined ? { note } : {}) } };
  }
  if (e.kind !== 'open') return bad('kind must be closed or open');
  if (e.spans === undefined) return { ok: true, exception: { date: e.date, kind: 'open', ...(note !== undefined ? { note } : {}) } };
  if (!Array.isArray(e.spans) || e.spans.length === 0 || e.spans.length > MAX_EXCEPTION_SPANS) return bad(`spans must be 1 to ${MAX_EXCEPTION_SPANS} { start, end }`);
  const spans: TimeSpan[] = [];
  for (const s of e.spans as unknown[]) {
    if (!isObject(s) || !onlyKeys(s, ['start', 'end']) || typeof s.start !== 'string' || typeof s.end !== 'string') return bad('a span must be { start, end }');
    const start = parseClock(s.start);
    if (start === null || start === 24 * 60 || parseClock(s.end) === null) return bad('span times must be HH:MM (start before 24:00)');
    spans.push({ start: s.start, end: s.end });
  }
  return { ok: true, exception: { date: e.date, kind: 'open', spans, ...(note !== undefined ? { note } : {}) } };
}

/**
 * A schedule from the wire: the shape the admin editors make (a zone, weekly windows and holiday
 * exceptions), each field typed, then the access layer's own check (zone known, times
 * well-formed), so the panel never stores a schedule it would read as "grants nothing". Date
 * ranges come from the Matter bridge (year-day schedules); exceptions from an owner's or
 * manager's phone or the site hub (verifyCommand refuses them from a bridge). The problem says
 * what was refused; nothing of a refused schedule is kept.
 */
export function checkWireSchedule(v: unknown): WireSchedule {
  const bad = (problem: string): WireSchedule => ({ ok: false, problem });
  if (!isObject(v) || !onlyKeys(v, ['timeZone', 'windows', 'ranges', 'exceptions'])) return bad('a schedule is { timeZone, windows, ranges?, exceptions? }');
  if (!isNonEmptyString(v.timeZone, 64)) return bad('timeZone must be an IANA zone name');
  if (!Array.isArray(v.windows) || v.windows.length === 0 || v.windows.length > 7) return bad('a schedule has 1 to 7 weekly windows');
  const windows: Schedule['windows'][number][] = [];
  for (const w of v.windows as unknown[]) {
    if (!isObject(w) || !onlyKeys(w, ['days', 'start', 'end']) || !Array.isArray(w.days) || typeof w.start !== 'string' || typeof w.end !== 'string') return bad('a window must be { days, start, end }');
    const days = w.days as unknown[];
    if (days.length === 0 || days.length > 7 || new Set(days).size !== days.length || !days.every((d) => (WEEKDAYS as readonly unknown[]).includes(d))) return bad('window days must be distinct weekdays mon..sun');
    windows.push({ days: days as Weekday[], start: w.start, end: w.end });
  }
  const ranges: { from: string; to: string }[] = [];
  if (v.ranges !== undefined) {
    if (!Array.isArray(v.ranges) || v.ranges.length === 0 || v.ranges.length > 8) return bad('ranges must be 1 to 8 { from, to }');
    for (const r of v.ranges as unknown[]) {
      if (!isObject(r) || !onlyKeys(r, ['from', 'to']) || typeof r.from !== 'string' || typeof r.to !== 'string') return bad('a range must be { from, to }');
      ranges.push({ from: r.from, to: r.to });
    }
  }
  const exceptions: ScheduleException[] = [];
  if (v.exceptions !== undefined) {
    if (!Array.isArray(v.exceptions) || v.exceptions.length === 0 || v.exceptions.length > MAX_SCHEDULE_EXCEPTIONS) return bad(`exceptions must be 1 to ${MAX_SCHEDULE_EXCEPTIONS} dates`);
    const dates = new Set<string>();
    for (const [i, e] of (v.exceptions as unknown[]).entries()) {
      const checked = wireException(e, i);
      if (!checked.ok) return bad(checked.problem);
      if (dates.has(checked.exception.date)) return bad(`exception ${i}: ${checked.exception.date} is given twice`);
      dates.add(checked.exception.date);
      exceptions.push(checked.exception);
    }
  }
  const schedule: Schedule = { timeZone: v.timeZone, windows, ...(ranges.length > 0 ? { ranges } : {}), ...(exceptions.length > 0 ? { exceptions } : {}) };
  const problems = scheduleProblems(schedule);
  return problems.length === 0 ? { ok: true, schedule } : bad(problems.join('; '));
}

/** The sentence for a refused body where there is one: today, a person's schedule. Control characters from the wire are dropped. */
export function malformedProblem(o: Record<string, unknown> | null): string | undefined {
  if (!o || o.op !== 'person.update' || o.schedule === undefined || o.schedule === null) return undefined;
  const checked = checkWireSchedule(o.schedule);
  return checked.ok ? undefined : `schedule refused: ${checked.problem}`.replace(/\p{C}/gu, '').slice(0, 200);
}

export function parseSchedule(v: unknown): Schedule | null {
  const checked = checkWireSchedule(v);
  return checked.ok ? checked.schedule : null;
}

const PERSON_UPDATE_KEYS = ['op', 'personId', 'name', 'role', 'pin', 'duress', 'schedule'];

/** Each present field checked on its own; at least one change; a duress PIN only with a new PIN. */
function parsePersonUpdate(o: Record<string, unknown>): CommandOf<'person.update'> | null {
  if (!id(o.personId) || !onlyKeys(o, PERSON_UPDATE_KEYS)) return null;
  const change: { -readonly [K in keyof PersonChange]: PersonChange[K] } = {};
  if (o.name !== undefined) {
    if (!text(o.name, 80)) return null;
    change.name = o.name.trim();
  }
  if (o.role !== undefined) {
    if (!isRole(o.role)) return null;
    change.role = o.role;
  }
  if (o.pin !== undefined) {
    if (o.pin !== null && !(typeof o.pin === 'string' && pinProblem(o.pin) === null)) return null;
    change.pin = o.pin;
  }
  if (o.duress !== undefined) {
    if (typeof o.pin !== 'string' || typeof o.duress !== 'string' || pinProblem(o.pin, o.duress) !== null) return null;
    change.duress = o.duress;
  }
  if (o.schedule !== undefined) {
    const schedule = o.schedule === null ? null : parseSchedule(o.schedule);
    if (schedule === null && o.schedule !== null) return null;
    change.schedule = schedule;
  }
  if (Object.keys(change).length === 0) return null;
  return { op: 'person.update', personId: o.personId, ...change };
}

/** Every field checked; unknown ops and extra types are refused (null), never guessed at. */
export function parseCommandBody(o: Record<string, unknown> | null): CommandBody | null {
  if (!o || typeof o.op !== 'string') return null;
  switch (o.op) {
    case 'state.get':
    case 'people.list':
    case 'door.unlock':
    case 'door.lock':
    case 'admins.list':
    case 'settings.get':
      return { op: o.op };
    case 'settings.set': {
      if (!onlyKeys(o, ['op', 'patch'])) return null;
      const checked = checkSettingsPatch(o.patch);
      return checked.ok ? { op: o.op, patch: checked.patch } : null;
    }
    case 'person.update':
      return parsePersonUpdate(o);
    case 'person.add': {
      if (!text(o.name, 80) || typeof o.role !== 'string' || !(PERSON_ROLES as readonly string[]).includes(o.role)) return null;
      if (o.pin !== undefined && !(typeof o.pin === 'string' && pinProblem(o.pin) === null)) return null;
      return { op: 'person.add', name: o.name.trim(), role: o.role as Role, ...(o.pin !== undefined ? { pin: o.pin as string } : {}) };
    }
    case 'person.setActive':
      return id(o.personId) && typeof o.active === 'boolean' ? { op: o.op, personId: o.personId, active: o.active } : null;
    case 'person.remove':
      return id(o.personId) ? { op: o.op, personId: o.personId } : null;
    case 'person.thumbnail':
      return onlyKeys(o, ['op', 'personId']) && id(o.personId) ? { op: o.op, personId: o.personId } : null;
    case 'person.enrolPhoto':
      return id(o.personId) && typeof o.jpeg === 'string' && o.jpeg.length > 0 && o.jpeg.length <= MAX_MESSAGE_BYTES ? { op: o.op, personId: o.personId, jpeg: o.jpeg } : null;
    case 'guestKey.issue': {
      const { name, notBefore, expires, maxUses, selfEnrol } = o;
      if (!text(name, 80) || !isEpochMs(notBefore) || !isEpochMs(expires) || !(expires > notBefore) || typeof selfEnrol !== 'boolean') return null;
      if (maxUses !== null && !(isSafeInt(maxUses) && maxUses > 0)) return null;
      return { op: o.op, name: name.trim(), notBefore, expires, maxUses, selfEnrol };
    }
    case 'guestKey.revoke':
      return id(o.keyId) ? { op: o.op, keyId: o.keyId } : null;
    case 'guestKey.list':
      return onlyKeys(o, ['op']) ? { op: o.op } : null;
    case 'guestKey.show':
      return onlyKeys(o, ['op', 'keyId']) && id(o.keyId) ? { op: o.op, keyId: o.keyId } : null;
    case 'door.unlockPin':
      // The shape only: whether it is anybody's PIN is the panel's counted check, not the parser's.
      return onlyKeys(o, ['op', 'pin']) && typeof o.pin === 'string' && /^[0-9]{4,12}$/.test(o.pin) ? { op: o.op, pin: o.pin } : null;
    case 'bridge.report': {
      const matter = onlyKeys(o, ['op', 'matter']) ? parseMatterReport(o.matter) : null;
      return matter ? { op: o.op, matter } : null;
    }
    case 'log.recent':
      return isSafeInt(o.limit) && o.limit > 0 && o.limit <= 500 ? { op: o.op, limit: o.limit } : null;
    case 'snapshot.get':
      return id(o.snapshotId) ? { op: o.op, snapshotId: o.snapshotId } : null;
    case 'call.start':
      return onlyKeys(o, ['op', 'sdp', 'mode']) && typeof o.sdp === 'string' && o.sdp.length <= MAX_SDP_CHARS && o.sdp.startsWith('v=0') && (o.mode === 'answer' || o.mode === 'view') ? { op: o.op, sdp: o.sdp, mode: o.mode } : null;
    case 'call.end':
    case 'call.decline':
      return onlyKeys(o, ['op']) ? { op: o.op } : null;
    case 'admin.unpair':
      return id(o.adminId) ? { op: o.op, adminId: o.adminId } : null;
    case 'pairing.create':
      return isAdminRole(o.role) ? { op: o.op, role: o.role } : null;
    default:
      return null;
  }
}

