import type { EventKind, EventRecord, OutboxRecord } from '../store/db.ts';
import type { PanelSnapshot } from '../panel/actions.ts';
import { isEpochMs, isNonEmptyString, isRecord, parseJsonObject, utf8 } from './canonical.ts';
import { isAdminRole, MAX_SKEW_MS, type AdminRole } from './command.ts';
import { boxContext, parseEnvelope, PROTOCOL_VERSION, signEnvelope, verifyEnvelope, MAX_MESSAGE_BYTES, type Envelope, type EnvelopeType } from './envelope.ts';
import { parsePublicJwk, type PublicJwk } from './keys.ts';
import { openBox, sealBox, type Recipient } from './sealed.ts';

/**
 * What the panel tells phones: access-log events, its state, replies to commands, and its public
 * config. All but the config are encrypted to the admins; all are signed by the panel so the
 * broker can neither read nor forge them. Payload shapes are checked on arrival like any input.
 */
export interface RemoteEvent {
  readonly id: string;
  readonly at: number;
  readonly kind: EventKind;
  readonly summary: string;
  readonly personId: string | null;
  readonly snapshotId: string | null;
  readonly detail: unknown;
}

export interface RemoteState {
  readonly at: number;
  readonly panel: PanelSnapshot;
}

export interface PanelConfig {
  readonly panelId: string;
  readonly sign: PublicJwk;
  readonly enc: PublicJwk;
  readonly admins: readonly { readonly id: string; readonly role: AdminRole }[];
  /** The MQTT version this panel is connected with (5, or 4 for 3.1.1). */
  readonly mqtt: 4 | 5;
  readonly homeAssistant: boolean;
  readonly updatedAt: number;
}

const KINDS: readonly EventKind[] = ['attempt', 'door', 'admin', 'system'];
/** Events must stay small on the wire; snapshots travel on request, not inline. */
const MAX_EVENT_BYTES = 16_384;

export interface PanelSigner {
  readonly panelId: string;
  readonly signingKey: CryptoKey;
}

/** Sealed to every recipient (to "*") or one admin; `ttlMs` is how long the content counts. */
export async function panelMessage(t: Exclude<EnvelopeType, 'cmd' | 'pair' | 'config'>, to: string, recipients: readonly Recipient[], payload: unknown, signer: PanelSigner, seq: number, now: number, ttlMs = 24 * 3_600_000): Promise<Envelope> {
  const box = await sealBox(utf8(JSON.stringify(payload)), recipients, boxContext(t, signer.panelId, to));
  return signEnvelope({ v: PROTOCOL_VERSION, t, from: signer.panelId, to, seq, iat: now, exp: now + ttlMs, box }, signer.signingKey);
}

/** The config counts for a week; the panel signs it again every day, so a live panel's never lapses. */
export const CONFIG_TTL_MS = 7 * 86_400_000;

export async function configMessage(config: PanelConfig, signer: PanelSigner, seq: number, now: number): Promise<Envelope> {
  return signEnvelope({ v: PROTOCOL_VERSION, t: 'config', from: signer.panelId, to: '*', seq, iat: now, exp: now + CONFIG_TTL_MS, body: { ...config } }, signer.signingKey);
}

export interface PhoneKeysForOpen {
  readonly panelId: string;
  readonly panelVerifyKey: CryptoKey;
  readonly adminId: string;
  readonly ecdhPrivate: CryptoKey;
}

export type Opened = { readonly ok: true; readonly env: Envelope; readonly payload: Record<string, unknown> };
/** Why a panel message is not acted on: not the panel's (or not for us), or out of its time. */
export type NotOpened = { readonly ok: false; readonly reason: 'unverifiable' | 'expired' | 'notYetValid' };

/**
 * The phone's whole check of a panel message: the panel signed it, it is of the expected type,
 * it is still within its lifetime (and not from the future beyond the skew clocks may have), and
 * it opens for this admin. Ordering (is it older than what this phone already believes?) is the
 * caller's, per stream, because only it knows what it has seen.
 */
export async function openPanelMessage(raw: Uint8Array | string, t: EnvelopeType, k: PhoneKeysForOpen, now: number): Promise<Opened | NotOpened> {
  const unverifiable: NotOpened = { ok: false, reason: 'unverifiable' };
  const parsed = parseEnvelope(raw);
  if (!parsed.ok || parsed.env.t !== t || parsed.env.from !== k.panelId) return unverifiable;
  const env = parsed.env;
  if (!(await verifyEnvelope(env, k.panelVerifyKey))) return unverifiable;
  if (!(env.exp > now)) return { ok: false, reason: 'expired' };
  if (env.iat > now + MAX_SKEW_MS || env.exp < env.iat) return { ok: false, reason: 'notYetValid' };
  if (t === 'config') return env.body ? { ok: true, env, payload: env.body } : unverifiable;
  if (!env.box || (env.to !== '*' && env.to !== k.adminId)) return unverifiable;
  const plain = await openBox(env.box, k.adminId, k.ecdhPrivate, boxContext(t, env.from, env.to));
  const payload = plain ? parseJsonObject(plain, MAX_MESSAGE_BYTES) : null;
  return payload ? { ok: true, env, payload } : unverifiable;
}

/**
 * The outbox holds the access-log record the remote layer enqueues itself (remoteEventOf), and,
 * queued by panels before the log became the one writer and still waiting out an outage, the
 * gatekeeper's `{ id, summary, decision, snapshotId }`. Both become one RemoteEvent; anything else is null
 * and the caller drops it (and says so), because a record that can never be sent must not block
 * the queue behind it.
 */
export function toRemoteEvent(record: OutboxRecord): RemoteEvent | null {
  const p = record.payload;
  if (!isRecord(p) || !isNonEmptyString(p.id, 128)) return null;
  if (isRecord(p.decision)) {
    const d = p.decision;
    const subject = isRecord(d.subject) ? d.subject : null;
    return {
      id: p.id,
      at: isEpochMs(d.at) ? d.at : record.createdAt,
      kind: 'attempt',
      summary: typeof p.summary === 'string' ? p.summary : `${String(d.outcome)}`,
      personId: subject && typeof subject.personId === 'string' ? subject.personId : null,
      snapshotId: isNonEmptyString(p.snapshotId, 128) ? p.snapshotId : null,
      detail: d,
    };
  }
  return parseRemoteEvent(p);
}

/** A stored log line as it is queued for the phones (the outbox payload of topic 'events'). */
export function remoteEventOf(e: EventRecord): RemoteEvent {
  return { id: e.id, at: e.at, kind: e.kind, summary: e.summary, personId: e.personId, snapshotId: e.snapshotId, detail: e.detail };
}

export function parseRemoteEvent(p: Record<string, unknown>): RemoteEvent | null {
  const { id, at, kind, summary, personId, snapshotId, detail } = p;
  if (!isNonEmptyString(id, 128) || !isEpochMs(at) || typeof kind !== 'string' || !(KINDS as readonly string[]).includes(kind)) return null;
  if (typeof summary !== 'string' || summary.length > 500) return null;
  if (personId !== null && personId !== undefined && typeof personId !== 'string') return null;
  if (snapshotId !== null && snapshotId !== undefined && typeof snapshotId !== 'string') return null;
  const event: RemoteEvent = { id, at, kind: kind as EventKind, summary, personId: personId ?? null, snapshotId: snapshotId ?? null, detail: detail ?? null };
  return utf8(JSON.stringify(event)).byteLength <= MAX_EVENT_BYTES ? event : { ...event, detail: null };
}

export function parseRemoteState(p: Record<string, unknown>): RemoteState | null {
  const panel = isRecord(p.panel) ? parsePanelSnapshot(p.panel) : null;
  return isEpochMs(p.at) && panel ? { at: p.at, panel } : null;
}

export function parsePanelSnapshot(panel: Record<string, unknown>): PanelSnapshot | null {
  const { online, doorController, doorOpen, lastVisitor, doorName } = panel;
  if (typeof online !== 'boolean' || typeof doorController !== 'string' || typeof doorOpen !== 'boolean') return null;
  if (doorName !== undefined && typeof doorName !== 'string') return null;
  let visitor: PanelSnapshot['lastVisitor'] = null;
  if (lastVisitor !== null && lastVisitor !== undefined) {
    if (!isRecord(lastVisitor) || typeof lastVisitor.outcome !== 'string' || !isEpochMs(lastVisitor.at)) return null;
    if (lastVisitor.name !== null && typeof lastVisitor.name !== 'string') return null;
    if (lastVisitor.by !== undefined && typeof lastVisitor.by !== 'string') return null;
    visitor = { name: lastVisitor.name, outcome: lastVisitor.outcome, at: lastVisitor.at, ...(typeof lastVisitor.by === 'string' ? { by: lastVisitor.by.slice(0, 80) } : {}) };
  }
  // Only ever shown as text, and the phone cuts it to its own name length.
  return { online, doorController, doorOpen, lastVisitor: visitor, ...(typeof doorName === 'string' ? { doorName: doorName.slice(0, 200) } : {}) };
}

export function parsePanelConfig(p: Record<string, unknown>): PanelConfig | null {
  const { panelId, admins, mqtt, homeAssistant, updatedAt, sign, enc } = p;
  if (!isNonEmptyString(panelId, 64) || !Array.isArray(admins) || (mqtt !== 4 && mqtt !== 5) || typeof homeAssistant !== 'boolean' || !isEpochMs(updatedAt)) return null;
  const list: { id: string; role: AdminRole }[] = [];
  for (const a of admins) {
    if (!isRecord(a) || !isNonEmptyString(a.id, 64) || !isAdminRole(a.role)) return null;
    list.push({ id: a.id, role: a.role });
  }
  const signJwk = parsePublicJwk(sign);
  const encJwk = parsePublicJwk(enc);
  if (!signJwk || !encJwk) return null;
  return { panelId, admins: list, mqtt, homeAssistant, updatedAt, sign: signJwk, enc: encJwk };
}
