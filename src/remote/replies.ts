import type { PanelSnapshot, PersonSummary } from '../panel/actions.ts';
import { parseSettingsView, settingProblem, SETTING_KEYS, type PanelSettingsView, type SettingChange, type SettingKey, type SettingValue } from '../panel/panel-settings.ts';
import type { IssuedGuestKey } from '../store/settings.ts';
import type { ListedGuestKey } from '../panel/guest-keys.ts';
import type { MatterReportReply } from '../panel/matter-report.ts';
import type { Role } from '../access/types.ts';
import { isEpochMs, isNonEmptyString, isRecord, isSafeInt } from './canonical.ts';
import { isAdminRole, MAX_SDP_CHARS, parseSchedule, type AdminRole, type CommandRefusal } from './command.ts';
import { parsePanelSnapshot, parseRemoteEvent, type RemoteEvent } from './messages.ts';
import type { PairRefusal } from './pairing.ts';
import type { AdminSummary, PairingOffer } from './panel-remote.ts';

/**
 * The panel's answers to commands, one table (as vision's `Requests` is): each op with the
 * result it answers with, so the panel cannot send, nor the phone read, any other shape. The
 * phone parses every result from the wire with the parser of the op it asked (a reply is
 * untrusted input like any other); one that does not parse becomes a refusal `unreadable`, with
 * the reason in words, never a value of the wrong type.
 */
export interface Results {
  'state.get': PanelSnapshot;
  'people.list': readonly PersonSummary[];
  'person.add': { readonly personId: string };
  'person.setActive': null;
  'person.update': null;
  'person.remove': null;
  'person.enrolPhoto': null;
  'settings.get': PanelSettingsView;
  'settings.set': { readonly settings: PanelSettingsView; readonly changes: readonly SettingChange[] };
  'guestKey.issue': { readonly token: string; readonly record: IssuedGuestKey };
  'guestKey.revoke': null;
  'guestKey.list': readonly ListedGuestKey[];
  /** The same key signed again: same key id, window and uses. */
  'guestKey.show': { readonly token: string; readonly record: IssuedGuestKey };
  'door.unlock': { readonly opened: boolean; readonly reason: string };
  /** `personId`: whose PIN opened it, null when none did. */
  'door.unlockPin': { readonly opened: boolean; readonly reason: string; readonly personId: string | null };
  'door.lock': { readonly locked: boolean; readonly reason: string };
  /** The panel's zone and the fabrics an admin removed, for the Matter bridge. */
  'bridge.report': MatterReportReply;
  'log.recent': readonly RemoteEvent[];
  /** The snapshot's JPEG as base64url; null when the panel no longer keeps it. */
  'snapshot.get': string | null;
  /** The thumbnail's JPEG as base64url; null when the panel keeps none for that person. */
  'person.thumbnail': string | null;
  'admins.list': readonly AdminSummary[];
  'admin.unpair': null;
  'pairing.create': PairingOffer;
  /** The panel's complete WebRTC answer to the phone's offer. */
  'call.start': { readonly sdp: string };
  'call.end': null;
  'call.decline': null;
  /** The answer to a pairing request (not a command: it has no counter, `re` is 0). */
  pair: { readonly role: AdminRole; readonly panelId: string };
}

/** Every op a reply can answer: the commands, and the pairing request. */
export type ReplyOp = keyof Results;

/**
 * Why a command (or a pairing request) did not run: a closed list, so the panel's log and the
 * phone's words cover every case. `problem` carries the panel's own sentence where there is one
 * (the admin area's "No such person.", the settings a manager may not lower).
 */
export type Refusal =
  | CommandRefusal
  // the panel's link
  | 'insecureLink'
  | 'badCode'
  | 'noPairingOpen'
  | PairRefusal
  // running a verified command
  | 'rejected'
  | 'failed'
  | 'unsupported'
  | 'unknownAdmin'
  // made up on the phone: nothing came back that could be believed
  | 'notSent'
  | 'disconnected'
  | 'unreadable';

const REFUSALS: Readonly<Record<Refusal, string>> = {
  malformed: 'the panel could not read the request',
  unsupportedVersion: 'the panel speaks another protocol version',
  wrongPanel: 'the request was for another panel',
  unpaired: 'this phone is not paired with the panel',
  badSignature: 'the signature did not hold',
  notYetValid: "the phone's clock is ahead of the panel's",
  expired: 'the request arrived too late',
  stale: 'the request was dated too far back',
  replayed: 'the request was a replay',
  undecryptable: 'the panel could not decrypt the request',
  forbidden: 'only an owner may do that',
  retained: 'the broker replayed a kept message',
  topicMismatch: 'the request came on another admin’s topic',
  rateLimited: 'too many tries: wait and try again',
  insecureLink: 'the broker link is not secure enough',
  badCode: 'wrong code',
  noPairingOpen: 'no pairing code is shown on the panel',
  alreadyPaired: 'this phone is already paired',
  rejected: 'the panel refused',
  failed: 'the panel failed to carry it out',
  unsupported: 'this panel cannot do that',
  unknownAdmin: 'no such admin',
  notSent: 'the command was not sent',
  disconnected: 'the connection closed before the panel answered',
  unreadable: 'the panel’s answer could not be read',
};

export const isRefusal = (v: unknown): v is Refusal => typeof v === 'string' && Object.hasOwn(REFUSALS, v);

export type ReplyOk<K extends ReplyOp> = { readonly re: number; readonly op: K; readonly ok: true; readonly result: Results[K] };
export type ReplyRefused<K extends ReplyOp | null> = { readonly re: number; readonly op: K; readonly ok: false; readonly reason: Refusal; readonly problem?: string };

/** The answer to one op (the phone's `send` answers with the op it was given). */
export type Reply<K extends ReplyOp = ReplyOp> = ReplyOk<K> | ReplyRefused<K>;

/** What the panel publishes (before sealing); a refusal of bytes it could not read names no op. */
// One refusal type over every op (not a union of one per op): TypeScript compares a value whose
// op is itself a union against at most 25 spellings, and there are more ops than that.
export type WireReply = Reply | ReplyRefused<ReplyOp | null>;

/** The refusal in words for the admin: the panel's own sentence where it gave one. */
export const refusalText = (r: { readonly reason: Refusal; readonly problem?: string }): string => r.problem ?? REFUSALS[r.reason];

/** What a parser gives for a value that is not of its type (null is a result some ops answer with). */
const BAD: unique symbol = Symbol('unreadable');
type Parser<T> = (v: unknown) => T | typeof BAD;
const nothing: Parser<null> = (v) => (v === null ? null : BAD);
/** The message parsers' `null` for "not that shape" in this file's terms. */
const orBad = <T>(v: T | null): T | typeof BAD => (v === null ? BAD : v);

const text = (v: unknown, max = 500): v is string => typeof v === 'string' && v.length <= max;
const isRole = (v: unknown): v is Role => v === 'resident' || v === 'employee' || v === 'guest' || v === 'service';

function listOf<T>(item: Parser<T>, max: number): Parser<readonly T[]> {
  return (v) => {
    if (!Array.isArray(v) || v.length > max) return BAD;
    const out: T[] = [];
    for (const x of v as unknown[]) {
      const parsed = item(x);
      if (parsed === BAD) return BAD;
      out.push(parsed);
    }
    return out;
  };
}

const person: Parser<PersonSummary> = (v) => {
  if (!isRecord(v) || !isNonEmptyString(v.id, 128) || !text(v.name, 200) || !isRole(v.role) || typeof v.active !== 'boolean' || typeof v.hasPin !== 'boolean' || !isSafeInt(v.templates) || v.templates < 0) return BAD;
  const none = v.schedule === null || v.schedule === undefined;
  const schedule = none ? null : parseSchedule(v.schedule);
  if (!none && schedule === null) return BAD;
  return { id: v.id, name: v.name, role: v.role, active: v.active, hasPin: v.hasPin, templates: v.templates, schedule };
};

const isSettingValue = (v: unknown): v is SettingValue => v === null || (typeof v === 'number' && Number.isFinite(v)) || (isRecord(v) && isSafeInt(v.startHour) && isSafeInt(v.endHour));
const isSettingKey = (v: unknown): v is SettingKey => typeof v === 'string' && (SETTING_KEYS as readonly string[]).includes(v);
// A door name is held to the same check as the setting itself.
// A call relay travels as its address and username (settingChanges), never its password.
const isRelayText = (v: unknown): v is string | null => v === null || (typeof v === 'string' && v.length <= 600);
const isValueOf = (key: SettingKey, v: unknown): v is SettingValue =>
  key === 'doorName' ? settingProblem('doorName', v) === null : key === 'callRelay' ? isRelayText(v) : isSettingValue(v);
const change: Parser<SettingChange> = (v) => (isRecord(v) && isSettingKey(v.key) && isValueOf(v.key, v.from) && isValueOf(v.key, v.to) ? { key: v.key, from: v.from, to: v.to } : BAD);

const guestRecord: Parser<IssuedGuestKey> = (v) => {
  if (!isRecord(v) || !isNonEmptyString(v.keyId, 128) || !text(v.name, 200) || !isEpochMs(v.notBefore) || !isEpochMs(v.expires) || !isEpochMs(v.issuedAt) || typeof v.revoked !== 'boolean') return BAD;
  if (v.maxUses !== null && !(isSafeInt(v.maxUses) && v.maxUses > 0)) return BAD;
  if (v.selfEnrol !== undefined && typeof v.selfEnrol !== 'boolean') return BAD;
  return { keyId: v.keyId, name: v.name, notBefore: v.notBefore, expires: v.expires, maxUses: v.maxUses, revoked: v.revoked, issuedAt: v.issuedAt, ...(v.selfEnrol !== undefined ? { selfEnrol: v.selfEnrol } : {}) };
};

const listedKey: Parser<ListedGuestKey> = (v) => {
  const record = guestRecord(v);
  if (record === BAD || !isRecord(v) || !isSafeInt(v.uses) || v.uses < 0) return BAD;
  return { ...record, uses: v.uses };
};

const tokenAndRecord: Parser<{ readonly token: string; readonly record: IssuedGuestKey }> = (v) => {
  if (!isRecord(v) || !isNonEmptyString(v.token, 4096)) return BAD;
  const record = guestRecord(v.record);
  return record === BAD ? BAD : { token: v.token, record };
};

const admin: Parser<AdminSummary> = (v) =>
  isRecord(v) && isNonEmptyString(v.id, 128) && isAdminRole(v.role) && text(v.label, 200) && typeof v.pairedAt === 'number' ? { id: v.id, role: v.role, label: v.label, pairedAt: v.pairedAt } : BAD;

const RESULTS: { readonly [K in ReplyOp]: Parser<Results[K]> } = {
  'state.get': (v) => orBad(isRecord(v) ? parsePanelSnapshot(v) : null),
  'people.list': listOf(person, 10_000),
  'person.add': (v) => (isRecord(v) && isNonEmptyString(v.personId, 128) ? { personId: v.personId } : BAD),
  'person.setActive': nothing,
  'person.update': nothing,
  'person.remove': nothing,
  'person.enrolPhoto': nothing,
  'settings.get': (v) => orBad(parseSettingsView(v)),
  'settings.set': (v) => {
    if (!isRecord(v)) return BAD;
    const settings = parseSettingsView(v.settings);
    const changes = listOf(change, SETTING_KEYS.length)(v.changes);
    return settings && changes !== BAD ? { settings, changes } : BAD;
  },
  'guestKey.issue': tokenAndRecord,
  'guestKey.revoke': nothing,
  'guestKey.list': listOf(listedKey, 10_000),
  'guestKey.show': tokenAndRecord,
  'door.unlock': (v) => (isRecord(v) && typeof v.opened === 'boolean' && text(v.reason) ? { opened: v.opened, reason: v.reason } : BAD),
  'door.unlockPin': (v) =>
    isRecord(v) && typeof v.opened === 'boolean' && text(v.reason) && (v.personId === null || isNonEmptyString(v.personId, 128)) ? { opened: v.opened, reason: v.reason, personId: v.personId } : BAD,
  'bridge.report': (v) =>
    isRecord(v) && isNonEmptyString(v.timeZone, 64) && Array.isArray(v.removeFabrics) && v.removeFabrics.length <= 254 && (v.removeFabrics as unknown[]).every((i) => isSafeInt(i) && i >= 1 && i <= 254)
      ? { timeZone: v.timeZone, removeFabrics: v.removeFabrics as number[] }
      : BAD,
  'door.lock': (v) => (isRecord(v) && typeof v.locked === 'boolean' && text(v.reason) ? { locked: v.locked, reason: v.reason } : BAD),
  // One garbled line does not hide the rest of the log: it is left out, the others kept.
  'log.recent': (v) => (Array.isArray(v) && v.length <= 500 ? (v as unknown[]).flatMap((e) => (isRecord(e) ? (parseRemoteEvent(e) ?? []) : [])) : BAD),
  'snapshot.get': (v) => (v === null || isNonEmptyString(v, 4_000_000) ? v : BAD),
  // A 96 px JPEG is a few kB: anything near this is not a thumbnail.
  'person.thumbnail': (v) => (v === null || isNonEmptyString(v, 200_000) ? v : BAD),
  'admins.list': listOf(admin, 64),
  'admin.unpair': nothing,
  'pairing.create': (v) => (isRecord(v) && isNonEmptyString(v.payload, 8192) && isAdminRole(v.role) && isEpochMs(v.expiresAt) ? { payload: v.payload, role: v.role, expiresAt: v.expiresAt } : BAD),
  'call.start': (v) => (isRecord(v) && typeof v.sdp === 'string' && v.sdp.length <= MAX_SDP_CHARS && v.sdp.startsWith('v=0') ? { sdp: v.sdp } : BAD),
  'call.end': nothing,
  'call.decline': nothing,
  pair: (v) => (isRecord(v) && isAdminRole(v.role) && isNonEmptyString(v.panelId, 64) ? { role: v.role, panelId: v.panelId } : BAD),
};

/**
 * A reply as it came off the wire, read as the answer to `op`: null when it is not even a reply
 * (no `re`); a refusal `unreadable` when it answers another op, gives a reason this phone does
 * not know, or carries a result that is not what `op` answers with.
 */
export function parseReply<K extends ReplyOp>(op: K, p: Record<string, unknown>): Reply<K> | null {
  if (!isSafeInt(p.re) || typeof p.ok !== 'boolean') return null;
  const re = p.re;
  const unreadable = (problem: string): ReplyRefused<K> => ({ re, op, ok: false, reason: 'unreadable', problem });
  // A refusal of bytes the panel could not read names no op; anything else names the one asked.
  if (p.op !== op && !(p.ok === false && p.op === null)) return unreadable(`the panel answered ${typeof p.op === 'string' ? p.op.slice(0, 40) : 'something else'} to ${op}`);
  if (!p.ok) {
    if (!isRefusal(p.reason)) return unreadable(`the panel refused ${op} for a reason this phone does not know (${typeof p.reason === 'string' ? p.reason.slice(0, 60) : 'none given'})`);
    return { re, op, ok: false, reason: p.reason, ...(text(p.problem) ? { problem: p.problem } : {}) };
  }
  const result = RESULTS[op](p.result ?? null);
  if (result === BAD) return unreadable(`the panel's answer to ${op} could not be read`);
  return { re, op, ok: true, result };
}
