import { canonicalJson, isEpochMs, isNonEmptyString, isRecord, isSafeInt, parseJsonObject, utf8 } from './canonical.ts';
import { signBytes, verifyBytes } from './keys.ts';
import { parseBox, type Box } from './sealed.ts';

/**
 * Every message on the wire is one signed envelope: who sent it to whom, a sequence number,
 * when it was made and until when it counts, an encrypted box (or, for the public config, a
 * plain body), and the sender's ECDSA signature over the canonical encoding of all of that.
 * Version 1 is the only one; a different `v` is refused by name so a newer phone meeting an
 * older panel says so instead of failing obscurely.
 */
export const PROTOCOL_VERSION = 1;
/** Large enough for an enrolment photo (about 512 KB of JPEG in base64url), no more. */
export const MAX_MESSAGE_BYTES = 900_000;

export type EnvelopeType = 'cmd' | 'pair' | 'reply' | 'event' | 'state' | 'config';
const TYPES: readonly EnvelopeType[] = ['cmd', 'pair', 'reply', 'event', 'state', 'config'];

export interface EnvelopeFields {
  readonly v: typeof PROTOCOL_VERSION;
  readonly t: EnvelopeType;
  /** Signer: an admin id (thumbprint) or the panel id. */
  readonly from: string;
  /** The panel id, an admin id, or "*" for every paired admin. */
  readonly to: string;
  /** Commands: the admin's strictly increasing counter. Others: the sender's own sequence. */
  readonly seq: number;
  readonly iat: number;
  readonly exp: number;
  readonly box?: Box;
  readonly body?: Record<string, unknown>;
}

export interface Envelope extends EnvelopeFields {
  readonly sig: string;
}

export type EnvelopeParse = { readonly ok: true; readonly env: Envelope } | { readonly ok: false; readonly reason: 'malformed' | 'unsupportedVersion' };

/** The box's context: binds the ciphertext to this kind of message between these parties. */
export const boxContext = (t: EnvelopeType, from: string, to: string): string => `doorward/${PROTOCOL_VERSION}/${t}/${from}/${to}`;

function signingInput(f: EnvelopeFields): Uint8Array {
  const fields: Record<string, unknown> = { v: f.v, t: f.t, from: f.from, to: f.to, seq: f.seq, iat: f.iat, exp: f.exp };
  if (f.box) fields.box = f.box;
  if (f.body) fields.body = f.body;
  return utf8(canonicalJson(['doorward-envelope', fields]));
}

export async function signEnvelope(fields: EnvelopeFields, signingKey: CryptoKey): Promise<Envelope> {
  return { ...fields, sig: await signBytes(signingKey, signingInput(fields)) };
}

export function verifyEnvelope(env: Envelope, verifyKey: CryptoKey): Promise<boolean> {
  return verifyBytes(verifyKey, signingInput(env), env.sig);
}

export function encodeEnvelope(env: Envelope): string {
  return JSON.stringify(env);
}

/** Shape only: nothing here is trusted until `verifyEnvelope` says so. */
export function parseEnvelope(raw: Uint8Array | string): EnvelopeParse {
  const o = parseJsonObject(raw, MAX_MESSAGE_BYTES);
  if (!o) return { ok: false, reason: 'malformed' };
  if (o.v !== PROTOCOL_VERSION) return { ok: false, reason: isSafeInt(o.v) ? 'unsupportedVersion' : 'malformed' };
  const { t, from, to, seq, iat, exp, sig } = o;
  if (typeof t !== 'string' || !(TYPES as readonly string[]).includes(t)) return { ok: false, reason: 'malformed' };
  if (!isNonEmptyString(from, 64) || !isNonEmptyString(to, 64) || !isSafeInt(seq) || seq < 0) return { ok: false, reason: 'malformed' };
  if (!isEpochMs(iat) || !isEpochMs(exp) || typeof sig !== 'string') return { ok: false, reason: 'malformed' };
  let box: Box | undefined;
  if (o.box !== undefined) {
    const parsed = parseBox(o.box);
    if (!parsed) return { ok: false, reason: 'malformed' };
    box = parsed;
  }
  if (o.body !== undefined && !isRecord(o.body)) return { ok: false, reason: 'malformed' };
  const env: Envelope = { v: PROTOCOL_VERSION, t: t as EnvelopeType, from, to, seq, iat, exp, sig, ...(box ? { box } : {}), ...(o.body !== undefined ? { body: o.body as Record<string, unknown> } : {}) };
  return { ok: true, env };
}
